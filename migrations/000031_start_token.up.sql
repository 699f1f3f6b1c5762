-- A decision remembers the one-time token of the "Start a decision" form that made it, so the
-- same form sent again (its answer lost to a dropped connection) finds the draft it already
-- made instead of taking the next number. NULL for decisions made before, and for seeded and
-- synthetic ones.
ALTER TABLE decisions ADD COLUMN start_token text
    CONSTRAINT decisions_start_token_check CHECK (start_token ~ '^[0-9a-f]{32}$');
CREATE UNIQUE INDEX decisions_start_token ON decisions (start_token);
