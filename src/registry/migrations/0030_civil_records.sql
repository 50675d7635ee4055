-- OpenMyna registry 0030 (issue 11, item 1): the civil records behind the
-- convenience-store certificates. Same subset of SQLite and PostgreSQL as
-- 0001; each record is one row (query columns + the JSON `doc`).

-- Households (世帯). Membership is a table of its own so that a resident is
-- in at most one household (primary key), whatever the callers do.
CREATE TABLE households (
  id                TEXT PRIMARY KEY,
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  doc               TEXT NOT NULL
);
CREATE TABLE household_members (
  resident_id  TEXT PRIMARY KEY REFERENCES residents (id),
  household_id TEXT NOT NULL REFERENCES households (id)
);
CREATE INDEX household_members_by_household
  ON household_members (household_id);

-- The 住民票 items beside the Resident record (本籍・筆頭者, dates, the
-- support measure).
CREATE TABLE resident_civil (
  resident_id TEXT PRIMARY KEY REFERENCES residents (id),
  doc         TEXT NOT NULL
);

-- Family registers (戸籍), held by the domicile municipality; the current
-- members that are residents of this registry are indexed (one register
-- each).
CREATE TABLE family_registers (
  id                TEXT PRIMARY KEY,
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  doc               TEXT NOT NULL
);
CREATE INDEX family_registers_by_municipality
  ON family_registers (municipality_code);
CREATE TABLE family_register_members (
  resident_id TEXT PRIMARY KEY REFERENCES residents (id),
  register_id TEXT NOT NULL REFERENCES family_registers (id)
);
CREATE INDEX family_register_members_by_register
  ON family_register_members (register_id);

-- Seal registrations (印鑑登録): at most one registered seal per resident
-- (partial unique index, SQLite >= 3.8 and PostgreSQL).
CREATE TABLE seals (
  number            TEXT PRIMARY KEY,
  resident_id       TEXT NOT NULL REFERENCES residents (id),
  municipality_code TEXT NOT NULL REFERENCES municipalities (code),
  state             TEXT NOT NULL,
  doc               TEXT NOT NULL
);
CREATE INDEX seals_by_resident ON seals (resident_id);
CREATE INDEX seals_by_municipality ON seals (municipality_code);
CREATE UNIQUE INDEX seals_one_registered_per_resident
  ON seals (resident_id) WHERE state = 'registered';
