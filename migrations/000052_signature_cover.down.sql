DROP TRIGGER signatures_cover ON signatures;
DROP FUNCTION check_cover_signature();
ALTER TABLE signatures
    DROP CONSTRAINT signatures_cover_whole,
    DROP COLUMN on_behalf_of, DROP COLUMN on_behalf_name, DROP COLUMN cover_id, DROP COLUMN cover_starts_on,
    DROP COLUMN cover_ends_on, DROP COLUMN cover_set_by;
