-- What a review of the sign-off work found the database should also hold, whatever the
-- application does.

-- Organisation names are part of signed content (a decision's funder, and its funding lines'
-- funders and recipients): renaming one would change what was signed.
CREATE FUNCTION refuse_signed_organisation_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.name IS DISTINCT FROM OLD.name) AND EXISTS (
        SELECT 1 FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.funder_id = OLD.id
        UNION ALL
        SELECT 1 FROM signatures g JOIN funding_lines f ON f.decision_id = g.decision_id
        WHERE OLD.id IN (f.funder_id, f.recipient_id)) THEN
        RAISE EXCEPTION 'organisation % is named in signed decisions: its name cannot change', OLD.name
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER organisations_signed BEFORE UPDATE OR DELETE ON organisations
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_organisation_change();

-- Separation of duties, the rest of it: whoever approved a step of a decision may neither sign
-- it nor write any of its content.
CREATE FUNCTION refuse_approver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM signoff_actions
        WHERE decision_id = NEW.decision_id AND user_id = NEW.user_id AND action = 'approved' AND cleared_at IS NULL) THEN
        RAISE EXCEPTION 'a person who approved a step of a decision cannot also sign or write it'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signatures_not_by_an_approver BEFORE INSERT ON signatures
    FOR EACH ROW EXECUTE FUNCTION refuse_approver();
CREATE TRIGGER drafters_not_an_approver BEFORE INSERT ON decision_drafters
    FOR EACH ROW EXECUTE FUNCTION refuse_approver();

-- The audit trail's head: its last hash and length. Appends lock this row, so an append at any
-- isolation level sees the true head or fails (and is retried), and the chain never forks;
-- `decisions verify` compares it with the trail, so entries cut off its end are noticed.
CREATE TABLE audit_head (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    hash    text NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    entries bigint NOT NULL CHECK (entries >= 0)
);
INSERT INTO audit_head (hash, entries)
SELECT coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), repeat('0', 64)), (SELECT count(*) FROM audit_log);
CREATE TRIGGER audit_head_kept BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Old sign-in failures are swept by time, whatever their key.
CREATE INDEX sign_in_failures_at_idx ON sign_in_failures (at);
