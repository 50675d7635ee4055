// PostgresCertificateStore, the PostgreSQL certificate store, opened by
// OpenCertificateStore (certificate_store.h); not part of the contract.
// Its files: postgres_certificate_store.cc (records and reads),
// postgres_schema.cc (tables), postgres_revocation_counter.cc (the change
// counter) and postgres_crl_state.cc (CRLs of several publishers).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "internal/pg_connection.h"
#include "openmyna/base/result.h"
#include "openmyna/pki/certificate_store.h"

namespace openmyna::pki {

namespace internal {

// The serial as the stores' key: 40 hex digits, zero-padded, so that text
// order is numeric order.
std::string SerialKey(const Serial& serial);
Serial SerialFromKey(const char* text);
// The CRLReason in column `col` (kStore if not one: stored_values.h).
Result<RevocationReason> PgReason(const PgResult& res, int row, int col);

}  // namespace internal

// PostgreSQL implementation: the CA state shared by nodes on several
// machines (docs/scale.md §3). Tables pki_certificates,
// pki_revocation_counter (the change counter: one row each revoking
// transaction increments and holds until COMMIT, so numbers follow commit
// order) and pki_crl_state (the CRLs, SharesCrls()), created when missing.
// One connection for the methods, guarded by a mutex, and a second one
// opened by the first PublishShared: thread-safe.
class PostgresCertificateStore final : public CertificateStore {
 public:
  // Connects with a libpq URL or key=value string; creates the tables.
  static Result<std::unique_ptr<PostgresCertificateStore>> Open(
      std::string_view url);
  ~PostgresCertificateStore() override;

  Status Put(const CertificateRecord& record) override;
  Status PutMany(std::span<const CertificateRecord> records) override;
  Result<bool> Contains(const Serial& serial) override;
  Status Revoke(const Serial& serial, RevocationReason reason,
                TimePoint when) override;
  Result<CertificateStatus> StatusOf(CaKind ca, const Serial& serial) override;
  Result<std::optional<CertificateRecord>> Find(const Serial& serial) override;
  Result<std::vector<CertificateRecord>> List(
      const ListFilter& filter) override;
  Result<std::vector<CrlPartition>> Partitions(CaKind ca) override;
  Status ForEachRevoked(
      const CrlPartition& partition,
      const std::function<bool(const RevokedEntry&)>& visit) override;
  Status ForEachStatus(
      CaKind ca,
      const std::function<bool(const CertificateStatusEntry&)>& visit) override;
  Result<std::uint64_t> RevocationSequence() override;
  Status ForEachRevocationSince(
      std::uint64_t after,
      const std::function<bool(const RevocationChange&)>& visit) override;
  bool SharesCrls() const override { return true; }
  Result<std::optional<SharedCrl>> PublishShared(
      const std::string& url_path, const SharedCrlBuilder& build) override;

  struct Impl;

 private:
  explicit PostgresCertificateStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct PostgresCertificateStore::Impl {
  internal::PgConnection db;  // every read and write
  std::mutex mutex;           // guards db
  std::string url;
  // The CRL publication lock (PublishShared), opened lazily.
  internal::PgConnection crl;
  bool crl_open = false;
  std::mutex crl_mutex;

  // Creates the tables when one is missing (postgres_schema.cc).
  Status EnsureSchema();

  // The next number of the change counter, inside the caller's transaction
  // (postgres_revocation_counter.cc).
  Result<std::int64_t> NextSequence();

  // One INSERT inside the caller's transaction.
  Status PutInTransaction(const CertificateRecord& r);

  // BEGIN, `body`, COMMIT; ROLLBACK when `body` fails. The caller holds
  // `mutex`.
  Status Transaction(const std::function<Status()>& body);

  // Streams the rows of one query under `mutex`: `fill` reads a row into
  // one Entry, reused for each row, which `visit` sees (false stops).
  template <typename Entry>
  Status StreamEntries(
      const char* what, const char* sql, internal::PgParams params,
      const std::function<Status(const internal::PgResult&, Entry&)>& fill,
      const std::function<bool(const Entry&)>& visit) {
    std::lock_guard lock(mutex);
    db.Heal();
    Entry entry;
    Status filled = Ok();  // a row `fill` refused ends the stream with it
    Status streamed = db.Stream(what, sql, std::move(params),
                                [&](const internal::PgResult& row) {
                                  filled = fill(row, entry);
                                  return filled && visit(entry);
                                });
    if (!filled) return filled;
    return streamed;
  }
};

}  // namespace openmyna::pki
