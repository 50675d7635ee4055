-- Consent to share medical information with one facility (issue 12, item
-- 5/7): valid 24 hours (docs/insurance.md). valid_until in Unix seconds.
CREATE TABLE insurance_consents (
  id               TEXT PRIMARY KEY,
  resident_id      TEXT NOT NULL REFERENCES residents (id),
  institution_code TEXT NOT NULL REFERENCES medical_institutions (code),
  valid_until      BIGINT NOT NULL,
  doc              TEXT NOT NULL
);
CREATE INDEX consents_by_resident
  ON insurance_consents (resident_id, institution_code, valid_until);
