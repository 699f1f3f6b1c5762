-- As 000075, for the lines that name the organisation as recipient.
CREATE INDEX CONCURRENTLY IF NOT EXISTS funding_lines_recipient_idx ON funding_lines (recipient_id)
