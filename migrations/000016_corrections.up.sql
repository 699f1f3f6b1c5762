-- Corrections and withdrawal. A published decision is never edited in place: a correction is
-- drafted beside it (corrections), approved as a new signed version (decision_versions), and
-- only then, in the approving transaction, written into the live rows the pages read. Every
-- signed version keeps its own canonical bytes and hash, and those rows never change.

-- A correction as it is drafted: the corrected text and money, kept apart from the live rows
-- until it is approved. One open correction per decision.
CREATE TABLE corrections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id    bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    -- The corrected content: title, summary, recommendations, Part I sections, funding lines.
    content        jsonb NOT NULL,
    reason         text NOT NULL CHECK (btrim(reason) <> ''),
    status         text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'abandoned')),
    -- Optimistic locking, as decisions.version does for drafts.
    version        integer NOT NULL DEFAULT 1 CHECK (version > 0),
    created_by     bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX corrections_one_open ON corrections (decision_id) WHERE status = 'draft';

-- Everyone who wrote any of a correction: none of them may approve it.
CREATE TABLE correction_drafters (
    correction_id bigint NOT NULL REFERENCES corrections (id) ON DELETE RESTRICT,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    PRIMARY KEY (correction_id, user_id)
);

-- Each signed version of a decision. Version 1 is the content as first signed (or imported),
-- recorded when the first correction is approved; each later one is a correction, approved
-- (signed) by the person named. The hash is checked against the bytes by the database.
CREATE TABLE decision_versions (
    decision_id       bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    number            integer NOT NULL CHECK (number > 0),
    canonical         bytea NOT NULL,
    content_hash      text NOT NULL CHECK (content_hash = encode(sha256(canonical), 'hex')),
    canonical_version integer NOT NULL CHECK (canonical_version > 0),
    correction_id     bigint UNIQUE REFERENCES corrections (id) ON DELETE RESTRICT,
    reason            text CHECK (reason IS NULL OR btrim(reason) <> ''),
    typographical     boolean NOT NULL DEFAULT false,
    signed_by         bigint REFERENCES users (id) ON DELETE RESTRICT,
    signer_name       text,
    signer_role       text,
    signed_at         timestamptz NOT NULL,
    -- The transaction that wrote the row (set by a trigger, whatever is sent): the live rows of
    -- a signed decision may change only in the transaction that records their new version.
    created_txid      bigint NOT NULL,
    PRIMARY KEY (decision_id, number),
    CHECK ((number = 1) = (correction_id IS NULL)),
    CHECK (number = 1 OR (reason IS NOT NULL AND signed_by IS NOT NULL AND signer_name IS NOT NULL))
);

CREATE FUNCTION decision_versions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last integer;
BEGIN
    NEW.created_txid := txid_current();
    SELECT max(number) INTO last FROM decision_versions WHERE decision_id = NEW.decision_id;
    IF NEW.number <> coalesce(last, 0) + 1 THEN
        RAISE EXCEPTION 'version % of decision % is not the next version', NEW.number, NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_in_order';
    END IF;
    -- Version 1 is what was signed: its hash must be the signature's.
    IF NEW.number = 1 AND NOT EXISTS (
        SELECT 1 FROM signatures WHERE decision_id = NEW.decision_id AND outcome = 'approved'
            AND content_hash = NEW.content_hash) THEN
        RAISE EXCEPTION 'version 1 of decision % is not the content that was signed', NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_first_signed';
    END IF;
    IF NEW.number > 1 AND (last IS NULL OR NOT EXISTS (
        SELECT 1 FROM corrections c WHERE c.id = NEW.correction_id AND c.decision_id = NEW.decision_id)) THEN
        RAISE EXCEPTION 'a later version of decision % needs its first version and its correction', NEW.decision_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'decision_versions_in_order';
    END IF;
    -- Separation of duties: whoever wrote a correction does not approve it.
    IF NEW.signed_by IS NOT NULL AND EXISTS (
        SELECT 1 FROM correction_drafters WHERE correction_id = NEW.correction_id AND user_id = NEW.signed_by) THEN
        RAISE EXCEPTION 'a person cannot approve a correction they drafted'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'separation_of_duties';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER decision_versions_insert BEFORE INSERT ON decision_versions
    FOR EACH ROW EXECUTE FUNCTION decision_versions_insert();
CREATE TRIGGER decision_versions_record BEFORE UPDATE OR DELETE ON decision_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER decision_versions_no_truncate BEFORE TRUNCATE ON decision_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Signed content is locked unless this very transaction recorded a new version of it.
CREATE FUNCTION decision_content_locked(decision bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT decision_is_signed(decision) AND NOT EXISTS (
        SELECT 1 FROM decision_versions v
        WHERE v.decision_id = decision AND v.number > 1 AND v.created_txid = txid_current())
$$;

CREATE OR REPLACE FUNCTION refuse_signed_decision_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF decision_is_signed(OLD.id) AND (TG_OP = 'DELETE' OR
        (NEW.series, NEW.ref_year, NEW.number, NEW.reference, NEW.slug, NEW.funder_id)
        IS DISTINCT FROM
        (OLD.series, OLD.ref_year, OLD.number, OLD.reference, OLD.slug, OLD.funder_id)
        OR ((NEW.title, NEW.summary) IS DISTINCT FROM (OLD.title, OLD.summary) AND decision_content_locked(OLD.id))) THEN
        RAISE EXCEPTION 'decision % is signed: its content cannot change', OLD.reference
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;

CREATE OR REPLACE FUNCTION refuse_signed_child_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF NOT EXISTS (SELECT 1 FROM signatures WHERE decision_id = ANY (ids)) THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    -- A correction rewrites recommendations, Part I sections and funding lines in place; it
    -- never touches Part II, links or the recorded chain, nor adds or removes rows. (Separate
    -- IFs: a record's fields can only be named for the tables that have them.)
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME IN ('recommendations', 'sections', 'funding_lines') THEN
        IF NEW.decision_id = OLD.decision_id AND NOT decision_content_locked(OLD.decision_id) THEN
            IF TG_TABLE_NAME <> 'sections' THEN
                RETURN NEW;
            END IF;
            IF OLD.part = 1 AND NEW.part = 1 THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'the decision is signed: its % cannot change', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;

-- Who withdrew a decision (withdrawn_at and withdrawal_reason came with migration 000005).
ALTER TABLE decisions ADD COLUMN withdrawn_by bigint REFERENCES users (id) ON DELETE RESTRICT;
