#include <sqlite3.h>
#include <sys/stat.h>

#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "internal/openssl_util.h"
#include "internal/stored_values.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {
namespace {

using internal::FromUnix;
using internal::ToUnix;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS pki_certificates (
  serial            TEXT    NOT NULL UNIQUE,  -- 40 hex digits, zero-padded
  ca                TEXT    NOT NULL,         -- 'sign' | 'auth'
  generation        INTEGER NOT NULL,
  municipality_code TEXT    NOT NULL,
  prefecture        TEXT    NOT NULL,
  municipality      TEXT    NOT NULL,
  subject_cn        TEXT    NOT NULL UNIQUE,
  not_before        INTEGER NOT NULL,         -- Unix seconds
  not_after         INTEGER NOT NULL,
  der               BLOB    NOT NULL,
  reason            INTEGER,                  -- RFC 5280 CRLReason
  revoked_at        INTEGER,                  -- Unix seconds
  revoked_seq       INTEGER                   -- change counter (see below)
);
CREATE INDEX IF NOT EXISTS pki_certificates_revoked
  ON pki_certificates (ca, generation, municipality_code, serial,
                       revoked_at, reason)
  WHERE revoked_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS pki_certificates_partition
  ON pki_certificates (ca, generation, municipality_code);
)sql";

// The revocation change counter (CertificateStore::RevocationSequence):
// each revocation sets revoked_seq to MAX + 1 inside its write, and SQLite
// has one writer at a time, so the numbers follow commit order. The
// partial index makes MAX and "since N" walks O(log n + changes).
constexpr const char* kSequenceIndex = R"sql(
CREATE INDEX IF NOT EXISTS pki_certificates_revoked_seq
  ON pki_certificates (revoked_seq) WHERE revoked_seq IS NOT NULL;
)sql";

// Stores made before the counter existed: add the column and number their
// revoked rows once.
constexpr const char* kAddSequence = R"sql(
ALTER TABLE pki_certificates ADD COLUMN revoked_seq INTEGER;
UPDATE pki_certificates SET revoked_seq = rowid WHERE revoked_at IS NOT NULL;
)sql";

constexpr const char* kNextSequence =
    "(SELECT COALESCE(MAX(revoked_seq), 0) + 1 FROM pki_certificates "
    "WHERE revoked_seq IS NOT NULL)";

constexpr const char* kColumns =
    "serial, ca, generation, municipality_code, prefecture, municipality, "
    "subject_cn, not_before, not_after, der, reason, revoked_at";

// Fixed width so that text order is numeric order.
std::string Key(const Serial& serial) {
  std::string hex = serial.Hex();
  return std::string(40 - std::min<std::size_t>(hex.size(), 40), '0') + hex;
}

Serial FromKey(const unsigned char* text) {
  auto serial = Serial::FromHex(reinterpret_cast<const char*>(text));
  return serial ? *serial : Serial{};
}

int HexValue(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// FromKey for the streaming walks: decodes the fixed-width key into `out`
// (reusing its storage: no allocation per row) without leading zero
// bytes. Falls back to Serial::FromHex for anything unexpected.
void DecodeKey(const unsigned char* text, int length, Serial& out) {
  if (text == nullptr || length != 40) {
    out = text ? FromKey(text) : Serial{};
    return;
  }
  std::uint8_t bytes[20];
  for (int i = 0; i < 20; ++i) {
    const int hi = HexValue(text[2 * i]);
    const int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      out = FromKey(text);
      return;
    }
    bytes[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  int start = 0;
  while (start < 19 && bytes[start] == 0) ++start;
  out.bytes.assign(bytes + start, bytes + 20);
}

// Owns one prepared statement (move-only).
struct Statement {
  sqlite3_stmt* stmt = nullptr;
  Statement() = default;
  Statement(Statement&& other) noexcept : stmt(other.stmt) {
    other.stmt = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept {
    std::swap(stmt, other.stmt);
    return *this;
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt); }
  // A cached statement used with the same `s.stmt` spelling; not owned.
  struct Borrowed {
    sqlite3_stmt* stmt;
  };
};

}  // namespace

struct SqliteCertificateStore::Impl {
  sqlite3* db = nullptr;
  std::mutex mutex;
  // Prepared once per connection for the per-issuance statements (insert,
  // lookup by serial); reset after every use so that no read transaction
  // stays open.
  std::unordered_map<std::string, sqlite3_stmt*> cached;
  ~Impl() {
    for (auto& [sql, stmt] : cached) sqlite3_finalize(stmt);
    sqlite3_close_v2(db);
  }
  struct ResetOnExit {
    sqlite3_stmt* stmt;
    ~ResetOnExit() {
      sqlite3_reset(stmt);
      sqlite3_clear_bindings(stmt);
    }
  };
  Result<sqlite3_stmt*> Cached(const std::string& sql) {
    auto found = cached.find(sql);
    if (found != cached.end()) return found->second;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT,
                           &stmt, nullptr) != SQLITE_OK) {
      return Unexpected(Err("prepare"));
    }
    cached.emplace(sql, stmt);
    return stmt;
  }

  Error Err(std::string_view what) const {
    return Error(PkiErrc::kStore,
                 std::string(what) + ": " + sqlite3_errmsg(db));
  }
  Result<Statement> Prepare(const std::string& sql) {
    Statement s;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s.stmt, nullptr) !=
        SQLITE_OK) {
      return Unexpected(Err("prepare"));
    }
    return s;
  }
  Status Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "?";
      sqlite3_free(message);
      return Fail(PkiErrc::kStore, text);
    }
    return Ok();
  }

  Status PutLocked(const CertificateRecord& r) {
    static const std::string kInsert =
        std::string("INSERT INTO pki_certificates (") + kColumns +
        ", revoked_seq) VALUES (?,?,?,?,?,?,?,?,?,?,?,?, CASE WHEN ?12 IS "
        "NULL THEN NULL ELSE " +
        kNextSequence + " END)";
    OPENMYNA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(kInsert));
    const ResetOnExit reset{stmt};
    const Statement::Borrowed s{stmt};
    const std::string key = Key(r.serial);
    sqlite3_bind_text(s.stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s.stmt, 2, CaKindName(r.partition.ca).data(), -1,
                      SQLITE_STATIC);
    sqlite3_bind_int(s.stmt, 3, r.partition.generation);
    sqlite3_bind_text(s.stmt, 4, r.partition.municipality_code.c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(s.stmt, 5, r.partition.prefecture.c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(s.stmt, 6, r.partition.municipality.c_str(), -1,
                      SQLITE_TRANSIENT);
    sqlite3_bind_text(s.stmt, 7, r.subject_cn.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.stmt, 8, ToUnix(r.not_before));
    sqlite3_bind_int64(s.stmt, 9, ToUnix(r.not_after));
    sqlite3_bind_blob(s.stmt, 10, r.der.data(), static_cast<int>(r.der.size()),
                      SQLITE_TRANSIENT);
    if (r.revocation_reason && r.revocation_time) {
      sqlite3_bind_int(s.stmt, 11, static_cast<int>(*r.revocation_reason));
      sqlite3_bind_int64(s.stmt, 12, ToUnix(*r.revocation_time));
    }
    const int rc = sqlite3_step(s.stmt);
    if (rc == SQLITE_CONSTRAINT) {
      return Fail(PkiErrc::kDuplicateSerial, "serial " + r.serial.Hex() +
                                                 " or CN " + r.subject_cn +
                                                 " already in the store");
    }
    if (rc != SQLITE_DONE) return Unexpected(Err("insert"));
    return Ok();
  }

  // The record of a row; kStore for a `ca` or `reason` neither store
  // writes (internal/stored_values.h).
  static Result<CertificateRecord> Row(sqlite3_stmt* st) {
    CertificateRecord r;
    r.serial = FromKey(sqlite3_column_text(st, 0));
    OPENMYNA_ASSIGN_OR_RETURN(
        r.partition.ca, internal::StoredCaKind(reinterpret_cast<const char*>(
                            sqlite3_column_text(st, 1))));
    r.partition.generation = sqlite3_column_int(st, 2);
    r.partition.municipality_code =
        reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
    r.partition.prefecture =
        reinterpret_cast<const char*>(sqlite3_column_text(st, 4));
    r.partition.municipality =
        reinterpret_cast<const char*>(sqlite3_column_text(st, 5));
    r.subject_cn = reinterpret_cast<const char*>(sqlite3_column_text(st, 6));
    r.not_before = FromUnix(sqlite3_column_int64(st, 7));
    r.not_after = FromUnix(sqlite3_column_int64(st, 8));
    const auto* blob =
        static_cast<const std::uint8_t*>(sqlite3_column_blob(st, 9));
    r.der.assign(blob, blob + sqlite3_column_bytes(st, 9));
    if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
      OPENMYNA_ASSIGN_OR_RETURN(
          r.revocation_reason,
          internal::StoredReason(sqlite3_column_int64(st, 10)));
      r.revocation_time = FromUnix(sqlite3_column_int64(st, 11));
    }
    return r;
  }

  Result<std::optional<CertificateRecord>> FindLocked(const Serial& serial) {
    static const std::string kFind = std::string("SELECT ") + kColumns +
                                     " FROM pki_certificates WHERE serial = ?";
    OPENMYNA_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Cached(kFind));
    const ResetOnExit reset{stmt};
    const Statement::Borrowed s{stmt};
    const std::string key = Key(serial);
    sqlite3_bind_text(s.stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    const int rc = sqlite3_step(s.stmt);
    if (rc == SQLITE_DONE) return std::optional<CertificateRecord>();
    if (rc != SQLITE_ROW) return Unexpected(Err("select"));
    OPENMYNA_ASSIGN_OR_RETURN(CertificateRecord record, Row(s.stmt));
    return std::optional<CertificateRecord>(std::move(record));
  }
};

SqliteCertificateStore::SqliteCertificateStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
SqliteCertificateStore::~SqliteCertificateStore() = default;

Result<std::unique_ptr<SqliteCertificateStore>> SqliteCertificateStore::Open(
    const std::filesystem::path& path) {
  auto impl = std::make_unique<Impl>();
  const mode_t old_mask = umask(077);  // the file is created 0600
  const int rc = sqlite3_open_v2(
      path.c_str(), &impl->db,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
      nullptr);
  umask(old_mask);
  if (rc != SQLITE_OK) {
    return Unexpected(impl->Err("opening " + path.string()));
  }
  sqlite3_busy_timeout(impl->db, 5000);
  OPENMYNA_RETURN_IF_ERROR(impl->Exec("PRAGMA journal_mode=WAL;"));
  OPENMYNA_RETURN_IF_ERROR(impl->Exec("PRAGMA synchronous=NORMAL;"));
  OPENMYNA_RETURN_IF_ERROR(impl->Exec("BEGIN IMMEDIATE;"));
  Status schema = impl->Exec(kSchema);
  if (schema) {
    auto has = impl->Prepare(
        "SELECT 1 FROM pragma_table_info('pki_certificates') WHERE name = "
        "'revoked_seq'");
    if (!has) {
      schema = Unexpected(has.error());
    } else if (sqlite3_step(has->stmt) != SQLITE_ROW) {
      schema = impl->Exec(kAddSequence);
    }
  }
  if (schema) schema = impl->Exec(kSequenceIndex);
  if (!schema) {
    (void)impl->Exec("ROLLBACK;");
    return Unexpected(schema.error());
  }
  OPENMYNA_RETURN_IF_ERROR(impl->Exec("COMMIT;"));
  return std::unique_ptr<SqliteCertificateStore>(
      new SqliteCertificateStore(std::move(impl)));
}

Status SqliteCertificateStore::Put(const CertificateRecord& record) {
  std::lock_guard lock(impl_->mutex);
  return impl_->PutLocked(record);
}

Status SqliteCertificateStore::PutMany(
    std::span<const CertificateRecord> records) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_RETURN_IF_ERROR(impl_->Exec("BEGIN IMMEDIATE;"));
  for (const CertificateRecord& record : records) {
    if (Status s = impl_->PutLocked(record); !s) {
      (void)impl_->Exec("ROLLBACK;");
      return s;
    }
  }
  return impl_->Exec("COMMIT;");
}

Result<bool> SqliteCertificateStore::Contains(const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(auto found, impl_->FindLocked(serial));
  return found.has_value();
}

Status SqliteCertificateStore::Revoke(const Serial& serial,
                                      RevocationReason reason, TimePoint when) {
  if (reason == RevocationReason::kRemoveFromCrl) {
    return Fail(PkiErrc::kInvalidReason,
                "removeFromCRL is not a revocation: a hold is never lifted "
                "(jpki.md §4.3)");
  }
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(auto found, impl_->FindLocked(serial));
  if (!found) {
    return Fail(PkiErrc::kNotFound,
                "no certificate with serial " + serial.Hex());
  }
  std::int64_t time = ToUnix(when);
  if (found->revocation_reason) {
    const bool on_hold =
        *found->revocation_reason == RevocationReason::kCertificateHold;
    if (!on_hold || reason == RevocationReason::kCertificateHold) {
      return Fail(PkiErrc::kAlreadyRevoked,
                  "certificate " + serial.Hex() + " is already revoked (" +
                      std::string(ReasonName(*found->revocation_reason)) + ")");
    }
    // Hold made permanent (RFC 5280 §5.3.1): keep the original time.
    time = ToUnix(*found->revocation_time);
  }
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare(std::string("UPDATE pki_certificates SET reason = ?, "
                                 "revoked_at = ?, revoked_seq = ") +
                     kNextSequence + " WHERE serial = ?"));
  const std::string key = Key(serial);
  sqlite3_bind_int(s.stmt, 1, static_cast<int>(reason));
  sqlite3_bind_int64(s.stmt, 2, time);
  sqlite3_bind_text(s.stmt, 3, key.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(s.stmt) != SQLITE_DONE) {
    return Unexpected(impl_->Err("update"));
  }
  return Ok();
}

Result<CertificateStatus> SqliteCertificateStore::StatusOf(
    CaKind ca, const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare("SELECT reason, revoked_at FROM pki_certificates "
                     "WHERE serial = ? AND ca = ?"));
  const std::string key = Key(serial);
  sqlite3_bind_text(s.stmt, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s.stmt, 2, CaKindName(ca).data(), -1, SQLITE_STATIC);
  const int rc = sqlite3_step(s.stmt);
  CertificateStatus status;
  if (rc == SQLITE_DONE) return status;  // unknown
  if (rc != SQLITE_ROW) return Unexpected(impl_->Err("select"));
  if (sqlite3_column_type(s.stmt, 1) == SQLITE_NULL) {
    status.kind = CertificateStatus::Kind::kGood;
    return status;
  }
  status.kind = CertificateStatus::Kind::kRevoked;
  OPENMYNA_ASSIGN_OR_RETURN(
      status.reason, internal::StoredReason(sqlite3_column_int64(s.stmt, 0)));
  status.revocation_time = FromUnix(sqlite3_column_int64(s.stmt, 1));
  return status;
}

Result<std::optional<CertificateRecord>> SqliteCertificateStore::Find(
    const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  return impl_->FindLocked(serial);
}

Result<std::vector<CertificateRecord>> SqliteCertificateStore::List(
    const ListFilter& filter) {
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM pki_certificates WHERE 1=1";
  if (filter.ca) sql += " AND ca = ?1";
  if (filter.revoked_only) sql += " AND revoked_at IS NOT NULL";
  sql += " ORDER BY serial";
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(Statement s, impl_->Prepare(sql));
  if (filter.ca) {
    sqlite3_bind_text(s.stmt, 1, CaKindName(*filter.ca).data(), -1,
                      SQLITE_STATIC);
  }
  std::vector<CertificateRecord> out;
  int rc;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    OPENMYNA_ASSIGN_OR_RETURN(CertificateRecord record, Impl::Row(s.stmt));
    out.push_back(std::move(record));
  }
  if (rc != SQLITE_DONE) return Unexpected(impl_->Err("list"));
  return out;
}

Result<std::vector<CrlPartition>> SqliteCertificateStore::Partitions(
    CaKind ca) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare("SELECT generation, municipality_code, MIN(prefecture), "
                     "MIN(municipality) FROM pki_certificates WHERE ca = ? "
                     "GROUP BY generation, municipality_code "
                     "ORDER BY generation, municipality_code"));
  sqlite3_bind_text(s.stmt, 1, CaKindName(ca).data(), -1, SQLITE_STATIC);
  std::vector<CrlPartition> out;
  int rc;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    CrlPartition p;
    p.ca = ca;
    p.generation = sqlite3_column_int(s.stmt, 0);
    p.municipality_code =
        reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 1));
    p.prefecture =
        reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 2));
    p.municipality =
        reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 3));
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return Unexpected(impl_->Err("partitions"));
  return out;
}

Status SqliteCertificateStore::ForEachRevoked(
    const CrlPartition& partition,
    const std::function<bool(const RevokedEntry&)>& visit) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare("SELECT serial, revoked_at, reason FROM pki_certificates "
                     "WHERE ca = ? AND generation = ? AND municipality_code "
                     "= ? AND revoked_at IS NOT NULL ORDER BY serial"));
  sqlite3_bind_text(s.stmt, 1, CaKindName(partition.ca).data(), -1,
                    SQLITE_STATIC);
  sqlite3_bind_int(s.stmt, 2, partition.generation);
  sqlite3_bind_text(s.stmt, 3, partition.municipality_code.c_str(), -1,
                    SQLITE_TRANSIENT);
  int rc;
  RevokedEntry entry;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    DecodeKey(sqlite3_column_text(s.stmt, 0), sqlite3_column_bytes(s.stmt, 0),
              entry.serial);
    entry.revocation_time = FromUnix(sqlite3_column_int64(s.stmt, 1));
    OPENMYNA_ASSIGN_OR_RETURN(
        entry.reason, internal::StoredReason(sqlite3_column_int64(s.stmt, 2)));
    if (!visit(entry)) return Ok();
  }
  if (rc != SQLITE_DONE) return Unexpected(impl_->Err("revoked entries"));
  return Ok();
}

Status SqliteCertificateStore::ForEachStatus(
    CaKind ca,
    const std::function<bool(const CertificateStatusEntry&)>& visit) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare("SELECT serial, generation, reason, revoked_at FROM "
                     "pki_certificates WHERE ca = ?"));
  sqlite3_bind_text(s.stmt, 1, CaKindName(ca).data(), -1, SQLITE_STATIC);
  int rc;
  CertificateStatusEntry entry;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    DecodeKey(sqlite3_column_text(s.stmt, 0), sqlite3_column_bytes(s.stmt, 0),
              entry.serial);
    entry.generation = sqlite3_column_int(s.stmt, 1);
    entry.status = CertificateStatus{};
    if (sqlite3_column_type(s.stmt, 3) == SQLITE_NULL) {
      entry.status.kind = CertificateStatus::Kind::kGood;
    } else {
      entry.status.kind = CertificateStatus::Kind::kRevoked;
      OPENMYNA_ASSIGN_OR_RETURN(
          entry.status.reason,
          internal::StoredReason(sqlite3_column_int64(s.stmt, 2)));
      entry.status.revocation_time = FromUnix(sqlite3_column_int64(s.stmt, 3));
    }
    if (!visit(entry)) return Ok();
  }
  if (rc != SQLITE_DONE) return Unexpected(impl_->Err("statuses"));
  return Ok();
}

Result<std::uint64_t> SqliteCertificateStore::RevocationSequence() {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      sqlite3_stmt * stmt,
      impl_->Cached("SELECT COALESCE(MAX(revoked_seq), 0) FROM "
                    "pki_certificates WHERE revoked_seq IS NOT NULL"));
  const Impl::ResetOnExit reset{stmt};
  if (sqlite3_step(stmt) != SQLITE_ROW) {
    return Unexpected(impl_->Err("revocation sequence"));
  }
  return static_cast<std::uint64_t>(sqlite3_column_int64(stmt, 0));
}

Status SqliteCertificateStore::ForEachRevocationSince(
    std::uint64_t after,
    const std::function<bool(const RevocationChange&)>& visit) {
  std::lock_guard lock(impl_->mutex);
  OPENMYNA_ASSIGN_OR_RETURN(
      Statement s,
      impl_->Prepare("SELECT revoked_seq, serial, ca, generation, "
                     "municipality_code, revoked_at, reason FROM "
                     "pki_certificates WHERE revoked_seq > ? ORDER BY "
                     "revoked_seq"));
  sqlite3_bind_int64(s.stmt, 1, static_cast<std::int64_t>(after));
  int rc;
  RevocationChange change;
  while ((rc = sqlite3_step(s.stmt)) == SQLITE_ROW) {
    change.sequence =
        static_cast<std::uint64_t>(sqlite3_column_int64(s.stmt, 0));
    DecodeKey(sqlite3_column_text(s.stmt, 1), sqlite3_column_bytes(s.stmt, 1),
              change.entry.serial);
    OPENMYNA_ASSIGN_OR_RETURN(
        change.partition.ca,
        internal::StoredCaKind(
            reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 2))));
    change.partition.generation = sqlite3_column_int(s.stmt, 3);
    change.partition.municipality_code =
        reinterpret_cast<const char*>(sqlite3_column_text(s.stmt, 4));
    change.entry.revocation_time = FromUnix(sqlite3_column_int64(s.stmt, 5));
    OPENMYNA_ASSIGN_OR_RETURN(
        change.entry.reason,
        internal::StoredReason(sqlite3_column_int64(s.stmt, 6)));
    if (!visit(change)) return Ok();
  }
  if (rc != SQLITE_DONE) return Unexpected(impl_->Err("revocations since"));
  return Ok();
}

}  // namespace openmyna::pki
