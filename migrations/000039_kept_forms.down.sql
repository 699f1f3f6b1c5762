DROP TABLE kept_forms;
DROP TABLE session_owners;
