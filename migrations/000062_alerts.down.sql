DELETE FROM notices WHERE subscription_id IS NOT NULL;
ALTER TABLE notices DROP CONSTRAINT notices_one_recipient, DROP COLUMN subscription_id,
    ALTER COLUMN user_id SET NOT NULL;
DROP TABLE alert_subscriptions;
