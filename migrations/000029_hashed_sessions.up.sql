-- Sessions are now kept under the SHA-256 of their tokens (internal/auth), so the table holds
-- nothing that signs anyone in. Sessions stored under bare tokens can never be found again:
-- they are ended here, and everyone signs in once more. Throttle keys are now kept hashed too.
DELETE FROM sessions;
DELETE FROM sign_in_failures;
