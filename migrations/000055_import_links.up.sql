-- A signed decision's links cannot change, but an imported decision may have been signed with a
-- link to a decision not yet imported: the link waits in import_pending_links (and enters the
-- decision's content from there) until its target arrives, when it becomes the same link in
-- decision_links. That move, and only it, is let through; the content is the same before and after.
CREATE FUNCTION refuse_signed_link_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND EXISTS (
        SELECT 1 FROM import_pending_links p JOIN decisions t ON t.reference = p.to_reference
        WHERE p.from_decision_id = NEW.from_decision_id AND p.kind = NEW.kind AND t.id = NEW.to_decision_id) THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM signatures WHERE decision_id IN (
        CASE WHEN TG_OP <> 'INSERT' THEN OLD.from_decision_id END,
        CASE WHEN TG_OP <> 'DELETE' THEN NEW.from_decision_id END)) THEN
        RAISE EXCEPTION 'the decision is signed: its decision_links cannot change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
DROP TRIGGER decision_links_signed ON decision_links;
CREATE TRIGGER decision_links_signed BEFORE INSERT OR UPDATE OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_link_change();
