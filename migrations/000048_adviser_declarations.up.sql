-- Each approval records what its adviser declared (issue 18: everyone consulted declares, as the
-- decision maker does), and, when they acted under cover, for whom and under which cover, kept
-- as it was then (names and dates), as the approver's name is. Approvals given before this
-- migration declared nothing the register kept: NULL, shown as "Not recorded".
ALTER TABLE signoff_actions
    ADD COLUMN interests        text CHECK (interests IN ('none', 'declared')),
    ADD COLUMN interest_nature  text CHECK (interest_nature IS NULL OR btrim(interest_nature) <> ''),
    ADD COLUMN dispensation_by  text CHECK (dispensation_by IS NULL OR btrim(dispensation_by) <> ''),
    ADD COLUMN on_behalf_of     bigint REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN on_behalf_name   text,
    ADD COLUMN cover_id         bigint REFERENCES covers (id) ON DELETE RESTRICT,
    ADD COLUMN cover_starts_on  date,
    ADD COLUMN cover_ends_on    date,
    ADD COLUMN cover_set_by     text,
    ADD CONSTRAINT signoff_actions_declared CHECK ((interests = 'declared') = (interest_nature IS NOT NULL)),
    -- An interest that requires withdrawal never approves: only one under a dispensation does.
    ADD CONSTRAINT signoff_actions_dispensation CHECK (
        action <> 'approved' OR interests IS DISTINCT FROM 'declared' OR dispensation_by IS NOT NULL),
    ADD CONSTRAINT signoff_actions_dispensation_declared CHECK (dispensation_by IS NULL OR interests = 'declared'),
    ADD CONSTRAINT signoff_actions_cover_whole CHECK (
        (on_behalf_of IS NULL AND on_behalf_name IS NULL AND cover_id IS NULL AND cover_starts_on IS NULL
            AND cover_ends_on IS NULL AND cover_set_by IS NULL)
        OR (on_behalf_of IS NOT NULL AND on_behalf_name IS NOT NULL AND cover_id IS NOT NULL AND cover_starts_on IS NOT NULL
            AND cover_ends_on IS NOT NULL AND cover_set_by IS NOT NULL));

-- An approval for someone else rests on a real cover: the one it names, of that person by the
-- approver, running on the London day of the act, not ended; and the person it is for did not
-- write the decision (separation of duties holds through cover).
CREATE FUNCTION check_cover_act() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER signoff_actions_cover BEFORE INSERT ON signoff_actions
    FOR EACH ROW EXECUTE FUNCTION check_cover_act();
