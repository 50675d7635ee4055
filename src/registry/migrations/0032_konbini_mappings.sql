-- OpenMyna registry 0032 (issue 11, item 7): dated certificate -> resident
-- mappings of the convenience-store centre. Without a row a certificate is
-- usable from the JST day after its issue (the next-day rule); a row sets
-- that day for one certificate (the sandbox's sample card is mapped as of
-- the day before `up` first issues it, so that it can be tried at once).
CREATE TABLE konbini_mappings (
  certificate_serial TEXT PRIMARY KEY,
  doc                TEXT NOT NULL
);
