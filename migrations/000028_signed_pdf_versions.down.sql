-- Back to one signed decision document per decision: the documents of later versions, and
-- their jobs, go (their bytes stay in the blob store).
ALTER TABLE documents DISABLE TRIGGER documents_signed;
DELETE FROM documents WHERE kind = 'signed' AND signed_version > 1;
ALTER TABLE documents ENABLE TRIGGER documents_signed;
DROP INDEX documents_one_signed;
CREATE UNIQUE INDEX documents_one_signed ON documents (decision_id) WHERE kind = 'signed';
ALTER TABLE documents DROP CONSTRAINT documents_signed_version;
ALTER TABLE documents DROP COLUMN signed_version;

DELETE FROM signed_pdf_jobs WHERE version > 1;
DROP INDEX signed_pdf_jobs_due;
ALTER TABLE signed_pdf_jobs DROP CONSTRAINT signed_pdf_jobs_pkey;
ALTER TABLE signed_pdf_jobs ADD PRIMARY KEY (decision_id);
ALTER TABLE signed_pdf_jobs DROP COLUMN version;
CREATE INDEX signed_pdf_jobs_due ON signed_pdf_jobs (next_attempt_at, decision_id) WHERE done_at IS NULL;
