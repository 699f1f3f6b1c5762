-- Whose a session was, for as long as it could have lasted (SESSION_LIFETIME): the sessions
-- table forgets an idle session when it expires, but a form posted on it afterwards must be
-- kept for that same person and no other. Keyed by the SHA-256 of the session token, as the
-- sessions table is.
CREATE TABLE session_owners (
    token_sha256 text PRIMARY KEY CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX session_owners_expires_at ON session_owners (expires_at);

-- A draft's form posted after its sender's session expired: kept for that person, for the
-- address it was posted to, until they sign in again and are brought back to it.
CREATE TABLE kept_forms (
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    path       text NOT NULL CHECK (path LIKE '/%' AND length(path) <= 300),
    form       jsonb NOT NULL,
    kept_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, path)
);
