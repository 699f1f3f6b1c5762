ALTER TABLE decisions DROP COLUMN release_held;
DROP TABLE series_release;
DROP TABLE withholding_extensions;
DROP TABLE withholdings;
