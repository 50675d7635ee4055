#include "openmyna/services/konbini/errors.h"

namespace openmyna {

std::string_view ErrorTraits<konbini::KonbiniErrc>::Name(
    konbini::KonbiniErrc code) {
  using konbini::KonbiniErrc;
  switch (code) {
    case KonbiniErrc::kRefused:
      return "refused";
    case KonbiniErrc::kInvalidInput:
      return "invalid_input";
    case KonbiniErrc::kNoSession:
      return "no_session";
    case KonbiniErrc::kTimeout:
      return "timeout";
    case KonbiniErrc::kBadSignature:
      return "bad_signature";
    case KonbiniErrc::kBinding:
      return "binding";
    case KonbiniErrc::kUnavailable:
      return "unavailable";
    case KonbiniErrc::kInternal:
      return "internal";
    case KonbiniErrc::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

}  // namespace openmyna
