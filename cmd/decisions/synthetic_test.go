package main

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
	// Never in bulk there: it would drop the indexes people's work uses.
	if out, err := runCmd(t, dbURL, nil, "seed-synthetic", "--count", "5", "--seed", "1", "--force", "--bulk", "on"); err == nil ||
		!strings.Contains(err.Error(), "--bulk off") {
		t.Errorf("seed-synthetic --force --bulk on where people work = %v, want a refusal saying --bulk off\n%s", err, out)
	}
}

// underivedSQL counts the decisions whose derived columns are not what the triggers' own
// functions make of them now.
const underivedSQL = `
SELECT count(*) FROM decisions d
WHERE d.search_vector IS DISTINCT FROM decision_search_document(d.id, d.reference, d.title, d.summary, d.funder_id,
		d.decision_maker_name, d.decision_maker_role)
	OR d.total_pence IS DISTINCT FROM decision_total_pence(d.id)
	OR d.financial_years IS DISTINCT FROM decision_financial_years(d.id)
	OR d.funder_ids IS DISTINCT FROM decision_funder_ids(d.id, d.funder_id)`

// derivedSQL lists every decision's derived columns, by reference.
const derivedSQL = `
SELECT reference || ' ' || search_vector::text || ' ' || coalesce(total_pence::text, 'null') || ' ' ||
	financial_years::text || ' ' || funder_ids::text
FROM decisions ORDER BY reference`

// indexesSQL lists every index of the schema, its definition and whether it is valid.
const indexesSQL = `
SELECT i.indexrelid::regclass::text || ': ' || pg_get_indexdef(i.indexrelid) || ' valid=' || i.indisvalid
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' ORDER BY 1`

// orgTotalsSQL lists the organisations' kept totals (migration 000081), by name; a deferred
// decision's time, which seed-synthetic takes from the clock, as "dated".
const orgTotalsSQL = `
SELECT o.name || ' ' || CASE WHEN isfinite(t.public_from) THEN 'dated' ELSE t.public_from::text END || ' ' || t.decisions || ' ' || t.given_pence || ' ' || t.received_pence
FROM organisation_totals t JOIN organisations o ON o.id = t.organisation_id
UNION ALL
SELECT o.name || ' ' || CASE WHEN isfinite(y.public_from) THEN 'dated' ELSE y.public_from::text END || ' ' || y.fy_start || ' ' || y.kind || ' ' || y.given_pence || ' ' || y.received_pence || ' ' || y.lines
FROM organisation_years y JOIN organisations o ON o.id = y.organisation_id
ORDER BY 1`

// recountChangesNothing fails the test when counting every decision afresh in the
// organisations' totals would change them: what a load left is what the triggers make.
func recountChangesNothing(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	before := queryStrings(t, tx, orgTotalsSQL)
	if _, err := tx.Exec(ctx, `SELECT refresh_organisation_totals(ARRAY(SELECT id FROM decisions ORDER BY id))`); err != nil {
		t.Fatal(err)
	}
	if after := queryStrings(t, tx, orgTotalsSQL); len(before) == 0 || strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("the organisations' totals as loaded (%d rows) differ from a recount (%d rows):\n%s\nrecounted:\n%s",
			len(before), len(after), strings.Join(before, "\n"), strings.Join(after, "\n"))
	}
	return before
}

func queryStrings(t *testing.T, pool interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, sql string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), sql)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSeedSyntheticBulkMatchesTriggers: the same decisions seeded row by row (the triggers
// derive each one's search document, total, years and funders) and in bulk (indexes dropped,
// derived afterwards, indexes built again) end with the same derived columns and the same
// indexes, and verify passes.
func TestSeedSyntheticBulkMatchesTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rowwise, bulk := dbtest.URL(t), dbtest.URL(t)
	for u, mode := range map[string]string{rowwise: "off", bulk: "on"} {
		out, err := runCmd(t, u, nil, "seed-synthetic", "--count", "300", "--seed", "7", "--bulk", mode)
		if err != nil {
			t.Fatalf("seed-synthetic --bulk %s: %v\n%s", mode, err, out)
		}
		if !strings.Contains(out, "300 of 300 decisions loaded") || (mode == "on") != strings.Contains(out, "indexes built") {
			t.Errorf("seed-synthetic --bulk %s printed:\n%s\nwant its progress lines", mode, out)
		}
	}
	poolRows, _ := openPool(t, rowwise)
	poolBulk, _ := openPool(t, bulk)
	want, got := queryStrings(t, poolRows, derivedSQL), queryStrings(t, poolBulk, derivedSQL)
	if len(want) != 310 || len(got) != len(want) {
		t.Fatalf("row by row holds %d decisions, in bulk %d; want 310 each", len(want), len(got))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("decision %d derived in bulk:\n%s\nrow by row:\n%s", i, got[i], want[i])
			break
		}
	}
	for _, pool := range []*pgxpool.Pool{poolRows, poolBulk} {
		var n int
		if err := pool.QueryRow(ctx, underivedSQL).Scan(&n); err != nil || n != 0 {
			t.Errorf("%d decisions' derived columns differ from the triggers' functions (%v), want 0", n, err)
		}
	}
	wantIdx, gotIdx := queryStrings(t, poolRows, indexesSQL), queryStrings(t, poolBulk, indexesSQL)
	if strings.Join(gotIdx, "\n") != strings.Join(wantIdx, "\n") || !slices.ContainsFunc(gotIdx, func(s string) bool {
		return strings.HasPrefix(s, "decisions_search_idx: ")
	}) {
		t.Errorf("indexes after a bulk load:\n%s\nwant, as row by row:\n%s", strings.Join(gotIdx, "\n"), strings.Join(wantIdx, "\n"))
	}
	if want, got := recountChangesNothing(t, poolRows), recountChangesNothing(t, poolBulk); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("organisations' totals after a bulk load:\n%s\nrow by row:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if out, err := runCmd(t, bulk, nil, "verify"); err != nil {
		t.Fatalf("verify after a bulk load: %v\n%s", err, out)
	}
	var left int
	if err := poolBulk.QueryRow(ctx, `SELECT count(*) FROM bulk_load`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d bulk loads left unfinished (%v), want 0", left, err)
	}
}

// cancelOn cancels a context when a line it is given holds a phrase.
type cancelOn struct {
	bytes.Buffer
	phrase string
	cancel context.CancelFunc
}

func (w *cancelOn) Write(p []byte) (int, error) {
	if strings.Contains(string(p), w.phrase) {
		w.cancel()
	}
	return w.Buffer.Write(p)
}

// TestSeedSyntheticBulkKilledIsFinished: a bulk load stopped part-way (its context cancelled
// as the first batch is in, as a kill would stop it) leaves a register that serves its list,
// and says the load is unfinished; `decisions migrate up` then derives what was left and
// builds the indexes, and the register is what a finished load makes.
func TestSeedSyntheticBulkKilledIsFinished(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, st := openPool(t, dbURL)
	wantIdx := queryStrings(t, pool, indexesSQL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &cancelOn{phrase: "decisions loaded", cancel: cancel}
	env := map[string]string{"DATABASE_URL": dbURL}
	err := run(ctx, []string{"decisions", "seed-synthetic", "--count", "2400", "--seed", "3", "--bulk", "on"},
		func(k string) string { return env[k] }, nil, out)
	if err == nil || !strings.Contains(err.Error(), "migrate up") {
		t.Fatalf("seed-synthetic stopped part-way = %v, want an error saying migrate up finishes it\n%s", err, out)
	}

	bg := context.Background()
	var loaded, underived, unfinished int
	if err := pool.QueryRow(bg, `SELECT count(*) FROM decisions WHERE synthetic`).Scan(&loaded); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(bg, underivedSQL).Scan(&underived); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(bg, `SELECT count(*) FROM bulk_load`).Scan(&unfinished); err != nil || unfinished != 1 {
		t.Fatalf("after a stopped bulk load, bulk_load holds %d rows (%v), want 1", unfinished, err)
	}
	if loaded == 0 || loaded == 2400 {
		t.Errorf("the stopped load left %d decisions, want some of 2400", loaded)
	}
	t.Logf("stopped with %d decisions loaded, %d of them not derived", loaded, underived)
	if underived == 0 {
		t.Errorf("the stopped load left every decision derived: the test would not show migrate up deriving them")
	}
	if got := queryStrings(t, pool, indexesSQL); len(got) >= len(wantIdx) {
		t.Errorf("a stopped bulk load left %d indexes, want fewer than the %d of a migrated register", len(got), len(wantIdx))
	}
	// Usable meanwhile: the list reads (slowly, by scanning) without the dropped indexes.
	if page, err := st.ListDecisions(bg, store.Public(time.Now()), store.ListParams{Limit: 5}); err != nil || len(page.Decisions) != 5 {
		t.Errorf("list while unfinished = %d decisions (%v), want 5", len(page.Decisions), err)
	}

	migrated, err := runCmd(t, dbURL, nil, "migrate", "up")
	if err != nil || !strings.Contains(migrated, "finishing the bulk load") {
		t.Fatalf("migrate up after a stopped bulk load = %v, printed:\n%s\nwant it to finish the load", err, migrated)
	}
	if err := pool.QueryRow(bg, underivedSQL).Scan(&underived); err != nil || underived != 0 {
		t.Errorf("after migrate up, %d decisions' derived columns differ from the triggers' functions (%v), want 0", underived, err)
	}
	if got := queryStrings(t, pool, indexesSQL); strings.Join(got, "\n") != strings.Join(wantIdx, "\n") {
		t.Errorf("indexes after migrate up finished a bulk load:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantIdx, "\n"))
	}
	if err := pool.QueryRow(bg, `SELECT count(*) FROM bulk_load`).Scan(&unfinished); err != nil || unfinished != 0 {
		t.Errorf("after migrate up, bulk_load holds %d rows (%v), want 0", unfinished, err)
	}
	recountChangesNothing(t, pool)
	if out, err := runCmd(t, dbURL, nil, "verify"); err != nil {
		t.Fatalf("verify after finishing a stopped load: %v\n%s", err, out)
	}
	// A second migrate up has nothing to finish.
	if again, err := runCmd(t, dbURL, nil, "migrate", "up"); err != nil || strings.Contains(again, "finishing") {
		t.Errorf("a second migrate up = %v, printed %q, want nothing to finish", err, again)
	}
}

// TestSeedSyntheticBulkLoadsOneAtATime: while one run holds the bulk-load lock, a second bulk
// load refuses at once, before dropping an index; afterwards it runs.
func TestSeedSyntheticBulkLoadsOneAtATime(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, _ := openPool(t, dbURL)
	wantIdx := queryStrings(t, pool, indexesSQL)
	release, err := store.LockBulkLoad(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, dbURL, nil, "seed-synthetic", "--count", "20", "--bulk", "on")
	if err == nil || !strings.Contains(err.Error(), "another seed-synthetic") {
		t.Errorf("a bulk load while another holds the lock = %v, want a refusal\n%s", err, out)
	}
	if got := queryStrings(t, pool, indexesSQL); strings.Join(got, "\n") != strings.Join(wantIdx, "\n") {
		t.Errorf("a refused bulk load changed the indexes: %d, want %d", len(got), len(wantIdx))
	}
	release()
	if out, err := runCmd(t, dbURL, nil, "seed-synthetic", "--count", "20", "--bulk", "on"); err != nil {
		t.Errorf("a bulk load once the lock is free: %v\n%s", err, out)
	}
}
