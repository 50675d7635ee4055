// PostgreSQL certificate store (certificate_store.h): the CA state shared
// by several `openmyna serve` nodes (docs/scale.md §3). Same rules as the
// SQLite store; what differs is how the change counter follows commit
// order (a counter row taken FOR UPDATE by each revoking transaction) and
// the CRLs kept in the store for several publishers (pki_crl_state).
#include <libpq-fe.h>

#include <cstdlib>
#include <mutex>
#include <string>
#include <utility>

#include "internal/openssl_util.h"
#include "openmyna/pki/certificate_store.h"
#include "openmyna/pki/errors.h"

namespace openmyna::pki {
namespace {

using internal::FromUnix;
using internal::ToUnix;

// SQLSTATE 23505 unique_violation (PostgreSQL Appendix A).
constexpr std::string_view kUniqueViolation = "23505";
// Any constant: serialises the schema creation of nodes starting together.
constexpr const char* kSchemaLock = "SELECT pg_advisory_xact_lock(4213002)";

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS pki_certificates (
  serial            TEXT    PRIMARY KEY,      -- 40 hex digits, zero-padded
  ca                TEXT    NOT NULL,         -- 'sign' | 'auth'
  generation        INTEGER NOT NULL,
  municipality_code TEXT    NOT NULL,
  prefecture        TEXT    NOT NULL,
  municipality      TEXT    NOT NULL,
  subject_cn        TEXT    NOT NULL UNIQUE,
  not_before        BIGINT  NOT NULL,         -- Unix seconds
  not_after         BIGINT  NOT NULL,
  der               BYTEA   NOT NULL,
  reason            INTEGER,                  -- RFC 5280 CRLReason
  revoked_at        BIGINT,                   -- Unix seconds
  revoked_seq       BIGINT                    -- change counter
);
CREATE INDEX IF NOT EXISTS pki_certificates_revoked
  ON pki_certificates (ca, generation, municipality_code, serial)
  WHERE revoked_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS pki_certificates_partition
  ON pki_certificates (ca, generation, municipality_code);
CREATE UNIQUE INDEX IF NOT EXISTS pki_certificates_revoked_seq
  ON pki_certificates (revoked_seq) WHERE revoked_seq IS NOT NULL;
-- The change counter: one row. A revoking transaction increments it FOR
-- its own number and holds the row lock until COMMIT, so the next one gets
-- the next number only after this one committed: numbers follow commit
-- order, and a reader that sees N has every change numbered <= N.
CREATE TABLE IF NOT EXISTS pki_revocation_counter (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value BIGINT  NOT NULL
);
INSERT INTO pki_revocation_counter VALUES (1, 0) ON CONFLICT DO NOTHING;
-- The CRL last published per partition (URL path), by any node.
CREATE TABLE IF NOT EXISTS pki_crl_state (
  url_path    TEXT   PRIMARY KEY,
  crl_number  BIGINT NOT NULL,
  sequence    BIGINT NOT NULL,
  this_update BIGINT NOT NULL,
  der         BYTEA  NOT NULL
);
)sql";

constexpr const char* kColumns =
    "serial, ca, generation, municipality_code, prefecture, municipality, "
    "subject_cn, not_before, not_after, der, reason, revoked_at";

std::string Key(const Serial& serial) {
  std::string hex = serial.Hex();
  return std::string(40 - std::min<std::size_t>(hex.size(), 40), '0') + hex;
}

Serial FromKey(const char* text) {
  auto serial = Serial::FromHex(text);
  return serial ? *serial : Serial{};
}

// Parameters of one statement: text values, NULLs, binary BYTEA.
class Params {
 public:
  Params& Text(std::string value) {
    storage_.push_back(std::move(value));
    Push(0, 0);
    return *this;
  }
  Params& Int(std::int64_t value) { return Text(std::to_string(value)); }
  Params& Null() {
    storage_.emplace_back();
    Push(0, 0);
    nulls_.push_back(storage_.size() - 1);
    return *this;
  }
  Params& Binary(ByteView bytes) {
    storage_.emplace_back(reinterpret_cast<const char*>(bytes.data()),
                          bytes.size());
    Push(static_cast<int>(bytes.size()), 1);
    return *this;
  }
  int size() const { return static_cast<int>(storage_.size()); }
  // Pointers into storage_ (stable once every value is added).
  const char* const* values() {
    values_.assign(storage_.size(), nullptr);
    for (std::size_t i = 0; i < storage_.size(); ++i) {
      values_[i] = storage_[i].c_str();
    }
    for (std::size_t i : nulls_) values_[i] = nullptr;
    return values_.data();
  }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  void Push(int length, int format) {
    lengths_.push_back(length);
    formats_.push_back(format);
  }
  std::vector<std::string> storage_;
  std::vector<std::size_t> nulls_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

struct PgResult {
  PGresult* r = nullptr;
  PgResult() = default;
  explicit PgResult(PGresult* result) : r(result) {}
  PgResult(PgResult&& o) noexcept : r(std::exchange(o.r, nullptr)) {}
  PgResult& operator=(PgResult&& o) noexcept {
    std::swap(r, o.r);
    return *this;
  }
  ~PgResult() { PQclear(r); }
  int rows() const { return PQntuples(r); }
  bool null(int row, int col) const { return PQgetisnull(r, row, col); }
  const char* text(int row, int col) const { return PQgetvalue(r, row, col); }
  std::int64_t integer(int row, int col) const {
    return std::atoll(PQgetvalue(r, row, col));
  }
  Bytes bytea(int row, int col) const {
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(
        reinterpret_cast<const unsigned char*>(PQgetvalue(r, row, col)),
        &length);
    Bytes out(raw, raw + length);
    PQfreemem(raw);
    return out;
  }
};

// One libpq connection; callers serialise access.
class Connection {
 public:
  ~Connection() { PQfinish(conn_); }
  Status Open(const std::string& url) {
    conn_ = PQconnectdb(url.c_str());
    if (PQstatus(conn_) != CONNECTION_OK) {
      return Fail(PkiErrc::kStore,
                  "cannot connect to the certificate "
                  "store's PostgreSQL server: " +
                      Message());
    }
    // No NOTICE on stderr ("relation ... already exists, skipping").
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
    return Ok();
  }
  std::string Message() const {
    std::string text = PQerrorMessage(conn_);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
      text.pop_back();
    }
    return text;
  }
  // A connection lost (server restart) is re-established once, outside a
  // transaction only.
  void Heal() {
    if (PQstatus(conn_) == CONNECTION_BAD) PQreset(conn_);
  }
  Result<PgResult> Run(const char* what, const std::string& sql,
                       Params params = {}) {
    PgResult result(PQexecParams(conn_, sql.c_str(), params.size(), nullptr,
                                 params.values(), params.lengths(),
                                 params.formats(), 0));
    const ExecStatusType status = PQresultStatus(result.r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const char* state = PQresultErrorField(result.r, PG_DIAG_SQLSTATE);
      if (state && state == kUniqueViolation) {
        return Fail(PkiErrc::kDuplicateSerial, Message());
      }
      return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
    }
    return result;
  }
  // A statement or script without parameters (PQexec: several commands).
  Status Exec(const char* what, const std::string& sql) {
    PgResult result(PQexec(conn_, sql.c_str()));
    const ExecStatusType status = PQresultStatus(result.r);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
    }
    return Ok();
  }
  // Streams the rows of one query (libpq single-row mode: one row in memory
  // at a time). `visit` returns false to stop; the rest is drained.
  Status Stream(const char* what, const std::string& sql, Params params,
                const std::function<bool(const PgResult&)>& visit) {
    if (!PQsendQueryParams(conn_, sql.c_str(), params.size(), nullptr,
                           params.values(), params.lengths(), params.formats(),
                           0) ||
        !PQsetSingleRowMode(conn_)) {
      return Fail(PkiErrc::kStore, std::string(what) + ": " + Message());
    }
    bool more = true;
    std::string error;
    while (PGresult* raw = PQgetResult(conn_)) {
      PgResult row(raw);
      const ExecStatusType status = PQresultStatus(raw);
      if (status == PGRES_SINGLE_TUPLE) {
        if (more) more = visit(row);
      } else if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        error = Message();
      }
    }
    if (!error.empty()) {
      return Fail(PkiErrc::kStore, std::string(what) + ": " + error);
    }
    return Ok();
  }
  Status Rollback() { return Exec("rollback", "ROLLBACK"); }

 private:
  PGconn* conn_ = nullptr;
};

Params RecordParams(const CertificateRecord& r) {
  Params p;
  p.Text(Key(r.serial))
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

CertificateRecord Row(const PgResult& res, int i) {
  CertificateRecord r;
  r.serial = FromKey(res.text(i, 0));
  ParseCaKind(res.text(i, 1), r.partition.ca);
  r.partition.generation = static_cast<int>(res.integer(i, 2));
  r.partition.municipality_code = res.text(i, 3);
  r.partition.prefecture = res.text(i, 4);
  r.partition.municipality = res.text(i, 5);
  r.subject_cn = res.text(i, 6);
  r.not_before = FromUnix(res.integer(i, 7));
  r.not_after = FromUnix(res.integer(i, 8));
  r.der = res.bytea(i, 9);
  if (!res.null(i, 11)) {
    r.revocation_reason = ReasonFromValue(static_cast<int>(res.integer(i, 10)));
    r.revocation_time = FromUnix(res.integer(i, 11));
  }
  return r;
}

RevocationReason ReasonOf(const PgResult& res, int row, int col) {
  return ReasonFromValue(static_cast<int>(res.integer(row, col)))
      .value_or(RevocationReason::kUnspecified);
}

}  // namespace

struct PostgresCertificateStore::Impl {
  Connection db;     // every read and write
  std::mutex mutex;  // guards db
  std::string url;
  Connection crl;  // the CRL publication lock (PublishShared), opened lazily
  bool crl_open = false;
  std::mutex crl_mutex;

  // The next number of the change counter, inside the caller's transaction.
  Result<std::int64_t> NextSequence() {
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

  // One INSERT inside the caller's transaction.
  Status PutInTransaction(const CertificateRecord& r) {
    Params p = RecordParams(r);
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

  // BEGIN, `body`, COMMIT; ROLLBACK when `body` fails.
  Status Transaction(const std::function<Status()>& body) {
    db.Heal();
    OPENMYNA_RETURN_IF_ERROR(db.Exec("begin", "BEGIN"));
    if (Status s = body(); !s) {
      (void)db.Rollback();
      return s;
    }
    return db.Exec("commit", "COMMIT");
  }
};

PostgresCertificateStore::PostgresCertificateStore(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
PostgresCertificateStore::~PostgresCertificateStore() = default;

Result<std::unique_ptr<PostgresCertificateStore>>
PostgresCertificateStore::Open(std::string_view url) {
  auto impl = std::make_unique<Impl>();
  impl->url = std::string(url);
  OPENMYNA_RETURN_IF_ERROR(impl->db.Open(impl->url));
  // DDL only when a table is missing: CREATE INDEX IF NOT EXISTS locks
  // the table even when the index exists, which would deadlock with the
  // revocations of nodes already running.
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult present,
      impl->db.Run("schema",
                   "SELECT to_regclass('pki_certificates') IS NOT NULL AND "
                   "to_regclass('pki_revocation_counter') IS NOT NULL AND "
                   "to_regclass('pki_crl_state') IS NOT NULL"));
  Status schema = Ok();
  if (present.rows() != 1 || std::string_view(present.text(0, 0)) != "t") {
    schema = impl->Transaction([&]() -> Status {
      OPENMYNA_RETURN_IF_ERROR(impl->db.Exec("schema lock", kSchemaLock));
      return impl->db.Exec("schema", kSchema);
    });
  }
  if (!schema) return Unexpected(schema.error());
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

Status PostgresCertificateStore::Revoke(const Serial& serial,
                                        RevocationReason reason,
                                        TimePoint when) {
  if (reason == RevocationReason::kRemoveFromCrl) {
    return Fail(PkiErrc::kInvalidReason,
                "removeFromCRL is not a revocation: a hold is never lifted "
                "(jpki.md §4.3)");
  }
  std::lock_guard lock(impl_->mutex);
  Connection& db = impl_->db;
  return impl_->Transaction([&]() -> Status {
    OPENMYNA_ASSIGN_OR_RETURN(
        PgResult found,
        db.Run("select",
               "SELECT reason, revoked_at FROM pki_certificates WHERE serial "
               "= $1 FOR UPDATE",
               std::move(Params().Text(Key(serial)))));
    if (found.rows() == 0) {
      return Fail(PkiErrc::kNotFound,
                  "no certificate with serial " + serial.Hex());
    }
    std::int64_t time = ToUnix(when);
    if (!found.null(0, 1)) {
      const RevocationReason current = ReasonOf(found, 0, 0);
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
               std::move(Params()
                             .Text(Key(serial))
                             .Int(static_cast<int>(reason))
                             .Int(time)
                             .Int(seq))));
    return Ok();
  });
}

Result<CertificateStatus> PostgresCertificateStore::StatusOf(
    CaKind ca, const Serial& serial) {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  OPENMYNA_ASSIGN_OR_RETURN(
      PgResult res,
      impl_->db.Run(
          "select",
          "SELECT reason, revoked_at FROM pki_certificates WHERE "
          "serial = $1 AND ca = $2",
          std::move(
              Params().Text(Key(serial)).Text(std::string(CaKindName(ca))))));
  CertificateStatus status;
  if (res.rows() == 0) return status;  // unknown
  if (res.null(0, 1)) {
    status.kind = CertificateStatus::Kind::kGood;
    return status;
  }
  status.kind = CertificateStatus::Kind::kRevoked;
  status.reason = ReasonOf(res, 0, 0);
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
                    std::move(Params().Text(Key(serial)))));
  if (res.rows() == 0) return std::optional<CertificateRecord>();
  return std::optional<CertificateRecord>(Row(res, 0));
}

Result<std::vector<CertificateRecord>> PostgresCertificateStore::List(
    const ListFilter& filter) {
  std::string sql =
      std::string("SELECT ") + kColumns + " FROM pki_certificates WHERE TRUE";
  Params params;
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
  for (int i = 0; i < res.rows(); ++i) out.push_back(Row(res, i));
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
                    std::move(Params().Text(std::string(CaKindName(ca))))));
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
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  RevokedEntry entry;
  return impl_->db.Stream(
      "revoked entries",
      "SELECT serial, revoked_at, reason FROM pki_certificates WHERE ca = $1 "
      "AND generation = $2 AND municipality_code = $3 AND revoked_at IS NOT "
      "NULL ORDER BY serial",
      std::move(Params()
                    .Text(std::string(CaKindName(partition.ca)))
                    .Int(partition.generation)
                    .Text(partition.municipality_code)),
      [&](const PgResult& row) {
        entry.serial = FromKey(row.text(0, 0));
        entry.revocation_time = FromUnix(row.integer(0, 1));
        entry.reason = ReasonOf(row, 0, 2);
        return visit(entry);
      });
}

Status PostgresCertificateStore::ForEachStatus(
    CaKind ca,
    const std::function<bool(const CertificateStatusEntry&)>& visit) {
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  CertificateStatusEntry entry;
  return impl_->db.Stream(
      "statuses",
      "SELECT serial, generation, reason, revoked_at FROM pki_certificates "
      "WHERE ca = $1",
      std::move(Params().Text(std::string(CaKindName(ca)))),
      [&](const PgResult& row) {
        entry.serial = FromKey(row.text(0, 0));
        entry.generation = static_cast<int>(row.integer(0, 1));
        entry.status = CertificateStatus{};
        if (row.null(0, 3)) {
          entry.status.kind = CertificateStatus::Kind::kGood;
        } else {
          entry.status.kind = CertificateStatus::Kind::kRevoked;
          entry.status.reason = ReasonOf(row, 0, 2);
          entry.status.revocation_time = FromUnix(row.integer(0, 3));
        }
        return visit(entry);
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
  std::lock_guard lock(impl_->mutex);
  impl_->db.Heal();
  RevocationChange change;
  return impl_->db.Stream(
      "revocations since",
      "SELECT revoked_seq, serial, ca, generation, municipality_code, "
      "revoked_at, reason FROM pki_certificates WHERE revoked_seq > $1 "
      "ORDER BY revoked_seq",
      std::move(Params().Int(static_cast<std::int64_t>(after))),
      [&](const PgResult& row) {
        change.sequence = static_cast<std::uint64_t>(row.integer(0, 0));
        change.entry.serial = FromKey(row.text(0, 1));
        ParseCaKind(row.text(0, 2), change.partition.ca);
        change.partition.generation = static_cast<int>(row.integer(0, 3));
        change.partition.municipality_code = row.text(0, 4);
        change.entry.revocation_time = FromUnix(row.integer(0, 5));
        change.entry.reason = ReasonOf(row, 0, 6);
        return visit(change);
      });
}

// The partition's row is locked (SELECT … FOR UPDATE on a second
// connection, so that `publish` may use the store meanwhile) from before
// `publish` reads the last CRL until its successor is committed: two nodes
// never number two CRLs alike (RFC 5280 §5.2.3).
Result<std::optional<SharedCrl>> PostgresCertificateStore::PublishShared(
    const std::string& url_path, const SharedCrlBuilder& publish) {
  std::lock_guard lock(impl_->crl_mutex);
  Connection& crl = impl_->crl;
  if (!impl_->crl_open) {
    OPENMYNA_RETURN_IF_ERROR(crl.Open(impl_->url));
    impl_->crl_open = true;
  }
  crl.Heal();
  OPENMYNA_RETURN_IF_ERROR(crl.Exec("begin", "BEGIN"));
  auto body = [&]() -> Result<std::optional<SharedCrl>> {
    // The row exists before it is locked (a first publication included).
    OPENMYNA_RETURN_IF_ERROR(
        crl.Run("crl state",
                "INSERT INTO pki_crl_state VALUES ($1, 0, 0, 0, ''::bytea) "
                "ON CONFLICT DO NOTHING",
                std::move(Params().Text(url_path))));
    OPENMYNA_ASSIGN_OR_RETURN(
        PgResult res,
        crl.Run("crl state",
                "SELECT crl_number, sequence, this_update, der FROM "
                "pki_crl_state WHERE url_path = $1 FOR UPDATE",
                std::move(Params().Text(url_path))));
    std::optional<SharedCrl> current;
    if (res.rows() == 1 && res.integer(0, 0) > 0) {
      current = SharedCrl{static_cast<std::uint64_t>(res.integer(0, 0)),
                          static_cast<std::uint64_t>(res.integer(0, 1)),
                          FromUnix(res.integer(0, 2)), res.bytea(0, 3)};
    }
    OPENMYNA_ASSIGN_OR_RETURN(std::optional<SharedCrl> next, publish(current));
    if (!next) return current;
    if (current && next->crl_number <= current->crl_number) {
      return Fail(PkiErrc::kStore, "CRL number " +
                                       std::to_string(next->crl_number) +
                                       " is not above the published " +
                                       std::to_string(current->crl_number));
    }
    OPENMYNA_RETURN_IF_ERROR(
        crl.Run("crl state",
                "UPDATE pki_crl_state SET crl_number = $2, sequence = $3, "
                "this_update = $4, der = $5 WHERE url_path = $1",
                std::move(Params()
                              .Text(url_path)
                              .Int(static_cast<std::int64_t>(next->crl_number))
                              .Int(static_cast<std::int64_t>(next->sequence))
                              .Int(ToUnix(next->this_update))
                              .Binary(next->der))));
    return next;
  };
  auto result = body();
  if (!result) {
    (void)crl.Rollback();
    return result;
  }
  OPENMYNA_RETURN_IF_ERROR(crl.Exec("commit", "COMMIT"));
  return result;
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
