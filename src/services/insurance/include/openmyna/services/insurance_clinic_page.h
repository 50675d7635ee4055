// The clinic's face-recognition reader as a page at <base>/clinic/ (issue
// 12 item 5; docs/insurance.md "The reader's screen"): the screens of the
// 顔認証付きカードリーダー driving one visit (insurance_reader.h) with the
// card in the PC/SC reader of the machine that serves the page — place the
// card, choose face or PIN (目視 by the staff after a failure), the consent
// questions for the items the facility enabled, done with the eligibility
// answer. The reader's camera is that machine's too: `camera` gives its
// picture and `face_data` what it reads printed on the card (照合番号B).
//
// Japanese first (English switch), large touch targets, server-rendered
// forms with a CSRF token, no script; one screen = one cookie session, reset
// after `timeout` without a touch.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "openmyna/base/bytes.h"
#include "openmyna/base/result.h"
#include "openmyna/card/client/apdu_channel.h"
#include "openmyna/http/router.h"
#include "openmyna/services/insurance_reader.h"

namespace openmyna::services {

// Connects to the card in the reader (an error when there is none).
using OpenReaderCard =
    std::function<Result<std::unique_ptr<card::client::ApduChannel>>()>;

struct ClinicPageOptions {
  std::string base_path = "/clinic";
  // The visit's wiring; reader.clinic is the facility (role kClinic, id its
  // institution code). Borrowed pointers must outlive the router.
  ReaderContext reader;
  OpenReaderCard open_card;
  // The camera's picture now (PNG/JPEG), and the printed face data; either
  // empty: the face path is not offered.
  std::function<Result<Bytes>()> camera;
  std::function<Result<PrintedFaceData>()> face_data;
  std::chrono::seconds timeout{180};
  bool secure_cookies = true;  // false only for plain-HTTP tests
};

// Adds GET base/, POST base/{start,method,pin,visual,consent,cancel,finish}
// and the static files.
Status AddClinicPage(http::Router& router, const ClinicPageOptions& options);

}  // namespace openmyna::services
