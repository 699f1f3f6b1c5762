package store_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

type correctionDB struct {
	st                    *store.Store
	pool                  *pgxpool.Pool
	drafter, maker, admin store.User
	now                   time.Time
}

func newCorrectionDB(t *testing.T) correctionDB {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.New(t)
	db := correctionDB{st: store.New(pool), pool: pool, now: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)}
	user := func(email, name string, g store.Grants) store.User {
		id, err := db.st.CreateUser(ctx, store.System(db.now), email, name, testHash, g)
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
	db.maker = user("maker@example.org", "Mo Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	db.admin = user("admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	return db
}

func (db correctionDB) open(t *testing.T, slug string) store.Correction {
	t.Helper()
	c, err := db.st.OpenCorrection(context.Background(), store.Staff(db.drafter.ID, db.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (db correctionDB) edit(t *testing.T, slug string, fn func(k *decision.Corrected)) {
	t.Helper()
	c := db.open(t, slug)
	err := db.st.EditCorrection(context.Background(), db.drafter.Act(db.now), slug, c.Version, "test", func(e *store.CorrectionEdit) error {
		fn(e.Draft)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// send sends the correction of slug for approval, as its drafter.
func (db correctionDB) send(t *testing.T, slug string) {
	t.Helper()
	if err := db.st.SendCorrection(context.Background(), db.drafter.Act(db.now), slug, db.open(t, slug).Version); err != nil {
		t.Fatal(err)
	}
}

func TestCorrectionIsANewSignedVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	const slug = "pcd-1682"
	public := store.Public(db.now)

	if _, err := db.st.OpenCorrection(ctx, public, slug); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("public OpenCorrection = %v, want not found", err)
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "The first amount was mistyped."); err != nil {
		t.Fatal(err)
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "Again"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second StartCorrection = %v, want a conflict", err)
	}
	signed := db.open(t, slug)
	db.edit(t, slug, func(k *decision.Corrected) { k.Funding[0].AmountPence += 100 })
	if _, err := db.st.OpenCorrection(ctx, public, slug); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("public OpenCorrection = %v, want not found", err)
	}
	// The public page still shows the signed amount while the correction is drafted.
	d, err := db.st.DecisionBySlug(ctx, public, slug)
	if err != nil {
		t.Fatal(err)
	}
	if d.Funding[0].AmountPence != signed.Current.Funding[0].AmountPence {
		t.Fatalf("live amount changed before approval: %d", d.Funding[0].AmountPence)
	}

	db.send(t, slug)
	c := db.open(t, slug)
	if why := c.NotTypographical(); !strings.Contains(why, "amount of funding line 1") {
		t.Fatalf("NotTypographical = %q, want the amount named", why)
	}
	hash := decision.ContentHash(c.NewContent())
	_, err = db.st.ApproveCorrection(ctx, db.admin.Act(db.now), slug, hash)
	if why, ok := store.IsRefused(err); !ok || !strings.Contains(why, "not typographical") {
		t.Fatalf("admin approving a change of amount = %v, want refused as not typographical", err)
	}
	if _, err := db.st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, strings.Repeat("0", 64)); !errors.Is(err, store.ErrStale) {
		t.Fatalf("approving other content = %v, want stale", err)
	}
	n, err := db.st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, hash)
	if err != nil || n != 2 {
		t.Fatalf("ApproveCorrection = %d, %v, want version 2", n, err)
	}

	vs, err := db.st.Versions(ctx, public, slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 2 || vs[0].ContentHash != signed.CurrentHash || vs[1].ContentHash != hash || !vs[0].Matches || !vs[1].Matches {
		t.Fatalf("versions = %+v, want the signed then the corrected hash", vs)
	}
	if vs[1].Reason == nil || *vs[1].Reason != "The first amount was mistyped." || deref(vs[1].SignerName) != "Mo Maker" || vs[1].Typographical {
		t.Fatalf("version 2 = %+v", vs[1])
	}
	v1, err := decision.ParseCanonical(vs[0].Canonical)
	if err != nil || v1.Funding[0].AmountPence != signed.Current.Funding[0].AmountPence {
		t.Fatalf("version 1 content = %+v, %v", v1.Funding, err)
	}
	d, _ = db.st.DecisionBySlug(ctx, public, slug)
	if d.Funding[0].AmountPence != signed.Current.Funding[0].AmountPence+100 {
		t.Fatalf("live amount = %d after approval", d.Funding[0].AmountPence)
	}
	if v, err := db.st.Verify(ctx, public, slug); err != nil || !v.Matches || len(v.Versions) != 2 {
		t.Fatalf("Verify = %+v, %v", v, err)
	}
	sigs, err := db.st.VerifySignatures(ctx)
	if err != nil || sigs.BadID != 0 {
		t.Fatalf("VerifySignatures = %+v, %v", sigs, err)
	}
	vers, err := db.st.VerifyVersions(ctx)
	if err != nil || vers.Problem != "" || vers.Versions != 2 {
		t.Fatalf("VerifyVersions = %+v, %v", vers, err)
	}

	// A typographical correction: one letter of the summary. An admin may approve it.
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "A spelling mistake."); err != nil {
		t.Fatal(err)
	}
	db.edit(t, slug, func(k *decision.Corrected) {
		w := strings.Fields(k.Summary)
		k.Summary = strings.Replace(k.Summary, w[0], w[0]+"s", 1)
	})
	db.send(t, slug)
	c = db.open(t, slug)
	if why := c.NotTypographical(); why != "" {
		t.Fatalf("one letter: NotTypographical = %q", why)
	}
	if _, err := db.st.ApproveCorrection(ctx, db.drafter.Act(db.now), slug, decision.ContentHash(c.NewContent())); !errors.Is(err, decision.ErrNotAllowed) {
		t.Fatalf("the drafter approving = %v, want refused", err)
	}
	if n, err := db.st.ApproveCorrection(ctx, db.admin.Act(db.now), slug, decision.ContentHash(c.NewContent())); err != nil || n != 3 {
		t.Fatalf("admin approving a typographical correction = %d, %v", n, err)
	}
	entries, err := db.st.Timeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	corrected := 0
	for _, e := range entries {
		if e.Event == store.EventCorrected {
			corrected++
		}
	}
	if corrected != 2 {
		t.Fatalf("%d corrected entries in the audit trail, want 2", corrected)
	}
}

// The database keeps every signed version as it was, and the live rows of a signed decision
// change only with a new version, whatever the application does.
func TestDatabaseKeepsVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	const slug = "pcd-1682"
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "Title typo."); err != nil {
		t.Fatal(err)
	}
	db.edit(t, slug, func(k *decision.Corrected) { k.Title += "s" })
	db.send(t, slug)
	c := db.open(t, slug)
	if _, err := db.st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, decision.ContentHash(c.NewContent())); err != nil {
		t.Fatal(err)
	}
	for _, sql := range []string{
		`UPDATE decision_versions SET reason = 'changed' WHERE number = 2`,
		`UPDATE decision_versions SET canonical = canonical || 'x'::bytea WHERE number = 1`,
		`DELETE FROM decision_versions WHERE number = 1`,
		`TRUNCATE decision_versions CASCADE`,
		`UPDATE decisions SET title = 'Edited in place' WHERE slug = 'pcd-1682'`,
		`UPDATE funding_lines SET amount_pence = 1 WHERE decision_id = (SELECT id FROM decisions WHERE slug = 'pcd-1682')`,
		`UPDATE recommendations SET body = 'Edited' WHERE decision_id = (SELECT id FROM decisions WHERE slug = 'pcd-1682')`,
		// A version whose hash is not its bytes', and a version 1 that is not what was signed.
		`INSERT INTO decision_versions (decision_id, number, canonical, content_hash, canonical_version, correction_id, reason, signed_by, signer_name, signed_at, created_txid)
		 SELECT decision_id, 3, 'x', repeat('a', 64), 1, NULL, 'r', NULL, 'n', now(), 0 FROM decision_versions WHERE number = 1`,
		`INSERT INTO decision_versions (decision_id, number, canonical, content_hash, canonical_version, signed_at, created_txid)
		 SELECT id, 1, 'x', encode(sha256('x'), 'hex'), 1, now(), 0 FROM decisions WHERE slug = 'pcd-1215'`,
	} {
		if err := db.st.Exec(ctx, sql); err == nil {
			t.Errorf("%s: the database allowed it", sql)
		}
	}
	// Even in a transaction that records a version, a correction cannot add or remove rows
	// or touch Part II and links.
	err := db.st.InTx(ctx, func(tx *store.Store) error {
		err := tx.Exec(ctx, `DELETE FROM recommendations WHERE decision_id = (SELECT id FROM decisions WHERE slug = 'pcd-1682')`)
		if err == nil {
			t.Error("deleting a recommendation of a signed decision: allowed")
		}
		return err
	})
	if err == nil {
		t.Fatal("want the refusal")
	}
}

func TestWithdrawal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	const slug = "pcd-1682"
	on := time.Date(2026, 4, 30, 0, 0, 0, 0, time.UTC)
	err := db.st.Withdraw(ctx, db.drafter.Act(db.now), slug, "Superseded.", on)
	if why, ok := store.IsRefused(err); !ok || !strings.Contains(why, "decision maker for PCD or an admin") {
		t.Fatalf("a drafter withdrawing = %v, want refused", err)
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "Begun before the withdrawal."); err != nil {
		t.Fatal(err)
	}
	if err := db.st.Withdraw(ctx, db.maker.Act(db.now), slug, "Superseded by PCD 1700.", on); err != nil {
		t.Fatal(err)
	}
	if _, err := db.st.OpenCorrection(ctx, store.Staff(db.drafter.ID, db.now), slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a correction stays open after the withdrawal: %v", err)
	}
	public := store.Public(db.now)
	d, err := db.st.DecisionBySlug(ctx, public, slug)
	if err != nil || d.Status != decision.StatusWithdrawn || deref(d.WithdrawalReason) != "Superseded by PCD 1700." || !d.WithdrawnAt.Equal(on) {
		t.Fatalf("withdrawn decision for the public = %+v, %v", d.Decision, err)
	}
	inList := func(q search.Query) bool {
		t.Helper()
		q.Sort = "newest"
		page, err := db.st.Search(ctx, public, q, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			if r.Slug == slug {
				return true
			}
		}
		return false
	}
	if inList(search.Query{}) {
		t.Error("a withdrawn decision is in the default list")
	}
	if !inList(search.Query{Q: "social media hub", Sort: "relevance"}) {
		t.Error("a withdrawn decision is not found by a search")
	}
	if !inList(search.Query{Series: "PCD"}) {
		t.Error("a withdrawn decision is not found by a filter")
	}
	if err := db.st.Withdraw(ctx, db.admin.Act(db.now), slug, "Again.", on); !errors.Is(err, decision.ErrNotAllowed) {
		t.Fatalf("withdrawing twice = %v, want refused", err)
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "Too late."); !errors.Is(err, decision.ErrNotAllowed) {
		t.Fatalf("correcting a withdrawn decision = %v, want refused", err)
	}
}

// TestCorrectingADecisionSignedUnderVersion1: a decision signed before documents joined the
// canonical content (version 1) is corrected: its version 1 is kept in the serialisation its
// signature used, and verification hashes the live content as its latest version was.
func TestCorrectingADecisionSignedUnderVersion1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	const slug = "pcd-1682"
	id, err := db.st.QueryID(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug)
	if err != nil {
		t.Fatal(err)
	}
	content, err := db.st.Content(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	v1, ok := decision.ContentHashAs(1, content)
	if !ok {
		t.Fatal("no canonical version 1")
	}
	for _, sql := range []string{`ALTER TABLE signatures DISABLE TRIGGER USER`,
		`UPDATE signatures SET canonical_version = 1, content_hash = '` + v1 + `' WHERE decision_id = (SELECT id FROM decisions WHERE slug = '` + slug + `')`,
		`ALTER TABLE signatures ENABLE TRIGGER USER`} {
		if err := db.st.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "The first amount was mistyped."); err != nil {
		t.Fatal(err)
	}
	db.edit(t, slug, func(k *decision.Corrected) { k.Funding[0].AmountPence += 100 })
	db.send(t, slug)
	hash := decision.ContentHash(db.open(t, slug).NewContent())
	if n, err := db.st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, hash); err != nil || n != 2 {
		t.Fatalf("ApproveCorrection of a version-1 decision = %d, %v, want version 2", n, err)
	}
	vs, err := db.st.Versions(ctx, store.Public(db.now), slug)
	if err != nil || len(vs) != 2 || vs[0].ContentHash != v1 || vs[0].CanonicalVersion != 1 || !vs[0].Matches || !vs[1].Matches {
		t.Fatalf("versions = %+v, %v; want version 1 kept as signed (canonical 1), then version 2", vs, err)
	}
	v, err := db.st.Verify(ctx, store.Public(db.now), slug)
	if err != nil || !v.Matches || v.CurrentHash != hash {
		t.Fatalf("Verify after the correction: matches %v, current %s, %v; want %s", v.Matches, v.CurrentHash, err, hash)
	}
}

// TestDiscardRacesApproval: a discard and an approval of the same correction at once; the
// decision's lock orders them, so exactly one happens and the other is told what became of it.
// OpenCorrections (Your work's list) is staff-only and holds only corrections in progress.
func TestDiscardRacesApproval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	const slug = "pcd-1682"
	if cs, err := db.st.OpenCorrections(ctx, store.Public(db.now)); err != nil || len(cs) != 0 {
		t.Fatalf("public OpenCorrections = %v, %v", cs, err)
	}
	for round := range 5 {
		if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "Round "+string(rune('A'+round))); err != nil {
			t.Fatal(err)
		}
		db.edit(t, slug, func(k *decision.Corrected) { k.Funding[0].AmountPence += 1 })
		db.send(t, slug)
		c := db.open(t, slug)
		if cs, err := db.st.OpenCorrections(ctx, store.Staff(db.maker.ID, db.now)); err != nil || len(cs) != 1 || cs[0].ID != c.ID {
			t.Fatalf("OpenCorrections = %v, %v; want the one in progress", cs, err)
		}
		var discard, approve error
		done := make(chan struct{})
		go func() {
			defer close(done)
			discard = db.st.DiscardCorrection(ctx, db.drafter.Act(db.now), slug, c.ID, c.Version)
		}()
		_, approve = db.st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, decision.ContentHash(c.NewContent()))
		<-done
		switch {
		case discard == nil && errors.Is(approve, store.ErrNotFound):
		case approve == nil && errors.Is(discard, store.ErrCorrectionApproved):
		default:
			t.Fatalf("round %d: discard %v, approve %v; want exactly one to happen", round, discard, approve)
		}
		if cs, err := db.st.OpenCorrections(ctx, store.Staff(db.maker.ID, db.now)); err != nil || len(cs) != 0 {
			t.Fatalf("OpenCorrections after round %d = %v, %v; want none", round, cs, err)
		}
	}
	rep, err := db.st.VerifyVersions(ctx)
	if err != nil || rep.Problem != "" {
		t.Errorf("VerifyVersions = %+v, %v", rep, err)
	}
}

// queryCounter counts the statements a pool's connections send, batched ones one by one.
type queryCounter struct{ n atomic.Int64 }

func (q *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	q.n.Add(1)
	return ctx
}
func (q *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (q *queryCounter) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}
func (q *queryCounter) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {
	q.n.Add(1)
}
func (q *queryCounter) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestOpenCorrectionsInFewQueries: "Your work" reads every open correction, each with its
// decision's content, in the same number of statements for one correction as for five, and
// each correction's content is what Content reads for its decision alone.
func TestOpenCorrectionsInFewQueries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	counter := &queryCounter{}
	cfg, err := pgxpool.ParseConfig(db.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	counted := store.New(pool)
	statements := func() (int64, []store.Correction) {
		t.Helper()
		before := counter.n.Load()
		cs, err := counted.OpenCorrections(ctx, store.Staff(db.maker.ID, db.now))
		if err != nil {
			t.Fatal(err)
		}
		return counter.n.Load() - before, cs
	}
	slugs := []string{"pcd-1682", "pcd-1215", "pcd-1047", "pcd-960", "pcd-914"}
	if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slugs[0], "A typing error."); err != nil {
		t.Fatal(err)
	}
	one, _ := statements()
	for _, slug := range slugs[1:] {
		if err := db.st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "A typing error."); err != nil {
			t.Fatal(err)
		}
	}
	five, cs := statements()
	if len(cs) != len(slugs) {
		t.Fatalf("OpenCorrections = %d corrections, want %d", len(cs), len(slugs))
	}
	if five != one {
		t.Errorf("OpenCorrections sent %d statements for one correction and %d for five, want the same", one, five)
	}
	for _, c := range cs {
		alone, err := db.st.Content(ctx, c.DecisionID)
		if err != nil {
			t.Fatal(err)
		}
		if want := decision.ContentHash(alone.WithPartTwoHashed()); c.CurrentHash != want {
			t.Errorf("%s: content read with the others hashes to %s, alone to %s", c.Reference, c.CurrentHash, want)
		}
	}
	t.Logf("%d statements for one open correction, %d for five", one, five)
}
