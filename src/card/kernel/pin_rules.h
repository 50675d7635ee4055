// The format rule of each PinRule (card-apdu.md §9.1, §16 #8).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "openmyna/card/model.h"

namespace openmyna::card {

// nullopt when `value` satisfies `rule`; otherwise why not (never contains
// the value itself). The four passwords use the domain policy.
std::optional<std::string> CheckPinValue(PinRule rule, std::string_view value);

// Whether the rule is one of the four resident passwords (absent on a
// face_auth card, domain.md §8.4).
bool IsPassword(PinRule rule);

}  // namespace openmyna::card
