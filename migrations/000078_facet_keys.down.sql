DROP TRIGGER decisions_facet_keys_update ON decisions;
DROP TRIGGER decisions_facet_keys_insert ON decisions;
DROP FUNCTION decision_facet_keys();
DROP TABLE decision_funders;
DROP TABLE decision_years;
