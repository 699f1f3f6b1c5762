-- Releasing a Part II section after signing (issue 20) makes a signed version of the decision
-- (decision_versions) whose canonical content (version 5) holds the released text, the ground
-- it was withheld on, the day and who released it. A release version has no correction: it
-- changes no words, only who may read them.
ALTER TABLE decision_versions ADD COLUMN releases_part_two boolean NOT NULL DEFAULT false;
ALTER TABLE decision_versions DROP CONSTRAINT decision_versions_check1;
ALTER TABLE decision_versions ADD CONSTRAINT decision_versions_correction_or_release
    CHECK ((number = 1 OR releases_part_two) = (correction_id IS NULL) AND NOT (number = 1 AND releases_part_two));

-- 000016's function, with a release version needing its first version instead of a correction.
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
    IF NEW.number > 1 AND (last IS NULL OR (NOT NEW.releases_part_two AND NOT EXISTS (
        SELECT 1 FROM corrections c WHERE c.id = NEW.correction_id AND c.decision_id = NEW.decision_id))) THEN
        RAISE EXCEPTION 'a later version of decision % needs its first version and its correction or release', NEW.decision_id
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

-- Each Part II section released, by its place in Part II (sections.position, part 2). Written
-- only in the transaction that records the release's version (whose canonical content holds
-- it), and never changed: the version's hash covers it.
CREATE TABLE part_two_releases (
    decision_id   bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    position      integer NOT NULL,
    version       integer NOT NULL,
    ground        text NOT NULL CHECK (ground ~ '^(foi-s(2[1-9]|3[0-9]|4[0-4])|sch12a-[1-7])$'),
    released_on   date NOT NULL,
    released_at   timestamptz NOT NULL,
    released_by   bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    released_name text NOT NULL CHECK (btrim(released_name) <> ''),
    PRIMARY KEY (decision_id, position),
    FOREIGN KEY (decision_id, version) REFERENCES decision_versions (decision_id, number) ON DELETE RESTRICT
);

CREATE FUNCTION part_two_release_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM decision_versions v WHERE v.decision_id = NEW.decision_id AND v.number = NEW.version
            AND v.releases_part_two AND v.created_txid = txid_current()) THEN
        RAISE EXCEPTION 'a Part II section is released only with the signed version that releases it'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'part_two_releases_versioned';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM sections s WHERE s.decision_id = NEW.decision_id AND s.part = 2 AND s.position = NEW.position) THEN
        RAISE EXCEPTION 'decision % has no Part II section %', NEW.decision_id, NEW.position
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'part_two_releases_section';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER part_two_release_insert BEFORE INSERT ON part_two_releases
    FOR EACH ROW EXECUTE FUNCTION part_two_release_insert();

CREATE FUNCTION part_two_release_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a release of Part II is signed: it cannot change'
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER part_two_release_unchanged BEFORE UPDATE OR DELETE ON part_two_releases
    FOR EACH ROW EXECUTE FUNCTION part_two_release_unchanged();
CREATE TRIGGER part_two_release_no_truncate BEFORE TRUNCATE ON part_two_releases
    FOR EACH STATEMENT EXECUTE FUNCTION part_two_release_unchanged();
