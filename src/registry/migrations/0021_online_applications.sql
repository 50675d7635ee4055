-- ぴったりサービス (issue 10, item 6): online applications signed with the
-- resident's signature certificate, delivered to the inbox of the
-- municipality that handles them, where a clerk accepts or rejects them.
CREATE TABLE online_applications (
  id                TEXT PRIMARY KEY,
  resident_id       TEXT NOT NULL REFERENCES residents (id),
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  state             TEXT NOT NULL,
  submitted_at      BIGINT NOT NULL,
  doc               TEXT NOT NULL
);
CREATE INDEX online_applications_inbox ON online_applications (municipality_code, state, submitted_at);
CREATE INDEX online_applications_by_resident ON online_applications (resident_id, submitted_at);
