-- OpenMyna registry 0033 (issue 11, item 6): a ledger row of a document the
-- issuer handed to the centre but the kiosk never printed (the session was
-- cancelled, timed out, or ended while the issuer worked) is marked void:
-- no certificate came out and no fee was taken. The row stays (what the
-- issuer handed over); the reason is in its doc.
ALTER TABLE konbini_issuances ADD COLUMN voided_at BIGINT;
