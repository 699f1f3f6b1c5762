-- The forward plan (issue 20): notices of forthcoming decisions, each edit kept; dated
-- snapshots of the plan whose bytes never change; each series' key-decision rule; the
-- general-exception and special-urgency records that let a key decision be signed early.

CREATE TABLE forward_plan_notices (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    series         text NOT NULL CHECK (series ~ '^[A-Z]{1,8}$'),
    -- The draft it was made from, or the decision it was later linked to: one notice a decision.
    decision_id    bigint UNIQUE REFERENCES decisions (id) ON DELETE RESTRICT,
    matter         text NOT NULL CHECK (btrim(matter) <> '' AND length(matter) <= 2000),
    maker_name     text NOT NULL CHECK (btrim(maker_name) <> '' AND length(maker_name) <= 200),
    maker_title    text NOT NULL CHECK (btrim(maker_title) <> '' AND length(maker_title) <= 200),
    -- The date the decision is expected on, or the first day of the period it is expected in.
    expected_from  date NOT NULL,
    expected_to    date CHECK (expected_to IS NULL OR expected_to >= expected_from),
    documents      text NOT NULL CHECK (btrim(documents) <> '' AND length(documents) <= 4000),
    copies         text NOT NULL CHECK (btrim(copies) <> '' AND length(copies) <= 2000),
    withheld       boolean NOT NULL DEFAULT false,
    withheld_ground text CHECK (withheld_ground IS NULL OR (btrim(withheld_ground) <> '' AND length(withheld_ground) <= 1000)),
    key_decision   boolean NOT NULL DEFAULT false,
    -- When the notice first stood on the public plan: the clock of key decisions runs from it.
    noticed_at     timestamptz NOT NULL,
    version        integer NOT NULL DEFAULT 1 CHECK (version > 0),
    updated_at     timestamptz NOT NULL,
    withdrawn_at   timestamptz,
    withdrawn_reason text CHECK (withdrawn_reason IS NULL OR btrim(withdrawn_reason) <> ''),
    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL)),
    CHECK (withheld = (withheld_ground IS NOT NULL))
);
CREATE INDEX forward_plan_notices_expected_idx ON forward_plan_notices (expected_from, id);

-- Every version of every notice, the first included: the history the notice page shows.
CREATE TABLE forward_plan_notice_versions (
    notice_id      bigint NOT NULL REFERENCES forward_plan_notices (id) ON DELETE RESTRICT,
    version        integer NOT NULL CHECK (version > 0),
    matter         text NOT NULL,
    maker_name     text NOT NULL,
    maker_title    text NOT NULL,
    expected_from  date NOT NULL,
    expected_to    date,
    documents      text NOT NULL,
    copies         text NOT NULL,
    withheld_ground text,
    key_decision   boolean NOT NULL,
    decision_id    bigint REFERENCES decisions (id) ON DELETE RESTRICT,
    withdrawn_reason text,
    changed_by     bigint REFERENCES users (id) ON DELETE RESTRICT,
    changed_by_name text NOT NULL,
    changed_at     timestamptz NOT NULL,
    PRIMARY KEY (notice_id, version)
);
CREATE TRIGGER forward_plan_notice_versions_record BEFORE UPDATE OR DELETE ON forward_plan_notice_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Published plans: the exact bytes, hashed into the audit trail when published.
CREATE TABLE forward_plan_snapshots (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    published_at   timestamptz NOT NULL UNIQUE,
    -- The month a scheduled plan stands for (its first day); null for one an admin published.
    scheduled_for  date UNIQUE,
    body           bytea NOT NULL,
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    notices        integer NOT NULL CHECK (notices >= 0)
);
CREATE TRIGGER forward_plan_snapshots_append_only BEFORE UPDATE OR DELETE ON forward_plan_snapshots
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER forward_plan_snapshots_no_truncate BEFORE TRUNCATE ON forward_plan_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The schedule's one row, claimed FOR UPDATE SKIP LOCKED by whichever instance gets it first.
CREATE TABLE forward_plan_schedule (
    id          boolean PRIMARY KEY DEFAULT true CHECK (id),
    last_run_at timestamptz
);
INSERT INTO forward_plan_schedule DEFAULT VALUES;

-- What makes a decision in a series a key decision, and whether notice is enforced.
CREATE TABLE series_key_decisions (
    series          text PRIMARY KEY CHECK (series ~ '^[A-Z]{1,8}$'),
    threshold_pence bigint CHECK (threshold_pence IS NULL OR threshold_pence > 0),
    mode            text NOT NULL CHECK (mode IN ('voluntary', 'statutory'))
);

-- The drafter's "affects two or more areas" flag. It is not part of the signed content.
ALTER TABLE decisions ADD COLUMN affects_two_or_more_areas boolean NOT NULL DEFAULT false;

-- General exception (the scrutiny chair told, 5 clear days' notice, reasons published) and
-- special urgency (the named chair's agreement): published, never changed.
CREATE TABLE forward_plan_exceptions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id   bigint NOT NULL REFERENCES forward_plan_notices (id) ON DELETE RESTRICT,
    kind        text NOT NULL CHECK (kind IN ('general_exception', 'special_urgency')),
    chair_name  text NOT NULL CHECK (btrim(chair_name) <> '' AND length(chair_name) <= 200),
    chair_role  text NOT NULL CHECK (btrim(chair_role) <> '' AND length(chair_role) <= 200),
    reasons     text NOT NULL CHECK (btrim(reasons) <> '' AND length(reasons) <= 4000),
    -- When the chair was told (general exception) or agreed (special urgency), and when the
    -- record was published: the general exception's 5 clear days run from published_at.
    chair_on    date NOT NULL,
    published_at timestamptz NOT NULL,
    made_by     bigint REFERENCES users (id) ON DELETE RESTRICT,
    made_by_name text NOT NULL
);
CREATE INDEX forward_plan_exceptions_notice_idx ON forward_plan_exceptions (notice_id);
CREATE TRIGGER forward_plan_exceptions_record BEFORE UPDATE OR DELETE ON forward_plan_exceptions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
