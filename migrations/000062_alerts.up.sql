-- Alerts (issue 20, "Alerts and calendars"): anyone, with no account, asks for e-mail about a
-- search of the list, one decision, or a funding chain. A subscription holds the address and
-- what it is about, nothing else about the person: it is deleted on unsubscribing, and when
-- it is still unconfirmed after 7 days. The confirmation link's token is kept only as its
-- SHA-256, made when the confirmation message is sent (the outbox never holds it).
CREATE TABLE alert_subscriptions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email           text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$' AND length(email) <= 254),
    -- What it is about. 'forward_plan' is the next kind (the forward plan's notices), added with it.
    kind            text NOT NULL CHECK (kind IN ('search', 'decision', 'chain')),
    -- A search's canonical query string ('' for every decision); '' for the other kinds.
    search          text NOT NULL DEFAULT '',
    -- The decision followed, or the one the chain is followed from.
    decision_id     bigint REFERENCES decisions (id) ON DELETE CASCADE,
    frequency       text NOT NULL CHECK (frequency IN ('immediate', 'daily', 'weekly')),
    created_at      timestamptz NOT NULL,
    confirmed_at    timestamptz,
    confirm_hash    bytea CHECK (length(confirm_hash) = 32),
    CHECK ((kind = 'search') = (decision_id IS NULL)),
    CHECK (kind = 'search' OR search = '')
);
CREATE UNIQUE INDEX alert_subscriptions_one ON alert_subscriptions (lower(email), kind, search, coalesce(decision_id, 0));
CREATE UNIQUE INDEX alert_subscriptions_confirm ON alert_subscriptions (confirm_hash) WHERE confirm_hash IS NOT NULL;
CREATE INDEX alert_subscriptions_unconfirmed ON alert_subscriptions (created_at) WHERE confirmed_at IS NULL;
CREATE INDEX alert_subscriptions_decision ON alert_subscriptions (decision_id) WHERE decision_id IS NOT NULL;

-- Alerts go through the outbox the staff's notices use: a notice is for a person or for a
-- subscription, never both, and goes with the subscription when it is deleted.
ALTER TABLE notices ALTER COLUMN user_id DROP NOT NULL,
    ADD COLUMN subscription_id bigint REFERENCES alert_subscriptions (id) ON DELETE CASCADE,
    ADD CONSTRAINT notices_one_recipient CHECK (num_nonnulls(user_id, subscription_id) = 1);
CREATE INDEX notices_subscription ON notices (subscription_id, id) WHERE subscription_id IS NOT NULL;
