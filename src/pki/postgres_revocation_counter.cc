// The PostgreSQL certificate store's change counter (docs/scale.md §3):
// revocations numbered in commit order. A revoking transaction increments
// the one row of pki_revocation_counter and holds its lock until COMMIT, so
// a reader that sees number N has every change numbered <= N.
#include <string>
#include <utility>

#include "internal/openssl_util.h"
#include "internal/postgres_store.h"
#include "internal/stored_values.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {

using internal::FromUnix;
using internal::PgParams;
using internal::PgResult;
using internal::ToUnix;

Result<std::int64_t> PostgresCertificateStore::Impl::NextSequence() {
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      db.Run("revocation counter",
             "UPDATE pki_revocation_counter SET value = value + 1 "
             "WHERE id = 1 RETURNING value"));
  if (res.rows() != 1) {
    return Fail(PkiErrc::kStore, "the revocation counter row is missing");
  }
  return res.integer(0, 0);
}

Status PostgresCertificateStore::Revoke(const Serial& serial,
                                        RevocationReason reason,
                                        TimePoint when) {
  if (reason == RevocationReason::kRemoveFromCrl) {
    return Fail(PkiErrc::kInvalidReason,
                "removeFromCRL is not a revocation: a hold is never lifted "
                "(jpki.md §4.3)");
  }
  std::lock_guard lock(impl_->mutex);
  internal::PgConnection& db = impl_->db;
  const std::string key = internal::SerialKey(serial);
  return impl_->Transaction([&]() -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        PgResult found,
        db.Run("select",
               "SELECT reason, revoked_at FROM pki_certificates WHERE serial "
               "= $1 FOR UPDATE",
               std::move(PgParams().Text(key))));
    if (found.rows() == 0) {
      return Fail(PkiErrc::kNotFound,
                  "no certificate with serial " + serial.Hex());
    }
    std::int64_t time = ToUnix(when);
    if (!found.null(0, 1)) {
      OPENMYNA_ASSIGN_OR_RETURN(const RevocationReason current,
                                internal::PgReason(found, 0, 0));
      const bool on_hold = current == RevocationReason::kCertificateHold;
      if (!on_hold || reason == RevocationReason::kCertificateHold) {
        return Fail(PkiErrc::kAlreadyRevoked,
                    "certificate " + serial.Hex() + " is already revoked (" +
                        std::string(ReasonName(current)) + ")");
      }
      time = found.integer(0, 1);  // hold made permanent: original time
    }
    OPENMYNA_ASSIGN_OR_RETURN(std::int64_t seq, impl_->NextSequence());
    OPENMYNA_RETURN_IF_ERROR(
        db.Run("update",
               "UPDATE pki_certificates SET reason = $2, revoked_at = $3, "
               "revoked_seq = $4 WHERE serial = $1",
               std::move(PgParams()
                             .Text(key)
                             .Int(static_cast<int>(reason))
                             .Int(time)
                             .Int(seq))));
    return Ok();
  });
}

Result<std::uint64_t> PostgresCertificateStore::RevocationSequence() {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      impl_->db.Run("revocation sequence",
                    "SELECT value FROM pki_revocation_counter WHERE id = 1"));
  if (res.rows() != 1) {
    return Fail(PkiErrc::kStore, "the revocation counter row is missing");
  }
  return static_cast<std::uint64_t>(res.integer(0, 0));
}

Status PostgresCertificateStore::ForEachRevocationSince(
    std::uint64_t after,
    const std::function<bool(const RevocationChange&)>& visit) {
  return impl_->StreamEntries<RevocationChange>(
      "revocations since",
      "SELECT revoked_seq, serial, ca, generation, municipality_code, "
      "revoked_at, reason FROM pki_certificates WHERE revoked_seq > $1 "
      "ORDER BY revoked_seq",
      std::move(PgParams().Int(static_cast<std::int64_t>(after))),
      [](const PgResult& row, RevocationChange& change) -> Status {
        change.sequence = static_cast<std::uint64_t>(row.integer(0, 0));
        change.entry.serial = internal::SerialFromKey(row.text(0, 1));
        OPENMYNA_ASSIGN_OR_RETURN(change.partition.ca,
                                  internal::StoredCaKind(row.text(0, 2)));
        change.partition.generation = static_cast<int>(row.integer(0, 3));
        change.partition.municipality_code = row.text(0, 4);
        change.entry.revocation_time = FromUnix(row.integer(0, 5));
        OPENMYNA_ASSIGN_OR_RETURN(change.entry.reason,
                                  internal::PgReason(row, 0, 6));
        return Ok();
      },
      visit);
}

}  // namespace openmyna::pki
