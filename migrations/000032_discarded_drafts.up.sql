-- A drafting team may discard a draft nobody has approved (one started twice by mistake): the
-- row stays, marked discarded, so its reference number is never given to another decision and
-- its audit entries keep their decision. Only a draft moves there, and nothing moves out.
ALTER TABLE decisions DROP CONSTRAINT decisions_status_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('draft', 'awaiting_signoff', 'approved', 'published', 'rejected', 'withdrawn', 'discarded'));

-- As in 000005, with draft -> discarded added.
CREATE OR REPLACE FUNCTION check_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) NOT IN (
        ('draft', 'awaiting_signoff'), ('awaiting_signoff', 'draft'), ('draft', 'discarded'),
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
