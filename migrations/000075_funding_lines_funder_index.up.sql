-- An organisation's page finds the funding lines naming it by index: it read every funding line
-- and decision of the register (a second and more at 100,000 decisions, docs/benchmarks.md).
-- CONCURRENTLY, one statement a file: see 000024.
CREATE INDEX CONCURRENTLY IF NOT EXISTS funding_lines_funder_idx ON funding_lines (funder_id)
