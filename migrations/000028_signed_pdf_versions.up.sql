-- A signed decision document for every signed version, not only the first: a correction is
-- signed too, and its readers need the paper that proves it. A job and a document are now
-- keyed by the decision and the version printed, so each version's document is made from
-- that version's own canonical bytes and says which version it is.
ALTER TABLE signed_pdf_jobs ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version > 0);
ALTER TABLE signed_pdf_jobs ALTER COLUMN version DROP DEFAULT;
ALTER TABLE signed_pdf_jobs DROP CONSTRAINT signed_pdf_jobs_pkey;
ALTER TABLE signed_pdf_jobs ADD PRIMARY KEY (decision_id, version);
DROP INDEX signed_pdf_jobs_due;
CREATE INDEX signed_pdf_jobs_due ON signed_pdf_jobs (next_attempt_at, decision_id, version) WHERE done_at IS NULL;

-- Which version a signed decision document prints. Every one made so far printed version 1
-- (the only version that had one). The trigger that keeps a signed decision's documents as
-- they are is paused for that one backfill, in this transaction.
ALTER TABLE documents ADD COLUMN signed_version integer CHECK (signed_version > 0);
ALTER TABLE documents DISABLE TRIGGER documents_signed;
UPDATE documents SET signed_version = 1 WHERE kind = 'signed';
ALTER TABLE documents ENABLE TRIGGER documents_signed;
ALTER TABLE documents ADD CONSTRAINT documents_signed_version CHECK ((kind = 'signed') = (signed_version IS NOT NULL));
DROP INDEX documents_one_signed;
-- One signed decision document per signed version, however many try to add it.
CREATE UNIQUE INDEX documents_one_signed ON documents (decision_id, signed_version) WHERE kind = 'signed';
