-- A decision maker signing (or rejecting) under cover is recorded as signing for the person they
-- cover (issue 18), as approvals are since migration 48: for whom, under which cover, and the
-- cover as it was then (its days and who set it). Signatures made before, or on the signer's own
-- account, have none: NULL.
ALTER TABLE signatures
    ADD COLUMN on_behalf_of     bigint REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN on_behalf_name   text,
    ADD COLUMN cover_id         bigint REFERENCES covers (id) ON DELETE RESTRICT,
    ADD COLUMN cover_starts_on  date,
    ADD COLUMN cover_ends_on    date,
    ADD COLUMN cover_set_by     text,
    ADD CONSTRAINT signatures_cover_whole CHECK (
        (on_behalf_of IS NULL AND on_behalf_name IS NULL AND cover_id IS NULL AND cover_starts_on IS NULL
            AND cover_ends_on IS NULL AND cover_set_by IS NULL)
        OR (kind = 'signed' AND on_behalf_of IS NOT NULL AND on_behalf_name IS NOT NULL AND cover_id IS NOT NULL
            AND cover_starts_on IS NOT NULL AND cover_ends_on IS NOT NULL AND cover_set_by IS NOT NULL));

-- A signature for someone else rests on a real cover: the one it names, of that person by the
-- signer, running on the London day of the signature, not ended; and the person it is for did
-- not write the decision nor clear a step of it (separation of duties holds through cover).
CREATE FUNCTION check_cover_signature() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cover_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM covers c WHERE c.id = NEW.cover_id AND c.user_id = NEW.on_behalf_of
            AND c.coverer_id = NEW.user_id AND c.ended_at IS NULL
            AND (NEW.signed_at AT TIME ZONE 'Europe/London')::date BETWEEN c.starts_on AND c.ends_on
            AND (c.starts_on, c.ends_on) = (NEW.cover_starts_on, NEW.cover_ends_on)) THEN
        RAISE EXCEPTION 'a signature under cover must name a cover of that person by the signer, running when it is made'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cover_act';
    END IF;
    IF EXISTS (SELECT 1 FROM decision_drafters WHERE decision_id = NEW.decision_id AND user_id = NEW.on_behalf_of)
        OR EXISTS (SELECT 1 FROM signoff_actions a WHERE a.decision_id = NEW.decision_id AND a.user_id = NEW.on_behalf_of
            AND a.action = 'approved' AND a.cleared_at IS NULL) THEN
        RAISE EXCEPTION 'a person cannot sign a decision they drafted or cleared a step of, nor through cover'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signatures_cover BEFORE INSERT ON signatures
    FOR EACH ROW EXECUTE FUNCTION check_cover_signature();
