package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

// SignoffAction is one adviser's approval or return.
type SignoffAction struct {
	StepKind    string     `db:"step_kind"`
	StepName    string     `db:"step_name"`
	Statement   string     `db:"statement"`
	Action      string     `db:"action"` // "approved" or "returned"
	UserName    string     `db:"user_name"`
	Comment     *string    `db:"comment"`
	ContentHash string     `db:"content_hash"`
	ActedAt     time.Time  `db:"acted_at"`
	ClearedAt   *time.Time `db:"cleared_at"`
	// What the adviser declared ("none", "declared"; nil when the register did not ask).
	Interests      *string `db:"interests"`
	InterestNature *string `db:"interest_nature"`
	DispensationBy *string `db:"dispensation_by"`
	// Whom they acted for under cover, and that cover, as it was then.
	OnBehalfName *string    `db:"on_behalf_name"`
	CoverStarts  *time.Time `db:"cover_starts_on"`
	CoverEnds    *time.Time `db:"cover_ends_on"`
	CoverSetBy   *string    `db:"cover_set_by"`
}

// ForWhom says for whom an approval was given under cover, as the chain shows it: "for Ann
// Jones (cover 1–14 August 2026, set by Cal Green)"; "" when the approver acted for themself.
func (a SignoffAction) ForWhom() string {
	if a.OnBehalfName == nil || a.CoverStarts == nil || a.CoverEnds == nil || a.CoverSetBy == nil {
		return ""
	}
	return decision.ForWhom(*a.OnBehalfName, *a.CoverStarts, *a.CoverEnds, *a.CoverSetBy)
}

// Declared says what the adviser declared, in words: "No interests declared", the interest and
// the dispensation, or "" when the register did not ask (approvals before it did).
func (a SignoffAction) Declared() string {
	return decision.DeclaredText(a.Interests, a.InterestNature, a.DispensationBy)
}

// ChainStep is one step of a series' chain, with its live approval if it has one.
type ChainStep struct {
	StepKind
	Approval *SignoffAction
}

// Signature is a decision maker's signature, or the record of a decision signed before the
// register existed (Kind "imported").
type Signature struct {
	Kind             string    `db:"kind"`
	Outcome          string    `db:"outcome"`
	SignerName       *string   `db:"signer_name"`
	SignerRole       *string   `db:"signer_role"`
	Interests        *string   `db:"interests"`
	InterestsDetail  *string   `db:"interests_detail"`
	SignedAt         time.Time `db:"signed_at"`
	ContentHash      string    `db:"content_hash"`
	CanonicalVersion int       `db:"canonical_version"`
	// Whom the decision maker signed for under cover, and that cover, as it was then.
	OnBehalfName *string    `db:"on_behalf_name"`
	CoverStarts  *time.Time `db:"cover_starts_on"`
	CoverEnds    *time.Time `db:"cover_ends_on"`
	CoverSetBy   *string    `db:"cover_set_by"`
}

// ForWhom says for whom the decision maker signed under cover: "for Ann Jones (cover 1–14
// August 2026, set by Cal Green)"; "" when they signed on their own account.
func (g Signature) ForWhom() string {
	if g.OnBehalfName == nil || g.CoverStarts == nil || g.CoverEnds == nil || g.CoverSetBy == nil {
		return ""
	}
	return decision.ForWhom(*g.OnBehalfName, *g.CoverStarts, *g.CoverEnds, *g.CoverSetBy)
}

// SignoffRecord is a decision's sign-off as a reader may see it.
type SignoffRecord struct {
	DecisionID int64
	Reference  string
	Status     string
	PublishAt  *time.Time
	Deferral   *string
	// RejectionReason is why its decision maker rejected it, when they did.
	RejectionReason *string
	// Approvals are the live approvals, in the order given: what the signature rests on.
	Approvals []SignoffAction
	// Steps are the series' chain now, in order, each with its live approval.
	Steps []ChainStep
	// Actions are every approval and return, cleared ones too, oldest first: for staff only.
	Actions   []SignoffAction
	Signature *Signature
	// WaitingSince is when the step (or signature) it waits for became due: its latest
	// submission or live approval. Set only while it awaits sign-off.
	WaitingSince *time.Time
}

// waitingSinceSQL is when decision d's current step became due: the later of its latest
// submission and its latest live approval (a decision made awaiting sign-off some other way
// counts from its last change).
const waitingSinceSQL = `CASE WHEN d.status = 'awaiting_signoff' THEN COALESCE(GREATEST(
	(SELECT max(l.at) FROM audit_log l WHERE l.decision_id = d.id AND l.event = 'submitted'),
	(SELECT max(a.acted_at) FROM signoff_actions a WHERE a.decision_id = d.id AND a.action = 'approved'
		AND a.cleared_at IS NULL)), d.updated_at) END`

// rejectionReasonSQL is the decision maker's reason for rejecting decision d. Only staff see
// a rejected decision at all.
const rejectionReasonSQL = `(SELECT l.detail::jsonb ->> 'reason' FROM audit_log l
	WHERE l.decision_id = d.id AND l.event = 'rejected' AND d.status = 'rejected' ORDER BY l.id DESC LIMIT 1)`

const signoffHeadSQL = `
SELECT d.id, d.reference, d.status, d.publish_at, d.deferral_reason, ` + rejectionReasonSQL + `, ` + waitingSinceSQL + ` FROM decisions d
WHERE d.slug = @slug AND ` + visibleD

const signoffActionsSQL = `
SELECT a.step_kind, a.step_name, a.statement, a.action, a.approver_name AS user_name, a.comment, a.content_hash,
	a.acted_at, a.cleared_at, a.interests, a.interest_nature, a.dispensation_by, a.on_behalf_name, a.cover_starts_on,
	a.cover_ends_on, a.cover_set_by
FROM signoff_actions a
WHERE a.decision_id = @id AND (@all OR (a.action = 'approved' AND a.cleared_at IS NULL))
ORDER BY a.acted_at, a.id`

const signatureSQL = `
SELECT g.kind, g.outcome, g.signer_name, d.decision_maker_role AS signer_role, g.interests, g.interests_detail,
	g.signed_at, g.content_hash, g.canonical_version, g.on_behalf_name, g.cover_starts_on, g.cover_ends_on, g.cover_set_by
FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE g.decision_id = @id`

// SignoffChain reads a decision's sign-off for the reader: ErrNotFound unless acc may see the
// decision, and the returns and cleared approvals only for staff.
func (s *Store) SignoffChain(ctx context.Context, acc Access, slug string) (SignoffRecord, error) {
	var rec SignoffRecord
	err := s.db.QueryRow(ctx, signoffHeadSQL, acc.args(pgx.NamedArgs{"slug": slug})).
		Scan(&rec.DecisionID, &rec.Reference, &rec.Status, &rec.PublishAt, &rec.Deferral, &rec.RejectionReason, &rec.WaitingSince)
	if err != nil {
		return SignoffRecord{}, fmt.Errorf("sign-off of %q: %w", slug, mapError(err))
	}
	args := pgx.NamedArgs{"id": rec.DecisionID, "all": acc.IsStaff()}
	var chain []StepKind
	var sigs []Signature
	b := &pgx.Batch{}
	queueRows(b, signoffActionsSQL, args, pgx.RowToStructByName[SignoffAction], &rec.Actions)
	queueRows(b, signatureSQL, args, pgx.RowToStructByName[Signature], &sigs)
	queueRows(b, `
SELECT k.code, k.name, k.statement FROM decision_chains c JOIN step_kinds k ON k.code = c.step_kind
WHERE c.decision_id = @id ORDER BY c.position`, args,
		pgx.RowToStructByName[StepKind], &chain)
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return SignoffRecord{}, fmt.Errorf("sign-off of %q: %w", slug, mapError(err))
	}
	if len(sigs) == 1 {
		rec.Signature = &sigs[0]
	}
	for _, a := range rec.Actions {
		if a.Action == "approved" && a.ClearedAt == nil {
			rec.Approvals = append(rec.Approvals, a)
		}
	}
	if !acc.IsStaff() {
		rec.Actions = nil
	}
	for _, k := range chain {
		st := ChainStep{StepKind: k}
		for i := range rec.Approvals {
			if rec.Approvals[i].StepKind == k.Code {
				st.Approval = &rec.Approvals[i]
			}
		}
		rec.Steps = append(rec.Steps, st)
	}
	return rec, nil
}

// SignoffView is everything the sign-off page shows, read from one snapshot so the content
// hash is the hash of the text shown.
type SignoffView struct {
	Detail      DecisionDetail
	Record      SignoffRecord
	State       decision.Signoff
	ContentHash string // of the content without its approvals: what the forms carry (decision.ApprovedHash)
	PartTwo     bool   // the reader was shown Part II
}

// SignoffView reads a decision for its sign-off page. Part II is in it only for its readers.
func (s *Store) SignoffView(ctx context.Context, acc Access, slug string) (SignoffView, error) {
	var v SignoffView
	err := s.InTxLevel(ctx, pgx.RepeatableRead, func(tx *Store) error {
		var err error
		if v.Detail, err = tx.DecisionBySlug(ctx, acc, slug); err != nil {
			return err
		}
		if v.Record, err = tx.SignoffChain(ctx, acc, slug); err != nil {
			return err
		}
		if v.State, err = tx.SignoffState(ctx, slug); err != nil {
			return err
		}
		c, err := tx.Content(ctx, v.Detail.ID)
		if err != nil {
			return err
		}
		v.ContentHash = decision.ApprovedHash(c)
		return nil
	})
	for _, sec := range v.Detail.Sections {
		v.PartTwo = v.PartTwo || sec.Part == 2
	}
	return v, err
}

// Canonical is the canonical bytes of a decision the reader may see: exactly what its hash is
// taken over, under the canonical version its signature used (the current one when it is not
// signed). Part II enters them only as its own hash, so they are safe for anyone who may see
// the decision.
func (s *Store) Canonical(ctx context.Context, acc Access, slug string) ([]byte, error) {
	var id int64
	var version *int
	err := s.db.QueryRow(ctx, `
SELECT d.id, g.canonical_version FROM decisions d LEFT JOIN signatures g ON g.decision_id = d.id
WHERE d.slug = @slug AND `+visibleD,
		acc.args(pgx.NamedArgs{"slug": slug})).Scan(&id, &version)
	if err != nil {
		return nil, fmt.Errorf("decision %q: %w", slug, mapError(err))
	}
	c, err := s.Content(ctx, id)
	if err != nil {
		return nil, err
	}
	if version != nil {
		if b, ok := decision.CanonicalAs(*version, c); ok {
			return b, nil
		}
	}
	return decision.Canonical(c), nil
}

// Verification is what recomputing a decision's hash found.
type Verification struct {
	Reference   string
	Status      string
	CurrentHash string     // the hash of the content the register holds now
	Signature   *Signature // nil when the decision is not signed
	Approvals   []SignoffAction
	// Checkable is false when the signature was made under a version of the canonical form
	// this register does not compute. CurrentHash is taken under the signature's version.
	Checkable bool
	Matches   bool
	// Versions are its signed versions, once it has been corrected: then the content now is
	// compared with the latest.
	Versions []Version
	// PartTwoHash is the SHA-256 Part II enters the canonical content as ("" with no Part II):
	// public in the canonical bytes, and what another register needs to import the decision.
	PartTwoHash string
}

// Verify recomputes the hash of a decision the reader may see, from one snapshot, and
// compares it with the hash its signature recorded.
func (s *Store) Verify(ctx context.Context, acc Access, slug string) (Verification, error) {
	var v Verification
	err := s.InTxLevel(ctx, pgx.RepeatableRead, func(tx *Store) error {
		rec, err := tx.SignoffChain(ctx, acc, slug)
		if err != nil {
			return err
		}
		c, err := tx.Content(ctx, rec.DecisionID)
		if err != nil {
			return err
		}
		v = Verification{Reference: rec.Reference, Status: rec.Status, CurrentHash: decision.ContentHash(c),
			Signature: rec.Signature, Approvals: rec.Approvals, PartTwoHash: c.WithPartTwoHashed().PartTwoHash}
		if v.Signature != nil {
			if h, ok := decision.ContentHashAs(v.Signature.CanonicalVersion, c); ok {
				v.CurrentHash, v.Checkable = h, true
			}
			v.Matches = v.Checkable && v.Signature.ContentHash == v.CurrentHash
		}
		if v.Versions, err = tx.Versions(ctx, acc, slug); err != nil {
			return err
		}
		if n := len(v.Versions); n > 1 {
			// The live content is the latest version, hashed as that version was.
			latest := v.Versions[n-1]
			h, ok := decision.ContentHashAs(latest.CanonicalVersion, c)
			v.CurrentHash, v.Checkable = h, ok
			v.Matches = ok && latest.ContentHash == h
		}
		return nil
	})
	return v, err
}

// WorkItem is a decision on someone's "Your work" page.
type WorkItem struct {
	ID        int64            `db:"id"`
	Slug      string           `db:"slug"`
	Reference string           `db:"reference"`
	Title     *string          `db:"title"`
	Status    string           `db:"status"`
	UpdatedAt time.Time        `db:"updated_at"`
	Drafted   bool             `db:"drafted"` // the person is one of its drafters
	Signoff   decision.Signoff `db:"-"`
	// The latest return of a draft, if it was returned.
	ReturnedStep    *string    `db:"returned_step"`
	ReturnedBy      *string    `db:"returned_by"`
	ReturnedAt      *time.Time `db:"returned_at"`
	ReturnedComment *string    `db:"returned_comment"`
	// WaitingSince is when the step it waits for became due, while it awaits sign-off.
	WaitingSince *time.Time `db:"waiting_since"`
	// PublishAt is when a signed decision is published.
	PublishAt *time.Time `db:"publish_at"`
	// Why the decision maker rejected it, for its drafters.
	RejectedBy     *string    `db:"rejected_by"`
	RejectedAt     *time.Time `db:"rejected_at"`
	RejectedReason *string    `db:"rejected_reason"`
}

type workRow struct {
	WorkItem
	Series        string   `db:"series"`
	Drafters      []int64  `db:"drafters"`
	Chain         []string `db:"chain"`
	ApprovedSteps []string `db:"approved_steps"`
	ApprovedBy    []int64  `db:"approved_by"`
}

const workSQL = `
SELECT d.id, d.slug, d.reference, d.title, d.status, d.updated_at, d.series, d.publish_at,
	` + waitingSinceSQL + ` AS waiting_since,
	EXISTS (SELECT 1 FROM decision_drafters dd WHERE dd.decision_id = d.id AND dd.user_id = @user) AS drafted,
	ARRAY(SELECT dd.user_id FROM decision_drafters dd WHERE dd.decision_id = d.id ORDER BY dd.user_id) AS drafters,
	ARRAY(SELECT c.step_kind FROM decision_chains c WHERE c.decision_id = d.id ORDER BY c.position) AS chain,
	ARRAY(SELECT a.step_kind FROM signoff_actions a WHERE a.decision_id = d.id AND a.action = 'approved'
		AND a.cleared_at IS NULL ORDER BY a.id) AS approved_steps,
	ARRAY(SELECT a.user_id FROM signoff_actions a WHERE a.decision_id = d.id AND a.action = 'approved'
		AND a.cleared_at IS NULL ORDER BY a.id) AS approved_by,
	r.step_name AS returned_step, r.user_name AS returned_by, r.acted_at AS returned_at, r.comment AS returned_comment,
	x.actor AS rejected_by, x.at AS rejected_at, x.detail::jsonb ->> 'reason' AS rejected_reason
FROM decisions d
LEFT JOIN LATERAL (
	SELECT l.actor, l.at, l.detail FROM audit_log l WHERE l.decision_id = d.id AND l.event = 'rejected'
	ORDER BY l.id DESC LIMIT 1) x ON d.status = 'rejected'
LEFT JOIN LATERAL (
	SELECT a.step_name, a.approver_name AS user_name, a.acted_at, a.comment
	FROM signoff_actions a
	WHERE a.decision_id = d.id AND a.action = 'returned'
	ORDER BY a.acted_at DESC, a.id DESC LIMIT 1) r ON d.status = 'draft'
WHERE d.status = 'awaiting_signoff'
	OR (d.status IN ('draft', 'rejected', 'approved') AND EXISTS (SELECT 1 FROM decision_drafters dd WHERE dd.decision_id = d.id AND dd.user_id = @user))
ORDER BY d.updated_at DESC, d.id DESC`

// Work lists the decisions that may need the person: their drafts, with the comment of the
// latest return, their signed decisions not yet published, and every decision awaiting
// sign-off, with where it stands and since when, for the rules to say which wait for them.
func (s *Store) Work(ctx context.Context, userID int64) ([]WorkItem, error) {
	rows, err := s.db.Query(ctx, workSQL, pgx.NamedArgs{"user": userID})
	if err != nil {
		return nil, fmt.Errorf("work of user %d: %w", userID, err)
	}
	wrs, err := pgx.CollectRows(rows, pgx.RowToStructByName[workRow])
	if err != nil {
		return nil, fmt.Errorf("work of user %d: %w", userID, err)
	}
	items := make([]WorkItem, len(wrs))
	for i, w := range wrs {
		so := decision.Signoff{Series: w.Series, Status: w.Status, Drafters: w.Drafters, Chain: w.Chain}
		for j := range w.ApprovedSteps {
			so.Approvals = append(so.Approvals, decision.Approval{StepKind: w.ApprovedSteps[j], UserID: w.ApprovedBy[j]})
		}
		w.WorkItem.Signoff = so
		items[i] = w.WorkItem
	}
	return items, nil
}

// SignoffHolders lists the enabled staff who may clear steps or sign: advisers and decision
// makers, by name. The sign-off rules say which of them a decision waits for.
func (s *Store) SignoffHolders(ctx context.Context) ([]User, error) {
	rows, err := s.db.Query(ctx, userSQL+` WHERE u.disabled_at IS NULL AND EXISTS (
	SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role IN ('adviser', 'decision_maker'))
ORDER BY lower(u.name), u.id`)
	if err != nil {
		return nil, fmt.Errorf("sign-off holders: %w", err)
	}
	users, err := pgx.CollectRows(rows, pgx.RowToStructByName[User])
	if err != nil {
		return nil, fmt.Errorf("sign-off holders: %w", err)
	}
	return users, nil
}
