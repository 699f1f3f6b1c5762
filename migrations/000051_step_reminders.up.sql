-- The reminders and escalations sent for a step: each at most once for each time the step
-- starts waiting (since), whichever instance finds it due.
CREATE TABLE step_reminders (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    step_kind   text NOT NULL REFERENCES step_kinds (code),
    since       timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('before', 'due', 'escalated')),
    due_on      date NOT NULL,
    sent_at     timestamptz NOT NULL,
    sent_to     bigint[] NOT NULL,
    PRIMARY KEY (decision_id, step_kind, since, kind)
);
