-- The decision-maker filter compares names in any case: without an index on that, a list of
-- one maker's decisions read every decision (0.29 s at 100,000, most of them for a maker with
-- seven decisions).
CREATE INDEX decisions_maker_idx ON decisions (lower(decision_maker_name));

-- A bare number ("1682") is looked up in every series, so that a number two series share
-- lists both instead of choosing one.
CREATE INDEX decisions_number_idx ON decisions (number);
