-- OpenMyna registry 0031 (issue 11, item 6): the municipality's ledger of
-- convenience-store issuances (one row per document handed to the centre),
-- with the request ids of the centre and of the issuer, fee and copies.
CREATE TABLE konbini_issuances (
  issuer_request_id TEXT PRIMARY KEY,
  request_id        TEXT NOT NULL,
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  subject_id        TEXT NOT NULL REFERENCES residents (id),
  at                BIGINT NOT NULL,
  doc               TEXT NOT NULL
);
CREATE INDEX konbini_issuances_by_municipality
  ON konbini_issuances (municipality_code, at);
CREATE UNIQUE INDEX konbini_issuances_by_request
  ON konbini_issuances (request_id);
