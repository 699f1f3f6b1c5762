DROP TABLE series_signing_roles;
