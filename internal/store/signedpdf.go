package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// SignedPDFJob is one claim on making the signed decision document of a decision's signed
// version.
type SignedPDFJob struct {
	DecisionID int64      `db:"decision_id"`
	Version    int        `db:"version"` // the signed version printed: 1 as first signed, 2 on its corrections
	Slug       string     `db:"slug"`
	Reference  string     `db:"reference"`
	PublishAt  *time.Time `db:"publish_at"`
	Token      string     `db:"claim_token"`
	Attempts   int        `db:"attempts"` // this one included
}

// ErrClaimLost means another worker took the job over (this claim's lease ran out): its
// document, if it made one, is not stored.
var ErrClaimLost = fmt.Errorf("%w: the signed document's job was claimed by another worker", ErrConflict)

// ErrSignedContentChanged means the bytes a signed decision document would be printed from do
// not hash to the hash signed for its version: nothing is printed or stored.
var ErrSignedContentChanged = errors.New("the content to print does not hash to the hash signed")

// needsSignedPDF is the rule for which decisions get a signed decision document: those signed
// into effect in the register. Decisions signed before it existed (imported) and made-up ones
// (synthetic) do not: the register does not hold their signed papers.
const needsSignedPDF = `g.kind = 'signed' AND g.outcome = 'approved' AND NOT d.synthetic`

// enqueueSignedPDF asks for decision id's signed document, in the signature's transaction.
func (s *Store) enqueueSignedPDF(ctx context.Context, id int64, at time.Time) error {
	return s.enqueueSignedPDFVersion(ctx, id, 1, at)
}

// enqueueSignedPDFVersion asks for the signed document of version of decision id, in the
// transaction that signs that version.
func (s *Store) enqueueSignedPDFVersion(ctx context.Context, id int64, version int, at time.Time) error {
	_, err := s.db.Exec(ctx, `
INSERT INTO signed_pdf_jobs (decision_id, version, created_at, next_attempt_at)
SELECT g.decision_id, $2, $3, $3 FROM signatures g JOIN decisions d ON d.id = g.decision_id
WHERE g.decision_id = $1 AND `+needsSignedPDF+`
ON CONFLICT (decision_id, version) DO NOTHING`, id, version, at)
	if err != nil {
		return fmt.Errorf("ask for the signed document: %w", mapError(err))
	}
	return nil
}

// EnqueueMissingSignedPDFs asks for the signed document of every signed version that should
// have one and has none (each correction of a decision is a version of its own), and makes any
// such job already waiting due now. It returns how many versions are now waiting for their
// document.
func (s *Store) EnqueueMissingSignedPDFs(ctx context.Context, now time.Time) (int, error) {
	tag, err := s.db.Exec(ctx, `
INSERT INTO signed_pdf_jobs (decision_id, version, created_at, next_attempt_at)
SELECT g.decision_id, n.number, $1, $1 FROM signatures g JOIN decisions d ON d.id = g.decision_id
CROSS JOIN LATERAL (SELECT 1 AS number UNION SELECT v.number FROM decision_versions v WHERE v.decision_id = g.decision_id) n
WHERE `+needsSignedPDF+` AND NOT EXISTS (SELECT 1 FROM documents doc
	WHERE doc.decision_id = g.decision_id AND doc.kind = 'signed' AND doc.signed_version = n.number)
ON CONFLICT (decision_id, version) DO UPDATE SET next_attempt_at = least(signed_pdf_jobs.next_attempt_at, $1)
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
	SELECT decision_id, version FROM signed_pdf_jobs
	WHERE done_at IS NULL AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
	ORDER BY next_attempt_at, decision_id, version
	LIMIT 1 FOR UPDATE SKIP LOCKED
)
UPDATE signed_pdf_jobs j SET claim_token = gen_random_uuid(), claimed_until = $2,
	attempts = j.attempts + 1
FROM next, decisions d
WHERE j.decision_id = next.decision_id AND j.version = next.version AND d.id = j.decision_id
RETURNING j.decision_id, j.version, d.slug, d.reference, d.publish_at, j.claim_token::text AS claim_token, j.attempts`, now, now.Add(lease))
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
WHERE decision_id = $1 AND version = $2 AND claim_token = $3::uuid AND done_at IS NULL FOR UPDATE`,
		job.DecisionID, job.Version, job.Token).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrClaimLost
	}
	if err != nil {
		return fmt.Errorf("signed document job of %s: %w", job.Reference, mapError(err))
	}
	return nil
}

// FinishSignedPDF records the document the claim made (its bytes already in the blob store),
// printed from canonical bytes hashing to printedHash, as the signed decision document of the
// job's version, and closes the job, in one transaction. It recomputes the version's hash from
// its bytes in that transaction and refuses (ErrSignedContentChanged, recording nothing) when
// it is not printedHash; ErrClaimLost, recording nothing, when the claim is no longer the
// worker's. A version that already holds a signed document keeps it, and its job closes.
func (s *Store) FinishSignedPDF(ctx context.Context, job SignedPDFJob, printedHash string, doc NewDocument, now time.Time) error {
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		if err := tx.lockClaim(ctx, job); err != nil {
			return err
		}
		signed, err := tx.signedVersion(ctx, job)
		if err != nil {
			return err
		}
		if signed.Hash != printedHash {
			return fmt.Errorf("%w: version %d of %s was signed as %s, the document printed %s", ErrSignedContentChanged,
				job.Version, job.Reference, signed.Hash, printedHash)
		}
		err = tx.AddSignedDocument(ctx, System(now), job.DecisionID, job.Version, doc)
		if err != nil && !errors.Is(err, ErrConflict) {
			return fmt.Errorf("store the signed document of %s: %w", job.Reference, err)
		}
		_, err = tx.db.Exec(ctx, `UPDATE signed_pdf_jobs SET done_at = $3, claim_token = NULL, claimed_until = NULL,
	last_error = NULL WHERE decision_id = $1 AND version = $2`, job.DecisionID, job.Version, now)
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
		_, err := tx.db.Exec(ctx, `UPDATE signed_pdf_jobs SET next_attempt_at = $3, last_error = $4,
	claim_token = NULL, claimed_until = NULL WHERE decision_id = $1 AND version = $2`, job.DecisionID, job.Version, retryAt, why)
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

// SignedVersion is a signed version of a decision as its signed decision document prints it:
// the canonical bytes signed, which hash to Hash.
type SignedVersion struct {
	Number        int       `db:"number"`
	Canonical     []byte    `db:"canonical"`
	Hash          string    `db:"content_hash"`
	SignedAt      time.Time `db:"signed_at"`
	SignerName    *string   `db:"signer_name"` // of a correction: who approved it
	SignerRole    *string   `db:"signer_role"`
	Reason        *string   `db:"reason"` // why it was corrected; nil for version 1
	Typographical bool      `db:"typographical"`
	// ReleasesPartTwo is a release of Part II sections (migration 72), not a correction.
	ReleasesPartTwo bool `db:"releases_part_two"`
}

// SignedPDFVersion reads, in one snapshot, the signed version job prints: its stored canonical
// bytes, or for a decision never corrected (whose version 1 is not stored apart) the bytes of
// its content, which is locked since its signature, in the form the signature used. It refuses
// (ErrSignedContentChanged) bytes that do not hash to the hash signed for that version.
func (s *Store) SignedPDFVersion(ctx context.Context, job SignedPDFJob) (SignedVersion, error) {
	var sv SignedVersion
	err := s.inSnapshot(ctx, func(tx *Store) error {
		var err error
		sv, err = tx.signedVersion(ctx, job)
		return err
	})
	return sv, err
}

func (s *Store) signedVersion(ctx context.Context, job SignedPDFJob) (SignedVersion, error) {
	var sigHash string
	var sigForm int
	var sigAt time.Time
	err := s.db.QueryRow(ctx, `SELECT content_hash, canonical_version, signed_at FROM signatures
WHERE decision_id = $1 AND outcome = 'approved'`, job.DecisionID).Scan(&sigHash, &sigForm, &sigAt)
	if err != nil {
		return SignedVersion{}, fmt.Errorf("signature of %s: %w", job.Reference, mapError(err))
	}
	rows, err := s.db.Query(ctx, `
SELECT number, canonical, content_hash, signed_at, signer_name, signer_role, reason, typographical, releases_part_two
FROM decision_versions WHERE decision_id = $1 AND number = $2`, job.DecisionID, job.Version)
	if err != nil {
		return SignedVersion{}, fmt.Errorf("version %d of %s: %w", job.Version, job.Reference, mapError(err))
	}
	sv, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[SignedVersion])
	switch {
	case err == nil:
	case errors.Is(err, pgx.ErrNoRows) && job.Version == 1:
		// Never corrected: version 1 is stored apart only when a correction is approved.
		c, err := s.Content(ctx, job.DecisionID)
		if err != nil {
			return SignedVersion{}, err
		}
		b, ok := decision.CanonicalAs(sigForm, c)
		if !ok {
			return SignedVersion{}, fmt.Errorf("%s was signed under canonical version %d, which this program cannot write", job.Reference, sigForm)
		}
		sv = SignedVersion{Number: 1, Canonical: b, Hash: sigHash, SignedAt: sigAt}
	default:
		return SignedVersion{}, fmt.Errorf("version %d of %s: %w", job.Version, job.Reference, mapError(err))
	}
	want := sv.Hash
	if sv.Number == 1 {
		want = sigHash // a stored version 1 is the signature's content (the database checks it too)
	}
	sum := sha256.Sum256(sv.Canonical)
	if got := hex.EncodeToString(sum[:]); got != want || got != sv.Hash {
		return SignedVersion{}, fmt.Errorf("%w: version %d of %s hashes to %s, but %s was signed", ErrSignedContentChanged,
			job.Version, job.Reference, got, want)
	}
	return sv, nil
}
