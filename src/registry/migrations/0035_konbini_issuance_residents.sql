-- OpenMyna registry 0035 (issue 11, known limit 3): the residents whose
-- data a konbini document carries (the requester and the chosen household
-- members), kept with its ledger row, so that a void writes konbini.void
-- on their trails without reading the household's whole audit trails in
-- its write transaction. Rows of before: the residents whose trail has the
-- konbini.issue entry naming the row's request id.
CREATE TABLE konbini_issuance_residents (
  request_id  TEXT NOT NULL,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  PRIMARY KEY (request_id, resident_id)
);
INSERT INTO konbini_issuance_residents (request_id, resident_id)
SELECT DISTINCT i.request_id, a.resident_id
FROM konbini_issuances i
JOIN audit_log a
  ON a.doc LIKE '%konbini.issue%'
 AND a.doc LIKE '%(request ' || i.request_id || ',%';
