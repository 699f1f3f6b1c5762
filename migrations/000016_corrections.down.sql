ALTER TABLE decisions DROP COLUMN withdrawn_by;

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

CREATE OR REPLACE FUNCTION refuse_signed_child_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'decision_links' THEN
        ids := ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.from_decision_id END,
                     CASE WHEN TG_OP <> 'DELETE' THEN NEW.from_decision_id END];
    ELSE
        ids := ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.decision_id END,
                     CASE WHEN TG_OP <> 'DELETE' THEN NEW.decision_id END];
    END IF;
    IF EXISTS (SELECT 1 FROM signatures WHERE decision_id = ANY (ids)) THEN
        RAISE EXCEPTION 'the decision is signed: its % cannot change', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

DROP FUNCTION decision_content_locked(bigint);
DROP TABLE decision_versions;
DROP FUNCTION decision_versions_insert();
DROP TABLE correction_drafters;
DROP TABLE corrections;
