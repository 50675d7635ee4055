-- Audit entries of one resident in the order they were written, even within
-- one second: a per-resident sequence number assigned inside the writing
-- transaction (MAX + 1); the unique index turns a concurrent writer's
-- duplicate into a conflict instead of a silent reordering.
ALTER TABLE audit_log ADD COLUMN seq BIGINT;
CREATE UNIQUE INDEX audit_log_by_resident_seq ON audit_log (resident_id, seq);
