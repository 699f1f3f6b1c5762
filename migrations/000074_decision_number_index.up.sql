-- A bare number ("1682") is looked up in every series, so that a number two series share
-- lists both instead of choosing one. Built by migration 24 until it was split so that each
-- index is built CONCURRENTLY, one statement a file (see 000024): on a register that already
-- has it, this does nothing.
CREATE INDEX CONCURRENTLY IF NOT EXISTS decisions_number_idx ON decisions (number)
