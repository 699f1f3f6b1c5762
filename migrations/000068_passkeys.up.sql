-- Passkeys (WebAuthn) as a second factor for password accounts (issue 21): each credential's id
-- and public key (COSE), the authenticator's signature counter (a count that goes back means a
-- cloned authenticator, and is refused), how the browser can reach it, the model's AAGUID, the
-- flags the library checks at each use, and the name its owner gave it.
CREATE TABLE user_passkeys (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id   bytea NOT NULL UNIQUE CHECK (octet_length(credential_id) BETWEEN 16 AND 1023),
    public_key      bytea NOT NULL CHECK (octet_length(public_key) > 0),
    attestation     text NOT NULL DEFAULT 'none',
    sign_count      bigint NOT NULL DEFAULT 0 CHECK (sign_count BETWEEN 0 AND 4294967295),
    transports      text[] NOT NULL DEFAULT '{}',
    aaguid          uuid,
    user_verified   boolean NOT NULL DEFAULT false,
    backup_eligible boolean NOT NULL DEFAULT false,
    backup_state    boolean NOT NULL DEFAULT false,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz
);

CREATE INDEX user_passkeys_user ON user_passkeys (user_id);
