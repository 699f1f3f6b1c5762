-- A decision's sign-off chain is its series' chain as it stood when the decision was submitted:
-- an admin changing the series' chain later does not change what a decision in flight needs.
CREATE TABLE decision_chain_steps (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    position    integer NOT NULL CHECK (position > 0),
    step_kind   text NOT NULL REFERENCES step_kinds (code),
    PRIMARY KEY (decision_id, position),
    UNIQUE (decision_id, step_kind)
);
CREATE TRIGGER decision_chain_steps_signed BEFORE INSERT OR UPDATE OR DELETE ON decision_chain_steps
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();

-- Each decision's chain: the one recorded at submission, or its series' chain until then.
CREATE VIEW decision_chains AS
SELECT c.decision_id, c.position, c.step_kind FROM decision_chain_steps c
UNION ALL
SELECT d.id, s.position, s.step_kind FROM decisions d JOIN series_chain_steps s ON s.series = d.series
WHERE NOT EXISTS (SELECT 1 FROM decision_chain_steps c WHERE c.decision_id = d.id);
