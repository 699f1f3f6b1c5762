-- What a signed decision's statutory record reads from its notice (when it was first noticed,
-- whether the notice made it key, whether the notice stands) cannot change once the decision is
-- signed, as the link itself cannot (000070): the decision's page says "First noticed on …
-- (n clear days before it was signed)" from them. The notice's other words may still be edited.
CREATE FUNCTION refuse_signed_notice_record_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.decision_id IS NOT NULL AND decision_is_signed(OLD.decision_id) THEN
        RAISE EXCEPTION 'the decision of notice % is signed: when it was noticed, whether it is key and whether it stands cannot change', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER forward_plan_notices_record_frozen BEFORE UPDATE OF noticed_at, key_decision, withdrawn_at ON forward_plan_notices
    FOR EACH ROW WHEN (OLD.noticed_at IS DISTINCT FROM NEW.noticed_at OR OLD.key_decision IS DISTINCT FROM NEW.key_decision
        OR OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at)
    EXECUTE FUNCTION refuse_signed_notice_record_change();
CREATE TRIGGER forward_plan_notices_kept BEFORE DELETE ON forward_plan_notices
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_notice_record_change();
