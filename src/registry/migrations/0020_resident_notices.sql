-- お知らせ (issue 10): the notices a resident sees in the portal, with their
-- unread marks. One row per (resident, kind, subject), so the sweep that
-- derives them (registry/resident_notices.h) can run on every visit and
-- never write a notice twice. `read_at` is NULL while unread.
CREATE TABLE resident_notices (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  kind        TEXT NOT NULL,
  subject     TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  read_at     BIGINT,
  doc         TEXT NOT NULL
);
CREATE UNIQUE INDEX resident_notices_once ON resident_notices (resident_id, kind, subject);
CREATE INDEX resident_notices_by_resident ON resident_notices (resident_id, created_at);

-- How far the third-party-access notices have read the audit log of each
-- resident (audit_log.seq), so a visit looks only at new entries.
CREATE TABLE resident_notice_marks (
  resident_id TEXT PRIMARY KEY REFERENCES residents (id),
  audit_seq   BIGINT NOT NULL
);
