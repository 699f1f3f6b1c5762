-- Issue 20, the forward plan's loose ends.
--
-- 1. Alerts about the forward plan: a subscription of kind 'forward_plan' follows every notice
--    published, changed or withdrawn, and every plan published. Like a search it follows no
--    one decision.
ALTER TABLE alert_subscriptions DROP CONSTRAINT alert_subscriptions_kind_check,
    ADD CONSTRAINT alert_subscriptions_kind_check CHECK (kind IN ('search', 'decision', 'chain', 'forward_plan')),
    DROP CONSTRAINT alert_subscriptions_check,
    ADD CONSTRAINT alert_subscriptions_check CHECK ((kind IN ('search', 'forward_plan')) = (decision_id IS NULL));

-- 2. A notice's link to its decision is frozen once the decision is signed: the decision page's
--    "First noticed on … (n clear days before it was signed)" and the statutory clock read it.
--    Before the signature a link made by mistake may be undone (or changed); after, neither
--    that notice may let go of it nor another notice take it up, and no notice may be made for
--    a decision already signed.
CREATE FUNCTION refuse_signed_notice_link() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.decision_id IS NOT NULL AND decision_is_signed(OLD.decision_id) THEN
        RAISE EXCEPTION 'the decision of notice % is signed: the notice cannot be unlinked from it', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.decision_id IS NOT NULL AND decision_is_signed(NEW.decision_id) THEN
        RAISE EXCEPTION 'the decision is signed: a notice cannot be linked to it afterwards'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER forward_plan_notices_link_before_signing BEFORE INSERT ON forward_plan_notices
    FOR EACH ROW WHEN (NEW.decision_id IS NOT NULL) EXECUTE FUNCTION refuse_signed_notice_link();
CREATE TRIGGER forward_plan_notices_link_frozen BEFORE UPDATE OF decision_id ON forward_plan_notices
    FOR EACH ROW WHEN (OLD.decision_id IS DISTINCT FROM NEW.decision_id) EXECUTE FUNCTION refuse_signed_notice_link();

-- Why a notice was unlinked from its decision: the version that unlinked it says so.
ALTER TABLE forward_plan_notice_versions ADD COLUMN unlinked_reason text
    CHECK (unlinked_reason IS NULL OR (btrim(unlinked_reason) <> '' AND length(unlinked_reason) <= 1000));

-- 3. The "affects two or more areas" flag makes a decision key (so it decided whether the
--    statutory notice applied when it was signed): once signed it cannot change. It is not in
--    the canonical content, so it is frozen here, on its own, rather than signed.
CREATE FUNCTION refuse_signed_affects_areas_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) THEN
        RAISE EXCEPTION 'decision % is signed: whether it affects two or more areas cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decisions_affects_areas_signed BEFORE UPDATE OF affects_two_or_more_areas ON decisions
    FOR EACH ROW WHEN (OLD.affects_two_or_more_areas IS DISTINCT FROM NEW.affects_two_or_more_areas)
    EXECUTE FUNCTION refuse_signed_affects_areas_change();
