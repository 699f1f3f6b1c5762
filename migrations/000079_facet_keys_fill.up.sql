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
ANALYZE decision_years;
ANALYZE decision_funders;
