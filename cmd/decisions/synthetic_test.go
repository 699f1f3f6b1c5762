package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// syntheticDigest is one hash over every synthetic decision's reference, content and status,
// so two runs can be compared whole.
const syntheticDigest = `
SELECT md5(string_agg(concat_ws('|', d.reference, d.title, d.summary, d.status, d.date_signed, d.decision_maker_name,
	(SELECT string_agg(concat_ws('/', s.part, s.position, s.body), ';' ORDER BY s.part, s.position) FROM sections s WHERE s.decision_id = d.id),
	(SELECT string_agg(concat_ws('/', f.position, f.amount_pence, f.fy_start, f.fy_end), ';' ORDER BY f.position) FROM funding_lines f WHERE f.decision_id = d.id),
	(SELECT string_agg(o.reference, ';') FROM decision_links l JOIN decisions o ON o.id = l.to_decision_id WHERE l.from_decision_id = d.id),
	(SELECT g.content_hash FROM signatures g WHERE g.decision_id = d.id)), E'\n' ORDER BY d.reference))
FROM decisions d WHERE d.synthetic`

func TestSeedSynthetic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first, second := dbtest.URL(t), dbtest.URL(t)
	for _, u := range []string{first, second} {
		if out, err := runCmd(t, u, nil, "seed-synthetic", "--count", "200", "--seed", "42"); err != nil {
			t.Fatalf("seed-synthetic: %v\n%s", err, out)
		} else if !strings.Contains(out, "200 of 200 decisions loaded") {
			t.Errorf("seed-synthetic printed:\n%s\nwant a progress line", out)
		}
	}
	pool1, st := openPool(t, first)
	pool2, _ := openPool(t, second)
	var d1, d2 string
	if err := pool1.QueryRow(ctx, syntheticDigest).Scan(&d1); err != nil {
		t.Fatal(err)
	}
	if err := pool2.QueryRow(ctx, syntheticDigest).Scan(&d2); err != nil {
		t.Fatal(err)
	}
	if d1 != d2 {
		t.Errorf("two runs with seed 42 differ: %s and %s", d1, d2)
	}

	// Something of every kind the brief asks for.
	var n struct{ total, published, drafts, deferred, rejected, partTwo, chains, sigs int }
	err := pool1.QueryRow(ctx, `
SELECT count(*), count(*) FILTER (WHERE status = 'published'), count(*) FILTER (WHERE status = 'draft'),
	count(*) FILTER (WHERE status = 'approved' AND publish_at > now()), count(*) FILTER (WHERE status = 'rejected'),
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sections s WHERE s.decision_id = d.id AND s.part = 2)),
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM decision_links l WHERE l.from_decision_id = d.id AND l.kind = 'continues')),
	count(*) FILTER (WHERE EXISTS (SELECT 1 FROM signatures g WHERE g.decision_id = d.id))
FROM decisions d WHERE synthetic`).Scan(&n.total, &n.published, &n.drafts, &n.deferred, &n.rejected, &n.partTwo, &n.chains, &n.sigs)
	if err != nil {
		t.Fatal(err)
	}
	if n.total != 200 || n.published < 150 || n.drafts == 0 || n.deferred == 0 || n.rejected == 0 || n.partTwo == 0 || n.chains == 0 ||
		n.sigs != n.total-n.drafts {
		t.Errorf("synthetic counts = %+v; want 200 in all, mostly published, some of each other kind, every non-draft signed", n)
	}
	var years int
	if err := pool1.QueryRow(ctx, `SELECT count(DISTINCT fy_start) FROM funding_lines f JOIN decisions d ON d.id = f.decision_id WHERE d.synthetic`).Scan(&years); err != nil || years < 5 {
		t.Errorf("funding over %d financial years (%v), want several", years, err)
	}

	if out, err := runCmd(t, first, nil, "verify"); err != nil {
		t.Fatalf("verify after seeding: %v\n%s", err, out)
	}

	// The public sees no draft, deferred or rejected decision, and no Part II.
	public := store.Public(time.Now())
	rows, _ := pool1.Query(ctx, `SELECT slug, status, EXISTS (SELECT 1 FROM sections s WHERE s.decision_id = d.id AND s.part = 2) FROM decisions d WHERE synthetic`)
	type row struct {
		Slug    string
		Status  string
		PartTwo bool
	}
	all, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		dd, err := st.DecisionBySlug(ctx, public, r.Slug)
		if r.Status != "published" {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("public read of %s decision %s = %v, want ErrNotFound", r.Status, r.Slug, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("public read of %s: %v", r.Slug, err)
		}
		for _, s := range dd.Sections {
			if s.Part != 1 || strings.Contains(s.Body, "Part II") {
				t.Errorf("public read of %s shows Part II: %q", r.Slug, s.Body)
			}
		}
	}
	page, err := st.ListDecisions(ctx, public, store.ListParams{Words: "Confidential Part II", Limit: 20})
	if err != nil || page.Total != 0 {
		t.Errorf("public search for Part II text = %d results (%v), want 0", page.Total, err)
	}
	page, err = st.ListDecisions(ctx, public, store.ListParams{Limit: 1})
	if err != nil || page.Total != 10+n.published {
		t.Errorf("public list holds %d (%v), want the 10 seeded and %d published synthetic decisions", page.Total, err, n.published)
	}

	// A second run adds more, after the first, and verify still holds.
	if out, err := runCmd(t, first, nil, "seed-synthetic", "--count", "30", "--seed", "42"); err != nil {
		t.Fatalf("second seed-synthetic: %v\n%s", err, out)
	}
	if out, err := runCmd(t, first, nil, "verify"); err != nil {
		t.Fatalf("verify after a second run: %v\n%s", err, out)
	}

	// The mark is not content: the signed-content trigger lets it change, and not the title.
	tx, err := pool1.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	const signedOne = `(SELECT decision_id FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.synthetic LIMIT 1)`
	if _, err := tx.Exec(ctx, `UPDATE decisions SET synthetic = false WHERE id = `+signedOne); err != nil {
		t.Errorf("unmarking a signed synthetic decision: %v, want it allowed", err)
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT s`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `UPDATE decisions SET title = 'changed' WHERE id = `+signedOne); err == nil {
		t.Error("changing a signed synthetic decision's title was allowed")
	}
}

func TestSeedSyntheticRefusesPeoplesRecords(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	if out, err := runCmd(t, dbURL, strings.NewReader("a long enough passphrase\n"), "user", "add", "--email", "d@example.org",
		"--name", "Dee Drafter", "--role", "drafter"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	out, err := runCmd(t, dbURL, nil, "seed-synthetic", "--count", "5", "--seed", "1")
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("seed-synthetic on a database with staff = %v, want a refusal naming --force\n%s", err, out)
	}
	pool, _ := openPool(t, dbURL)
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM decisions WHERE synthetic`).Scan(&n); err != nil || n != 0 {
		t.Errorf("after a refusal the database holds %d synthetic decisions (%v), want 0", n, err)
	}
	if out, err := runCmd(t, dbURL, nil, "seed-synthetic", "--count", "5", "--seed", "1", "--force"); err != nil {
		t.Fatalf("seed-synthetic --force: %v\n%s", err, out)
	}
}
