package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SignedPDFJob is one claim on making a decision's signed decision document.
type SignedPDFJob struct {
	DecisionID int64      `db:"decision_id"`
	Slug       string     `db:"slug"`
	Reference  string     `db:"reference"`
	PublishAt  *time.Time `db:"publish_at"`
	Token      string     `db:"claim_token"`
	Attempts   int        `db:"attempts"` // this one included
}

// ErrClaimLost means another worker took the job over (this claim's lease ran out): its
// document, if it made one, is not stored.
var ErrClaimLost = fmt.Errorf("%w: the signed document's job was claimed by another worker", ErrConflict)

// needsSignedPDF is the rule for which decisions get a signed decision document: those signed
// into effect in the register. Decisions signed before it existed (imported) and made-up ones
// (synthetic) do not: the register does not hold their signed papers.
const needsSignedPDF = `g.kind = 'signed' AND g.outcome = 'approved' AND NOT d.synthetic`

// enqueueSignedPDF asks for decision id's signed document, in the signature's transaction.
func (s *Store) enqueueSignedPDF(ctx context.Context, id int64, at time.Time) error {
	_, err := s.db.Exec(ctx, `
INSERT INTO signed_pdf_jobs (decision_id, created_at, next_attempt_at)
SELECT g.decision_id, $2, $2 FROM signatures g JOIN decisions d ON d.id = g.decision_id
WHERE g.decision_id = $1 AND `+needsSignedPDF+`
ON CONFLICT (decision_id) DO NOTHING`, id, at)
	if err != nil {
		return fmt.Errorf("ask for the signed document: %w", mapError(err))
	}
	return nil
}

// EnqueueMissingSignedPDFs asks for the signed document of every decision that should have one
// and has none, and makes any such job already waiting due now. It returns how many decisions
// are now waiting for their document.
func (s *Store) EnqueueMissingSignedPDFs(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `
INSERT INTO signed_pdf_jobs (decision_id, created_at, next_attempt_at)
SELECT g.decision_id, $1, $1 FROM signatures g JOIN decisions d ON d.id = g.decision_id
WHERE `+needsSignedPDF+` AND NOT EXISTS (SELECT 1 FROM documents doc WHERE doc.decision_id = g.decision_id AND doc.kind = 'signed')
ON CONFLICT (decision_id) DO UPDATE SET next_attempt_at = least(signed_pdf_jobs.next_attempt_at, $1)
WHERE signed_pdf_jobs.done_at IS NULL`, now)
	if err != nil {
		return 0, fmt.Errorf("ask for missing signed documents: %w", mapError(err))
	}
	return int(tag.RowsAffected()), nil
}

// ClaimSignedPDF claims the next job that is due at now, for lease: ErrNotFound when none is.
// However many workers ask at once, each job goes to one (SKIP LOCKED passes over the row
// another is claiming; the lease keeps it theirs after). A claim whose lease ran out, its
// worker gone, is due again.
func (s *Store) ClaimSignedPDF(ctx context.Context, now time.Time, lease time.Duration) (SignedPDFJob, error) {
	rows, err := s.db.Query(ctx, `
WITH next AS (
	SELECT decision_id FROM signed_pdf_jobs
	WHERE done_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
	ORDER BY next_attempt_at, decision_id
	LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE signed_pdf_jobs j SET claim_token = gen_random_uuid(), claimed_until = $2,
	attempts = j.attempts + 1
FROM next, decisions d
WHERE j.decision_id = next.decision_id AND d.id = j.decision_id
RETURNING j.decision_id, d.slug, d.reference, d.publish_at, j.claim_token::text AS claim_token, j.attempts`, now, now.Add(lease))
	if err != nil {
		return SignedPDFJob{}, fmt.Errorf("claim a signed document job: %w", mapError(err))
	}
	job, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SignedPDFJob])
	if err != nil {
		return SignedPDFJob{}, fmt.Errorf("claim a signed document job: %w", mapError(err))
	}
	return job, nil
}

// lockClaim locks job's row, in a transaction, while the claim is still the worker's.
func (s *Store) lockClaim(ctx context.Context, job SignedPDFJob) error {
	var one int
	err := s.db.QueryRow(ctx, `SELECT 1 FROM signed_pdf_jobs
WHERE decision_id = $1 AND claim_token = $2::uuid AND done_at IS NULL FOR UPDATE`, job.DecisionID, job.Token).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrClaimLost
	}
	if err != nil {
		return fmt.Errorf("signed document job of %s: %w", job.Reference, mapError(err))
	}
	return nil
}

// FinishSignedPDF records the document the claim made (its bytes already in the blob store)
// as the decision's signed decision document, and closes the job, in one transaction;
// ErrClaimLost, recording nothing, when the claim is no longer the worker's. A decision that
// already holds a signed document keeps it, and its job closes.
func (s *Store) FinishSignedPDF(ctx context.Context, job SignedPDFJob, doc NewDocument, now time.Time) error {
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		if err := tx.lockClaim(ctx, job); err != nil {
			return err
		}
		err := tx.AddSignedDocument(ctx, System(now), job.DecisionID, doc)
		if err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("store the signed document of %s: %w", job.Reference, err)
		}
		_, err = tx.db.Exec(ctx, `UPDATE signed_pdf_jobs SET done_at = $2, claim_token = NULL, claimed_until = NULL,
	last_error = NULL WHERE decision_id = $1`, job.DecisionID, now)
		if err != nil {
			return fmt.Errorf("close the signed document job of %s: %w", job.Reference, mapError(err))
		}
		return nil
	})
}

// FailSignedPDF records why the claim made no document and when to try again.
func (s *Store) FailSignedPDF(ctx context.Context, job SignedPDFJob, why string, retryAt time.Time) error {
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		if err := tx.lockClaim(ctx, job); err != nil {
			return err
		}
		_, err := tx.db.Exec(ctx, `UPDATE signed_pdf_jobs SET next_attempt_at = $2, last_error = $3,
	claim_token = NULL, claimed_until = NULL WHERE decision_id = $1`, job.DecisionID, retryAt, why)
		if err != nil {
			return fmt.Errorf("put off the signed document job of %s: %w", job.Reference, mapError(err))
		}
		return nil
	})
}

// SignedPDFPending reports whether the decision the reader may see at slug is waiting for its
// signed decision document. ErrNotFound when the reader may not see the decision.
func (s *Store) SignedPDFPending(ctx context.Context, acc Access, slug string) (bool, error) {
	var pending bool
	err := s.db.QueryRow(ctx, `
SELECT EXISTS (SELECT 1 FROM signed_pdf_jobs j WHERE j.decision_id = d.id AND j.done_at IS NULL)
FROM decisions d WHERE d.slug = @slug AND `+visibleD, acc.args(pgx.NamedArgs{"slug": slug})).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("signed document of %q: %w", slug, mapError(err))
	}
	return pending, nil
}
