-- OpenMyna registry 0050 (issue 13): audit_log_by_resident (resident_id, at)
-- is used by no query since 0003: every read of the trail is by resident in
-- seq order (ListAudit, resident notices) and every insert takes MAX(seq) of
-- its resident, all answered by audit_log_by_resident_seq (EXPLAIN QUERY PLAN
-- on SQLite, EXPLAIN on PostgreSQL). Dropped, so that each audit entry, the
-- registry's most frequent write, updates one index fewer.
DROP INDEX audit_log_by_resident;
