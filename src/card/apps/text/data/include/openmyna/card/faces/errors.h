// Error codes of the card-face data libraries (券面事項入力補助AP and 券面AP
// contents: TLV files, images, signatures). See base/result.h for the scheme.
// Input errors are named kInvalid... so that the CLI maps them to exit 2.
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::card::faces {

enum class FacesErrc {
  kInvalidNumber = 1,        // not a 12-digit individual number
  kInvalidName = 2,          // empty, not UTF-8, or too long for its field
  kInvalidAddress = 3,       // empty, not UTF-8, or too long for its field
  kInvalidDate = 4,          // a date outside what the card can encode
  kInvalidSecurityCode = 5,  // not 4 ASCII digits
  kInvalidKey = 6,           // not an RSA-2048 key (or no private half to sign)
  kInvalidImage = 7,         // a photo that cannot be decoded
  kInvalidLength = 8,        // a value too long for an 82 HH LL length (65,535)
  kInvalidArgument = 9,      // any other bad input (municipality code, key ID)
  kCrypto = 10,              // OpenSSL reported a failure
  kRender = 11,              // cairo / pango / openjpeg / zlib failed
};

}  // namespace openmyna::card::faces

template <>
struct openmyna::ErrorTraits<openmyna::card::faces::FacesErrc> {
  static constexpr std::string_view kLibrary = "card_faces";
  static std::string_view Name(openmyna::card::faces::FacesErrc code);
};
