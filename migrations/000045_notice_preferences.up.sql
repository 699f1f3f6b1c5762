-- Each person's choice of how the notices that only tell them something reach them (issue 18,
-- "Preferences"): at once, or in a daily digest at a time they pick (London time). Notices
-- that ask them to act always go at once. Unsubscribed, they get no notice that only tells.
-- No row means at once.
CREATE TABLE notice_preferences (
    user_id      bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    digest       boolean NOT NULL DEFAULT false,
    digest_time  time NOT NULL DEFAULT '08:00' CHECK (date_part('second', digest_time) = 0),
    unsubscribed boolean NOT NULL DEFAULT false,
    updated_at   timestamptz NOT NULL
);

-- The key that signs one-click unsubscribe links (RFC 8058): made here, once, at random, and
-- shared by every instance; it never leaves the database but in the tokens' MACs.
CREATE TABLE notice_keys (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    key bytea NOT NULL CHECK (length(key) = 32)
);
INSERT INTO notice_keys (key)
SELECT sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text || clock_timestamp()::text, 'UTF8'));
