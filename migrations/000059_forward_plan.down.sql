DROP TABLE forward_plan_exceptions;
ALTER TABLE decisions DROP COLUMN affects_two_or_more_areas;
DROP TABLE series_key_decisions;
DROP TABLE forward_plan_schedule;
DROP TABLE forward_plan_snapshots;
DROP TABLE forward_plan_notice_versions;
DROP TABLE forward_plan_notices;
