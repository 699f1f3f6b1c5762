-- Decisions brought in by `decisions import` from another register's JSON or a spreadsheet:
-- each run, where each decision came from, and the links they make to decisions not yet held.

CREATE TABLE import_runs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source      text NOT NULL CHECK (btrim(source) <> ''),   -- the file or directory named
    imported_by text NOT NULL CHECK (btrim(imported_by) <> ''),
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,                                 -- NULL: stopped before its end
    imported    integer NOT NULL DEFAULT 0 CHECK (imported >= 0),
    unchanged   integer NOT NULL DEFAULT 0 CHECK (unchanged >= 0),
    refused     integer NOT NULL DEFAULT 0 CHECK (refused >= 0)
);

-- Provenance: one row for each imported decision, kept as long as the decision.
CREATE TABLE decision_imports (
    decision_id bigint PRIMARY KEY REFERENCES decisions (id) ON DELETE RESTRICT,
    run_id      bigint NOT NULL REFERENCES import_runs (id) ON DELETE RESTRICT,
    source      text NOT NULL CHECK (btrim(source) <> ''),   -- the file, as named in the run
    source_id   text NOT NULL CHECK (btrim(source_id) <> ''),-- the source's identifier (its reference)
    source_url  text CHECK (source_url IS NULL OR source_url ~ '^https?://'),
    -- SHA-256 of the record as read, so a second run knows an unchanged record from a changed one.
    record_sha256 text NOT NULL CHECK (record_sha256 ~ '^[0-9a-f]{64}$'),
    -- Part II's hash when the source held only that (a register's public JSON withholds Part II):
    -- it enters the canonical content in Part II's place.
    part_two_sha256 text CHECK (part_two_sha256 IS NULL OR part_two_sha256 ~ '^[0-9a-f]{64}$'),
    imported_at timestamptz NOT NULL,
    imported_by text NOT NULL CHECK (btrim(imported_by) <> '')
);

CREATE TABLE import_pending_links (
    from_decision_id bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    kind         text NOT NULL CHECK (kind IN ('continues', 'varies', 'related')),
    to_reference text NOT NULL CHECK (btrim(to_reference) <> ''),
    PRIMARY KEY (from_decision_id, kind, to_reference)
);
CREATE INDEX import_pending_links_to_idx ON import_pending_links (to_reference);

-- What an import records is signed content like the rest: its provenance row and Part II hash
-- never change, and a pending link goes only by becoming the same link (migration 000055).
CREATE FUNCTION refuse_import_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'import_pending_links' AND TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM decision_links l JOIN decisions t ON t.id = l.to_decision_id
        WHERE l.from_decision_id = OLD.from_decision_id AND l.kind = OLD.kind AND t.reference = OLD.to_reference) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'an imported decision''s % cannot change', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER decision_imports_kept BEFORE UPDATE OR DELETE ON decision_imports
    FOR EACH ROW EXECUTE FUNCTION refuse_import_change();
CREATE TRIGGER import_pending_links_kept BEFORE UPDATE OR DELETE ON import_pending_links
    FOR EACH ROW EXECUTE FUNCTION refuse_import_change();
