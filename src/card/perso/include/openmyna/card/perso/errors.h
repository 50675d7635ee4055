// Error codes of card personalization (docs/profiles.md). Input errors are
// named kInvalid... so the CLI maps them to exit code 2.
#pragma once

#include <string_view>

#include "openmyna/base/result.h"

namespace openmyna::card::perso {

enum class PersoErrc {
  kInvalidProfile = 1,  // the profile breaks a rule; the message names the
                        // field(s): "number: check digit should be 8"
  kNoSandbox = 2,       // the sandbox (openmyna init) is missing
  kIssuance = 3,        // the CA, the chip or the card-face data failed
  kIo = 4,              // reading a photo, writing the image
};

}  // namespace openmyna::card::perso

template <>
struct openmyna::ErrorTraits<openmyna::card::perso::PersoErrc> {
  static constexpr std::string_view kLibrary = "card.perso";
  static std::string_view Name(openmyna::card::perso::PersoErrc code);
};
