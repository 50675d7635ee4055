// The PostgreSQL certificate store's tables (internal/postgres_store.h),
// made by the first node that finds one missing.
#include <string_view>

#include "internal/postgres_store.h"

namespace openmyna::pki {
namespace {

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

}  // namespace

Status PostgresCertificateStore::Impl::EnsureSchema() {
  // DDL only when a table is missing: CREATE INDEX IF NOT EXISTS locks
  // the table even when the index exists, which would deadlock with the
  // revocations of nodes already running.
  OPENMYNA_ASSIGN_OR_RETURN(
      internal::PgResult present,
      db.Run("schema",
             "SELECT to_regclass('pki_certificates') IS NOT NULL AND "
             "to_regclass('pki_revocation_counter') IS NOT NULL AND "
             "to_regclass('pki_crl_state') IS NOT NULL"));
  if (present.rows() == 1 && std::string_view(present.text(0, 0)) == "t") {
    return Ok();
  }
  return Transaction([&]() -> Status {
    OPENMYNA_RETURN_IF_ERROR(db.Exec("schema lock", kSchemaLock));
    return db.Exec("schema", kSchema);
  });
}

}  // namespace openmyna::pki
