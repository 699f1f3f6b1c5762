-- A bulk load (`decisions seed-synthetic` on an empty register, or one small beside the run)
-- drops the secondary indexes of the tables it fills, copies the rows with the search document
-- and the other derived columns left empty (decisions.defer_search), fills them afterwards in
-- one set-based UPDATE per range of ids, on two connections, then builds the indexes again.
-- This row says a load is unfinished: it names the first decision the load may have left
-- without its derived columns and the indexes to build again. It is written in the transaction
-- that drops the indexes and deleted once they are built, so a load killed at any point leaves
-- it behind, and the next `decisions migrate up` (or seed-synthetic) finishes the work.
CREATE TABLE bulk_load (
    only_one boolean PRIMARY KEY DEFAULT true CHECK (only_one),
    started_at timestamptz NOT NULL,
    after_decision_id bigint NOT NULL,
    index_definitions text[] NOT NULL
);
