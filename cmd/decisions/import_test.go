package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/dbtest"
)

// TestImportCommandOnTheExample runs `decisions import` over the example in docs/examples/import
// (the one docs/import.md shows): a dry run that writes a report and nothing else, a real run,
// and a second run that changes nothing.
func TestImportCommandOnTheExample(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	pool, _ := openPool(t, dbURL)
	env := map[string]string{"DATABASE_URL": dbURL, "DOCUMENTS_URL": t.TempDir(), "USER": "ops"}
	cmd := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"decisions", "import"}, args...), func(k string) string { return env[k] }, nil, &out)
		return out.String(), err
	}
	example := filepath.Join("..", "..", "docs", "examples", "import")
	report := filepath.Join(t.TempDir(), "report.csv")

	out, err := cmd("--dry-run", "--report", report, example)
	if err != nil {
		t.Fatalf("import --dry-run: %v\n%s", err, out)
	}
	if want := "read 2 decisions; would import 2, 0 unchanged, 0 refused; 0 problems"; !strings.Contains(out, want) {
		t.Errorf("import --dry-run printed:\n%s\nwant %q", out, want)
	}
	if b, err := os.ReadFile(report); err != nil || string(b) != "file,line,reference,field,problem\n" {
		t.Errorf("report: %q, %v; want the header alone", b, err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM decisions WHERE reference IN ('PCD 2001', 'PCD 2002')`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the dry run wrote %d decisions (%v)", n, err)
	}

	out, err = cmd(example)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if want := "imported 2, 0 unchanged, 0 refused; 0 problems; 0 links wait"; !strings.Contains(out, want) {
		t.Errorf("import printed:\n%s\nwant %q", out, want)
	}
	// Unknown is NULL; provenance and the signing are recorded; the document came in.
	var title, maker, summary *string
	var source, sourceID, by string
	var docs, links int
	var kind string
	err = pool.QueryRow(ctx, `
SELECT d.title, d.decision_maker_name, d.summary, i.source, i.source_id, i.imported_by, g.kind,
	(SELECT count(*) FROM documents doc JOIN decisions p ON p.id = doc.decision_id WHERE p.reference = 'PCD 2001'),
	(SELECT count(*) FROM decision_links l JOIN decisions p ON p.id = l.from_decision_id WHERE p.reference IN ('PCD 2001', 'PCD 2002'))
FROM decisions d JOIN decision_imports i ON i.decision_id = d.id JOIN signatures g ON g.decision_id = d.id
WHERE d.reference = 'PCD 2002'`).Scan(&title, &maker, &summary, &source, &sourceID, &by, &kind, &docs, &links)
	if err != nil {
		t.Fatal(err)
	}
	if title == nil || *title != "Knife crime community fund" || maker != nil || summary != nil || source != "decisions.csv" ||
		sourceID != "CMIS-4412" || by != "ops" || kind != "imported" || docs != 1 || links != 2 {
		t.Errorf("PCD 2002: title %v, maker %v, summary %v, source %q %q by %q, signature %q; PCD 2001's documents %d, links %d",
			title, maker, summary, source, sourceID, by, kind, docs, links)
	}

	out, err = cmd(example)
	if err != nil {
		t.Fatalf("import again: %v\n%s", err, out)
	}
	if want := "imported 0, 2 unchanged, 0 refused"; !strings.Contains(out, want) {
		t.Errorf("import again printed:\n%s\nwant %q", out, want)
	}
	if out, err := runCmd(t, dbURL, nil, "verify"); err != nil {
		t.Errorf("verify after the import: %v\n%s", err, out)
	}
}
