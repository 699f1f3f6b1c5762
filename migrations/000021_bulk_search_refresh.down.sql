CREATE OR REPLACE FUNCTION decisions_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_vector := decision_search_document(NEW.id, NEW.reference, NEW.title, NEW.summary,
        NEW.funder_id, NEW.decision_maker_name, NEW.decision_maker_role);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION decision_parts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

DROP FUNCTION search_deferred();
