-- Sessions carry the epoch their user had when they signed in; a password change moves it on,
-- so every other session of that person stops working at once, on every instance.
ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 1 CHECK (session_epoch > 0);
