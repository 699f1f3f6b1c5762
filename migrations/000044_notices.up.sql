-- Notices: what the register tells people by e-mail (issue 18, "A reliable outbox"). Each row
-- is written in the same transaction as the event it tells of, so a notice is never lost when
-- the event commits and never sent when it rolls back. Server instances claim due notices one
-- at a time (FOR UPDATE SKIP LOCKED, with a lease in case an instance dies mid-send) and put a
-- failure off with a growing delay, as they do the signed-PDF jobs. The claim token makes the
-- record of a delivery idempotent: only the current claim may record it.
CREATE TABLE notices (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    decision_id     bigint REFERENCES decisions (id) ON DELETE RESTRICT,
    -- The event told of (an audit event, or a reminder another piece of work adds).
    event           text NOT NULL CHECK (event ~ '^[a-z][a-z_]*$'),
    -- 'action' asks the person to do something: always sent at once. 'info' tells them what
    -- happened: sent at once or in their daily digest, or not at all once they unsubscribe.
    kind            text NOT NULL CHECK (kind IN ('action', 'info')),
    reference       text NOT NULL DEFAULT '',
    title           text NOT NULL DEFAULT '',
    subject         text NOT NULL CHECK (btrim(subject) <> ''),
    -- What happened and what is asked, in sentences; a comment (a return's) quoted apart.
    body            text NOT NULL CHECK (btrim(body) <> ''),
    comment         text,
    -- The page where it is done or seen, from the site's root: never a link that acts by itself.
    link_path       text NOT NULL CHECK (link_path LIKE '/%'),
    due_at          timestamptz,
    created_at      timestamptz NOT NULL,
    digest          boolean NOT NULL DEFAULT false,
    state           text NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'sent', 'failed', 'given_up')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    claim_token     uuid,
    claimed_until   timestamptz,
    last_error      text,
    -- When it was handed to the mail server, and the message it went in (a digest's is the
    -- notice its message is named for).
    sent_at         timestamptz,
    message_id      text,
    CHECK ((claim_token IS NULL) = (claimed_until IS NULL)),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL)),
    CHECK (state <> 'failed' OR last_error IS NOT NULL)
);
CREATE INDEX notices_due ON notices (next_attempt_at, id) WHERE state = 'waiting';
CREATE INDEX notices_user ON notices (user_id, id);
CREATE INDEX notices_state ON notices (state, id);

-- A new notice wakes the instances' delivery loops (LISTEN notices) when its transaction
-- commits: a notice rolled back with its event wakes nobody.
CREATE FUNCTION notify_notices() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('notices', '');
    RETURN NULL;
END $$;
CREATE TRIGGER notices_notify AFTER INSERT ON notices FOR EACH STATEMENT EXECUTE FUNCTION notify_notices();

-- Addresses the mail server refused for good (a 5xx): marked, shown to admins, until the
-- address changes or a later message is accepted.
ALTER TABLE users ADD COLUMN email_bounced_at timestamptz,
    ADD COLUMN email_bounce text;
