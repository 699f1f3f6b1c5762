DROP TRIGGER signoff_actions_names ON signoff_actions;
DROP FUNCTION signoff_action_names();
ALTER TABLE signoff_actions DROP COLUMN approver_name, DROP COLUMN step_name, DROP COLUMN statement;

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
