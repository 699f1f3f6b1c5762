CREATE OR REPLACE FUNCTION refuse_signed_organisation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.name IS DISTINCT FROM OLD.name) AND EXISTS (
        SELECT 1 FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.funder_id = OLD.id
        UNION ALL
        SELECT 1 FROM signatures g JOIN funding_lines f ON f.decision_id = g.decision_id
        WHERE OLD.id IN (f.funder_id, f.recipient_id)) THEN
        RAISE EXCEPTION 'organisation % is named in signed decisions: its name cannot change', OLD.name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
DROP TABLE kept_organisation_names;
DROP FUNCTION kept_organisation_name_current();
DROP TABLE organisation_slugs;
DROP TRIGGER organisations_slug ON organisations;
DROP FUNCTION organisation_set_slug();
ALTER TABLE organisations DROP COLUMN merged_into, DROP COLUMN slug;
DROP FUNCTION organisation_slug(text, bigint);
