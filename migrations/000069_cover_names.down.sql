-- The functions as migrations 48 and 52 made them.
CREATE OR REPLACE FUNCTION check_cover_act() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cover_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM covers c WHERE c.id = NEW.cover_id AND c.user_id = NEW.on_behalf_of
            AND c.coverer_id = NEW.user_id AND c.ended_at IS NULL
            AND (NEW.acted_at AT TIME ZONE 'Europe/London')::date BETWEEN c.starts_on AND c.ends_on
            AND (c.starts_on, c.ends_on) = (NEW.cover_starts_on, NEW.cover_ends_on)) THEN
        RAISE EXCEPTION 'an approval under cover must name a cover of that person by the approver, running when it is given'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'cover_act';
    END IF;
    IF EXISTS (SELECT 1 FROM decision_drafters WHERE decision_id = NEW.decision_id AND user_id = NEW.on_behalf_of) THEN
        RAISE EXCEPTION 'a person cannot sign off a decision they drafted, nor through cover'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION check_cover_signature() RETURNS trigger LANGUAGE plpgsql AS $$
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
