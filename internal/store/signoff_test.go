package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

const (
	partTwoSecret = "PART-TWO-SECRET-5521"
	returnSecret  = "RETURN-COMMENT-SECRET-8812"
)

var pcdChain = []string{"head_of_unit", "finance", "legal", "equalities", "data_protection", "chief_executive"}

type signoffDB struct {
	st       *store.Store
	pool     *pgxpool.Pool
	exec     func(sql string, args ...any)
	drafter  store.User
	advisers map[string]store.User
	maker    store.User
}

func newSignoffDB(t *testing.T) *signoffDB {
	t.Helper()
	pool := dbtest.New(t)
	ctx := context.Background()
	db := &signoffDB{st: store.New(pool), pool: pool, advisers: map[string]store.User{}}
	db.exec = func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	user := func(email, name string, g store.Grants) store.User {
		id, err := db.st.CreateUser(ctx, store.System(time.Now()), email, name, "$argon2id$not-a-real-hash", g)
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	db.drafter = user("drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, k := range pcdChain {
		db.advisers[k] = user(k+"@example.org", "Adviser "+k, store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}})
	}
	db.maker = user("dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return db
}

// awaiting makes a decision awaiting sign-off with a secret Part II, and returns its slug.
func (db *signoffDB) awaiting(number int) string {
	db.exec(`INSERT INTO decisions (series, number, reference, slug, title, status)
		VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'A grant', 'awaiting_signoff')`, number)
	ref := fmt.Sprintf("PCD %d", number)
	db.exec(`INSERT INTO sections (decision_id, part, position, kind, heading, body)
		SELECT id, 2, 1, 'other', 'Confidential', $2 FROM decisions WHERE reference = $1`, ref, partTwoSecret)
	db.exec(`INSERT INTO decision_drafters (decision_id, user_id) SELECT id, $2 FROM decisions WHERE reference = $1`, ref, db.drafter.ID)
	return fmt.Sprintf("pcd-%d", number)
}

func (db *signoffDB) hash(t *testing.T, slug string) string {
	t.Helper()
	b, err := db.st.Canonical(context.Background(), store.Staff(db.maker.ID, time.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	// What the forms carry: the content without its approvals (decision.ApprovedHash).
	return decision.ApprovedHash(mustContentOf(t, db, slug, b))
}

func mustCanonical(t *testing.T, db *signoffDB, slug string) []byte {
	t.Helper()
	b, err := db.st.Canonical(context.Background(), store.Staff(db.maker.ID, time.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustContentOf checks the canonical bytes the store serves hash as the content does.
func mustContentOf(t *testing.T, db *signoffDB, slug string, canonical []byte) decision.Content {
	t.Helper()
	rec, err := db.st.SignoffChain(context.Background(), store.Staff(db.maker.ID, time.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.st.Content(context.Background(), rec.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	if string(decision.Canonical(c)) != string(canonical) {
		t.Fatalf("Canonical(%s) differs from the canonical form of its content", slug)
	}
	return c
}

func TestSignoffStore(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9101)
	hash := db.hash(t, slug)

	so, err := db.st.SignoffState(ctx, slug)
	if err != nil || so.Series != "PCD" || so.Status != decision.StatusAwaitingSignoff ||
		strings.Join(so.Chain, ",") != strings.Join(pcdChain, ",") || len(so.Drafters) != 1 || so.Drafters[0] != db.drafter.ID {
		t.Fatalf("SignoffState = %+v, %v", so, err)
	}

	// Refusals: out of order, stale content, a drafter.
	if err := db.st.Approve(ctx, db.advisers["finance"].Act(now), slug, "finance", hash); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("finance first: %v, want not allowed", err)
	}
	if err := db.st.Approve(ctx, db.advisers["head_of_unit"].Act(now), slug, "head_of_unit", strings.Repeat("a", 64)); !errors.Is(err, store.ErrStale) || !errors.Is(err, store.ErrConflict) {
		t.Errorf("stale hash: %v, want ErrStale, a conflict", err)
	}
	if err := db.st.Sign(ctx, db.drafter.Act(now), slug, store.SignInput{Outcome: "approved", Interests: "none", SeenHash: hash}); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("drafter signing: %v, want not allowed", err)
	}

	// A return, with a comment the public must never see; then resubmitted and approved.
	if err := db.st.Return(ctx, db.advisers["head_of_unit"].Act(now), slug, "head_of_unit", " ", hash); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("return without a comment: %v, want refused", err)
	}
	if err := db.st.Return(ctx, db.advisers["head_of_unit"].Act(now), slug, "head_of_unit", returnSecret, hash); err != nil {
		t.Fatal(err)
	}
	if so, _ := db.st.SignoffState(ctx, slug); so.Status != decision.StatusDraft {
		t.Errorf("after return: status %q, want draft", so.Status)
	}
	work, err := db.st.Work(ctx, db.drafter.ID)
	if err != nil || len(work) != 1 || work[0].ReturnedComment == nil || *work[0].ReturnedComment != returnSecret {
		t.Errorf("drafter's work after return = %+v, %v", work, err)
	}
	db.exec(`UPDATE decisions SET status = 'awaiting_signoff' WHERE slug = $1`, slug)
	for i, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now.Add(time.Duration(i)*time.Minute)), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}

	// Before signing, the public sees nothing of it.
	pub := store.Public(now.Add(time.Hour))
	if _, err := db.st.SignoffChain(ctx, pub, slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("public SignoffChain of an unsigned decision: %v, want not found", err)
	}
	if _, err := db.st.Canonical(ctx, pub, slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("public Canonical of an unsigned decision: %v, want not found", err)
	}
	if _, err := db.st.Verify(ctx, pub, slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("public Verify of an unsigned decision: %v, want not found", err)
	}

	// Fifty signatures at once straight to the store: one lands, the others are clean refusals.
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.st.Sign(ctx, db.maker.Act(now.Add(time.Hour)), slug, store.SignInput{
				Outcome: store.OutcomeApproved, Interests: store.InterestsNone, PublishAt: now.Add(time.Hour), SeenHash: hash})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, decision.ErrNotAllowed), errors.Is(err, store.ErrConflict):
		default:
			t.Errorf("a simultaneous signature failed untidily: %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d simultaneous signatures succeeded, want 1", ok, n)
	}

	// Now public: the chain and the proof, but no return, no cleared approval, no Part II.
	rec, err := db.st.SignoffChain(ctx, pub, slug)
	if err != nil {
		t.Fatal(err)
	}
	signedHash := decision.ContentHash(mustContentOf(t, db, slug, mustCanonical(t, db, slug)))
	if len(rec.Approvals) != len(pcdChain) || len(rec.Actions) != 0 || rec.Signature == nil || rec.Signature.ContentHash != signedHash ||
		signerRole(rec.Signature) != "Deputy Mayor for Policing and Crime" {
		t.Errorf("public SignoffChain = %d approvals, %d actions, signature %+v", len(rec.Approvals), len(rec.Actions), rec.Signature)
	}
	if dump := fmt.Sprintf("%+v", rec); strings.Contains(dump, returnSecret) {
		t.Error("the public sign-off record holds the return's comment")
	}
	staff, _ := db.st.SignoffChain(ctx, store.Staff(db.drafter.ID, now), slug)
	if len(staff.Actions) != len(pcdChain)+1 {
		t.Errorf("staff see %d actions, want every approval and the return", len(staff.Actions))
	}
	canon, err := db.st.Canonical(ctx, pub, slug)
	if err != nil || strings.Contains(string(canon), partTwoSecret) || !strings.Contains(string(canon), `"part_two_sha256":"`) {
		t.Errorf("public canonical bytes = %s, %v; want Part II's hash only", canon, err)
	}
	v, err := db.st.Verify(ctx, pub, slug)
	if err != nil || !v.Matches || v.CurrentHash != signedHash {
		t.Errorf("Verify = %+v, %v; want a match", v, err)
	}
	if rep, err := db.st.VerifyAuditChain(ctx); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain: %+v, %v", rep, err)
	}
}

func TestSignDeferRejectRelease(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 23, 30, 0, 0, time.UTC)
	approveAll := func(slug string) string {
		h := db.hash(t, slug)
		for _, k := range pcdChain {
			if err := db.st.Approve(ctx, db.advisers[k].Act(now), slug, k, h); err != nil {
				t.Fatalf("approve %s: %v", k, err)
			}
		}
		return h
	}

	deferred := db.awaiting(9201)
	h := approveAll(deferred)
	until := now.Add(36 * time.Hour)
	if err := db.st.Sign(ctx, db.maker.Act(now), deferred, store.SignInput{Outcome: "approved", Interests: "none",
		PublishAt: until, SeenHash: h}); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("deferring without a reason: %v, want refused", err)
	}
	if err := db.st.Sign(ctx, db.maker.Act(now), deferred, store.SignInput{Outcome: "approved", Interests: "declared",
		InterestsDetail: "A friend bids.", PublishAt: until, DeferralReason: "Embargo.", SeenHash: h}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.st.SignoffChain(ctx, store.Public(until.Add(-time.Second)), deferred); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the public sees a deferred decision before its time: %v", err)
	}
	if _, err := db.st.SignoffChain(ctx, store.Public(until), deferred); err != nil {
		t.Errorf("the public does not see a deferred decision at its time: %v", err)
	}
	rejected := db.awaiting(9202)
	h = approveAll(rejected)
	if err := db.st.Sign(ctx, db.maker.Act(now), rejected, store.SignInput{Outcome: "rejected", Interests: "none", SeenHash: h}); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("rejecting without a reason: %v, want refused", err)
	}
	if err := db.st.Sign(ctx, db.maker.Act(now), rejected, store.SignInput{Outcome: "rejected", Interests: "none",
		RejectionReason: "Not value for money.", SeenHash: h}); err != nil {
		t.Fatal(err)
	}
	// A rejection is not a signing into effect, nor a deferral a publication: neither date is set.
	var rejectedSigned, deferredPublished *time.Time
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT date_signed FROM decisions WHERE slug = $1),
		(SELECT date_published FROM decisions WHERE slug = $2)`, rejected, deferred).Scan(&rejectedSigned, &deferredPublished); err != nil {
		t.Fatal(err)
	}
	if rejectedSigned != nil || deferredPublished != nil {
		t.Errorf("rejected decision's date signed %v, deferred decision's date published %v; want neither", rejectedSigned, deferredPublished)
	}
	if _, err := db.st.SignoffChain(ctx, store.Public(until.Add(time.Hour)), rejected); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the public sees a rejected decision: %v", err)
	}

	// Two instances release at once: the decision is released once.
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Go(func() {
			n, err := db.st.ReleaseDue(ctx, until)
			if err != nil {
				t.Error(err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	if n, _ := db.st.ReleaseDue(ctx, until); counts[0]+counts[1]+n != 1 {
		t.Errorf("released %v then %d, want one release in all", counts, n)
	}
	var status, role string
	var signed, published time.Time
	row := func(slug string) {
		t.Helper()
		err := db.pool.QueryRow(ctx, `SELECT status, decision_maker_role, date_signed, date_published FROM decisions WHERE slug = $1`, slug).
			Scan(&status, &role, &signed, &published)
		if err != nil {
			t.Fatal(err)
		}
	}
	row(deferred)
	// Signed at 23:30 UTC on 27 November is 27 November in London; published 36 hours later.
	if status != "published" || signed.Format("2006-01-02") != "2026-11-27" || published.Format("2006-01-02") != "2026-11-29" {
		t.Errorf("deferred decision after release: %s, signed %s, published %s", status, signed, published)
	}
}

func signerRole(g *store.Signature) string {
	if g == nil || g.SignerRole == nil {
		return ""
	}
	return *g.SignerRole
}

func TestInTxLevelRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	calls := 0
	err := st.InTxLevel(context.Background(), pgx.Serializable, func(tx *store.Store) error {
		calls++
		if calls < 3 {
			return fmt.Errorf("write: %w", &pgconn.PgError{Code: "40001"})
		}
		return tx.Ping(context.Background())
	})
	if err != nil || calls != 3 {
		t.Errorf("InTxLevel = %v after %d calls, want success on the third", err, calls)
	}
	calls = 0
	err = st.InTxLevel(context.Background(), pgx.Serializable, func(*store.Store) error {
		calls++
		return &pgconn.PgError{Code: "40001"}
	})
	if err == nil || calls != 5 {
		t.Errorf("InTxLevel always failing = %v after %d calls, want the failure after 5", err, calls)
	}
}
