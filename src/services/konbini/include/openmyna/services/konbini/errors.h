// Error codes of the convenience-store services (see base/result.h).
// kRefused carries the reason a kiosk shows (Japanese, then English).
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::konbini {

enum class KonbiniErrc {
  kRefused = 1,       // a rule refuses (the message is the kiosk's text)
  kInvalidInput = 2,  // a malformed choice
  kNoSession = 3,     // unknown, finished or aborted session
  kTimeout = 4,       // a stage did not answer in time: the session is gone
  kBadSignature = 5,  // a signature or a document does not verify
  kBinding = 6,       // the document is not this session's: never printed
  kUnavailable = 7,   // no issuer for the municipality, or issuance halted
  kInternal = 8,
  kUnreachable = 9,  // an issuer instance could not be reached (nothing sent)
};

}  // namespace openmyna::konbini

template <>
struct openmyna::ErrorTraits<openmyna::konbini::KonbiniErrc> {
  static constexpr std::string_view kLibrary = "konbini";
  static std::string_view Name(openmyna::konbini::KonbiniErrc code);
};
