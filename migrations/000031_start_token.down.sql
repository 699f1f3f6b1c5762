DROP INDEX decisions_start_token;
ALTER TABLE decisions DROP COLUMN start_token;
