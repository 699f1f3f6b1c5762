-- A clock on every step (issue 18): each kind of step has a service level in working days and
-- someone its late steps go to; a decision may have to be signed by a date (a grant's
-- acceptance deadline), which shortens its steps' due dates.
ALTER TABLE step_kinds
    ADD COLUMN sla_days integer NOT NULL DEFAULT 5 CHECK (sla_days BETWEEN 1 AND 60),
    ADD COLUMN escalation_user_id bigint REFERENCES users (id) ON DELETE SET NULL;

ALTER TABLE decisions ADD COLUMN must_sign_by date;
