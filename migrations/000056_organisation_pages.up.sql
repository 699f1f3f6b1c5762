-- Organisation pages (/organisations/{slug}), and admins' renames and merges of organisations.
--
-- A slug for each organisation, made from its name by the database, so every way an
-- organisation is added (a draft's funding line, a correction, seed-synthetic, an import) gets
-- one. A renamed organisation's former slugs keep leading to it (organisation_slugs).
CREATE FUNCTION organisation_slug(name text, id bigint) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
    base text := coalesce(nullif(btrim(regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g'), '-'), ''), 'organisation');
BEGIN
    IF EXISTS (SELECT 1 FROM organisations o WHERE o.slug = base AND o.id <> organisation_slug.id) THEN
        RETURN base || '-' || id;
    END IF;
    RETURN base;
END $$;

ALTER TABLE organisations
    ADD COLUMN slug text UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    -- A merged organisation stays (signed decisions name it), and its decisions are counted as
    -- the organisation's it was merged into. Merges are flat: merging B into C moves B's merged
    -- organisations to C too.
    ADD COLUMN merged_into bigint REFERENCES organisations (id) CHECK (merged_into <> id);
UPDATE organisations SET slug = organisation_slug(name, id) WHERE slug IS NULL;
ALTER TABLE organisations ALTER COLUMN slug SET NOT NULL;
CREATE INDEX organisations_merged_into_idx ON organisations (merged_into) WHERE merged_into IS NOT NULL;

CREATE FUNCTION organisation_set_slug() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.name IS DISTINCT FROM OLD.name THEN
        NEW.slug := organisation_slug(NEW.name, NEW.id);
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER organisations_slug BEFORE INSERT OR UPDATE OF name ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisation_set_slug();

-- Former slugs of renamed organisations: the addresses people saved keep working.
CREATE TABLE organisation_slugs (
    slug            text PRIMARY KEY CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    organisation_id bigint NOT NULL REFERENCES organisations (id)
);

-- The name an organisation had when a decision left drafting, kept when it is renamed: the
-- decision's canonical content (and so its signature, and the approvals given in sign-off)
-- covers the name as written, which a rename must not change. Kept only for decisions past
-- drafting; a draft takes the new name. Rows are never changed or removed, and record the name
-- the organisation has when they are written (so one is written before each rename).
CREATE TABLE kept_organisation_names (
    decision_id     bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    organisation_id bigint NOT NULL REFERENCES organisations (id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    kept_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (decision_id, organisation_id)
);
CREATE FUNCTION kept_organisation_name_current() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM organisations o WHERE o.id = NEW.organisation_id AND o.name = NEW.name) THEN
        RAISE EXCEPTION 'the kept name of organisation % must be its name now', NEW.organisation_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'kept_organisation_names_current';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER kept_organisation_names_insert BEFORE INSERT ON kept_organisation_names
    FOR EACH ROW EXECUTE FUNCTION kept_organisation_name_current();
CREATE TRIGGER kept_organisation_names_record BEFORE UPDATE OR DELETE ON kept_organisation_names
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER kept_organisation_names_no_truncate BEFORE TRUNCATE ON kept_organisation_names
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A rename was refused outright for an organisation named in signed decisions (000008). It is
-- allowed now once every signed decision naming it keeps the name it was signed with; a merged
-- organisation's name never changes, and none is ever deleted.
CREATE OR REPLACE FUNCTION refuse_signed_organisation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.funder_id = OLD.id
        UNION ALL
        SELECT 1 FROM signatures g JOIN funding_lines f ON f.decision_id = g.decision_id
        WHERE OLD.id IN (f.funder_id, f.recipient_id)) THEN
        RAISE EXCEPTION 'organisation % is named in signed decisions: it cannot be removed', OLD.name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
        IF OLD.merged_into IS NOT NULL THEN
            RAISE EXCEPTION 'organisation % was merged: its name cannot change', OLD.name
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (
            SELECT 1 FROM signatures g JOIN decisions d ON d.id = g.decision_id
            WHERE (d.funder_id = OLD.id OR EXISTS (
                SELECT 1 FROM funding_lines f WHERE f.decision_id = d.id AND OLD.id IN (f.funder_id, f.recipient_id)))
            AND NOT EXISTS (SELECT 1 FROM kept_organisation_names k WHERE k.decision_id = d.id AND k.organisation_id = OLD.id)) THEN
            RAISE EXCEPTION 'organisation % is named in signed decisions that do not keep its name: its name cannot change', OLD.name
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
