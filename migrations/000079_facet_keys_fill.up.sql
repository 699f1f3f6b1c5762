-- Fills the facet keys of migration 000078 for the decisions already held. It reads decisions
-- and writes only the new tables, so writes to decisions go on while it runs (a minute at a
-- million decisions); from 000078 on the trigger keeps every decision written since, and a row
-- it already wrote is left as it is.
INSERT INTO decision_years (fy, key_date, number, decision_id)
SELECT DISTINCT y, coalesce(d.date_signed, '0001-01-01'::date), d.number, d.id FROM decisions d, unnest(d.financial_years) y
ON CONFLICT DO NOTHING;
INSERT INTO decision_funders (funder_id, key_date, number, decision_id)
SELECT DISTINCT f, coalesce(d.date_signed, '0001-01-01'::date), d.number, d.id FROM decisions d, unnest(d.funder_ids) f
ON CONFLICT DO NOTHING;
-- A decision changed while the fill read it got its new rows from the trigger; the rows the fill
-- wrote from before the change are taken away (each statement reads afresh).
DELETE FROM decision_years y USING decisions d
WHERE d.id = y.decision_id
    AND (y.key_date <> coalesce(d.date_signed, '0001-01-01'::date) OR y.number <> d.number OR NOT y.fy = ANY (d.financial_years));
DELETE FROM decision_funders f USING decisions d
WHERE d.id = f.decision_id
    AND (f.key_date <> coalesce(d.date_signed, '0001-01-01'::date) OR f.number <> d.number OR NOT f.funder_id = ANY (d.funder_ids));
ANALYZE decision_years;
ANALYZE decision_funders;
