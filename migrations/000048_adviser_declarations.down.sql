DROP TRIGGER signoff_actions_cover ON signoff_actions;
DROP FUNCTION check_cover_act();
ALTER TABLE signoff_actions
    DROP COLUMN interests, DROP COLUMN interest_nature, DROP COLUMN dispensation_by, DROP COLUMN on_behalf_of,
    DROP COLUMN on_behalf_name, DROP COLUMN cover_id, DROP COLUMN cover_starts_on, DROP COLUMN cover_ends_on,
    DROP COLUMN cover_set_by;
