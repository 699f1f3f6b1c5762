DROP TRIGGER decision_links_signed ON decision_links;
CREATE TRIGGER decision_links_signed BEFORE INSERT OR UPDATE OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();
DROP FUNCTION refuse_signed_link_change();
