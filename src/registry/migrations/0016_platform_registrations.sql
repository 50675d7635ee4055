-- OpenMyna registry, schema version 0016 (issue 9, platform verification
-- API): a relying party's registration of a resident with the signature
-- certificate it holds on file (platform_registrations.h). One per relying
-- party and resident; found by the serial on file at a replacement.
CREATE TABLE platform_registrations (
  id               TEXT PRIMARY KEY,
  relying_party    TEXT NOT NULL,
  resident_id      TEXT NOT NULL REFERENCES residents (id),
  signature_serial TEXT NOT NULL,
  doc              TEXT NOT NULL
);
CREATE UNIQUE INDEX platform_registrations_by_resident
  ON platform_registrations (relying_party, resident_id);
CREATE INDEX platform_registrations_by_serial
  ON platform_registrations (relying_party, signature_serial);
