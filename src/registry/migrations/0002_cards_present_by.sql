-- After a move to another municipality the card must be presented there by
-- a deadline (domain.md §6, 90 days). The expiry sweep finds the late cards
-- through this column; NULL when nothing is pending.
ALTER TABLE cards ADD COLUMN present_by TEXT;
CREATE INDEX cards_by_present_by ON cards (present_by);
