-- OpenMyna registry, schema version 0001 (issue 5).
-- Written in the common subset of SQLite 3.40 and PostgreSQL 15: TEXT and
-- BIGINT columns only, no SERIAL/AUTOINCREMENT (ids come from the
-- application), no dialect-specific types. Each aggregate is one row: the
-- columns that queries filter on, plus the whole record as JSON text in
-- `doc` (see docs/registry.md, "Storage").

CREATE TABLE municipalities (
  code TEXT PRIMARY KEY,
  doc  TEXT NOT NULL
);

CREATE TABLE residents (
  id                TEXT PRIMARY KEY,
  individual_number TEXT NOT NULL UNIQUE,
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  status            TEXT NOT NULL,
  doc               TEXT NOT NULL
);
CREATE INDEX residents_by_municipality ON residents (municipality_code);

CREATE TABLE applications (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  state       TEXT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX applications_by_resident ON applications (resident_id);

CREATE TABLE cards (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  state       TEXT NOT NULL,
  expires_on  TEXT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX cards_by_resident ON cards (resident_id);
CREATE INDEX cards_by_state_expiry ON cards (state, expires_on);

CREATE TABLE certificates (
  serial      TEXT PRIMARY KEY,
  card_id     TEXT NOT NULL REFERENCES cards (id),
  resident_id TEXT NOT NULL REFERENCES residents (id),
  revoked     BIGINT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX certificates_by_card ON certificates (card_id);

CREATE TABLE fees (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  doc         TEXT NOT NULL
);
CREATE INDEX fees_by_resident ON fees (resident_id);

CREATE TABLE notices (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  card_id     TEXT NOT NULL,
  kind        TEXT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX notices_by_resident ON notices (resident_id);
CREATE INDEX notices_by_card_kind ON notices (card_id, kind);

-- Append-only: the service never updates or deletes a row.
CREATE TABLE audit_log (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL,
  at          BIGINT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX audit_log_by_resident ON audit_log (resident_id, at);
