DROP TABLE notice_keys;
DROP TABLE notice_preferences;
