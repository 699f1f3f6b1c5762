-- Who signed, in what role, when, and when it is published are part of the signature: once a
-- decision is signed they cannot change. The signing transaction writes them before it inserts
-- the signature (so this lets it through), and the release of a deferred decision makes the one
-- move they may still make: date_published, from nothing to the day of its publish_at, as the
-- decision becomes published. This is 000023's rule with those columns added.
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
    IF TG_OP = 'UPDATE' AND decision_is_signed(OLD.id) AND (
        (NEW.decision_maker_name, NEW.decision_maker_role, NEW.date_signed, NEW.publish_at, NEW.deferral_reason)
        IS DISTINCT FROM
        (OLD.decision_maker_name, OLD.decision_maker_role, OLD.date_signed, OLD.publish_at, OLD.deferral_reason)
        OR (NEW.date_published IS DISTINCT FROM OLD.date_published AND NOT (
            OLD.date_published IS NULL AND OLD.status = 'approved' AND NEW.status = 'published'
            AND NEW.date_published = (OLD.publish_at AT TIME ZONE 'Europe/London')::date))) THEN
        RAISE EXCEPTION 'decision % is signed: who signed it, in what role, when, and when it is published cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

-- An approval keeps the approver's name and the step's name and statement as they were when it
-- was given: the public chain shows what was approved, not what the users and step_kinds tables
-- say today.
ALTER TABLE signoff_actions ADD COLUMN approver_name text, ADD COLUMN step_name text, ADD COLUMN statement text;
-- The record trigger lets an action only be cleared; filling the new columns is this migration's.
ALTER TABLE signoff_actions DISABLE TRIGGER signoff_actions_record;
UPDATE signoff_actions a SET approver_name = u.name, step_name = k.name, statement = k.statement
FROM users u, step_kinds k WHERE u.id = a.user_id AND k.code = a.step_kind;
ALTER TABLE signoff_actions ENABLE TRIGGER signoff_actions_record;
ALTER TABLE signoff_actions
    ALTER COLUMN approver_name SET NOT NULL, ADD CHECK (btrim(approver_name) <> ''),
    ALTER COLUMN step_name SET NOT NULL, ADD CHECK (btrim(step_name) <> ''),
    ALTER COLUMN statement SET NOT NULL, ADD CHECK (btrim(statement) <> '');
-- An action written without them takes them from the tables as they are when it is taken.
CREATE FUNCTION signoff_action_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.approver_name := coalesce(NEW.approver_name, (SELECT name FROM users WHERE id = NEW.user_id));
    SELECT coalesce(NEW.step_name, k.name), coalesce(NEW.statement, k.statement) INTO NEW.step_name, NEW.statement
    FROM step_kinds k WHERE k.code = NEW.step_kind;
    RETURN NEW;
END $$;
CREATE TRIGGER signoff_actions_names BEFORE INSERT ON signoff_actions
    FOR EACH ROW EXECUTE FUNCTION signoff_action_names();
