DROP TABLE user_passkeys;
