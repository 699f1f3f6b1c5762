package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// secret is planted in everything the public must not see.
const secret = "PLANTED-SECRET"

// plantHidden adds what only some staff may see: a draft that continues PCD 1682 (with money),
// a Part II on that draft, and a signed decision whose publication is deferred to tomorrow.
func plantHidden(t *testing.T, st *store.Store, now time.Time) (drafterID, otherID int64) {
	t.Helper()
	ctx := context.Background()
	var err error
	drafterID, err = st.CreateUser(ctx, store.System(now), "drafter@example.org", "Dana Drafter", testHash, store.Grants{Roles: []string{"drafter"}})
	if err != nil {
		t.Fatal(err)
	}
	otherID, err = st.CreateUser(ctx, store.System(now), "reader@example.org", "Rory Reader", testHash, store.Grants{Roles: []string{"drafter"}})
	if err != nil {
		t.Fatal(err)
	}
	exec(t, st, `INSERT INTO decisions (series, number, reference, slug, title, summary, drafted_by)
		VALUES ('PCD', 1683, 'PCD 1683', 'pcd-1683', $1, $1, $2)`, secret+" draft title", drafterID)
	exec(t, st, `INSERT INTO decision_drafters (decision_id, user_id) SELECT id, $1 FROM decisions WHERE slug = 'pcd-1683'`, drafterID)
	exec(t, st, `INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
		SELECT d.id, o.id, 'continues' FROM decisions d, decisions o WHERE d.slug = 'pcd-1683' AND o.slug = 'pcd-1682'`)
	exec(t, st, `INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label, fy_start, fy_end)
		SELECT id, 1, 99999900, 'grant_accepted', $1, 2025, 2025 FROM decisions WHERE slug = 'pcd-1683'`, secret+" money")
	exec(t, st, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
		SELECT id, 1, 1, 'other', 'Part I heading', 'Part I body' FROM decisions WHERE slug = 'pcd-1683'`)
	exec(t, st, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
		SELECT id, 2, 1, 'other', 'Confidential', $1 FROM decisions WHERE slug = 'pcd-1683'`, secret+" part two")
	// Deferred: signed, to be published tomorrow.
	exec(t, st, `INSERT INTO decisions (series, number, reference, slug, title, status, publish_at, deferral_reason)
		VALUES ('PCD', 1684, 'PCD 1684', 'pcd-1684', $1, 'draft', $2, 'market sensitive')`, secret+" deferred", now.Add(24*time.Hour))
	exec(t, st, `UPDATE decisions SET status = 'awaiting_signoff' WHERE slug = 'pcd-1684'`)
	exec(t, st, `INSERT INTO signatures (decision_id, kind, outcome, signed_at, content_hash, canonical_version)
		SELECT id, 'imported', 'approved', $1, repeat('a', 64), 1 FROM decisions WHERE slug = 'pcd-1684'`, now)
	exec(t, st, `UPDATE decisions SET status = 'approved' WHERE slug = 'pcd-1684'`)
	return drafterID, otherID
}

// testHash is a syntactically valid argon2id hash; no test signs in with it.
const testHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func exec(t *testing.T, st *store.Store, sql string, args ...any) {
	t.Helper()
	if err := st.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// inTx begins a transaction for rows a test writes itself: a public decision must be signed in
// the transaction that writes it. done commits it.
func inTx(t *testing.T, st *store.Store) (tx *store.Store, done func()) {
	t.Helper()
	tx, commit, err := st.BeginTest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tx, func() {
		t.Helper()
		if err := commit(); err != nil {
			t.Fatalf("commit: %v", err)
		}
	}
}

// TestPublicReadsNeverLeak asks every read method, as the public, for what was planted, and
// checks none of it comes back.
func TestPublicReadsNeverLeak(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	plantHidden(t, st, now)
	public := store.Public(now)

	for _, slug := range []string{"pcd-1683", "pcd-1684"} {
		if _, err := st.DecisionBySlug(ctx, public, slug); err == nil {
			t.Errorf("DecisionBySlug(public, %s) found a decision the public may not see", slug)
		}
	}
	for _, ref := range []string{"PCD 1683", "PCD 1684"} {
		if _, err := st.SlugByReference(ctx, public, ref); err == nil {
			t.Errorf("SlugByReference(public, %s) found it", ref)
		}
	}
	d, err := st.DecisionBySlug(ctx, public, "pcd-1682")
	if err != nil {
		t.Fatal(err)
	}
	if got := dump(d); strings.Contains(got, secret) || strings.Contains(got, "PCD 1683") {
		t.Errorf("PCD 1682's page data shows hidden things: %s", got)
	}
	for _, words := range []string{"", secret} {
		page, err := st.ListDecisions(ctx, public, store.ListParams{Words: words, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if got := dump(page); strings.Contains(got, secret) {
			t.Errorf("ListDecisions(public, %q) shows hidden decisions", words)
		}
		if words == "" && page.Total != 10 {
			t.Errorf("ListDecisions(public) total = %d, want the 10 published", page.Total)
		}
	}
	// Once its date has come, the deferred decision is public, with no one acting.
	if _, err := st.DecisionBySlug(ctx, store.Public(now.Add(25*time.Hour)), "pcd-1684"); err != nil {
		t.Errorf("the deferred decision is not public after its date: %v", err)
	}
}

// TestPartTwoOnlyForItsReaders: staff see drafts, but Part II only reaches the decision's own
// drafters (and advisers of its chain, decision makers of its series and admins).
func TestPartTwoOnlyForItsReaders(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	drafter, other := plantHidden(t, st, now)
	d, err := st.DecisionBySlug(ctx, store.Staff(other, now), "pcd-1683")
	if err != nil {
		t.Fatalf("staff cannot see a draft: %v", err)
	}
	if strings.Contains(dump(d), secret+" part two") {
		t.Error("Part II reached a member of staff who is not among its readers")
	}
	d, err = st.DecisionBySlug(ctx, store.Staff(drafter, now), "pcd-1683")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dump(d), secret+" part two") {
		t.Error("Part II did not reach the decision's drafter")
	}
	exec(t, st, `UPDATE users SET disabled_at = now() WHERE id = $1`, drafter)
	d, err = st.DecisionBySlug(ctx, store.Staff(drafter, now), "pcd-1683")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump(d), secret+" part two") {
		t.Error("Part II reached a disabled account")
	}
}

// TestOnlyTheTeamEdits: the store itself refuses an edit by a drafter outside the decision's
// drafting team, however the request reached it, so no one makes themselves a Part II reader.
func TestOnlyTheTeamEdits(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	drafter, other := plantHidden(t, st, now)
	err := st.SetTitleSummary(ctx, store.Act{UserID: other, Name: "Rory Reader", At: now}, "pcd-1683", store.Base{Version: 1}, "Taken over", "Taken over")
	if !errors.Is(err, decision.ErrNotAllowed) {
		t.Fatalf("edit by a drafter outside the team = %v, want ErrNotAllowed", err)
	}
	d, err := st.DecisionBySlug(ctx, store.Staff(other, now), "pcd-1683")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(dump(d), secret+" part two") {
		t.Error("a refused edit made its author a Part II reader")
	}
	if err := st.AddDrafter(ctx, store.Act{UserID: drafter, Name: "Dana Drafter", At: now}, "pcd-1683", "reader@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTitleSummary(ctx, store.Act{UserID: other, Name: "Rory Reader", At: now}, "pcd-1683", store.Base{Version: 1}, "Shared", "Shared"); err != nil {
		t.Errorf("edit by a drafter the team added = %v", err)
	}
}
