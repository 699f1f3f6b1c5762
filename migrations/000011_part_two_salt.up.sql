-- Part II enters a decision's public hash as its own SHA-256. A short or guessable Part II could
-- be confirmed by hashing guesses, so its canonical bytes carry a random salt kept with the
-- decision (never published). The salt is signed content like the rest.
ALTER TABLE decisions ADD COLUMN part_two_salt text NOT NULL
    DEFAULT replace(gen_random_uuid()::text, '-', '') CHECK (part_two_salt ~ '^[0-9a-f]{32}$');

CREATE OR REPLACE FUNCTION refuse_signed_decision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) AND (TG_OP = 'DELETE' OR
        (NEW.series, NEW.ref_year, NEW.number, NEW.reference, NEW.slug, NEW.title, NEW.summary, NEW.funder_id, NEW.part_two_salt)
        IS DISTINCT FROM
        (OLD.series, OLD.ref_year, OLD.number, OLD.reference, OLD.slug, OLD.title, OLD.summary, OLD.funder_id, OLD.part_two_salt)) THEN
        RAISE EXCEPTION 'decision % is signed: its content cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
