#include "access.h"

#include <fmt/format.h>

#include "openmyna/base/bytes.h"
#include "openmyna/base/log.h"
#include "openmyna/registry/audit_id.h"
#include "openmyna/registry/errors.h"
#include "openmyna/registry/permissions.h"

namespace openmyna::registry::internal {

std::string NewRecordId(Rng& rng, std::string_view prefix) {
  return std::string(prefix) + ToHex(rng.Bytes(8));
}

Status Authorize(const Actor& actor, std::string_view action,
                 std::string_view resident_id) {
  if (!MayPerform(actor.role, action)) {
    return Fail(RegistryErrc::kRefused,
                fmt::format("role {} may not perform {}", ToString(actor.role),
                            action));
  }
  if (actor.role == Role::kResident && actor.id != resident_id) {
    return Fail(RegistryErrc::kRefused,
                "a resident may act only on their own record");
  }
  return Ok();
}

Status WriteAudit(RegistryTx& tx, const Actor& actor,
                  std::string_view resident_id, std::string_view action,
                  const Clock& clock, Rng& rng) {
  log::Get("registry")
      ->debug("{} by {} ({}) on resident {}", action, actor.id,
              ToString(actor.role), resident_id);
  const TimePoint now = clock.Now();
  return tx.AppendAudit({NewAuditId(now, rng), std::string(resident_id),
                         actor.id, actor.role, std::string(action), actor.why,
                         now});
}

Status AuditAccess(RegistryTx& tx, const Actor& actor,
                   std::string_view resident_id, std::string_view action,
                   const Clock& clock, Rng& rng) {
  if (resident_id.empty()) return Ok();
  if (actor.role == Role::kResident && actor.id == resident_id) return Ok();
  return WriteAudit(tx, actor, resident_id, action, clock, rng);
}

Result<Resident> LoadResident(RegistryTx& tx, std::string_view id) {
  OPENMYNA_ASSIGN_OR_RETURN(auto found, tx.GetResident(id));
  if (!found) {
    return Fail(RegistryErrc::kNotFound, fmt::format("no resident {}", id));
  }
  return *std::move(found);
}

}  // namespace openmyna::registry::internal
