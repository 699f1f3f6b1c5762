-- A provenance row or a pending link enters a decision's canonical content (Part II's hash in
-- Part II's place; one link more), so adding one to a decision already signed would change what
-- was signed. The import writes both before the decision's signature; only that order is let in.
CREATE FUNCTION refuse_import_row_for_signed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    did bigint;
BEGIN
    IF TG_TABLE_NAME = 'decision_imports' THEN
        did := NEW.decision_id;
    ELSE
        did := NEW.from_decision_id;
    END IF;
    IF EXISTS (SELECT 1 FROM signatures WHERE decision_id = did) THEN
        RAISE EXCEPTION 'the decision is signed: its % cannot change', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decision_imports_before_signing BEFORE INSERT ON decision_imports
    FOR EACH ROW EXECUTE FUNCTION refuse_import_row_for_signed();
CREATE TRIGGER import_pending_links_before_signing BEFORE INSERT ON import_pending_links
    FOR EACH ROW EXECUTE FUNCTION refuse_import_row_for_signed();
