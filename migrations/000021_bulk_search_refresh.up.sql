-- A bulk load (seed-synthetic) indexes each decision once, after all its parts are in, instead
-- of once on insert and again after each of its recommendations, sections and funding lines:
-- four row versions and four documents built per decision. A loader that sets
-- decisions.defer_search = 'on' for its transaction skips the per-statement refresh and calls
-- refresh_decision_search itself before it commits. Nothing else sets it.

CREATE FUNCTION search_deferred() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('decisions.defer_search', true), '') = 'on'
$$;

CREATE OR REPLACE FUNCTION decisions_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_deferred() THEN
        RETURN NEW;
    END IF;
    NEW.search_vector := decision_search_document(NEW.id, NEW.reference, NEW.title, NEW.summary,
        NEW.funder_id, NEW.decision_maker_name, NEW.decision_maker_role);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION decision_parts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF search_deferred() THEN
        RETURN NULL;
    END IF;
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
