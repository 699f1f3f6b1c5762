ALTER TABLE auth_settings DROP COLUMN require_second_factor;
DROP TABLE user_recovery_codes;
DROP TABLE user_totp;
