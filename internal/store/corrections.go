package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// Audit events of corrections and withdrawals.
const (
	EventCorrectionStarted   = "correction_started"
	EventCorrectionEdited    = "correction_edited"
	EventCorrectionDiscarded = "correction_discarded"
	EventCorrectionSent      = "correction_sent"
	EventCorrectionReturned  = "correction_returned"
	EventCorrected           = "corrected"
	EventWithdrawn           = "withdrawn"
)

// ErrNoCorrection means the decision has no correction in progress.
var ErrNoCorrection = fmt.Errorf("no correction in progress: %w", ErrNotFound)

// A correction someone meant to discard that was approved, or ended (discarded, or by the
// decision's withdrawal), after they opened it: nothing is discarded.
var (
	ErrCorrectionApproved = fmt.Errorf("the correction was approved: %w", ErrConflict)
	ErrCorrectionEnded    = fmt.Errorf("the correction has ended: %w", ErrConflict)
)

// ErrCorrectionSent means a correction is with its approvers: its drafters cannot change or
// send it until it is returned. ErrCorrectionNotSent means it is still with its drafters: it
// cannot be approved or returned.
var (
	ErrCorrectionSent    = fmt.Errorf("the correction is with its approvers: %w", ErrConflict)
	ErrCorrectionNotSent = fmt.Errorf("the correction has not been sent for approval: %w", ErrConflict)
)

// Correction is a correction in progress, with the decision it corrects as it stands.
type Correction struct {
	ID          int64
	DecisionID  int64
	Reference   string
	Slug        string
	Series      string
	Status      string // the decision's status
	Draft       decision.Corrected
	Reason      string
	Version     int
	Drafters    []int64
	CreatedAt   time.Time
	SentAt      *time.Time // when a drafter sent it for approval; nil while it is with its drafters
	SentBy      *string
	ReturnedAt  *time.Time // when an approver last returned it, with their name and comment
	ReturnedBy  *string
	Returned    *string
	Current     decision.Content // the decision's content now, Part II only as its hash (see openCorrection)
	CurrentHash string
}

// NewContent is the whole content the correction's approval would sign.
func (c Correction) NewContent() decision.Content { return c.Draft.Apply(c.Current) }

// Sent says whether the correction is with its approvers.
func (c Correction) Sent() bool { return c.SentAt != nil }

// NotTypographical says why the correction is not typographical, or "".
func (c Correction) NotTypographical() string {
	return decision.NotTypographical(decision.CorrectedOf(c.Current), c.Draft)
}

const correctionSQL = `
SELECT c.id, c.decision_id, d.reference, d.slug, d.series, d.status, c.content, c.reason, c.version, c.created_at,
	ARRAY(SELECT user_id FROM correction_drafters WHERE correction_id = c.id ORDER BY user_id) AS drafters,
	c.sent_at, (SELECT name FROM users WHERE id = c.sent_by), c.returned_at,
	(SELECT name FROM users WHERE id = c.returned_by), c.return_comment
FROM corrections c JOIN decisions d ON d.id = c.decision_id`

// OpenCorrection reads the correction in progress of a decision. Only staff see one: the
// public sees the published version until a correction is approved.
func (s *Store) OpenCorrection(ctx context.Context, acc Access, slug string) (Correction, error) {
	if !acc.IsStaff() {
		return Correction{}, ErrNoCorrection
	}
	return s.openCorrection(ctx, slug, "")
}

func (s *Store) openCorrection(ctx context.Context, slug, lock string) (Correction, error) {
	rows, err := s.db.Query(ctx, correctionSQL+` WHERE d.slug = $1 AND c.status = 'draft'`+lock, slug)
	if err != nil {
		return Correction{}, fmt.Errorf("correction of %s: %w", slug, err)
	}
	cs, err := s.withContent(ctx, rows)
	if err != nil {
		return Correction{}, fmt.Errorf("correction of %s: %w", slug, err)
	}
	if len(cs) == 0 {
		return Correction{}, ErrNoCorrection
	}
	return cs[0], nil
}

// withContent collects corrections read by correctionSQL, each with its decision's content as
// it stands, read for all of them at once.
func (s *Store) withContent(ctx context.Context, rows pgx.Rows) ([]Correction, error) {
	cs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Correction, error) {
		var c Correction
		var content []byte
		err := row.Scan(&c.ID, &c.DecisionID, &c.Reference, &c.Slug, &c.Series, &c.Status, &content, &c.Reason, &c.Version,
			&c.CreatedAt, &c.Drafters, &c.SentAt, &c.SentBy, &c.ReturnedAt, &c.ReturnedBy, &c.Returned)
		if err == nil {
			err = json.Unmarshal(content, &c.Draft)
		}
		return c, err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.DecisionID
	}
	contents, err := s.Contents(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		current, ok := contents[cs[i].DecisionID]
		if !ok {
			return nil, fmt.Errorf("content of decision %d: %w", cs[i].DecisionID, ErrNotFound)
		}
		// A correction never changes Part II, so it carries only Part II's hash: enough to hash the
		// corrected content, and nothing a handler could show to someone who may not read Part II.
		cs[i].Current = current.WithPartTwoHashed()
		cs[i].CurrentHash = decision.ContentHash(cs[i].Current)
	}
	return cs, nil
}

// StartCorrection opens a correction of a signed decision, starting from its content as it
// stands, with the reason for it. One correction at a time: a second is ErrConflict.
func (s *Store) StartCorrection(ctx context.Context, act Act, slug, reason string) error {
	reason = decision.CleanText(reason)
	return s.InTx(ctx, func(tx *Store) error {
		var id int64
		var status, ref string
		if err := tx.db.QueryRow(ctx, `SELECT id, status, reference FROM decisions WHERE slug = $1 FOR UPDATE`, slug).Scan(&id, &status, &ref); err != nil {
			return fmt.Errorf("correct %s: %w", slug, mapError(err))
		}
		if err := decision.CanCorrect(status); err != nil {
			return err
		}
		if _, err := tx.actor(ctx, act); err != nil {
			return err
		}
		c, err := tx.Content(ctx, id)
		if err != nil {
			return err
		}
		content, err := json.Marshal(decision.CorrectedOf(c))
		if err != nil {
			return fmt.Errorf("correct %s: %w", slug, err)
		}
		var cid int64
		err = tx.db.QueryRow(ctx, `
INSERT INTO corrections (decision_id, content, reason, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`, id, content, reason, act.UserID, act.At).Scan(&cid)
		if err != nil {
			return fmt.Errorf("correct %s: %w", slug, mapError(err))
		}
		if _, err := tx.db.Exec(ctx, `INSERT INTO correction_drafters (correction_id, user_id) VALUES ($1, $2)`, cid, act.UserID); err != nil {
			return fmt.Errorf("correct %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, id, EventCorrectionStarted, map[string]string{"reference": ref, "reason": reason})
	})
}

// OpenCorrections lists every correction in progress, newest first, for "Your work" to say
// which wait for the person. Only staff read it; the public never sees a correction before
// its approval.
func (s *Store) OpenCorrections(ctx context.Context, acc Access) ([]Correction, error) {
	if !acc.IsStaff() {
		return nil, nil
	}
	// One snapshot, and the same few queries however many corrections are open.
	var out []Correction
	err := s.inSnapshot(ctx, func(tx *Store) error {
		rows, err := tx.db.Query(ctx, correctionSQL+` WHERE c.status = 'draft' ORDER BY c.updated_at DESC, c.id DESC`)
		if err != nil {
			return err
		}
		out, err = tx.withContent(ctx, rows)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open corrections: %w", err)
	}
	return out, nil
}

// DiscardCorrection ends the correction id of a decision without approving it: the decision
// stays exactly as signed, and the audit trail records who discarded it. The person saw the
// correction at version; one approved, ended or saved again since is refused, and nothing is
// discarded.
func (s *Store) DiscardCorrection(ctx context.Context, act Act, slug string, id int64, version int) error {
	return s.InTx(ctx, func(tx *Store) error {
		did, ref, err := tx.lockedDecision(ctx, slug)
		if err != nil {
			return err
		}
		var status, reason string
		var saved int
		var drafters []int64
		err = tx.db.QueryRow(ctx, `
SELECT c.status, c.version, c.reason,
	ARRAY(SELECT user_id FROM correction_drafters WHERE correction_id = c.id ORDER BY user_id)
FROM corrections c WHERE c.id = $1 AND c.decision_id = $2 FOR UPDATE`, id, did).Scan(&status, &saved, &reason, &drafters)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNoCorrection
		}
		if err != nil {
			return fmt.Errorf("discard the correction of %s: %w", ref, err)
		}
		// Who may discard first: someone who may not learns nothing of the correction's state.
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		if err := decision.CanDiscardCorrection(u.Actor(), drafters); err != nil {
			return err
		}
		switch {
		case status == "approved":
			return ErrCorrectionApproved
		case status != "draft":
			return ErrCorrectionEnded
		case saved != version:
			return ErrStale
		}
		if _, err := tx.db.Exec(ctx, `UPDATE corrections SET status = 'abandoned', updated_at = $2 WHERE id = $1`, id, act.At); err != nil {
			return fmt.Errorf("discard the correction of %s: %w", ref, mapError(err))
		}
		return tx.Audit(ctx, act, did, EventCorrectionDiscarded, map[string]string{"reference": ref, "reason": reason})
	})
}

// CorrectionEdit is what one save of a correction changes: the draft and the reason.
type CorrectionEdit struct {
	Draft  *decision.Corrected
	Reason string
}

// EditCorrection changes the correction in progress, under its lock, refusing a stale version
// (someone else saved first) with ErrConflict. Whoever saves joins its drafters, who may not
// approve it. fields names what changed, for the audit trail.
func (s *Store) EditCorrection(ctx context.Context, act Act, slug string, version int, fields string, fn func(e *CorrectionEdit) error) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, _, err := tx.lockedDecision(ctx, slug); err != nil {
			return err
		}
		c, err := tx.openCorrection(ctx, slug, " FOR UPDATE OF c")
		if err != nil {
			return err
		}
		if c.Sent() {
			return ErrCorrectionSent
		}
		if c.Version != version {
			return fmt.Errorf("correction of %s: version %d is not the saved %d: %w", slug, version, c.Version, ErrConflict)
		}
		e := CorrectionEdit{Draft: &c.Draft, Reason: c.Reason}
		if err := fn(&e); err != nil {
			return err
		}
		content, err := json.Marshal(c.Draft)
		if err != nil {
			return fmt.Errorf("correction of %s: %w", slug, err)
		}
		_, err = tx.db.Exec(ctx, `UPDATE corrections SET content = $2, reason = $3, version = version + 1, updated_at = $4 WHERE id = $1`,
			c.ID, content, decision.CleanText(e.Reason), act.At)
		if err == nil {
			_, err = tx.db.Exec(ctx, `INSERT INTO correction_drafters (correction_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, act.UserID)
		}
		if err != nil {
			return fmt.Errorf("correction of %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, c.DecisionID, EventCorrectionEdited, map[string]string{"reference": c.Reference, "fields": fields})
	})
}

// ApproveCorrection signs the correction in progress as the decision's next version: the
// approver read the content hashing to seenHash. In one transaction it records the version
// being corrected (the first time), the new version with its canonical bytes and hash, then
// writes the corrected words and money into the live rows (the database allows that only in
// the transaction that records their version) and checks they hash to what was signed. It
// returns the new version's number.
func (s *Store) ApproveCorrection(ctx context.Context, act Act, slug, seenHash string) (int, error) {
	var number int
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		id, ref, err := tx.lockedDecision(ctx, slug)
		if err != nil {
			return err
		}
		c, err := tx.openCorrection(ctx, slug, " FOR UPDATE OF c")
		if err != nil {
			return err
		}
		if err := decision.CanCorrect(c.Status); err != nil {
			return err
		}
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		notTypo := c.NotTypographical()
		if err := decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, notTypo); err != nil {
			return err
		}
		if !c.Sent() {
			return ErrCorrectionNotSent
		}
		next := c.NewContent()
		nextBytes := decision.Canonical(next)
		hash := decision.ContentHash(next)
		if hash != strings.TrimSpace(seenHash) {
			return ErrStale
		}
		if hash == c.CurrentHash {
			return refusal("This correction changes nothing yet: change the decision's text or money before approving it.")
		}
		last, err := tx.lastVersion(ctx, id)
		if err != nil {
			return err
		}
		if last == 0 {
			if err := tx.recordFirstVersion(ctx, id, ref, c.Current); err != nil {
				return err
			}
			last = 1
		}
		number = last + 1
		role := "Admin"
		if u.Has(decision.RoleDecisionMaker) && slices.Contains(u.Series, c.Series) {
			role = "Decision maker"
		}
		_, err = tx.db.Exec(ctx, `
INSERT INTO decision_versions (decision_id, number, canonical, content_hash, canonical_version, correction_id, reason,
	typographical, signed_by, signer_name, signer_role, signed_at, created_txid)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0)`,
			id, number, nextBytes, hash, decision.CanonicalVersion, c.ID, c.Reason, notTypo == "", u.ID, u.Name, role, act.At)
		if err != nil {
			return signoffError("record version "+strconv.Itoa(number)+" of "+ref, err)
		}
		if err := tx.writeCorrected(ctx, id, c.Draft, act.At); err != nil {
			return fmt.Errorf("correct %s: %w", ref, err)
		}
		now, err := tx.Content(ctx, id)
		if err != nil {
			return err
		}
		if got := decision.ContentHash(now); got != hash {
			return fmt.Errorf("correct %s: the live content hashes to %s, not the approved %s", ref, got, hash)
		}
		if _, err := tx.db.Exec(ctx, `UPDATE corrections SET status = 'approved', updated_at = $2 WHERE id = $1`, c.ID, act.At); err != nil {
			return fmt.Errorf("correct %s: %w", ref, mapError(err))
		}
		// The new version gets its own signed decision document, made after this commits.
		if err := tx.enqueueSignedPDFVersion(ctx, id, number, act.At); err != nil {
			return err
		}
		detail := map[string]string{"reference": ref, "version": strconv.Itoa(number), "content_sha256": hash,
			"reason": c.Reason, "typographical": strconv.FormatBool(notTypo == "")}
		return tx.Audit(ctx, act, id, EventCorrected, detail)
	})
	return number, err
}

// SendCorrection sends the correction in progress for approval, as its drafter saw it at
// version: from then on only an approver acts on it (approves or returns it), and its words
// cannot change. A correction that changes nothing is refused; one saved since is ErrStale.
func (s *Store) SendCorrection(ctx context.Context, act Act, slug string, version int) error {
	return s.InTx(ctx, func(tx *Store) error {
		if _, _, err := tx.lockedDecision(ctx, slug); err != nil {
			return err
		}
		c, err := tx.openCorrection(ctx, slug, " FOR UPDATE OF c")
		if err != nil {
			return err
		}
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		if !u.Has(decision.RoleDrafter) {
			return refusal("Only a drafter can send a correction for approval.")
		}
		switch {
		case c.Sent():
			return ErrCorrectionSent
		case c.Version != version:
			return ErrStale
		case decision.ContentHash(c.NewContent()) == c.CurrentHash:
			return refusal("This correction changes nothing yet: change the decision's text or money before sending it for approval.")
		}
		_, err = tx.db.Exec(ctx, `
UPDATE corrections SET sent_at = $2, sent_by = $3, returned_at = NULL, returned_by = NULL, return_comment = NULL,
	version = version + 1, updated_at = $2
WHERE id = $1`, c.ID, act.At, u.ID)
		if err == nil {
			// Whoever sends it answers for it as a drafter: they may not approve it.
			_, err = tx.db.Exec(ctx, `INSERT INTO correction_drafters (correction_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.ID, u.ID)
		}
		if err != nil {
			return fmt.Errorf("send the correction of %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, c.DecisionID, EventCorrectionSent, map[string]string{"reference": c.Reference, "reason": c.Reason,
			"content_sha256": decision.ContentHash(c.NewContent())})
	})
}

// ReturnCorrection returns a correction sent for approval to its drafters with a comment:
// whoever may approve it may return it instead. The approver read the content hashing to
// seenHash.
func (s *Store) ReturnCorrection(ctx context.Context, act Act, slug, comment, seenHash string) error {
	comment = decision.CleanText(comment)
	return s.InTx(ctx, func(tx *Store) error {
		if _, _, err := tx.lockedDecision(ctx, slug); err != nil {
			return err
		}
		c, err := tx.openCorrection(ctx, slug, " FOR UPDATE OF c")
		if err != nil {
			return err
		}
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		if err := decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, c.NotTypographical()); err != nil {
			return err
		}
		switch {
		case !c.Sent():
			return ErrCorrectionNotSent
		case decision.ContentHash(c.NewContent()) != strings.TrimSpace(seenHash):
			return ErrStale
		case comment == "":
			return refusal("Enter why you are returning the correction.")
		}
		_, err = tx.db.Exec(ctx, `
UPDATE corrections SET sent_at = NULL, sent_by = NULL, returned_at = $2, returned_by = $3, return_comment = $4,
	version = version + 1, updated_at = $2
WHERE id = $1`, c.ID, act.At, u.ID, comment)
		if err != nil {
			return fmt.Errorf("return the correction of %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, c.DecisionID, EventCorrectionReturned, map[string]string{"reference": c.Reference, "comment": comment})
	})
}

// recordFirstVersion records a signed decision's content as signed, as version 1, in the
// serialisation its signature used, before its first later version (a correction or a release
// of Part II). The database refuses it unless it hashes to the signature's hash.
func (s *Store) recordFirstVersion(ctx context.Context, id int64, ref string, current decision.Content) error {
	var signedAs int
	if err := s.db.QueryRow(ctx, `SELECT canonical_version FROM signatures WHERE decision_id = $1`, id).Scan(&signedAs); err != nil {
		return fmt.Errorf("signature of %s: %w", ref, mapError(err))
	}
	firstBytes, ok := decision.CanonicalAs(signedAs, current)
	if !ok {
		return fmt.Errorf("%s was signed under canonical version %d, which this program cannot write", ref, signedAs)
	}
	firstHash, _ := decision.ContentHashAs(signedAs, current)
	_, err := s.db.Exec(ctx, `
INSERT INTO decision_versions (decision_id, number, canonical, content_hash, canonical_version, signed_by, signer_name, signer_role, signed_at, created_txid)
SELECT g.decision_id, 1, $2, $3, $4, g.user_id, coalesce(g.signer_name, d.decision_maker_name), d.decision_maker_role, g.signed_at, 0
FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE g.decision_id = $1`,
		id, firstBytes, firstHash, signedAs)
	if err != nil {
		return fmt.Errorf("record version 1 of %s: %w", ref, mapError(err))
	}
	return nil
}

func (s *Store) lastVersion(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT coalesce(max(number), 0) FROM decision_versions WHERE decision_id = $1`, id).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("versions of decision %d: %w", id, err)
	}
	return n, nil
}

// writeCorrected rewrites the live rows in place, row by row in their order: a correction
// changes words and money, never how many recommendations, sections or lines there are, so
// the register's own notes on each row stay with it.
func (s *Store) writeCorrected(ctx context.Context, id int64, k decision.Corrected, at time.Time) error {
	_, err := s.db.Exec(ctx, `UPDATE decisions SET title = $2, summary = $3, updated_at = $4, version = version + 1 WHERE id = $1`,
		id, nullIfEmpty(k.Title), nullIfEmpty(k.Summary), at)
	if err != nil {
		return mapError(err)
	}
	positions := func(sql string) ([]int, error) {
		rows, err := s.db.Query(ctx, sql, id)
		if err != nil {
			return nil, err
		}
		return pgx.CollectRows(rows, pgx.RowTo[int])
	}
	recs, err := positions(`SELECT position FROM recommendations WHERE decision_id = $1 ORDER BY position`)
	if err != nil || len(recs) != len(k.Recommendations) {
		return fmt.Errorf("recommendations do not line up: %w", err)
	}
	for i, p := range recs {
		if _, err := s.db.Exec(ctx, `UPDATE recommendations SET body = $3 WHERE decision_id = $1 AND position = $2`, id, p, k.Recommendations[i]); err != nil {
			return mapError(err)
		}
	}
	secs, err := positions(`SELECT position FROM sections WHERE decision_id = $1 AND part = 1 ORDER BY position`)
	if err != nil || len(secs) != len(k.Sections) {
		return fmt.Errorf("sections do not line up: %w", err)
	}
	for i, p := range secs {
		_, err := s.db.Exec(ctx, `UPDATE sections SET heading = $3, body = $4 WHERE decision_id = $1 AND part = 1 AND position = $2 AND kind = $5`,
			id, p, k.Sections[i].Heading, k.Sections[i].Body, k.Sections[i].Kind)
		if err != nil {
			return mapError(err)
		}
	}
	lines, err := positions(`SELECT position FROM funding_lines WHERE decision_id = $1 ORDER BY position`)
	if err != nil || len(lines) != len(k.Funding) {
		return fmt.Errorf("funding lines do not line up: %w", err)
	}
	for i, p := range lines {
		f := k.Funding[i]
		funder, err := s.maybeOrganisation(ctx, f.Funder)
		if err != nil {
			return err
		}
		recipient, err := s.maybeOrganisation(ctx, f.Recipient)
		if err != nil {
			return err
		}
		_, err = s.db.Exec(ctx, `
UPDATE funding_lines SET amount_pence = $3, currency = $4, fy_start = $5, fy_end = $6, basis = $7, kind = $8, label = $9,
	period_text = $10, funder_id = $11, recipient_id = $12
WHERE decision_id = $1 AND position = $2`,
			id, p, f.AmountPence, f.Currency, f.FYStart, f.FYEnd, f.Basis, f.Kind, f.Label, f.PeriodText, funder, recipient)
		if err != nil {
			return mapError(err)
		}
	}
	return nil
}

func (s *Store) maybeOrganisation(ctx context.Context, name *string) (*int64, error) {
	if name == nil || decision.CleanText(*name) == "" {
		return nil, nil
	}
	id, _, err := s.organisation(ctx, decision.CleanText(*name))
	return &id, err
}

// Version is one signed version of a decision.
type Version struct {
	Number           int       `db:"number"`
	ContentHash      string    `db:"content_hash"`
	CanonicalVersion int       `db:"canonical_version"`
	Reason           *string   `db:"reason"`
	Typographical    bool      `db:"typographical"`
	SignerName       *string   `db:"signer_name"`
	SignerRole       *string   `db:"signer_role"`
	SignedAt         time.Time `db:"signed_at"`
	Canonical        []byte    `db:"canonical"`
	Matches          bool      `db:"matches"` // its bytes hash to its hash
	Imported         bool      `db:"imported"`
	ReleasesPartTwo  bool      `db:"releases_part_two"` // a release of Part II, not a correction
}

const versionsSQL = `
SELECT v.number, v.content_hash, v.canonical_version, v.reason, v.typographical, v.signer_name, v.signer_role,
	v.signed_at, v.canonical, v.releases_part_two, encode(sha256(v.canonical), 'hex') = v.content_hash AS matches,
	(v.number = 1 AND EXISTS (SELECT 1 FROM signatures g WHERE g.decision_id = v.decision_id AND g.kind = 'imported')) AS imported
FROM decision_versions v JOIN decisions d ON d.id = v.decision_id
WHERE d.slug = @slug AND ` + visibleD + ` ORDER BY v.number`

// Versions lists the signed versions of a decision the reader may see, oldest first; none
// until its first correction. The public sees every signed version: each was published.
func (s *Store) Versions(ctx context.Context, acc Access, slug string) ([]Version, error) {
	rows, err := s.db.Query(ctx, versionsSQL, acc.args(pgx.NamedArgs{"slug": slug}))
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", slug, err)
	}
	vs, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Version])
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", slug, err)
	}
	return vs, nil
}

// Withdraw withdraws a signed decision, from a date, with a reason. Its page stays, marked
// withdrawn; it leaves the default list and the totals.
func (s *Store) Withdraw(ctx context.Context, act Act, slug, reason string, from time.Time) error {
	reason = decision.CleanText(reason)
	return s.InTx(ctx, func(tx *Store) error {
		var id int64
		var status, series, ref string
		err := tx.db.QueryRow(ctx, `SELECT id, status, series, reference FROM decisions WHERE slug = $1 FOR UPDATE`, slug).
			Scan(&id, &status, &series, &ref)
		if err != nil {
			return fmt.Errorf("withdraw %s: %w", slug, mapError(err))
		}
		u, err := tx.actor(ctx, act)
		if err != nil {
			return err
		}
		if err := decision.CanWithdraw(u.Actor(), series, status); err != nil {
			return err
		}
		_, err = tx.db.Exec(ctx, `
UPDATE decisions SET status = 'withdrawn', withdrawn_at = $2, withdrawal_reason = $3, withdrawn_by = $4, updated_at = $5
WHERE id = $1`, id, from, reason, u.ID, act.At)
		if err == nil {
			// A withdrawn decision is no longer corrected: a correction in progress ends.
			_, err = tx.db.Exec(ctx, `UPDATE corrections SET status = 'abandoned', updated_at = $2 WHERE decision_id = $1 AND status = 'draft'`, id, act.At)
		}
		if err != nil {
			return fmt.Errorf("withdraw %s: %w", slug, mapError(err))
		}
		return tx.Audit(ctx, act, id, EventWithdrawn, map[string]string{"reference": ref, "reason": reason,
			"date": from.Format(time.DateOnly)})
	})
}

// VersionReport is what checking every recorded version found.
type VersionReport struct {
	Versions     int    // versions checked
	BadReference string // the first decision with a version that does not hold, or ""
	BadNumber    int
	Problem      string
}

type versionCheck struct {
	DecisionID    int64   `db:"decision_id"`
	Reference     string  `db:"reference"`
	Number        int     `db:"number"`
	Canonical     []byte  `db:"canonical"`
	ContentHash   string  `db:"content_hash"`
	SignatureHash string  `db:"signature_hash"`
	AuditedHash   *string `db:"audited_hash"`
}

// VerifyVersions checks every recorded version of every corrected decision: its bytes hash to
// its hash, the first is the signed content, and each later one is the hash the audit trail
// recorded when the correction was approved. Together with VerifySignatures (the live content
// is the latest version) and the audit chain, every earlier version stays checkable.
func (s *Store) VerifyVersions(ctx context.Context) (VersionReport, error) {
	var rep VersionReport
	err := s.inSnapshot(ctx, func(st *Store) error {
		rep = VersionReport{}
		rows, err := st.db.Query(ctx, `
SELECT v.decision_id, d.reference, v.number, v.canonical, v.content_hash, g.content_hash AS signature_hash,
	(SELECT a.detail::jsonb ->> 'content_sha256' FROM audit_log a
	 WHERE a.decision_id = v.decision_id AND a.event IN ('corrected', 'part_two_released')
		AND a.detail::jsonb ->> 'version' = v.number::text
	 ORDER BY a.id LIMIT 1) AS audited_hash
FROM decision_versions v JOIN decisions d ON d.id = v.decision_id JOIN signatures g ON g.decision_id = v.decision_id
ORDER BY v.decision_id, v.number`)
		if err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		vs, err := pgx.CollectRows(rows, pgx.RowToStructByName[versionCheck])
		if err != nil {
			return fmt.Errorf("read versions: %w", err)
		}
		for _, v := range vs {
			rep.Versions++
			sum := sha256.Sum256(v.Canonical)
			problem := ""
			switch {
			case hex.EncodeToString(sum[:]) != v.ContentHash:
				problem = "its canonical bytes do not hash to its recorded hash (the version was changed)"
			case v.Number == 1 && v.ContentHash != v.SignatureHash:
				problem = "it is not the content that was signed"
			case v.Number > 1 && (v.AuditedHash == nil || *v.AuditedHash != v.ContentHash):
				problem = "its hash is not the one the audit trail recorded when the correction was approved or Part II released"
			}
			if problem != "" && rep.Problem == "" {
				rep.BadReference, rep.BadNumber, rep.Problem = v.Reference, v.Number, problem
			}
		}
		return nil
	})
	if err != nil {
		return VersionReport{}, fmt.Errorf("verify versions: %w", err)
	}
	return rep, nil
}

// ChangeNote is a decision's latest correction and its withdrawal, for feeds and the API.
type ChangeNote struct {
	DecisionID       int64      `db:"id"`
	WithdrawnAt      *time.Time `db:"withdrawn_at"`
	WithdrawalReason *string    `db:"withdrawal_reason"`
	CorrectedAt      *time.Time `db:"corrected_at"`
	CorrectionReason *string    `db:"correction_reason"`
}

// ChangeNotes reads the change notes of decisions the caller has already found through an
// access-filtered read (a search's results).
func (s *Store) ChangeNotes(ctx context.Context, ids []int64) (map[int64]ChangeNote, error) {
	rows, err := s.db.Query(ctx, `
SELECT d.id, d.withdrawn_at, d.withdrawal_reason, v.signed_at AS corrected_at, v.reason AS correction_reason
FROM decisions d LEFT JOIN LATERAL (
	SELECT signed_at, reason FROM decision_versions WHERE decision_id = d.id AND number > 1 ORDER BY number DESC LIMIT 1
) v ON true
WHERE d.id = ANY($1) AND (d.withdrawn_at IS NOT NULL OR v.signed_at IS NOT NULL)`, ids)
	if err != nil {
		return nil, fmt.Errorf("change notes: %w", err)
	}
	notes, err := pgx.CollectRows(rows, pgx.RowToStructByName[ChangeNote])
	if err != nil {
		return nil, fmt.Errorf("change notes: %w", err)
	}
	out := make(map[int64]ChangeNote, len(notes))
	for _, n := range notes {
		out[n.DecisionID] = n
	}
	return out, nil
}
