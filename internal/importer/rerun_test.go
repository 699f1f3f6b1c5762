package importer_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/importer"
)

// chainCSV writes n decisions newest first, each continuing the next row's: as an export lists
// them, so each link points at a decision later in the file, not yet imported when it is met.
func chainCSV(t testing.TB, dir string, n int, edit func(i int, row map[string]string)) *csvFile {
	t.Helper()
	f := newCSV(decisionColumns...)
	for i := range n {
		num := 40000 + n - 1 - i
		row := goodRow(num)
		if i < n-1 {
			row["continues"] = fmt.Sprintf("PCD %d", num-1)
		}
		if edit != nil {
			edit(i, row)
		}
		f.rowOf(row)
	}
	f.write(t, filepath.Join(dir, "decisions.csv"))
	return f
}

// registerDigest is one hash over every decision's content, signature and audit entries, to
// see that a run changed nothing.
func registerDigest(t testing.TB, pool *pgxpool.Pool) string {
	t.Helper()
	var d string
	err := pool.QueryRow(context.Background(), `
SELECT md5(concat_ws('|',
	(SELECT string_agg(concat_ws('/', d.reference, d.title, d.updated_at, g.content_hash, g.signed_at), ';' ORDER BY d.reference)
	 FROM decisions d LEFT JOIN signatures g ON g.decision_id = d.id),
	(SELECT string_agg(concat_ws('/', l.from_decision_id, l.to_decision_id, l.kind), ';' ORDER BY l.from_decision_id, l.kind, l.to_decision_id) FROM decision_links l),
	(SELECT string_agg(a.hash, ';' ORDER BY a.id) FROM audit_log a WHERE a.decision_id IS NOT NULL),
	(SELECT count(*) FROM decision_imports)))`).Scan(&d)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestResumeAndRunAgain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	const n = 100
	chainCSV(t, dir, n, nil)
	pool, st, blobs := newImportStore(t)

	// A run that fails midway (here: stopped after three batches) keeps the decisions it
	// loaded, each whole; the link from the last of them waits for its decision.
	stopped, stop := context.WithCancel(ctx)
	_, err := importer.Run(stopped, st, importer.Options{Source: dir, Blobs: blobs, Batch: 10, Workers: 1,
		Progress: func(done, _ int) {
			if done == 30 {
				stop()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v, want context.Canceled", err)
	}
	var imported, pending, links int
	counts := func() {
		t.Helper()
		err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM decision_imports), (SELECT count(*) FROM import_pending_links),
	(SELECT count(*) FROM decision_links l JOIN decision_imports i ON i.decision_id = l.from_decision_id)`).Scan(&imported, &pending, &links)
		if err != nil {
			t.Fatal(err)
		}
	}
	counts()
	if imported != 30 || pending != 1 || links != 29 {
		t.Errorf("after the interrupted run: %d imported, %d links pending, %d made; want 30, 1, 29", imported, pending, links)
	}
	// Signed with the link, hashed with it while it waits: verify holds.
	if rep, err := st.VerifySignatures(ctx); err != nil || rep.Mismatches > 0 {
		t.Errorf("verify with a link pending: %+v, %v", rep, err)
	}
	// The database itself refuses to add a link to a signed imported decision, or to drop a
	// pending one, outside the move the import makes.
	if _, err := pool.Exec(ctx, `INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
SELECT a.id, b.id, 'related' FROM decisions a, decisions b WHERE a.reference = 'PCD 40099' AND b.reference = 'PCD 1682'`); err == nil {
		t.Error("a link was added to a signed imported decision")
	}
	if _, err := pool.Exec(ctx, `DELETE FROM import_pending_links`); err == nil {
		t.Error("a pending link was dropped without being made")
	}
	// Nor a provenance row or a pending link added to a signed decision: either would change
	// its canonical content (Part II's hash, its links) after the signature.
	if _, err := pool.Exec(ctx, `INSERT INTO import_pending_links (from_decision_id, kind, to_reference)
SELECT id, 'related', 'PCD 99999' FROM decisions WHERE reference = 'PCD 1682'`); err == nil {
		t.Error("a pending link was added to a signed decision")
	}
	if _, err := pool.Exec(ctx, `INSERT INTO decision_imports (decision_id, run_id, source, source_id, record_sha256, part_two_sha256, imported_at, imported_by)
SELECT d.id, r.id, 'forged.json', 'PCD 1682', repeat('0', 64), repeat('1', 64), now(), 'someone'
FROM decisions d, import_runs r WHERE d.reference = 'PCD 1682' LIMIT 1`); err == nil {
		t.Error("a provenance row (and a Part II hash) was added to a signed decision")
	}

	// Running it again goes on from where it stopped.
	res, err := importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs, Batch: 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != n-30 || res.Unchanged != 30 || res.Refused != 0 || res.Pending != 0 || len(res.Problems) != 0 {
		t.Errorf("resumed run: imported %d, unchanged %d, refused %d, pending %d, problems %v; want %d, 30, 0, 0, none",
			res.Imported, res.Unchanged, res.Refused, res.Pending, res.Problems, n-30)
	}
	counts()
	if imported != n || pending != 0 || links != n-1 {
		t.Errorf("after the resumed run: %d imported, %d links pending, %d made; want %d, 0, %d", imported, pending, links, n, n-1)
	}
	rep, err := st.VerifyRegister(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Signatures.Mismatches > 0 || rep.Chain.BadID != 0 {
		t.Errorf("verify: %+v, chain %+v", rep.Signatures, rep.Chain)
	}

	// A third run changes nothing.
	before := registerDigest(t, pool)
	res, err = importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 0 || res.Unchanged != n || len(res.Problems) != 0 {
		t.Errorf("run again: imported %d, unchanged %d, problems %v; want 0, %d, none", res.Imported, res.Unchanged, res.Problems, n)
	}
	if after := registerDigest(t, pool); after != before {
		t.Error("running the import again changed the register")
	}

	// A record changed at its source is reported, not overwritten.
	changed := chainCSV(t, dir, n, func(i int, row map[string]string) {
		if i == 5 {
			row["title"] = "A title changed since"
		}
	})
	res, err = importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("decisions.csv:%d: PCD 40094: changed at its source since it was imported from decisions.csv: the register keeps what it imported and does not overwrite it", changed.lines["PCD 40094"])
	if len(res.Problems) != 1 || res.Problems[0].String() != want || res.Refused != 1 || res.Unchanged != n-1 {
		t.Errorf("changed record: problems %v, refused %d, unchanged %d; want [%s], 1, %d", reportLines(res.Problems), res.Refused, res.Unchanged, want, n-1)
	}
	if after := registerDigest(t, pool); after != before {
		t.Error("a changed source record changed the register")
	}
	var runs, audited int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM import_runs WHERE finished_at IS NOT NULL),
	(SELECT count(*) FROM audit_log WHERE event = 'import_run')`).Scan(&runs, &audited); err != nil {
		t.Fatal(err)
	}
	if runs != 3 || audited != 3 {
		t.Errorf("%d runs finished, %d audited; want 3 and 3 (the interrupted one is recorded unfinished)", runs, audited)
	}
}

func TestStrictStopsAtTheFirstProblem(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	chainCSV(t, dir, 60, func(i int, row map[string]string) {
		if i == 25 || i == 40 {
			row["date_signed"] = "yesterday"
		}
	})
	pool, st, blobs := newImportStore(t)
	res, err := importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs, Strict: true, Batch: 10})
	if err != nil {
		t.Fatal(err)
	}
	var imported int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM decision_imports`).Scan(&imported); err != nil {
		t.Fatal(err)
	}
	if !res.Stopped || res.Imported != 25 || imported != 25 {
		t.Errorf("strict run: stopped %v, imported %d (%d in the register); want true, 25", res.Stopped, res.Imported, imported)
	}
}
