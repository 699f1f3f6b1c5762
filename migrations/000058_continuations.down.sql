DROP TABLE series_section_templates;
DROP INDEX decisions_one_open_continuation;
ALTER TABLE decisions DROP COLUMN continued_from_id;
