DROP TABLE part_two_releases;
DROP FUNCTION part_two_release_insert();
DROP FUNCTION part_two_release_unchanged();
CREATE OR REPLACE FUNCTION decision_versions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last integer;
BEGIN
    NEW.created_txid := txid_current();
    SELECT max(number) INTO last FROM decision_versions WHERE decision_id = NEW.decision_id;
    IF NEW.number <> coalesce(last, 0) + 1 THEN
        RAISE EXCEPTION 'version % of decision % is not the next version', NEW.number, NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_in_order';
    END IF;
    -- Version 1 is what was signed: its hash must be the signature's.
    IF NEW.number = 1 AND NOT EXISTS (
        SELECT 1 FROM signatures WHERE decision_id = NEW.decision_id AND outcome = 'approved'
            AND content_hash = NEW.content_hash) THEN
        RAISE EXCEPTION 'version 1 of decision % is not the content that was signed', NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_first_signed';
    END IF;
    IF NEW.number > 1 AND (last IS NULL OR NOT EXISTS (
        SELECT 1 FROM corrections c WHERE c.id = NEW.correction_id AND c.decision_id = NEW.decision_id)) THEN
        RAISE EXCEPTION 'a later version of decision % needs its first version and its correction', NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_in_order';
    END IF;
    -- Separation of duties: whoever wrote a correction does not approve it.
    IF NEW.signed_by IS NOT NULL AND EXISTS (
        SELECT 1 FROM correction_drafters WHERE correction_id = NEW.correction_id AND user_id = NEW.signed_by) THEN
        RAISE EXCEPTION 'a person cannot approve a correction they drafted'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;
-- A release version cannot stand without its table: the down migration refuses if one exists.
ALTER TABLE decision_versions DROP CONSTRAINT decision_versions_correction_or_release;
ALTER TABLE decision_versions ADD CONSTRAINT decision_versions_check1 CHECK ((number = 1) = (correction_id IS NULL));
ALTER TABLE decision_versions DROP COLUMN releases_part_two;
