// The touch-screen kiosk page at <base>/kiosk/ (issue 11 item 3,
// docs/konbini.md §3): the screens of a multi-copy machine driving the same
// session as `openmyna kiosk` (kiosk.h) with the card in the reader of the
// machine that serves the page — set the card, the 4-digit PIN on the
// screen, the card signs the centre's challenge and is released, then the
// municipality, the certificate, its options and copies, the fee, payment
// (simulated), and the document checked against this session before it
// "prints": the signed PDF handed to the browser once, then wiped. Instead
// of a certificate, the signed-in holder may file the 利用登録申請 of the
// registered domicile (Kiosk::ApplyRegistration).
//
// The centre is the one in this process (with its issuers, Site) or a
// centre in another process (`serve --only centre`) reached through
// HttpCentre with this kiosk's credential (docs/konbini.md).
//
// Japanese first (English switch), large touch targets, server-rendered
// forms with a CSRF token; no script. One screen = one cookie session; a
// session left at any screen ends at the centre after `timeout`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/http/router.h"
#include "openmyna/registry/store.h"
#include "openmyna/services/konbini/kiosk.h"
#include "openmyna/services/konbini/site.h"

namespace openmyna::konbini {

// Connects to the card in the machine's reader (kNoCard etc. when none).
using OpenKioskCard = std::function<Result<std::unique_ptr<KioskCard>>()>;

// What the page drives: a centre, the document keys its kiosk checks the
// documents with, and the municipalities the holder may choose.
struct KioskCentre {
  std::shared_ptr<CentrePort> centre;  // owns what it needs
  // Municipality code -> document-signing public key (PEM).
  std::map<std::string, std::string> document_keys;
  std::vector<registry::Municipality> municipalities;
};
// The centre and the issuers of `site`, in this process.
KioskCentre InProcessCentre(std::unique_ptr<Site> site);

// Opens the centre on the first session (so a server that never shows the
// kiosk makes no document keys); a failure is shown and retried next time.
using OpenKioskCentre = std::function<Result<KioskCentre>()>;

struct KioskPageOptions {
  std::string base_path = "/kiosk";  // the routes: base/, base/start, ...
  OpenKioskCentre open_centre;       // centre, keys, municipalities
  const Clock* clock = nullptr;      // borrowed
  Rng* rng = nullptr;                // session ids (borrowed)
  OpenKioskCard open_card;
  // A screen left this long without a touch is reset (the centre's session
  // ends; the cookie session expires).
  std::chrono::seconds timeout{180};
  bool secure_cookies = true;  // false only for plain-HTTP tests
};

// Adds GET base/, POST base/{start,pin,choose,pay,register,apply,cancel,
// finish} (register/apply: the 利用登録申請 instead of a certificate), GET
// base/document.pdf and the static files. Borrowed pointers must outlive
// the router.
Status AddKioskPage(http::Router& router, const KioskPageOptions& options);

}  // namespace openmyna::konbini
