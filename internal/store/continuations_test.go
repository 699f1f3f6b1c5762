package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/migrations"
)

// contentOf is a decision's copied content as text, each part computed by the database: for
// the source, with its funding lines as a continuation should hold them (years one on, the
// period's own words gone), so the comparison does not lean on the code under test.
func contentOf(t *testing.T, s draftSite, slug string, asNext bool) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"title":           `SELECT coalesce(title, '(none)') FROM decisions WHERE id = $1`,
		"summary":         `SELECT coalesce(summary, '(none)') FROM decisions WHERE id = $1`,
		"funder":          `SELECT coalesce(funder_id::text, '(none)') FROM decisions WHERE id = $1`,
		"series":          `SELECT series FROM decisions WHERE id = $1`,
		"recommendations": `SELECT body FROM recommendations WHERE decision_id = $1 ORDER BY position`,
		"part one":        `SELECT concat_ws('|', kind, heading, body) FROM sections WHERE decision_id = $1 AND part = 1 ORDER BY position`,
		"funding": `SELECT concat_ws('|', amount_pence, currency, basis, kind, label, funder_id, recipient_id,
			coalesce(fy_start::text, '?'), coalesce(fy_end::text, '?'), coalesce(period_text, '-'))
			FROM funding_lines WHERE decision_id = $1 ORDER BY position`,
	}
	if asNext {
		queries["funding"] = `SELECT concat_ws('|', amount_pence, currency, basis, kind, label, funder_id, recipient_id,
			coalesce((fy_start + 1)::text, '?'), coalesce((fy_end + 1)::text, '?'), '-')
			FROM funding_lines WHERE decision_id = $1 ORDER BY position`
	}
	var id int64
	if err := s.pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for part, q := range queries {
		rows, err := s.pool.Query(context.Background(), q, id)
		if err != nil {
			t.Fatalf("%s of %s: %v", part, slug, err)
		}
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			out[part] = append(out[part], v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestContinuationCopiesEachSeededDecision starts the next decision from each of the ten real
// decisions and compares what it holds with its source, part by part: title, summary, funder,
// series, recommendations and Part I exactly; each funding line the same but a year on, its
// period's own words dropped; one link, `continues` the source; no Part II, no documents.
func TestContinuationCopiesEachSeededDecision(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	for _, ref := range migrations.SeededReferences {
		r, err := decision.ParseReference(ref)
		if err != nil {
			t.Fatal(err)
		}
		src := r.Slug()
		slug, started, err := s.st.StartContinuation(ctx, s.drafter.Act(s.now), src)
		if err != nil || !started {
			t.Fatalf("StartContinuation(%s) = %q, %v, %v", src, slug, started, err)
		}
		want, got := contentOf(t, s, src, true), contentOf(t, s, slug, false)
		if ref == "PCD 545" { // no title of its own: the draft says whose successor it is
			want["title"] = []string{"The decision after PCD 545"}
		}
		for part := range want {
			if !slices.Equal(got[part], want[part]) {
				t.Errorf("%s's continuation %s: %s\n got %q\nwant %q", ref, slug, part, got[part], want[part])
			}
		}
		var links []string
		rows, err := s.pool.Query(ctx, `SELECT t.reference || ' ' || l.kind FROM decision_links l
			JOIN decisions f ON f.id = l.from_decision_id JOIN decisions t ON t.id = l.to_decision_id WHERE f.slug = $1`, slug)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var l string
			if err := rows.Scan(&l); err != nil {
				t.Fatal(err)
			}
			links = append(links, l)
		}
		if !slices.Equal(links, []string{ref + " continues"}) {
			t.Errorf("%s's continuation links: %q, want only that it continues %s", ref, links, ref)
		}
		var partTwo, docs, drafters int
		var status string
		if err := s.pool.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM sections WHERE decision_id = d.id AND part = 2),
			(SELECT count(*) FROM documents WHERE decision_id = d.id),
			(SELECT count(*) FROM decision_drafters WHERE decision_id = d.id AND user_id = $2), d.status
			FROM decisions d WHERE d.slug = $1`, slug, s.drafter.ID).Scan(&partTwo, &docs, &drafters, &status); err != nil {
			t.Fatal(err)
		}
		if partTwo != 0 || docs != 0 || drafters != 1 || status != "draft" {
			t.Errorf("%s's continuation: %d Part II sections, %d documents, drafter on the team %d, status %s; want 0, 0, 1, draft",
				ref, partTwo, docs, drafters, status)
		}
		if from, err := s.st.ContinuedFrom(ctx, slug); err != nil || from != src {
			t.Errorf("ContinuedFrom(%s) = %q, %v, want %s", slug, from, err, src)
		}
	}
	// PCD 1682's one line, by its own numbers: £2,755,000 for 2024-25 becomes 2025-26.
	var pence int64
	var start, end int
	var period *string
	if err := s.pool.QueryRow(ctx, `SELECT f.amount_pence, f.fy_start, f.fy_end, f.period_text FROM funding_lines f
		JOIN decisions d ON d.id = f.decision_id JOIN decisions src ON src.id = d.continued_from_id
		WHERE src.slug = 'pcd-1682'`).Scan(&pence, &start, &end, &period); err != nil {
		t.Fatal(err)
	}
	if pence != 275500000 || start != 2025 || end != 2025 || period != nil {
		t.Errorf("PCD 1682's continued line: %d pence, %d to %d, period %v; want 275500000, 2025 to 2025, none", pence, start, end, period)
	}
}

// TestContinuationStartsOnce: starting the next decision again, or from several places at
// once, leads to the one open draft; once it is discarded, a new start makes a new one; a
// draft is not a signed decision and cannot be continued.
func TestContinuationStartsOnce(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	const n = 6
	slugs := make([]string, n)
	started := make([]bool, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { slugs[i], started[i], errs[i] = s.st.StartContinuation(ctx, s.drafter.Act(s.now), "pcd-1682") })
	}
	wg.Wait()
	made := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if slugs[i] != "pcd-1683" {
			t.Errorf("start %d led to %q, want pcd-1683", i, slugs[i])
		}
		if started[i] {
			made++
		}
	}
	if made != 1 {
		t.Errorf("%d of %d starts at once made a draft, want 1", made, n)
	}
	if slug, ok, err := s.st.StartContinuation(ctx, s.drafter.Act(s.now), "pcd-1682"); slug != "pcd-1683" || ok || err != nil {
		t.Errorf("starting again = %q, %v, %v; want pcd-1683, not started", slug, ok, err)
	}
	var created []string
	rows, err := s.pool.Query(ctx, `SELECT l.detail FROM audit_log l JOIN decisions d ON d.id = l.decision_id
		WHERE d.slug = 'pcd-1683' AND l.event = 'created'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			t.Fatal(err)
		}
		created = append(created, d)
	}
	if len(created) != 1 || !strings.Contains(created[0], "continues") || !strings.Contains(created[0], "PCD 1682") {
		t.Errorf("created entries of PCD 1683: %q, want one saying it continues PCD 1682", created)
	}
	if open, err := s.st.OpenContinuation(ctx, "pcd-1682"); open != "pcd-1683" || err != nil {
		t.Errorf("OpenContinuation(pcd-1682) = %q, %v", open, err)
	}
	if _, err := s.st.OpenContinuation(ctx, "pcd-1215"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("OpenContinuation(pcd-1215) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.st.StartContinuation(ctx, s.drafter.Act(s.now), "pcd-1683"); err == nil {
		t.Error("a draft was continued")
	} else if _, refused := store.IsRefused(err); !refused {
		t.Errorf("continuing a draft: %v, want a refusal", err)
	}
	if err := s.st.DiscardDraft(ctx, s.drafter.Act(s.now), "pcd-1683"); err != nil {
		t.Fatal(err)
	}
	if slug, ok, err := s.st.StartContinuation(ctx, s.drafter.Act(s.now), "pcd-1682"); slug != "pcd-1684" || !ok || err != nil {
		t.Errorf("starting after the first was discarded = %q, %v, %v; want pcd-1684, started", slug, ok, err)
	}
	// The database holds the rule whatever the code does: a second open continuation is refused.
	_, err = s.pool.Exec(ctx, `INSERT INTO decisions (series, number, reference, slug, title, status, continued_from_id)
		SELECT 'PCD', 9000, 'PCD 9000', 'pcd-9000', 'Twin', 'draft', id FROM decisions WHERE slug = 'pcd-1682'`)
	if !isUniqueViolation(err) {
		t.Errorf("a second open continuation inserted by hand: %v, want a unique violation", err)
	}
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505"
}
