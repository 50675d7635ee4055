#include "openmyna/registry/permissions.h"

#include <array>

namespace openmyna::registry {
namespace {

// clang-format off
// action                     clerk  hotline kiosk platform system resident
constexpr std::array kRules = {
    ActionRule{"municipality.write", true,  false, false, false, true,  false},
    ActionRule{"resident.register",  true,  false, false, false, true,  false},
    ActionRule{"resident.read",      true,  false, true,  false, true,  true},
    ActionRule{"resident.lookup",    true,  true,  false, false, false, false},
    ActionRule{"audit.read",         true,  false, false, false, true,  true},
    ActionRule{"card.apply",         true,  false, false, false, false, false},
    ActionRule{"card.produce",       true,  false, false, false, true,  false},
    ActionRule{"card.deliver",       true,  false, false, false, false, false},
    ActionRule{"card.add_certificates", true, false, false, false, false, false},
    ActionRule{"card.suspend",       true,  true,  false, false, false, false},
    ActionRule{"card.lift_suspension", true, false, false, false, false, false},
    ActionRule{"card.report_loss",   true,  true,  false, false, false, false},
    ActionRule{"card.reissue",       true,  false, false, false, false, false},
    ActionRule{"card.renew",         true,  false, false, false, false, false},
    ActionRule{"card.present",       true,  false, false, false, false, false},
    ActionRule{"card.reset_password", true, false, false, false, false, false},
    ActionRule{"resident.change_address", true, false, false, false, false, false},
    ActionRule{"resident.change_name", true, false, false, false, false, false},
    ActionRule{"resident.former_surname", true, false, false, false, false, false},
    ActionRule{"resident.move_in",   true,  false, false, false, false, false},
    ActionRule{"resident.period_of_stay", true, false, false, false, false, false},
    ActionRule{"resident.death",     true,  false, false, false, true,  false},
    ActionRule{"certificate.read",   true,  false, false, true,  true,  false},
    ActionRule{"certificate.holder", true,  false, true,  true,  true,  false},
    ActionRule{"platform.verify",    false, false, false, true,  false, false},
    ActionRule{"batch.notices",      false, false, false, false, true,  false},
    ActionRule{"batch.expiry",       false, false, false, false, true,  false},
    // Civil records (issue 11, civil_service.h).
    ActionRule{"civil.household.write", true, false, false, false, true, false},
    ActionRule{"civil.household.read", true, false, true,  false, true,  true},
    ActionRule{"civil.resident.write", true, false, false, false, true,  false},
    ActionRule{"civil.resident.read", true,  false, true,  false, true,  true},
    ActionRule{"civil.support_measure", true, false, false, false, true, false},
    ActionRule{"civil.koseki.write", true,  false, false, false, true,  false},
    ActionRule{"civil.koseki.read",  true,  false, true,  false, true,  false},
    ActionRule{"civil.seal.register", true,  false, false, false, true,  false},
    ActionRule{"civil.seal.deregister", true, false, false, false, true, false},
    ActionRule{"civil.seal.read",    true,  false, true,  false, true,  true},
};
// clang-format on

}  // namespace

std::span<const ActionRule> ActionRules() { return kRules; }

bool MayPerform(Role role, std::string_view action) {
  for (const ActionRule& rule : kRules) {
    if (rule.action != action) continue;
    switch (role) {
      case Role::kCounterClerk:
        return rule.counter_clerk;
      case Role::kHotlineOperator:
        return rule.hotline_operator;
      case Role::kKiosk:
        return rule.kiosk;
      case Role::kPlatform:
        return rule.platform;
      case Role::kSystem:
        return rule.system;
      case Role::kResident:
        return rule.resident;
      case Role::kInsurer:  // insurance actions: insurance_service.cc
      case Role::kClinic:
        return false;
    }
  }
  return false;
}

}  // namespace openmyna::registry
