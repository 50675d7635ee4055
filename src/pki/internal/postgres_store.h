// The inside of PostgresCertificateStore (certificate_store.h), shared by
// its files: postgres_certificate_store.cc (records and reads),
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
// The CRLReason in column `col` (kUnspecified if not one).
RevocationReason PgReason(const PgResult& res, int row, int col);

}  // namespace internal

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
      const std::function<void(const internal::PgResult&, Entry&)>& fill,
      const std::function<bool(const Entry&)>& visit) {
    std::lock_guard lock(mutex);
    db.Heal();
    Entry entry;
    return db.Stream(what, sql, std::move(params),
                     [&](const internal::PgResult& row) {
                       fill(row, entry);
                       return visit(entry);
                     });
  }
};

}  // namespace openmyna::pki
