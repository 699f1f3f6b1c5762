-- A password an admin set (a new account's, or a reset) is known to the admin: its holder
-- must choose their own at their next sign-in before doing anything else.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
