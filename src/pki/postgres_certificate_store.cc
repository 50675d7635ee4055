// PostgreSQL certificate store (certificate_store.h): the CA state shared
// by several `openmyna serve` nodes (docs/scale.md §3). Same rules as the
// SQLite store; what differs is how the change counter follows commit
// order (postgres_revocation_counter.cc) and the CRLs kept in the store for
// several publishers (postgres_crl_state.cc). Here: records and reads.
#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>

#include "internal/openssl_util.h"
#include "internal/postgres_store.h"
#include "internal/stored_values.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {
namespace internal {

std::string SerialKey(const Serial& serial) {
  std::string hex = serial.Hex();
  return std::string(40 - std::min<std::size_t>(hex.size(), 40), '0') + hex;
}

Serial SerialFromKey(const char* text) {
  auto serial = Serial::FromHex(text);
  return serial ? *serial : Serial{};
}

Result<RevocationReason> PgReason(const PgResult& res, int row, int col) {
  return StoredReason(res.integer(row, col));
}

}  // namespace internal

namespace {

using internal::FromUnix;
using internal::PgParams;
using internal::PgResult;
using internal::SerialFromKey;
using internal::SerialKey;
using internal::ToUnix;

constexpr const char* kColumns =
    "serial, ca, generation, municipality_code, prefecture, municipality, "
    "subject_cn, not_before, not_after, der, reason, revoked_at";

PgParams RecordParams(const CertificateRecord& r) {
  PgParams p;
  p.Text(SerialKey(r.serial))
      .Text(std::string(CaKindName(r.partition.ca)))
      .Int(r.partition.generation)
      .Text(r.partition.municipality_code)
      .Text(r.partition.prefecture)
      .Text(r.partition.municipality)
      .Text(r.subject_cn)
      .Int(ToUnix(r.not_before))
      .Int(ToUnix(r.not_after))
      .Binary(r.der);
  return p;
}

// The record of row `i`; kStore for a `ca` or `reason` neither store
// writes (internal/stored_values.h).
Result<CertificateRecord> Row(const PgResult& res, int i) {
  CertificateRecord r;
  r.serial = SerialFromKey(res.text(i, 0));
  OPENMYNA_ASSIGN_OR_RETURN(r.partition.ca,
                            internal::StoredCaKind(res.text(i, 1)));
  r.partition.generation = static_cast<int>(res.integer(i, 2));
  r.partition.municipality_code = res.text(i, 3);
  r.partition.prefecture = res.text(i, 4);
  r.partition.municipality = res.text(i, 5);
  r.subject_cn = res.text(i, 6);
  r.not_before = FromUnix(res.integer(i, 7));
  r.not_after = FromUnix(res.integer(i, 8));
  r.der = res.bytea(i, 9);
  if (!res.null(i, 11)) {
    OPENMYNA_ASSIGN_OR_RETURN(r.revocation_reason,
                              internal::PgReason(res, i, 10));
    r.revocation_time = FromUnix(res.integer(i, 11));
  }
  return r;
}

}  // namespace

Status PostgresCertificateStore::Impl::PutInTransaction(
    const CertificateRecord& r) {
  PgParams p = RecordParams(r);
  if (r.revocation_reason && r.revocation_time) {
    OPENMYNA_ASSIGN_OR_RETURN(std::int64_t seq, NextSequence());
    p.Int(static_cast<int>(*r.revocation_reason))
        .Int(ToUnix(*r.revocation_time))
        .Int(seq);
  } else {
    p.Null().Null().Null();
  }
  auto res = db.Run("insert",
                    std::string("INSERT INTO pki_certificates (") + kColumns +
                        ", revoked_seq) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,"
                        "$10,$11,$12,$13)",
                    std::move(p));
  if (!res && res.error().Is(PkiErrc::kDuplicateSerial)) {
    return Fail(PkiErrc::kDuplicateSerial, "serial " + r.serial.Hex() +
                                               " or CN " + r.subject_cn +
                                               " already in the store");
  }
  if (!res) return Unexpected(res.error());
  return Ok();
}

Status PostgresCertificateStore::Impl::Transaction(
    const std::function<Status()>& body) {
  db.Heal();
  OPENMYNA_RETURN_IF_ERROR(db.Exec("begin", "BEGIN"));
  if (Status s = body(); !s) {
    (void)db.Rollback();
    return s;
  }
  return db.Exec("commit", "COMMIT");
}

PostgresCertificateStore::PostgresCertificateStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
PostgresCertificateStore::~PostgresCertificateStore() = default;

Result<std::unique_ptr<PostgresCertificateStore>>
PostgresCertificateStore::Open(std::string_view url) {
  auto impl = std::make_unique<Impl>();
  impl->url = std::string(url);
  OPENMYNA_RETURN_IF_ERROR(impl->db.Open(impl->url));
  OPENMYNA_RETURN_IF_ERROR(impl->EnsureSchema());
  return std::unique_ptr<PostgresCertificateStore>(
      new PostgresCertificateStore(std::move(impl)));
}

Status PostgresCertificateStore::Put(const CertificateRecord& record) {
  std::lock_guard lock(impl_->mutex);
  return impl_->Transaction([&] { return impl_->PutInTransaction(record); });
}

Status PostgresCertificateStore::PutMany(
    std::span<const CertificateRecord> records) {
  std::lock_guard lock(impl_->mutex);
  return impl_->Transaction([&]() -> Status {
    for (const CertificateRecord& record : records) {
      OPENMYNA_RETURN_IF_ERROR(impl_->PutInTransaction(record));
    }
    return Ok();
  });
}

Result<bool> PostgresCertificateStore::Contains(const Serial& serial) {
  OPENMYNA_ASSIGN_OR_RETURN(auto found, Find(serial));
  return found.has_value();
}

Result<CertificateStatus> PostgresCertificateStore::StatusOf(
    CaKind ca, const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      impl_->db.Run("select",
                    "SELECT reason, revoked_at FROM pki_certificates WHERE "
                    "serial = $1 AND ca = $2",
                    std::move(PgParams()
                                  .Text(SerialKey(serial))
                                  .Text(std::string(CaKindName(ca))))));
  CertificateStatus status;
  if (res.rows() == 0) return status;  // unknown
  if (res.null(0, 1)) {
    status.kind = CertificateStatus::Kind::kGood;
    return status;
  }
  status.kind = CertificateStatus::Kind::kRevoked;
  OPENMYNA_ASSIGN_OR_RETURN(status.reason, internal::PgReason(res, 0, 0));
  status.revocation_time = FromUnix(res.integer(0, 1));
  return status;
}

Result<std::optional<CertificateRecord>> PostgresCertificateStore::Find(
    const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      impl_->db.Run("select",
                    std::string("SELECT ") + kColumns +
                        " FROM pki_certificates WHERE serial = $1",
                    std::move(PgParams().Text(SerialKey(serial)))));
  if (res.rows() == 0) return std::optional<CertificateRecord>();
  OPENMYNA_ASSIGN_OR_RETURN(CertificateRecord record, Row(res, 0));
  return std::optional<CertificateRecord>(std::move(record));
}

Result<std::vector<CertificateRecord>> PostgresCertificateStore::List(
    const ListFilter& filter) {
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM pki_certificates WHERE TRUE";
  PgParams params;
  if (filter.ca) {
    sql += " AND ca = $1";
    params.Text(std::string(CaKindName(*filter.ca)));
  }
  if (filter.revoked_only) sql += " AND revoked_at IS NOT NULL";
  sql += " ORDER BY serial";
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(PgResult res,
                            impl_->db.Run("list", sql, std::move(params)));
  std::vector<CertificateRecord> out;
  out.reserve(static_cast<std::size_t>(res.rows()));
  for (int i = 0; i < res.rows(); ++i) {
    OPENMYNA_ASSIGN_OR_RETURN(CertificateRecord record, Row(res, i));
    out.push_back(std::move(record));
  }
  return out;
}

Result<std::vector<CrlPartition>> PostgresCertificateStore::Partitions(
    CaKind ca) {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      impl_->db.Run("partitions",
                    "SELECT generation, municipality_code, MIN(prefecture), "
                    "MIN(municipality) FROM pki_certificates WHERE ca = $1 "
                    "GROUP BY generation, municipality_code "
                    "ORDER BY generation, municipality_code",
                    std::move(PgParams().Text(std::string(CaKindName(ca))))));
  std::vector<CrlPartition> out;
  for (int i = 0; i < res.rows(); ++i) {
    out.push_back({ca, static_cast<int>(res.integer(i, 0)), res.text(i, 1),
                   res.text(i, 2), res.text(i, 3)});
  }
  return out;
}

Status PostgresCertificateStore::ForEachRevoked(
    const CrlPartition& partition,
    const std::function<bool(const RevokedEntry&)>& visit) {
  return impl_->StreamEntries<RevokedEntry>(
      "revoked entries",
      "SELECT serial, revoked_at, reason FROM pki_certificates WHERE ca = $1 "
      "AND generation = $2 AND municipality_code = $3 AND revoked_at IS NOT "
      "NULL ORDER BY serial",
      std::move(PgParams()
                    .Text(std::string(CaKindName(partition.ca)))
                    .Int(partition.generation)
                    .Text(partition.municipality_code)),
      [](const PgResult& row, RevokedEntry& entry) -> Status {
        entry.serial = SerialFromKey(row.text(0, 0));
        entry.revocation_time = FromUnix(row.integer(0, 1));
        OPENMYNA_ASSIGN_OR_RETURN(entry.reason, internal::PgReason(row, 0, 2));
        return Ok();
      },
      visit);
}

Status PostgresCertificateStore::ForEachStatus(
    CaKind ca,
    const std::function<bool(const CertificateStatusEntry&)>& visit) {
  return impl_->StreamEntries<CertificateStatusEntry>(
      "statuses",
      "SELECT serial, generation, reason, revoked_at FROM pki_certificates "
      "WHERE ca = $1",
      std::move(PgParams().Text(std::string(CaKindName(ca)))),
      [](const PgResult& row, CertificateStatusEntry& entry) -> Status {
        entry.serial = SerialFromKey(row.text(0, 0));
        entry.generation = static_cast<int>(row.integer(0, 1));
        entry.status = CertificateStatus{};
        if (row.null(0, 3)) {
          entry.status.kind = CertificateStatus::Kind::kGood;
        } else {
          entry.status.kind = CertificateStatus::Kind::kRevoked;
          OPENMYNA_ASSIGN_OR_RETURN(entry.status.reason,
                                    internal::PgReason(row, 0, 2));
          entry.status.revocation_time = FromUnix(row.integer(0, 3));
        }
        return Ok();
      },
      visit);
}

Result<std::unique_ptr<CertificateStore>> OpenCertificateStore(
    std::string_view target) {
  const bool postgres = target.starts_with("postgres://") ||
                        target.starts_with("postgresql://") ||
                        target.find('=') != std::string_view::npos;
  if (postgres) {
    OPENMYNA_ASSIGN_OR_RETURN(auto store,
                              PostgresCertificateStore::Open(target));
    return std::unique_ptr<CertificateStore>(std::move(store));
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      auto store, SqliteCertificateStore::Open(std::filesystem::path(target)));
  return std::unique_ptr<CertificateStore>(std::move(store));
}

}  // namespace openmyna::pki
