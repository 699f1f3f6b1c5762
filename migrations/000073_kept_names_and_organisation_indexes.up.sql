-- A kept organisation name (000056) protects content someone has approved or signed. It was
-- kept for a decision in sign-off and stayed when the decision was returned to draft, so the
-- draft went on naming the organisation as it was before a rename, or an organisation merged
-- since into another. A decision returned to draft now forgets its kept names and, as a merge
-- does for drafts, names the organisation a merged one went into; a kept name is removed only
-- that way, never a signed decision's.

CREATE OR REPLACE FUNCTION kept_organisation_name_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND NOT decision_is_signed(OLD.decision_id)
        AND EXISTS (SELECT 1 FROM decisions d WHERE d.id = OLD.decision_id AND d.status IN ('draft', 'discarded')) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'kept organisation names cannot be changed, or removed but from a draft'
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP TRIGGER kept_organisation_names_record ON kept_organisation_names;
CREATE TRIGGER kept_organisation_names_record BEFORE UPDATE OR DELETE ON kept_organisation_names
    FOR EACH ROW EXECUTE FUNCTION kept_organisation_name_change();

CREATE FUNCTION decision_back_to_draft() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM kept_organisation_names WHERE decision_id = NEW.id;
    UPDATE funding_lines f SET funder_id = o.merged_into FROM organisations o
    WHERE f.decision_id = NEW.id AND o.id = f.funder_id AND o.merged_into IS NOT NULL;
    UPDATE funding_lines f SET recipient_id = o.merged_into FROM organisations o
    WHERE f.decision_id = NEW.id AND o.id = f.recipient_id AND o.merged_into IS NOT NULL;
    UPDATE decisions d SET funder_id = o.merged_into FROM organisations o
    WHERE d.id = NEW.id AND o.id = d.funder_id AND o.merged_into IS NOT NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER decisions_back_to_draft AFTER UPDATE OF status ON decisions
    FOR EACH ROW WHEN (NEW.status = 'draft' AND OLD.status <> 'draft')
    EXECUTE FUNCTION decision_back_to_draft();

-- Drafts returned before this migration, and discarded ones, keep nothing.
DELETE FROM kept_organisation_names k USING decisions d
WHERE d.id = k.decision_id AND d.status IN ('draft', 'discarded');

-- The funding-line indexes an organisation's page needs are migrations 75 and 76, each built
-- CONCURRENTLY in a file of its own (see 000024).
