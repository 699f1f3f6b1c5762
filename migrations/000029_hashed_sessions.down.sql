-- A hashed token cannot be turned back into the token its cookie holds: every session ends.
DELETE FROM sessions;
DELETE FROM sign_in_failures;
