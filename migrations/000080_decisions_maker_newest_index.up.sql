-- A decision maker's decisions newest first: a range of this index, read in order, where the
-- name's own index (000024) finds them all and they are sorted.
CREATE INDEX CONCURRENTLY IF NOT EXISTS decisions_maker_newest_idx ON decisions
    (lower(decision_maker_name), coalesce(date_signed, '0001-01-01'::date) DESC, number DESC, id DESC)
