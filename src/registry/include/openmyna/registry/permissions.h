// Who may do what (issue 5, item 5): one table from action to the roles that
// may perform it. The service checks it on every operation; the HTTP API
// uses the same table for its route authorisation and its test matrix.
#pragma once

#include <span>
#include <string_view>

#include "openmyna/registry/model.h"

namespace openmyna::registry {

struct ActionRule {
  std::string_view action;  // "card.suspend", ...
  bool counter_clerk;
  bool hotline_operator;
  bool kiosk;
  bool platform;
  bool system;
  bool resident;  // the holder, on their own record only
};

// Every action of the registry, in a stable order.
std::span<const ActionRule> ActionRules();

// True when `role` may perform `action`; false for unknown actions.
bool MayPerform(Role role, std::string_view action);

}  // namespace openmyna::registry
