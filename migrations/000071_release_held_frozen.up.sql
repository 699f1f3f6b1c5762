-- Whether a signed deferral waits for its owner's release (release_held, 000063) decides
-- whether the public ever reads the decision, so once a decision is signed it is part of the
-- signing record: held or not is set before the signature (and written into its audit entry),
-- and after it the only change allowed is the release itself, true to false together with
-- publication. Setting it on a published decision would hide a signed decision from the public.
CREATE FUNCTION refuse_release_held_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.release_held IS DISTINCT FROM OLD.release_held AND decision_is_signed(OLD.id)
        AND NOT (OLD.release_held AND NOT NEW.release_held AND OLD.status = 'approved' AND NEW.status = 'published') THEN
        RAISE EXCEPTION 'decision % is signed: whether it waits for its owner''s release cannot change but by releasing it', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decisions_release_held_frozen BEFORE UPDATE OF release_held ON decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_release_held_change();
