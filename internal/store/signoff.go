package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/workday"
)

// ErrStale means the person acted on other content than the decision now holds: someone
// changed it after they opened it. It is a conflict.
var ErrStale = fmt.Errorf("%w: the decision changed after it was read", ErrConflict)

// refusal is a sign-off the store refuses for a reason of its own (the rules in package
// decision give the others); its text is for the person refused.
type refusal string

func (r refusal) Error() string        { return string(r) }
func (r refusal) Is(target error) bool { return target == decision.ErrNotAllowed }

// releaseLockKey lets one server instance at a time release deferred decisions.
const releaseLockKey = 7_310_442_002

// Outcomes of a signature, and what the decision maker says of their interests.
const (
	OutcomeApproved   = "approved"
	OutcomeRejected   = "rejected"
	InterestsNone     = "none"
	InterestsDeclared = "declared"
)

// SignInput is the decision maker's signature.
type SignInput struct {
	Outcome         string // OutcomeApproved or OutcomeRejected
	Interests       string // InterestsNone or InterestsDeclared
	InterestsDetail string // what they declare, when they do
	// PublishAt is when the public may see an approved decision: the act's time for now, or
	// a later date, which then needs a DeferralReason.
	PublishAt      time.Time
	DeferralReason string
	// DeferralGround is the lawful ground a deferral rests on and its public-interest note
	// (withholding.go): recorded with the signature, and reviewed on the publication day.
	DeferralGround *WithholdingInput
	// RejectionReason is why the decision maker rejects it, for its drafting team.
	RejectionReason string
	SeenHash        string // the content hash of the text they read
	// Calendar counts the clear days of a key decision's notice (package forwardplan); nil
	// is the published calendar.
	Calendar *workday.Calendar
}

// lockedDecision locks a decision's row for the rest of the transaction, so sign-off acts on
// it one at a time, and returns its id and reference.
func (s *Store) lockedDecision(ctx context.Context, slug string) (int64, string, error) {
	var id int64
	var ref string
	err := s.db.QueryRow(ctx, `SELECT id, reference FROM decisions WHERE slug = $1 FOR UPDATE`, slug).Scan(&id, &ref)
	if err != nil {
		return 0, "", fmt.Errorf("decision %q: %w", slug, mapError(err))
	}
	return id, ref, nil
}

// actor loads who acts, as the rules see them, from their grants now (not those of their
// session's start). A disabled account acts on nothing.
func (s *Store) actor(ctx context.Context, act Act) (User, error) {
	if act.UserID == 0 {
		return User{}, refusal("Sign in to sign off decisions.")
	}
	u, err := s.UserByID(ctx, act.UserID)
	if err != nil {
		return User{}, err
	}
	if u.DisabledAt != nil {
		return User{}, refusal("Your account is disabled.")
	}
	return u, nil
}

// checkSeen recomputes the hash of the decision's content (without its approvals: an
// approval given since does not change what the person read) and refuses when it is not the
// one the person read: they would approve other text than the decision holds. It returns that
// hash, which an approval records, and the hash of the content with its approvals, which a
// signature records.
func (s *Store) checkSeen(ctx context.Context, id int64, seen string) (approved, signed string, err error) {
	c, err := s.Content(ctx, id)
	if err != nil {
		return "", "", err
	}
	if decision.ApprovedHash(c) != strings.TrimSpace(seen) {
		return "", "", ErrStale
	}
	return decision.ApprovedHash(c), decision.ContentHash(c), nil
}

// signoffError turns the database's separation-of-duties refusal into words for the person.
func signoffError(what string, err error) error {
	err = mapError(err)
	if c, ok := IsCheckViolation(err); ok && c == "separation_of_duties" {
		return refusal("You wrote part of this decision, so you cannot sign it off.")
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Approve records the adviser's approval of stepKind on the content they read (seenHash),
// with no declaration kept (as approvals were before advisers declared): the sign-off form
// always declares, through ApproveDeclaring.
func (s *Store) Approve(ctx context.Context, act Act, slug, stepKind, seenHash string) error {
	return s.adviserAct(ctx, act, slug, stepKind, "approved", "", seenHash, decision.Declaration{})
}

// ApproveDeclaring records the adviser's approval of stepKind on the content they read
// (seenHash) with what they declare. A declared interest that requires them to withdraw
// refuses it (decision.ErrWithdrawn): the step goes to their cover. The decision's row is
// locked first, so the rules see every earlier approval. When the adviser covers someone who
// would have cleared the step, it is recorded as given for them, under that cover.
func (s *Store) ApproveDeclaring(ctx context.Context, act Act, slug, stepKind, seenHash string, d decision.Declaration) error {
	return s.ApproveWithComment(ctx, act, slug, stepKind, "", seenHash, d)
}

// ApproveWithComment is ApproveDeclaring with the adviser's comment on their approval ("subject
// to the grant agreement"), kept with it and shown in the chain; "" for none.
func (s *Store) ApproveWithComment(ctx context.Context, act Act, slug, stepKind, comment, seenHash string, d decision.Declaration) error {
	if d.Withdrew() {
		return decision.ErrWithdrawn
	}
	if ps := d.Check(); len(ps) > 0 {
		return refusal(ps[0].Message + ".")
	}
	return s.adviserAct(ctx, act, slug, stepKind, "approved", strings.TrimSpace(comment), seenHash, d)
}

// Return sends the decision back to draft at stepKind, with the adviser's comment for the
// drafter. Approvals already given stay: an edit clears them, as it does any approval.
func (s *Store) Return(ctx context.Context, act Act, slug, stepKind, comment, seenHash string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return refusal("Say why you are returning the decision.")
	}
	return s.adviserAct(ctx, act, slug, stepKind, "returned", comment, seenHash, decision.Declaration{})
}

// approvalExtra is what an approval keeps beside its step and approver: the declaration, and
// the cover it was given under.
type approvalExtra struct {
	Interests, Nature, DispensationBy *string
	OnBehalfOf, CoverID               *int64
	OnBehalfName, CoverSetBy          *string
	CoverStarts, CoverEnds            *time.Time
}

func (s *Store) approvalExtra(ctx context.Context, act Act, so decision.Signoff, u User, stepKind string, d decision.Declaration) (approvalExtra, error) {
	var x approvalExtra
	opt := func(v string) *string {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		return &v
	}
	if d.Interests != "" {
		x.Interests = &d.Interests
		if d.Interests == decision.DeclareInterest {
			x.Nature, x.DispensationBy = opt(d.Nature), opt(d.DispensationBy)
		}
	}
	c, err := s.coverFor(ctx, act, u, func(people []decision.Actor) (decision.Actor, bool) { return so.ActingFor(stepKind, people) })
	if err != nil || c == nil {
		return x, err
	}
	x.OnBehalfOf, x.OnBehalfName, x.CoverID = &c.UserID, &c.UserName, &c.ID
	x.CoverStarts, x.CoverEnds, x.CoverSetBy = &c.Starts, &c.Ends, &c.SetByName
	return x, nil
}

// coverFor is the running cover u acts under now, for the person pick chooses among those u
// covers (decision.Signoff.ActingFor or SigningFor), or nil when u acts on their own account.
func (s *Store) coverFor(ctx context.Context, act Act, u User, pick func([]decision.Actor) (decision.Actor, bool)) (*Cover, error) {
	covers, people, err := s.RunningCovers(ctx, u.ID, act.At)
	if err != nil {
		return nil, err
	}
	if p, ok := pick(people); ok {
		for _, c := range covers {
			if c.UserID == p.ID {
				return &c, nil
			}
		}
	}
	return nil, nil
}

// coverDetail is how an audit entry records an act under cover c: for whom, and the cover.
func coverDetail(detail map[string]string, name string, starts, ends time.Time, setBy string) {
	detail["on_behalf_of"] = name
	detail["cover"] = "cover " + decision.CoverDays(starts, ends) + ", set by " + setBy
}

func (s *Store) adviserAct(ctx context.Context, act Act, slug, stepKind, action, comment, seenHash string, d decision.Declaration) error {
	event := EventApproved
	if action == "returned" {
		event = EventReturned
	}
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		id, ref, so, u, err := tx.startAct(ctx, act, slug)
		if err != nil {
			return err
		}
		if err := so.CanAct(u.Actor(), stepKind); err != nil {
			return err
		}
		hash, _, err := tx.checkSeen(ctx, id, seenHash)
		if err != nil {
			return err
		}
		var c *string
		if comment != "" {
			c = &comment
		}
		// A return under cover is recorded for whom it was made, as an approval is; only an
		// approval carries a declaration.
		x, err := tx.approvalExtra(ctx, act, so, u, stepKind, d)
		if err != nil {
			return err
		}
		// The approver's name and the step's name and statement are kept as they are now: the
		// record shows what was approved, whatever users and step_kinds say later.
		var stepName, statement string
		err = tx.db.QueryRow(ctx, `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, comment, content_hash, acted_at,
	approver_name, step_name, statement, interests, interest_nature, dispensation_by,
	on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, k.name, k.statement, $9, $10, $11, $12, $13, $14, $15, $16, $17
FROM step_kinds k WHERE k.code = $2
RETURNING step_name, statement`, id, stepKind, u.ID, action, c, hash, act.At, u.Name,
			x.Interests, x.Nature, x.DispensationBy, x.OnBehalfOf, x.OnBehalfName, x.CoverID, x.CoverStarts, x.CoverEnds,
			x.CoverSetBy).Scan(&stepName, &statement)
		if err != nil {
			return signoffError("record "+action, err)
		}
		detail := map[string]string{"reference": ref, "step": stepKind, "content_sha256": hash,
			"approver": u.Name, "step_name": stepName, "statement": statement}
		if x.Interests != nil {
			detail["interests"] = *x.Interests
			if x.Nature != nil {
				detail["interest_nature"] = *x.Nature
			}
			if x.DispensationBy != nil {
				detail["dispensation_by"] = *x.DispensationBy
			}
		}
		if x.OnBehalfName != nil {
			coverDetail(detail, *x.OnBehalfName, *x.CoverStarts, *x.CoverEnds, *x.CoverSetBy)
		}
		if comment != "" {
			detail["comment"] = comment
		}
		if action == "returned" {
			if _, err := tx.db.Exec(ctx, `UPDATE decisions SET status = 'draft', updated_at = $2 WHERE id = $1`, id, act.At); err != nil {
				return fmt.Errorf("return %s to draft: %w", ref, mapError(err))
			}
		}
		return tx.Audit(ctx, act, id, event, detail)
	})
}

// startAct begins a sign-off act inside its transaction: it locks the decision, then reads where
// it stands and the actor's grants as they are now.
func (s *Store) startAct(ctx context.Context, act Act, slug string) (int64, string, decision.Signoff, User, error) {
	id, ref, err := s.lockedDecision(ctx, slug)
	if err != nil {
		return 0, "", decision.Signoff{}, User{}, err
	}
	so, err := s.SignoffState(ctx, slug)
	if err != nil {
		return 0, "", decision.Signoff{}, User{}, err
	}
	u, err := s.actor(ctx, act)
	return id, ref, so, u, err
}

// Sign records the decision maker's signature (or rejection) of the content they read, and
// publishes the decision now or defers it. One signature per decision: however many try at
// once, the row lock makes the others find it signed, and the signatures primary key would
// refuse a second whatever the application did.
func (s *Store) Sign(ctx context.Context, act Act, slug string, in SignInput) error {
	if err := in.check(act.At); err != nil {
		return err
	}
	return s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		id, ref, so, u, err := tx.startAct(ctx, act, slug)
		if err != nil {
			return err
		}
		if err := so.CanSign(u.Actor()); err != nil {
			return err
		}
		_, hash, err := tx.checkSeen(ctx, id, in.SeenHash)
		if err != nil {
			return err
		}
		if in.Outcome == OutcomeApproved {
			if err := tx.checkKeyDecision(ctx, id, act.At, in.Calendar); err != nil {
				return err
			}
		}
		var detail *string
		if in.Interests == InterestsDeclared {
			d := strings.TrimSpace(in.InterestsDetail)
			detail = &d
		}
		approved, deferred := in.Outcome == OutcomeApproved, in.PublishAt.After(act.At)
		status, publishAt, reason := decision.StatusPublished, act.At, (*string)(nil)
		switch {
		case !approved:
			status = decision.StatusRejected
		case deferred:
			r := strings.TrimSpace(in.DeferralReason)
			status, publishAt, reason = decision.StatusApproved, in.PublishAt, &r
		}
		// Who signs, in what role, when and until when publication waits are written before
		// the signature: once it exists, the database lets none of them change.
		_, err = tx.db.Exec(ctx, signedFieldsSQL, id, u.Name, act.At, approved, publishAt, reason, status == decision.StatusPublished)
		if err != nil {
			return fmt.Errorf("sign %s: %w", ref, mapError(err))
		}
		if deferred && in.DeferralGround != nil {
			if err := tx.holdForRelease(ctx, id, ref); err != nil {
				return err
			}
		}
		// Signing (or rejecting) under cover is recorded for whom, as an approval is.
		cover, err := tx.coverFor(ctx, act, u, so.SigningFor)
		if err != nil {
			return err
		}
		var onBehalf, coverID *int64
		var onBehalfName, setBy *string
		var starts, ends *time.Time
		if cover != nil {
			onBehalf, onBehalfName, coverID, starts, ends, setBy = &cover.UserID, &cover.UserName, &cover.ID, &cover.Starts, &cover.Ends, &cover.SetByName
		}
		_, err = tx.db.Exec(ctx, `
INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, interests_detail, signed_at,
	content_hash, canonical_version, on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
VALUES ($1, 'signed', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			id, in.Outcome, u.ID, u.Name, in.Interests, detail, act.At, hash, decision.CanonicalVersion,
			onBehalf, onBehalfName, coverID, starts, ends, setBy)
		if err != nil {
			return signoffError("record signature", err)
		}
		if _, err := tx.db.Exec(ctx, `UPDATE decisions SET status = $2 WHERE id = $1`, id, status); err != nil {
			return fmt.Errorf("sign %s: %w", ref, mapError(err))
		}
		audit, err := tx.signingRecord(ctx, id)
		if err != nil {
			return err
		}
		audit["reference"], audit["content_sha256"] = ref, hash
		if !approved {
			audit["reason"] = strings.TrimSpace(in.RejectionReason)
			return tx.Audit(ctx, act, id, EventRejected, audit)
		}
		if err := tx.Audit(ctx, act, id, EventSigned, audit); err != nil {
			return err
		}
		// Its signed document is made after this commits, by whichever instance is free: a
		// missing or failing PDF generator must never lose or hold up a signature.
		if err := tx.enqueueSignedPDF(ctx, id, act.At); err != nil {
			return err
		}
		if deferred && in.DeferralGround != nil {
			if err := tx.recordDeferral(ctx, act, id, ref, publishAt, *in.DeferralGround); err != nil {
				return err
			}
		}
		if deferred {
			return tx.Audit(ctx, act, id, EventDeferred, map[string]string{"reference": ref,
				"until": publishAt.UTC().Format(time.RFC3339), "reason": *reason})
		}
		return tx.Audit(ctx, act, id, EventPublished, map[string]string{"reference": ref,
			"date_published": audit["date_published"]})
	})
}

// The register's dates are the dates in London. A rejection is dated by its signature row
// alone: the decision's "Date signed" means it was signed into effect. "Date published" is
// set when the public can first read it: at signing, or by the release job when deferred.
const signedFieldsSQL = `
UPDATE decisions SET decision_maker_name = $2,
	decision_maker_role = coalesce((SELECT r.role FROM series_signing_roles r WHERE r.series = decisions.series), 'Decision maker'),
	date_signed = CASE WHEN $4 THEN ($3::timestamptz AT TIME ZONE 'Europe/London')::date ELSE date_signed END,
	publish_at = CASE WHEN $4 THEN $5 ELSE publish_at END,
	deferral_reason = CASE WHEN $4 THEN $6 ELSE deferral_reason END,
	date_published = CASE WHEN $7 THEN ($5::timestamptz AT TIME ZONE 'Europe/London')::date ELSE date_published END,
	updated_at = $3
WHERE id = $1`

// check refuses a signature the schema would refuse, in words for the decision maker.
func (in SignInput) check(at time.Time) error {
	switch {
	case in.Outcome != OutcomeApproved && in.Outcome != OutcomeRejected:
		return refusal("Say whether you approve or reject the decision.")
	case in.Interests != InterestsNone && in.Interests != InterestsDeclared:
		return refusal("Say whether you have any interests to declare.")
	case in.Interests == InterestsDeclared && strings.TrimSpace(in.InterestsDetail) == "":
		return refusal("Describe the interests you declare.")
	case in.Outcome == OutcomeRejected && strings.TrimSpace(in.RejectionReason) == "":
		return refusal("Say why you reject the decision.")
	case in.Outcome == OutcomeApproved && in.PublishAt.After(at) && strings.TrimSpace(in.DeferralReason) == "":
		return refusal("Say why publication is deferred.")
	}
	return nil
}

// ReleaseDue marks as published every signed decision whose deferred publication time has
// come, and audits each release. The public already sees such a decision from its time (the
// reads compare publish_at with the reader's clock); this records that it happened. Under an
// advisory lock, one instance releases while any others skip the round.
func (s *Store) ReleaseDue(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		n = 0
		var got bool
		if err := tx.db.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(releaseLockKey)).Scan(&got); err != nil {
			return fmt.Errorf("lock releases: %w", err)
		}
		if !got {
			return nil
		}
		rows, err := tx.db.Query(ctx, `
UPDATE decisions SET status = 'published', updated_at = $1,
	date_published = (publish_at AT TIME ZONE 'Europe/London')::date
WHERE status = 'approved' AND publish_at <= $1 AND NOT release_held
RETURNING id, reference, publish_at, date_published`, now)
		if err != nil {
			return fmt.Errorf("release deferred decisions: %w", err)
		}
		type released struct {
			ID        int64     `db:"id"`
			Reference string    `db:"reference"`
			PublishAt time.Time `db:"publish_at"`
			Published time.Time `db:"date_published"`
		}
		rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[released])
		if err != nil {
			return fmt.Errorf("release deferred decisions: %w", mapError(err))
		}
		for _, r := range rs {
			if _, err := tx.db.Exec(ctx, `UPDATE withholdings SET released_at = $2 WHERE decision_id = $1 AND what = 'deferral'
	AND released_at IS NULL`, r.ID, now); err != nil {
				return fmt.Errorf("release deferred decisions: %w", mapError(err))
			}
			err := tx.Audit(ctx, System(now), r.ID, EventReleased,
				map[string]string{"reference": r.Reference, "publish_at": r.PublishAt.UTC().Format(time.RFC3339),
					"date_published": r.Published.Format(time.DateOnly)})
			if err != nil {
				return err
			}
		}
		n = len(rs)
		return nil
	})
	return n, err
}

// IsRefused reports whether err is a sign-off the rules refuse, and its reason in words.
func IsRefused(err error) (string, bool) {
	if !errors.Is(err, decision.ErrNotAllowed) {
		return "", false
	}
	var r refusal
	if errors.As(err, &r) {
		return string(r), true
	}
	// The rules' own errors carry their reason as their whole text, unwrapped.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e != decision.ErrNotAllowed && errors.Unwrap(e) == nil {
			return e.Error(), true
		}
	}
	return "You cannot do this to this decision now.", true
}

// signingRow is a signature with what the decision's row says of it: who signed, in what role,
// when, what they declared, and when the decision is published.
type signingRow struct {
	Kind             string     `db:"kind"`
	Outcome          string     `db:"outcome"`
	UserID           *int64     `db:"user_id"`
	SignerName       *string    `db:"signer_name"`
	Interests        *string    `db:"interests"`
	InterestsDetail  *string    `db:"interests_detail"`
	SignedAt         time.Time  `db:"signed_at"`
	CanonicalVersion int        `db:"canonical_version"`
	MakerName        *string    `db:"decision_maker_name"`
	MakerRole        *string    `db:"decision_maker_role"`
	DateSigned       *time.Time `db:"date_signed"`
	PublishAt        *time.Time `db:"publish_at"`
	DeferralReason   *string    `db:"deferral_reason"`
	DatePublished    *time.Time `db:"date_published"`
	// Whom the signer signed for under cover, and the cover as it was then (migration 52).
	OnBehalfOf   *int64     `db:"on_behalf_of"`
	OnBehalfName *string    `db:"on_behalf_name"`
	CoverID      *int64     `db:"cover_id"`
	CoverStarts  *time.Time `db:"cover_starts_on"`
	CoverEnds    *time.Time `db:"cover_ends_on"`
	CoverSetBy   *string    `db:"cover_set_by"`
	// Whether the decision waits for its owner's release past its date (migration 71): "true"
	// in the record, or "" when not, as the entries written before it have no key.
	ReleaseHeld bool `db:"release_held"`
}

const signingRowColumns = `g.kind, g.outcome, g.user_id, g.signer_name, g.interests, g.interests_detail, g.signed_at,
	g.canonical_version, d.decision_maker_name, d.decision_maker_role, d.date_signed, d.publish_at, d.deferral_reason,
	d.date_published, g.on_behalf_of, g.on_behalf_name, g.cover_id, g.cover_starts_on, g.cover_ends_on, g.cover_set_by,
	d.release_held`

// signingKeys are the keys of a signing record in the audit entry of its signature, which the
// checkpointed chain covers; date_published is also in the entries of a decision's publication,
// and the latest of them holds it.
// A signature under cover adds on_behalf_of (the name), on_behalf_of_id, cover_id and cover
// ("cover 1–14 August 2026, set by C"); a signature without cover has none of them, so the
// entries of earlier signatures hold every key their record has.
var signingKeys = []string{"kind", "outcome", "signer_id", "signer", "interests", "interests_detail", "signed_at",
	"canonical_version", "decision_maker", "decision_maker_role", "date_signed", "publish_at", "deferral_reason",
	"on_behalf_of", "on_behalf_of_id", "cover_id", "cover"}

// record is the signing record as its audit entry holds it: every key, "" for nothing recorded.
func (r signingRow) record() map[string]string {
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.Format(time.DateOnly)
	}
	at := func(t time.Time) string {
		return t.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z")
	}
	m := map[string]string{"kind": r.Kind, "outcome": r.Outcome, "signer": str(r.SignerName), "interests": str(r.Interests),
		"interests_detail": str(r.InterestsDetail), "signed_at": at(r.SignedAt), "canonical_version": strconv.Itoa(r.CanonicalVersion),
		"decision_maker": str(r.MakerName), "decision_maker_role": str(r.MakerRole), "date_signed": day(r.DateSigned),
		"deferral_reason": str(r.DeferralReason), "date_published": day(r.DatePublished), "signer_id": "", "publish_at": ""}
	// Always written (since migration 71), so that verify can tell a record that says "not held"
	// from one made before holds were recorded, which it cannot check.
	m["release_held"] = strconv.FormatBool(r.ReleaseHeld)
	if r.UserID != nil {
		m["signer_id"] = strconv.FormatInt(*r.UserID, 10)
	}
	if r.PublishAt != nil {
		m["publish_at"] = at(*r.PublishAt)
	}
	if r.OnBehalfOf != nil && r.OnBehalfName != nil && r.CoverID != nil && r.CoverStarts != nil && r.CoverEnds != nil && r.CoverSetBy != nil {
		coverDetail(m, *r.OnBehalfName, *r.CoverStarts, *r.CoverEnds, *r.CoverSetBy)
		m["on_behalf_of_id"] = strconv.FormatInt(*r.OnBehalfOf, 10)
		m["cover_id"] = strconv.FormatInt(*r.CoverID, 10)
	}
	return m
}

// signingRecord reads decision id's signing record as it stands in this transaction.
func (s *Store) signingRecord(ctx context.Context, id int64) (map[string]string, error) {
	rows, err := s.db.Query(ctx, `SELECT `+signingRowColumns+`
FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE g.decision_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("signing record of decision %d: %w", id, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[signingRow])
	if err != nil {
		return nil, fmt.Errorf("signing record of decision %d: %w", id, mapError(err))
	}
	return r.record(), nil
}
