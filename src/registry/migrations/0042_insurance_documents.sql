-- 資格確認書 / 資格情報のお知らせ as issued (issue 12 item 7;
-- docs/insurance.md): on request through the insurer's API or ex officio by
-- `openmyna insurance issue-due`. `seq` orders one membership's documents
-- (MAX + 1 inside the writing transaction, as audit_log.seq); the unique
-- index turns a concurrent second issue into a conflict, never a silent
-- duplicate.
CREATE TABLE insurance_documents (
  number        TEXT PRIMARY KEY,
  membership_id TEXT NOT NULL REFERENCES memberships (id),
  seq           BIGINT NOT NULL,
  issued_on     TEXT NOT NULL,
  doc           TEXT NOT NULL
);
CREATE UNIQUE INDEX insurance_documents_by_membership
  ON insurance_documents (membership_id, seq);
