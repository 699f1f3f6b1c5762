ALTER TABLE decisions DROP COLUMN must_sign_by;
ALTER TABLE step_kinds DROP COLUMN escalation_user_id, DROP COLUMN sla_days;
