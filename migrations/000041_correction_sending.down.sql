DROP TRIGGER decision_versions_sent ON decision_versions;
DROP FUNCTION decision_versions_sent();
DROP TRIGGER corrections_sent_unchanged ON corrections;
DROP FUNCTION corrections_sent_unchanged();
ALTER TABLE corrections
    DROP COLUMN sent_at, DROP COLUMN sent_by, DROP COLUMN returned_at, DROP COLUMN returned_by,
    DROP COLUMN return_comment;
