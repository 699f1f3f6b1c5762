-- 000016 rebuilt refuse_signed_decision_change from 000005's version and lost what 000011 added:
-- a signed decision's Part II salt (part of the signed hash of its Part II) can never change.
-- This is 000016's rule (title and summary change only with a new signed version) with the salt
-- locked again.
CREATE OR REPLACE FUNCTION refuse_signed_decision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) AND (TG_OP = 'DELETE' OR
        (NEW.series, NEW.ref_year, NEW.number, NEW.reference, NEW.slug, NEW.funder_id, NEW.part_two_salt)
        IS DISTINCT FROM
        (OLD.series, OLD.ref_year, OLD.number, OLD.reference, OLD.slug, OLD.funder_id, OLD.part_two_salt)
        OR ((NEW.title, NEW.summary) IS DISTINCT FROM (OLD.title, OLD.summary) AND decision_content_locked(OLD.id))) THEN
        RAISE EXCEPTION 'decision % is signed: its content cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
