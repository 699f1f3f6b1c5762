DROP TABLE auth_settings;
ALTER TABLE users DROP COLUMN break_glass;
DROP TABLE user_identities;
