DROP TABLE IF EXISTS audit_log, decision_drafters, signatures, signoff_actions, sign_in_failures, sessions, series_chain_steps,
    user_series, user_step_kinds, step_kinds, user_roles CASCADE;
DROP TRIGGER IF EXISTS decisions_signed_content ON decisions;
DROP TRIGGER IF EXISTS decisions_status_move ON decisions;
DROP TRIGGER IF EXISTS recommendations_signed ON recommendations;
DROP TRIGGER IF EXISTS sections_signed ON sections;
DROP TRIGGER IF EXISTS funding_lines_signed ON funding_lines;
DROP TRIGGER IF EXISTS decision_links_signed ON decision_links;
DROP FUNCTION IF EXISTS part_two_reader(bigint, bigint), check_status_move(), refuse_signed_child_change(),
    refuse_signed_decision_change(), decision_is_signed(bigint), refuse_change(), signoff_actions_only_clear(),
    refuse_own_draft();
ALTER TABLE recommendations DROP CONSTRAINT recommendations_decision_id_fkey,
    ADD CONSTRAINT recommendations_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE CASCADE;
ALTER TABLE sections DROP CONSTRAINT sections_decision_id_fkey,
    ADD CONSTRAINT sections_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE CASCADE;
ALTER TABLE funding_lines DROP CONSTRAINT funding_lines_decision_id_fkey,
    ADD CONSTRAINT funding_lines_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE CASCADE;
ALTER TABLE decision_links DROP CONSTRAINT decision_links_from_decision_id_fkey,
    ADD CONSTRAINT decision_links_from_decision_id_fkey FOREIGN KEY (from_decision_id) REFERENCES decisions (id) ON DELETE CASCADE;
ALTER TABLE decision_links DROP CONSTRAINT decision_links_to_decision_id_fkey,
    ADD CONSTRAINT decision_links_to_decision_id_fkey FOREIGN KEY (to_decision_id) REFERENCES decisions (id) ON DELETE CASCADE;
DELETE FROM decisions WHERE status NOT IN ('draft', 'awaiting_signoff', 'approved', 'published', 'withdrawn');
ALTER TABLE decisions DROP CONSTRAINT decisions_status_check, DROP CONSTRAINT decisions_approved_has_publish_at,
    DROP CONSTRAINT decisions_withdrawn_has_reason;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('draft', 'awaiting_signoff', 'approved', 'published', 'withdrawn'));
DROP INDEX IF EXISTS decisions_status_idx;
ALTER TABLE decisions DROP COLUMN version, DROP COLUMN drafted_by, DROP COLUMN publish_at,
    DROP COLUMN deferral_reason, DROP COLUMN withdrawn_at, DROP COLUMN withdrawal_reason;
DROP TABLE IF EXISTS users CASCADE;
