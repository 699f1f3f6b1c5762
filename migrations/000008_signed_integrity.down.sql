DROP INDEX IF EXISTS sign_in_failures_at_idx;
DROP TABLE IF EXISTS audit_head;
DROP TRIGGER IF EXISTS drafters_not_an_approver ON decision_drafters;
DROP TRIGGER IF EXISTS signatures_not_by_an_approver ON signatures;
DROP FUNCTION IF EXISTS refuse_approver();
DROP TRIGGER IF EXISTS organisations_signed ON organisations;
DROP FUNCTION IF EXISTS refuse_signed_organisation_change();
