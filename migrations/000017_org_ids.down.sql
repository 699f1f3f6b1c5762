ALTER TABLE organisations DROP COLUMN org_id;
