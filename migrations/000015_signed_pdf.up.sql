-- The signed decision document: a PDF of a decision made after its signature (it prints the
-- content hash, so it cannot be part of what was signed), kept as a `documents` row of kind
-- 'signed' (migration 000014). A decision signed into effect in the register gets a job here in
-- the signature's own transaction; server instances claim due jobs one at a time (FOR UPDATE
-- SKIP LOCKED, with a lease in case an instance dies mid-print) and put a failure off with a
-- growing delay, so a missing or broken PDF generator never loses or holds up a signature. The
-- claim token makes the finish idempotent: only the current claim may store the document.
CREATE TABLE signed_pdf_jobs (
    decision_id     bigint PRIMARY KEY REFERENCES signatures (decision_id) ON DELETE RESTRICT,
    created_at      timestamptz NOT NULL,
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    claim_token     uuid,
    claimed_until   timestamptz,
    last_error      text,
    done_at         timestamptz,
    CHECK ((claim_token IS NULL) = (claimed_until IS NULL))
);
CREATE INDEX signed_pdf_jobs_due ON signed_pdf_jobs (next_attempt_at, decision_id) WHERE done_at IS NULL;
