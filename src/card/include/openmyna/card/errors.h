// Error codes of the card library (see base/result.h for the scheme).
// These are errors of the *library API* (issuance, image files, options);
// the chip's answers to APDUs are status words (status_words.h), never
// errors.
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::card {

enum class CardErrc {
  kInvalidPin = 1,       // a PIN value breaks its rule (names the rule)
  kInvalidArgument = 2,  // bad option text, bad FID, data too large, ...
  kBadImage = 3,         // an image file that is not a valid card image
  kBadMasterKey = 4,     // storage key file missing, wrong size, or wrong
                         // key for this image (authentication tag mismatch)
  kNotFound = 5,         // no such application or file on the card
  kWrongObjectKind = 6,  // e.g. writing binary data into a PIN object
  kErased = 7,           // the chip was erased (tamper); nothing to do
  kIo = 8,               // the image could not be read or written
  kCrypto = 9,           // OpenSSL reported a failure
};

}  // namespace openmyna::card

template <>
struct openmyna::ErrorTraits<openmyna::card::CardErrc> {
  static constexpr std::string_view kLibrary = "card";
  static std::string_view Name(openmyna::card::CardErrc code);
};
