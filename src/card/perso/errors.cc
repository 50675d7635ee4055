#include "openmyna/card/perso/errors.h"

namespace openmyna {

std::string_view ErrorTraits<card::perso::PersoErrc>::Name(
    card::perso::PersoErrc code) {
  using card::perso::PersoErrc;
  switch (code) {
    case PersoErrc::kInvalidProfile:
      return "invalid_profile";
    case PersoErrc::kNoSandbox:
      return "no_sandbox";
    case PersoErrc::kIssuance:
      return "issuance";
    case PersoErrc::kIo:
      return "io";
  }
  return "unknown";
}

}  // namespace openmyna
