-- Synthetic decisions, made by `decisions seed-synthetic` for load runs and demonstrations, are
-- marked so they can be told apart from the register's real records. The column is not content:
-- the signed-content trigger (000005) compares content columns only, so it never blocks marking.
ALTER TABLE decisions ADD COLUMN synthetic boolean NOT NULL DEFAULT false;
