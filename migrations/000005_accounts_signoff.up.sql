-- The staff side: accounts and roles, the sign-off chain of each series, approvals and
-- signatures bound to a hash of the content approved, Part II access, and an append-only,
-- hash-chained audit trail. PostgreSQL enforces what must hold whatever the application does.

-- Accounts ------------------------------------------------------------------------------------

CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         text NOT NULL UNIQUE CHECK (email = lower(btrim(email)) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
    name          text NOT NULL CHECK (btrim(name) <> ''),
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE user_roles (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    text NOT NULL CHECK (role IN ('drafter', 'adviser', 'decision_maker', 'admin')),
    PRIMARY KEY (user_id, role)
);

-- The kinds of step an adviser clears. Rows, not code: a series' chain is made of them.
CREATE TABLE step_kinds (
    code      text PRIMARY KEY CHECK (code ~ '^[a-z][a-z_]*$'),
    name      text NOT NULL UNIQUE CHECK (btrim(name) <> ''),
    -- What the adviser confirms by approving, shown with the approval.
    statement text NOT NULL CHECK (btrim(statement) <> '')
);

CREATE TABLE user_step_kinds (
    user_id   bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    step_kind text NOT NULL REFERENCES step_kinds (code),
    PRIMARY KEY (user_id, step_kind)
);

-- The series a decision maker signs for.
CREATE TABLE user_series (
    user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    series  text NOT NULL CHECK (series ~ '^[A-Z]{1,8}$'),
    PRIMARY KEY (user_id, series)
);

-- Each series' sign-off chain: advisers' steps in order; the decision maker signs last.
CREATE TABLE series_chain_steps (
    series    text NOT NULL CHECK (series ~ '^[A-Z]{1,8}$'),
    position  integer NOT NULL CHECK (position > 0),
    step_kind text NOT NULL REFERENCES step_kinds (code),
    PRIMARY KEY (series, position),
    UNIQUE (series, step_kind)
);

INSERT INTO step_kinds (code, name, statement) VALUES
    ('head_of_unit', 'Head of unit', 'The head of unit has reviewed the request and is satisfied it is correct and consistent with the organisation''s plans and priorities.'),
    ('finance', 'Finance', 'Financial advice has been sought and the Chief Finance Officer has been consulted on this proposal.'),
    ('legal', 'Legal', 'Legal advice has been sought on this proposal.'),
    ('equalities', 'Equalities', 'Equalities advice has been sought and the equality impact of this proposal has been considered.'),
    ('data_protection', 'Data protection', 'The data protection and privacy implications of this proposal have been considered.'),
    ('chief_executive', 'Chief executive', 'The chief executive has been consulted and is satisfied that this is an appropriate request to be submitted for approval.');

-- The PCD cover sheet's order.
INSERT INTO series_chain_steps (series, position, step_kind) VALUES
    ('PCD', 1, 'head_of_unit'), ('PCD', 2, 'finance'), ('PCD', 3, 'legal'),
    ('PCD', 4, 'equalities'), ('PCD', 5, 'data_protection'), ('PCD', 6, 'chief_executive');

-- Sessions (alexedwards/scs pgxstore), shared by every server instance.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

-- Failed sign-ins, by account and by client address, for throttling across instances.
CREATE TABLE sign_in_failures (
    key text NOT NULL,
    at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_idx ON sign_in_failures (key, at);

-- Decisions: drafting, optimistic locking, publication and withdrawal ---------------------------

ALTER TABLE decisions
    ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0),
    ADD COLUMN drafted_by bigint REFERENCES users (id),
    -- When the public may see a signed decision: at signing, or a deferred date.
    ADD COLUMN publish_at timestamptz,
    ADD COLUMN deferral_reason text CHECK (deferral_reason IS NULL OR btrim(deferral_reason) <> ''),
    ADD COLUMN withdrawn_at timestamptz,
    ADD COLUMN withdrawal_reason text CHECK (withdrawal_reason IS NULL OR btrim(withdrawal_reason) <> '');

ALTER TABLE decisions DROP CONSTRAINT decisions_status_check;
ALTER TABLE decisions ADD CONSTRAINT decisions_status_check
    CHECK (status IN ('draft', 'awaiting_signoff', 'approved', 'published', 'rejected', 'withdrawn'));
ALTER TABLE decisions ADD CONSTRAINT decisions_approved_has_publish_at
    CHECK (status <> 'approved' OR publish_at IS NOT NULL);
ALTER TABLE decisions ADD CONSTRAINT decisions_withdrawn_has_reason
    CHECK (status <> 'withdrawn' OR (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL));

CREATE INDEX decisions_status_idx ON decisions (status, publish_at);

-- Everyone who wrote any of a decision's content: none of them may sign it off.
CREATE TABLE decision_drafters (
    decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    user_id     bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    PRIMARY KEY (decision_id, user_id)
);

-- Sign-off --------------------------------------------------------------------------------------

-- Each adviser's approval or return. An edit clears the approvals of other content
-- (cleared_at); rows are never deleted.
CREATE TABLE signoff_actions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id  bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    step_kind    text NOT NULL REFERENCES step_kinds (code),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    action       text NOT NULL CHECK (action IN ('approved', 'returned')),
    comment      text CHECK (comment IS NULL OR btrim(comment) <> ''),
    content_hash text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    acted_at     timestamptz NOT NULL,
    cleared_at   timestamptz,
    CHECK (action <> 'returned' OR comment IS NOT NULL)
);
CREATE INDEX signoff_actions_decision_idx ON signoff_actions (decision_id, acted_at);
-- One live approval per step, and one person clears one step of a decision.
CREATE UNIQUE INDEX signoff_one_approval_per_step ON signoff_actions (decision_id, step_kind)
    WHERE action = 'approved' AND cleared_at IS NULL;
CREATE UNIQUE INDEX signoff_one_step_per_person ON signoff_actions (decision_id, user_id)
    WHERE action = 'approved' AND cleared_at IS NULL;

-- The decision maker's signature (or rejection), or the import of a decision signed before the
-- register existed. The primary key makes it one per decision, however many try at once.
CREATE TABLE signatures (
    decision_id       bigint PRIMARY KEY REFERENCES decisions (id) ON DELETE RESTRICT,
    kind              text NOT NULL CHECK (kind IN ('signed', 'imported')),
    outcome           text NOT NULL CHECK (outcome IN ('approved', 'rejected')),
    user_id           bigint REFERENCES users (id) ON DELETE RESTRICT,
    signer_name       text,
    interests         text CHECK (interests IN ('none', 'declared')),
    interests_detail  text CHECK (interests_detail IS NULL OR btrim(interests_detail) <> ''),
    signed_at         timestamptz NOT NULL,
    content_hash      text NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
    canonical_version integer NOT NULL CHECK (canonical_version > 0),
    CHECK (kind = 'imported' OR (user_id IS NOT NULL AND signer_name IS NOT NULL AND interests IS NOT NULL)),
    CHECK ((interests = 'declared') = (interests_detail IS NOT NULL))
);

-- Separation of duties, whatever the application does: nobody clears a step on, or signs, a
-- decision they drafted.
CREATE FUNCTION refuse_own_draft() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.user_id IS NOT NULL AND EXISTS (
        SELECT 1 FROM decision_drafters WHERE decision_id = NEW.decision_id AND user_id = NEW.user_id) THEN
        RAISE EXCEPTION 'a person cannot sign off a decision they drafted'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signoff_actions_separation BEFORE INSERT ON signoff_actions
    FOR EACH ROW EXECUTE FUNCTION refuse_own_draft();
CREATE TRIGGER signatures_separation BEFORE INSERT ON signatures
    FOR EACH ROW EXECUTE FUNCTION refuse_own_draft();

-- An approval may only be cleared, once; a signature never changes.
CREATE FUNCTION signoff_actions_only_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.cleared_at IS NOT NULL OR NEW.cleared_at IS NULL
        OR (to_jsonb(NEW) - 'cleared_at') <> (to_jsonb(OLD) - 'cleared_at') THEN
        RAISE EXCEPTION 'sign-off actions are a record: they can only be cleared by a later edit'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER signoff_actions_record BEFORE UPDATE OR DELETE ON signoff_actions
    FOR EACH ROW EXECUTE FUNCTION signoff_actions_only_clear();

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows cannot be changed or deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER signatures_record BEFORE UPDATE OR DELETE ON signatures
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- Signed content cannot change --------------------------------------------------------------------

CREATE FUNCTION decision_is_signed(decision bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM signatures WHERE decision_id = decision)
$$;

CREATE FUNCTION refuse_signed_decision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) AND (TG_OP = 'DELETE' OR
        (NEW.series, NEW.ref_year, NEW.number, NEW.reference, NEW.slug, NEW.title, NEW.summary, NEW.funder_id)
        IS DISTINCT FROM
        (OLD.series, OLD.ref_year, OLD.number, OLD.reference, OLD.slug, OLD.title, OLD.summary, OLD.funder_id)) THEN
        RAISE EXCEPTION 'decision % is signed: its content cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER decisions_signed_content BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_decision_change();

-- For the tables that hold a decision's content: the decision is in column decision_id, or for
-- links in from_decision_id (a decision's content is the links it makes, not those made to it).
CREATE FUNCTION refuse_signed_child_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_TABLE_NAME = 'decision_links' THEN
        ids := ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.from_decision_id END,
                     CASE WHEN TG_OP <> 'DELETE' THEN NEW.from_decision_id END];
    ELSE
        ids := ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.decision_id END,
                     CASE WHEN TG_OP <> 'DELETE' THEN NEW.decision_id END];
    END IF;
    IF EXISTS (SELECT 1 FROM signatures WHERE decision_id = ANY (ids)) THEN
        RAISE EXCEPTION 'the decision is signed: its % cannot change', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER recommendations_signed BEFORE INSERT OR UPDATE OR DELETE ON recommendations
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();
CREATE TRIGGER sections_signed BEFORE INSERT OR UPDATE OR DELETE ON sections
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();
CREATE TRIGGER funding_lines_signed BEFORE INSERT OR UPDATE OR DELETE ON funding_lines
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();
CREATE TRIGGER decision_links_signed BEFORE INSERT OR UPDATE OR DELETE ON decision_links
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_child_change();

-- A signed record's parts are kept: no cascade can take them away.
ALTER TABLE recommendations DROP CONSTRAINT recommendations_decision_id_fkey,
    ADD CONSTRAINT recommendations_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;
ALTER TABLE sections DROP CONSTRAINT sections_decision_id_fkey,
    ADD CONSTRAINT sections_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;
ALTER TABLE funding_lines DROP CONSTRAINT funding_lines_decision_id_fkey,
    ADD CONSTRAINT funding_lines_decision_id_fkey FOREIGN KEY (decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;
ALTER TABLE decision_links DROP CONSTRAINT decision_links_from_decision_id_fkey,
    ADD CONSTRAINT decision_links_from_decision_id_fkey FOREIGN KEY (from_decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;
ALTER TABLE decision_links DROP CONSTRAINT decision_links_to_decision_id_fkey,
    ADD CONSTRAINT decision_links_to_decision_id_fkey FOREIGN KEY (to_decision_id) REFERENCES decisions (id) ON DELETE RESTRICT;

-- Status moves ------------------------------------------------------------------------------------

CREATE FUNCTION check_status_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = OLD.status THEN
        RETURN NEW;
    END IF;
    IF (OLD.status, NEW.status) NOT IN (
        ('draft', 'awaiting_signoff'), ('awaiting_signoff', 'draft'),
        ('awaiting_signoff', 'approved'), ('awaiting_signoff', 'published'), ('awaiting_signoff', 'rejected'),
        ('approved', 'published'), ('approved', 'withdrawn'), ('published', 'withdrawn')) THEN
        RAISE EXCEPTION 'a decision cannot move from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_status_move';
    END IF;
    IF NEW.status IN ('approved', 'published', 'rejected') AND OLD.status = 'awaiting_signoff'
        AND NOT decision_is_signed(NEW.id) THEN
        RAISE EXCEPTION 'a decision is approved, published or rejected only by its signature'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decisions_status_move';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decisions_status_move BEFORE UPDATE OF status ON decisions
    FOR EACH ROW EXECUTE FUNCTION check_status_move();

-- Who may read what -------------------------------------------------------------------------------

-- Part II is read by the decision's drafter, the advisers of its series' chain, the decision
-- makers of its series and admins: nobody else, through any query that uses this.
CREATE FUNCTION part_two_reader(decision bigint, viewer bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT viewer IS NOT NULL AND EXISTS (
        SELECT 1 FROM users u JOIN decisions d ON d.id = decision
        WHERE u.id = viewer AND u.disabled_at IS NULL AND (
            EXISTS (SELECT 1 FROM decision_drafters dd WHERE dd.decision_id = d.id AND dd.user_id = u.id)
            OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'admin')
            OR EXISTS (SELECT 1 FROM user_roles r JOIN user_series us ON us.user_id = r.user_id
                       WHERE r.user_id = u.id AND r.role = 'decision_maker' AND us.series = d.series)
            OR EXISTS (SELECT 1 FROM user_roles r
                       JOIN user_step_kinds k ON k.user_id = r.user_id
                       JOIN series_chain_steps c ON c.step_kind = k.step_kind AND c.series = d.series
                       WHERE r.user_id = u.id AND r.role = 'adviser')))
$$;

-- Audit trail -------------------------------------------------------------------------------------

-- Append-only and hash-chained: each entry's hash covers its fields and the previous hash, so a
-- changed, removed or inserted entry breaks the chain (see internal/store/audit.go).
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_id    bigint REFERENCES users (id) ON DELETE RESTRICT,
    actor       text NOT NULL,
    decision_id bigint REFERENCES decisions (id) ON DELETE RESTRICT,
    event       text NOT NULL CHECK (event ~ '^[a-z_]+$'),
    detail      text NOT NULL,
    prev_hash   text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash        text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_log_decision_idx ON audit_log (decision_id, id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
