-- Full-text search, a decision's own total for filters and sorting, and the orders that keyset
-- pagination walks. The search document holds Part I only: Part II text never enters it, so no
-- search can find a decision by words its reader may not see.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE decisions
    ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector,
    -- The decision's own total in pence, as decision.TotalOf adds it up; NULL when no line counts.
    ADD COLUMN total_pence bigint;

-- "2024-25", as the site writes a UK financial year.
CREATE FUNCTION financial_year_text(y integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT y::text || '-' || lpad(((y + 1) % 100)::text, 2, '0')
$$;

-- The weighted document of one decision: reference and title (A), summary and recommendations
-- (B), Part I sections, decision maker, funders and recipients, funding labels and the
-- financial years as written (C). The decision's own columns are passed in, so a BEFORE trigger
-- can index the row being written.
CREATE FUNCTION decision_search_document(
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
$$;

-- decision.TotalOf in SQL: grants accepted and variations count; an amount paid each year counts
-- once for each of its years.
CREATE FUNCTION decision_total_pence(p_id bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT sum(CASE WHEN f.basis = 'per_year' AND f.fy_start IS NOT NULL AND f.fy_end IS NOT NULL
                    THEN f.amount_pence * (f.fy_end - f.fy_start + 1) ELSE f.amount_pence END)::bigint
    FROM funding_lines f
    WHERE f.decision_id = p_id AND f.kind IN ('grant_accepted', 'variation')
$$;

CREATE FUNCTION decisions_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := decision_search_document(NEW.id, NEW.reference, NEW.title, NEW.summary,
        NEW.funder_id, NEW.decision_maker_name, NEW.decision_maker_role);
    RETURN NEW;
END $$;
CREATE TRIGGER decisions_search BEFORE INSERT OR UPDATE OF reference, title, summary, funder_id,
    decision_maker_name, decision_maker_role ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_search_row();

-- Re-indexes the decisions whose parts a statement changed. Statement-level with transition
-- tables, so a COPY of many rows re-indexes each decision once, not once per row. Setting
-- search_vector and total_pence changes no signed content (see refuse_signed_decision_change).
CREATE FUNCTION refresh_decision_search(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE decisions d
    SET search_vector = decision_search_document(d.id, d.reference, d.title, d.summary, d.funder_id,
            d.decision_maker_name, d.decision_maker_role),
        total_pence = decision_total_pence(d.id)
    WHERE d.id = ANY (ids)
$$;

CREATE FUNCTION decision_parts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT decision_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT decision_id) INTO ids FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT decision_id) INTO ids
        FROM (SELECT decision_id FROM new_rows UNION SELECT decision_id FROM old_rows) c;
    END IF;
    IF ids IS NOT NULL THEN
        PERFORM refresh_decision_search(ids);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER recommendations_search_insert AFTER INSERT ON recommendations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER recommendations_search_update AFTER UPDATE ON recommendations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER recommendations_search_delete AFTER DELETE ON recommendations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER sections_search_insert AFTER INSERT ON sections
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER sections_search_update AFTER UPDATE ON sections
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER sections_search_delete AFTER DELETE ON sections
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER funding_lines_search_insert AFTER INSERT ON funding_lines
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER funding_lines_search_update AFTER UPDATE ON funding_lines
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();
CREATE TRIGGER funding_lines_search_delete AFTER DELETE ON funding_lines
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION decision_parts_changed();

-- A renamed organisation re-indexes the decisions that name it.
CREATE FUNCTION organisation_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name IS DISTINCT FROM OLD.name THEN
        PERFORM refresh_decision_search(ARRAY(
            SELECT d.id FROM decisions d WHERE d.funder_id = NEW.id
            UNION SELECT f.decision_id FROM funding_lines f WHERE NEW.id IN (f.funder_id, f.recipient_id)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER organisations_search AFTER UPDATE OF name ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisation_renamed();

UPDATE decisions d
SET search_vector = decision_search_document(d.id, d.reference, d.title, d.summary, d.funder_id,
        d.decision_maker_name, d.decision_maker_role),
    total_pence = decision_total_pence(d.id);

CREATE INDEX decisions_search_idx ON decisions USING gin (search_vector);
-- Suggestions for a search that finds nothing: close spellings of words in titles.
CREATE INDEX decisions_title_trgm_idx ON decisions USING gin (title gin_trgm_ops);
-- Keyset orders with no NULLs: an unknown date signed sorts as 0001-01-01, before any real one, an unknown total as -1.
CREATE INDEX decisions_newest_idx ON decisions ((coalesce(date_signed, '0001-01-01'::date)) DESC, number DESC, id DESC);
CREATE INDEX decisions_amount_idx ON decisions ((coalesce(total_pence, -1)) DESC, id DESC);
CREATE INDEX funding_lines_years_idx ON funding_lines (fy_start, fy_end);
CREATE INDEX decisions_funder_idx ON decisions (funder_id);
