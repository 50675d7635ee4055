-- Health-insurance records (issue 12; docs/insurance.md): insurers,
-- memberships (資格) with their link to a resident, medical institutions,
-- medication, check-ups, medical expenses and the registrations of cards as
-- insurance cards. Same conventions as 0001 (query columns + JSON `doc`).

CREATE TABLE insurers (
  number TEXT PRIMARY KEY,
  doc    TEXT NOT NULL
);

CREATE TABLE memberships (
  id             TEXT PRIMARY KEY,
  insurer_number TEXT NOT NULL REFERENCES insurers (number),
  symbol         TEXT NOT NULL,
  number         TEXT NOT NULL,
  branch         TEXT NOT NULL,
  resident_id    TEXT REFERENCES residents (id),
  link_state     TEXT NOT NULL,
  doc            TEXT NOT NULL
);
-- Look-up by insurance-card data (保険者番号 + 番号, then 記号/枝番 filter).
CREATE INDEX memberships_by_card ON memberships (insurer_number, number);
CREATE INDEX memberships_by_resident ON memberships (resident_id);
CREATE INDEX memberships_by_link_state ON memberships (link_state);

CREATE TABLE medical_institutions (
  code TEXT PRIMARY KEY,
  doc  TEXT NOT NULL
);

CREATE TABLE medication_records (
  id           TEXT PRIMARY KEY,
  resident_id  TEXT NOT NULL REFERENCES residents (id),
  dispensed_on TEXT NOT NULL,
  doc          TEXT NOT NULL
);
CREATE INDEX medication_by_resident
  ON medication_records (resident_id, dispensed_on);

CREATE TABLE checkup_records (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  examined_on TEXT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX checkups_by_resident ON checkup_records (resident_id, examined_on);

CREATE TABLE medical_expenses (
  id          TEXT PRIMARY KEY,
  resident_id TEXT NOT NULL REFERENCES residents (id),
  month       TEXT NOT NULL,
  doc         TEXT NOT NULL
);
CREATE INDEX expenses_by_resident ON medical_expenses (resident_id, month);

-- 保険証利用登録: one row per resident; the linkage code is unique.
CREATE TABLE insurance_registrations (
  resident_id  TEXT PRIMARY KEY REFERENCES residents (id),
  linkage_code TEXT NOT NULL UNIQUE,
  doc          TEXT NOT NULL
);
