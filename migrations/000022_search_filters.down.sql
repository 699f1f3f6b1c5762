CREATE OR REPLACE FUNCTION decisions_search_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF search_deferred() THEN
        RETURN NEW;
    END IF;
    NEW.search_vector := decision_search_document(NEW.id, NEW.reference, NEW.title, NEW.summary,
        NEW.funder_id, NEW.decision_maker_name, NEW.decision_maker_role);
    RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION refresh_decision_search(ids bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE decisions d
    SET search_vector = decision_search_document(d.id, d.reference, d.title, d.summary, d.funder_id,
            d.decision_maker_name, d.decision_maker_role),
        total_pence = decision_total_pence(d.id)
    WHERE d.id = ANY (ids)
$$;

DROP FUNCTION decision_funder_ids(bigint, bigint);
DROP FUNCTION decision_financial_years(bigint);
ALTER TABLE decisions DROP COLUMN funder_ids, DROP COLUMN financial_years;
