-- The financial years and funders a decision is filtered by, one row each with the decision's
-- newest-first key (date signed, unknown as 0001-01-01, then number, then id), so "newest first
-- within a year or a funder" is a range of an index read backwards that stops when the page is
-- full. The GIN indexes on decisions.financial_years and funder_ids find a facet's decisions but
-- not in order: at a million decisions a year's 180,000 had to be collected and sorted, or the
-- newest-first walk read every decision newer than the year (a year's decisions are bunched in
-- time). Kept from the decision's own arrays by a trigger, so they follow every refresh; filled
-- for the decisions already held by migration 000079, which does not hold writes.

CREATE TABLE decision_years (
    fy          integer NOT NULL,
    key_date    date    NOT NULL,
    number      integer NOT NULL,
    decision_id bigint  NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    PRIMARY KEY (fy, key_date, number, decision_id)
);
CREATE INDEX decision_years_decision_idx ON decision_years (decision_id);

CREATE TABLE decision_funders (
    funder_id   bigint  NOT NULL,
    key_date    date    NOT NULL,
    number      integer NOT NULL,
    decision_id bigint  NOT NULL REFERENCES decisions (id) ON DELETE CASCADE,
    PRIMARY KEY (funder_id, key_date, number, decision_id)
);
CREATE INDEX decision_funders_decision_idx ON decision_funders (decision_id);

CREATE FUNCTION decision_facet_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM decision_years WHERE decision_id = NEW.id;
    DELETE FROM decision_funders WHERE decision_id = NEW.id;
    INSERT INTO decision_years (fy, key_date, number, decision_id)
    SELECT DISTINCT y, coalesce(NEW.date_signed, '0001-01-01'::date), NEW.number, NEW.id FROM unnest(NEW.financial_years) y;
    INSERT INTO decision_funders (funder_id, key_date, number, decision_id)
    SELECT DISTINCT f, coalesce(NEW.date_signed, '0001-01-01'::date), NEW.number, NEW.id FROM unnest(NEW.funder_ids) f;
    RETURN NULL;
END $$;

CREATE TRIGGER decisions_facet_keys_insert AFTER INSERT ON decisions
    FOR EACH ROW WHEN (cardinality(NEW.financial_years) > 0 OR cardinality(NEW.funder_ids) > 0)
    EXECUTE FUNCTION decision_facet_keys();
CREATE TRIGGER decisions_facet_keys_update AFTER UPDATE OF financial_years, funder_ids, date_signed, number ON decisions
    FOR EACH ROW WHEN (OLD.financial_years IS DISTINCT FROM NEW.financial_years OR OLD.funder_ids IS DISTINCT FROM NEW.funder_ids
        OR OLD.date_signed IS DISTINCT FROM NEW.date_signed OR OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION decision_facet_keys();
