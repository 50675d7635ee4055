-- OpenMyna registry, schema version 0015 (issue 9, sign-in): the
-- certificates of one resident across all of their cards, for the holder
-- look-up and the successor of a replaced signature certificate
-- (certificate_holder.h).
CREATE INDEX certificates_by_resident ON certificates (resident_id);
