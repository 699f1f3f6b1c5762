-- Discarded drafts become drafts again (the old schema has no other place for them); the
-- status trigger, which allows no move out of discarded, is off for that one statement.
ALTER TABLE decisions DISABLE TRIGGER decisions_status_move;
UPDATE decisions SET status = 'draft' WHERE status = 'discarded';
ALTER TABLE decisions ENABLE TRIGGER decisions_status_move;

CREATE OR REPLACE FUNCTION check_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) NOT IN (
        ('draft', 'awaiting_signoff'), ('awaiting_signoff', 'draft'),
        ('awaiting_signoff', 'approved'), ('awaiting_signoff', 'published'), ('awaiting_signoff', 'rejected'),
        ('approved', 'published'), ('approved', 'withdrawn'), ('published', 'withdrawn')) THEN
        RAISE EXCEPTION 'a decision cannot move from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_status_move';
    END IF;
    IF NEW.status IN ('approved', 'published', 'rejected') AND OLD.status = 'awaiting_signoff'
        AND NOT decision_is_signed(NEW.id) THEN
        RAISE EXCEPTION 'a decision is approved, published or rejected only by its signature'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_status_move';
    END IF;
    RETURN NEW;
END $$;

ALTER TABLE decisions DROP CONSTRAINT decisions_status_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('draft', 'awaiting_signoff', 'approved', 'published', 'rejected', 'withdrawn'));
