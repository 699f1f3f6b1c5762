ALTER TABLE users DROP COLUMN email_bounce, DROP COLUMN email_bounced_at;
DROP TABLE notices;
DROP FUNCTION notify_notices();
