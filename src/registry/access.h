// (internal) The role check and the audit entry shared by the registry's
// services (service.cc, civil_service.cc): architecture.md §4.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/registry/model.h"
#include "openmyna/registry/store.h"

namespace openmyna::registry::internal {

// `prefix` + 16 random hex digits.
std::string NewRecordId(Rng& rng, std::string_view prefix);

// kRefused unless the role may perform `action` (permissions.h) and, for
// the resident role, `resident_id` is the actor's own.
Status Authorize(const Actor& actor, std::string_view action,
                 std::string_view resident_id = {});

// Logs (resident id only, never the number) and appends one audit entry:
// who, role, what, why (actor.why), when.
Status WriteAudit(RegistryTx& tx, const Actor& actor,
                  std::string_view resident_id, std::string_view action,
                  const Clock& clock, Rng& rng);

}  // namespace openmyna::registry::internal
