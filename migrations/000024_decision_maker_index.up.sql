-- The decision-maker filter compares names in any case: without an index on that, a list of
-- one maker's decisions read every decision (0.29 s at 100,000, most of them for a maker with
-- seven decisions).
--
-- Built CONCURRENTLY, so that writes to decisions go on while it is built (a plain CREATE INDEX
-- held them for 1-2 s at a million decisions). PostgreSQL refuses CONCURRENTLY in a transaction
-- block, and golang-migrate sends a file as one string, so such a file holds this one statement
-- (docs/operations.md, "Migrations on a large register"). The number index that was built here
-- too is built the same way by migration 74; IF NOT EXISTS leaves registers that have it alone.
CREATE INDEX CONCURRENTLY IF NOT EXISTS decisions_maker_idx ON decisions (lower(decision_maker_name))
