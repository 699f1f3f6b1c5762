-- Single sign-on (issue 21). A person at an OpenID provider is named by the provider's issuer and
-- its stable subject; each register account has at most one per provider. Linking happens at
-- the first sign-in, by a verified e-mail of an account an admin already added.
CREATE TABLE user_identities (
    issuer    text NOT NULL CHECK (issuer <> ''),
    subject   text NOT NULL CHECK (subject <> ''),
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    linked_at timestamptz NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- A break-glass account keeps its password when single sign-on is required for everyone else:
-- an admin's way in while the provider is down or misconfigured.
ALTER TABLE users ADD COLUMN break_glass boolean NOT NULL DEFAULT false;

-- How staff must sign in, set by admins: one row.
CREATE TABLE auth_settings (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    require_sso boolean NOT NULL DEFAULT false
);
INSERT INTO auth_settings DEFAULT VALUES;
