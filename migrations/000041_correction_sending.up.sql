-- A correction stays with its drafters until one of them sends it for approval; an approver
-- either approves it or returns it with a comment, and it is theirs to change again. While it is
-- with its approvers its words cannot change, so what is approved is what was sent.
ALTER TABLE corrections
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN sent_by bigint REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN returned_at timestamptz,
    ADD COLUMN returned_by bigint REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN return_comment text CHECK (return_comment IS NULL OR btrim(return_comment) <> ''),
    ADD CONSTRAINT corrections_sent CHECK ((sent_at IS NULL) = (sent_by IS NULL)),
    ADD CONSTRAINT corrections_returned CHECK (
        (returned_at IS NULL) = (returned_by IS NULL) AND (returned_at IS NULL) = (return_comment IS NULL)),
    ADD CONSTRAINT corrections_sent_or_returned CHECK (sent_at IS NULL OR returned_at IS NULL);

-- Open corrections reached their approvers as soon as they were saved: they stay with them.
UPDATE corrections SET sent_at = updated_at, sent_by = created_by WHERE status = 'draft';

CREATE FUNCTION corrections_sent_unchanged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.sent_at IS NOT NULL AND NEW.sent_at IS NOT NULL
        AND (NEW.content, NEW.reason) IS DISTINCT FROM (OLD.content, OLD.reason) THEN
        RAISE EXCEPTION 'correction % is with its approvers: it cannot change', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'corrections_sent_unchanged';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER corrections_sent_unchanged BEFORE UPDATE ON corrections
    FOR EACH ROW EXECUTE FUNCTION corrections_sent_unchanged();

-- Only a correction sent for approval is approved.
CREATE FUNCTION decision_versions_sent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.correction_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM corrections WHERE id = NEW.correction_id AND sent_at IS NOT NULL) THEN
        RAISE EXCEPTION 'a correction is approved only after it is sent for approval'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_sent';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decision_versions_sent BEFORE INSERT ON decision_versions
    FOR EACH ROW EXECUTE FUNCTION decision_versions_sent();
