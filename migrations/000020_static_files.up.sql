-- Rolling deploys: while two releases run side by side, a page rendered by one may have its
-- stylesheet or script requested from the other. Each release puts its fingerprinted static
-- files here as it starts, and an instance serves a fingerprinted name it does not hold itself
-- from here. A release's files are kept while it runs, and for 30 days after it last started.
-- Only adds a table: the previous release never reads it and keeps working (expand, then contract).
CREATE TABLE static_files (
	name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9._-]{1,200}$'),
	data bytea NOT NULL,
	seen_at timestamptz NOT NULL DEFAULT now()
);
