DROP TRIGGER decisions_affects_areas_signed ON decisions;
DROP FUNCTION refuse_signed_affects_areas_change();
ALTER TABLE forward_plan_notice_versions DROP COLUMN unlinked_reason;
DROP TRIGGER forward_plan_notices_link_frozen ON forward_plan_notices;
DROP TRIGGER forward_plan_notices_link_before_signing ON forward_plan_notices;
DROP FUNCTION refuse_signed_notice_link();
DELETE FROM alert_subscriptions WHERE kind = 'forward_plan';
ALTER TABLE alert_subscriptions DROP CONSTRAINT alert_subscriptions_check,
    ADD CONSTRAINT alert_subscriptions_check CHECK ((kind = 'search') = (decision_id IS NULL)),
    DROP CONSTRAINT alert_subscriptions_kind_check,
    ADD CONSTRAINT alert_subscriptions_kind_check CHECK (kind IN ('search', 'decision', 'chain'));
