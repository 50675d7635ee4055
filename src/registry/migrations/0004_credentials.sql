-- Staff and terminal credentials for the HTTP services (issue 5, item 4):
-- one row per credential, the secret stored only as a salted PBKDF2 hash.
CREATE TABLE credentials (
  id   TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  doc  TEXT NOT NULL
);
