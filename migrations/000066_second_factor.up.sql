-- A second factor for password accounts (issue 21): an authenticator app's TOTP secret, the
-- last time step used (a code is accepted once), and ten one-time recovery codes, kept as their
-- SHA-256 only.
CREATE TABLE user_totp (
    user_id   bigint PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret    text NOT NULL CHECK (secret ~ '^[A-Z2-7]+=*$'),
    last_step bigint NOT NULL DEFAULT 0,
    added_at  timestamptz NOT NULL
);

CREATE TABLE user_recovery_codes (
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_sha256 text NOT NULL CHECK (code_sha256 ~ '^[0-9a-f]{64}$'),
    used_at     timestamptz,
    PRIMARY KEY (user_id, code_sha256)
);

-- Admins can require a second factor of everyone who signs or approves (decision makers and
-- advisers) and signs in with a password.
ALTER TABLE auth_settings ADD COLUMN require_second_factor boolean NOT NULL DEFAULT false;
