DROP TRIGGER decisions_back_to_draft ON decisions;
DROP FUNCTION decision_back_to_draft();
DROP TRIGGER kept_organisation_names_record ON kept_organisation_names;
CREATE TRIGGER kept_organisation_names_record BEFORE UPDATE OR DELETE ON kept_organisation_names
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
DROP FUNCTION kept_organisation_name_change();
