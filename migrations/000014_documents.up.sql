-- Documents attached to a decision: supporting papers its drafters upload, and (kind 'signed')
-- the "Signed decision document" the register produces once it is signed. The bytes live in a
-- blob store under their SHA-256 (internal/blobstore); this table holds what readers see of
-- them, the hash that ties the two, and the text extracted once at upload for search.
CREATE TABLE documents (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    decision_id    bigint NOT NULL REFERENCES decisions (id) ON DELETE RESTRICT,
    position       integer NOT NULL CHECK (position > 0),
    kind           text NOT NULL CHECK (kind IN ('supporting', 'signed')),
    name           text NOT NULL CHECK (btrim(name) <> '' AND length(name) <= 200),
    media_type     text NOT NULL CHECK (media_type IN (
        'application/pdf',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.oasis.opendocument.text',
        'application/vnd.oasis.opendocument.spreadsheet',
        'text/csv')),
    size_bytes     bigint NOT NULL CHECK (size_bytes > 0),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    extracted_text text NOT NULL DEFAULT '',
    added_at       timestamptz NOT NULL,
    added_by       bigint REFERENCES users (id) ON DELETE RESTRICT,
    -- The download address is /decisions/{slug}/documents/{sha256}: one document per hash.
    CONSTRAINT documents_one_per_hash UNIQUE (decision_id, sha256),
    CONSTRAINT documents_position UNIQUE (decision_id, position)
);
-- One signed decision document per decision, however many try to add it.
CREATE UNIQUE INDEX documents_one_signed ON documents (decision_id) WHERE kind = 'signed';

-- A signed decision's documents are kept as they are. The one insert allowed is the signed
-- decision document itself, which the register makes from the signed content afterwards (it
-- holds the content hash, so it cannot be part of what is hashed).
CREATE FUNCTION refuse_signed_document_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.kind = 'signed' THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT 1 FROM signatures WHERE decision_id IN (
            CASE WHEN TG_OP <> 'INSERT' THEN OLD.decision_id END,
            CASE WHEN TG_OP <> 'DELETE' THEN NEW.decision_id END)) THEN
        RAISE EXCEPTION 'the decision is signed: its documents cannot change'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN COALESCE(NEW, OLD);
END $$;
CREATE TRIGGER documents_signed BEFORE INSERT OR UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION refuse_signed_document_change();
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- The search document gains the supporting documents' names and text at the lowest weight (D),
-- so a decision's own words always rank above words found only in its papers. At most 200,000
-- characters of them are indexed per decision: a tsvector holds at most 1 MB, and a decision's
-- own text must always fit beside them. The signed decision document repeats the decision's own
-- text, so it is left out.
CREATE OR REPLACE FUNCTION decision_search_document(
    p_id bigint, p_reference text, p_title text, p_summary text, p_funder_id bigint,
    p_maker_name text, p_maker_role text) RETURNS tsvector LANGUAGE sql STABLE AS $$
    SELECT setweight(to_tsvector('english', concat_ws(' ', p_reference, p_title)), 'A')
        || setweight(to_tsvector('english', concat_ws(' ', p_summary,
            (SELECT string_agg(r.body, ' ' ORDER BY r.position) FROM recommendations r WHERE r.decision_id = p_id))), 'B')
        || setweight(to_tsvector('english', concat_ws(' ',
            (SELECT string_agg(s.heading || ' ' || s.body, ' ' ORDER BY s.position)
             FROM sections s WHERE s.decision_id = p_id AND s.part = 1),
            p_maker_name, p_maker_role,
            (SELECT o.name FROM organisations o WHERE o.id = p_funder_id),
            (SELECT string_agg(concat_ws(' ', fo.name, ro.name, f.label, f.period_text,
                    (SELECT string_agg(financial_year_text(y), ' ')
                     FROM generate_series(f.fy_start, coalesce(f.fy_end, f.fy_start)) y)), ' ' ORDER BY f.position)
             FROM funding_lines f
             LEFT JOIN organisations fo ON fo.id = f.funder_id
             LEFT JOIN organisations ro ON ro.id = f.recipient_id
             WHERE f.decision_id = p_id))), 'C')
        || setweight(to_tsvector('english', coalesce(left(
            (SELECT string_agg(doc.name || ' ' || doc.extracted_text, ' ' ORDER BY doc.position)
             FROM documents doc WHERE doc.decision_id = p_id AND doc.kind = 'supporting'), 200000), '')), 'D')
$$;

CREATE TRIGGER documents_search_insert AFTER INSERT ON documents
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER documents_search_update AFTER UPDATE ON documents
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER documents_search_delete AFTER DELETE ON documents
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
