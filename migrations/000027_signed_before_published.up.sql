-- No decision is approved, published or withdrawn without a signature, whatever writes it: a
-- row inserted as published by a bug, a script or a partial restore is refused when its
-- transaction commits. Deferred to the commit, so the transaction that signs a decision (or
-- imports one with its signature) may write the row first. Rows already held are not checked
-- here: `decisions verify` names any published decision without a signature.
CREATE FUNCTION refuse_unsigned_decision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM decisions d WHERE d.id = NEW.id AND d.status IN ('approved', 'published', 'withdrawn'))
        AND NOT decision_is_signed(NEW.id) THEN
        RAISE EXCEPTION 'decision % is %, but it was never signed', NEW.reference, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_signed';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER decisions_signed AFTER INSERT OR UPDATE OF status ON decisions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_unsigned_decision();
