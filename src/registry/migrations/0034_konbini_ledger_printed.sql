-- OpenMyna registry 0034 (issue 11, known limit 1): the kiosk's print
-- confirmation. A row is written when the issuer hands the document over
-- (at); printed_at is set when the centre confirms the kiosk printed it
-- (Finish), print_by is the end of the session's deadline. A row neither
-- printed nor void after print_by is voided by the issuers' sweep, so a
-- centre killed mid-session cannot leave a fee for a document nobody
-- printed. Rows written before this migration stood as printed.
ALTER TABLE konbini_issuances ADD COLUMN printed_at BIGINT;
ALTER TABLE konbini_issuances ADD COLUMN print_by BIGINT;
UPDATE konbini_issuances SET printed_at = at WHERE voided_at IS NULL;
CREATE INDEX konbini_issuances_unconfirmed
  ON konbini_issuances (municipality_code, print_by)
  WHERE printed_at IS NULL AND voided_at IS NULL;
