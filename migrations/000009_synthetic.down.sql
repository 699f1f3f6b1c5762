ALTER TABLE decisions DROP COLUMN synthetic;
