// (internal) The role check, the audit rule and the record ids shared by
// the registry's services (service.cc, civil_service.cc): architecture.md
// §4.
#pragma once

#include <string>
#include <string_view>

#include "openmyna/base/clock.h"
#include "openmyna/base/result.h"
#include "openmyna/base/rng.h"
#include "openmyna/domain/date.h"
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

// The one audit rule (architecture.md §4): an entry for every access to a
// resident's record by anyone but that resident; none when `resident_id`
// is empty.
Status AuditAccess(RegistryTx& tx, const Actor& actor,
                   std::string_view resident_id, std::string_view action,
                   const Clock& clock, Rng& rng);

// kNotFound "no resident ID" when there is none.
Result<Resident> LoadResident(RegistryTx& tx, std::string_view id);

// The common part of a service's Impl: its clock and random source with
// the helpers above bound to them.
struct ServiceAccess {
  const Clock& clock;
  Rng& rng;

  domain::Date Today() const { return domain::JapanDateOf(clock.Now()); }
  std::string NewId(std::string_view prefix) const {
    return NewRecordId(rng, prefix);
  }
  static Status Authorize(const Actor& actor, std::string_view action,
                          std::string_view resident_id = {}) {
    return internal::Authorize(actor, action, resident_id);
  }
  Status Audit(RegistryTx& tx, const Actor& actor, std::string_view resident_id,
               std::string_view action) const {
    return AuditAccess(tx, actor, resident_id, action, clock, rng);
  }
  static Result<Resident> LoadResident(RegistryTx& tx, std::string_view id) {
    return internal::LoadResident(tx, id);
  }
};

}  // namespace openmyna::registry::internal
