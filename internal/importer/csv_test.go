package importer_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/importer"
	"github.com/decision-register/decisions/internal/store"
)

// csvFile builds a CSV and remembers the line each row starts on (cells may hold line feeds).
type csvFile struct {
	buf    bytes.Buffer
	w      *csv.Writer
	header []string
	lines  map[string]int // by the row's first cell
}

func newCSV(header ...string) *csvFile {
	f := &csvFile{header: header, lines: map[string]int{}}
	f.w = csv.NewWriter(&f.buf)
	f.row(header...)
	return f
}

func (f *csvFile) row(cells ...string) int {
	f.w.Flush()
	line := bytes.Count(f.buf.Bytes(), []byte("\n")) + 1
	if _, ok := f.lines[cells[0]]; !ok {
		f.lines[cells[0]] = line
	}
	_ = f.w.Write(cells)
	f.w.Flush()
	return line
}

// rowOf writes a row from cells by column name.
func (f *csvFile) rowOf(cells map[string]string) int {
	out := make([]string, len(f.header))
	for i, h := range f.header {
		out[i] = cells[h]
	}
	return f.row(out...)
}

func (f *csvFile) write(t testing.TB, path string) {
	t.Helper()
	if err := os.WriteFile(path, f.buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

var decisionColumns = []string{"reference", "title", "summary", "decision_maker", "decision_maker_role", "date_signed",
	"date_published", "funder", "recommendations", "introduction_and_background", "financial_comments", "continues",
	"related", "documents"}

// goodRow is a decision with everything the layout holds.
func goodRow(n int) map[string]string {
	return map[string]string{
		"reference": fmt.Sprintf("PCD %d", n), "title": fmt.Sprintf("Grant %d to the Violence Reduction Unit", n),
		"summary":        "Accepts a grant.\r\nSecond line of the summary.",
		"decision_maker": "Sophie Linden", "decision_maker_role": "Deputy Mayor for Policing and Crime",
		"date_signed": "2021-03-04", "date_published": "05/03/2021", "funder": "Home Office",
		"recommendations":             "Accept the grant.\nDelegate the spending.",
		"introduction_and_background": "1.1. The grant continues work begun in 2019.\n\n1.2. It is paid in arrears.",
		"financial_comments":          "Costs\tAmount\nStaff\t£100,000\nRent\t£5,000",
	}
}

// plantedFaults builds a CSV of n decisions with a funding side file, plants one fault of each
// kind the issue names, and returns the directory and the report the import must give, exactly.
func plantedFaults(t testing.TB, n int) (string, []importer.Problem) {
	t.Helper()
	dir := t.TempDir()
	main := newCSV(decisionColumns...)
	funding := newCSV("reference", "amount", "financial_years", "basis", "kind", "label", "funder", "recipient")
	var want []importer.Problem
	const base = 30000
	dupLine := 0
	for i := range n {
		num := base + i
		row := goodRow(num)
		ref := row["reference"]
		if i > 0 && i%3 == 0 {
			row["continues"] = fmt.Sprintf("PCD %d", num-1)
		}
		if i%50 == 7 {
			// A link to a decision later in the file, and one never imported: they wait.
			row["related"] = fmt.Sprintf("PCD %d; PCD 99999", num+1)
		}
		switch i {
		case 10: // bad UTF-8
			row["title"] = "Grant \xff\xfe"
		case 20: // an unknown series
			row["reference"] = "XYZ 20"
		case 30, 31: // a duplicate reference
			row["reference"] = fmt.Sprintf("PCD %d", base+30)
		case 40: // a missing document
			row["documents"] = "Missing.pdf"
		case 41: // a document that is not what its name says
			row["documents"] = "Accounts.pdf"
			writeFile(t, filepath.Join(dir, "pcd-30041", "Accounts.pdf"), []byte("year,amount\n2024-25,100\n"))
		case 42: // a good document
			row["documents"] = "Budget.csv"
			writeFile(t, filepath.Join(dir, "pcd-30042", "Budget.csv"), []byte("year,amount\n2024-25,100\n"))
		case 50, 51: // a link loop: 50 continues 51, which continues 50
			row["continues"] = fmt.Sprintf("PCD %d", num+1-2*(i-50))
		case 60: // a date that is no date
			row["date_signed"] = "4th March"
		case 80: // a number with no series: never guessed
			row["reference"] = "30080"
		}
		line := main.rowOf(row)
		ref = row["reference"]
		switch i {
		case 10:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "title", Message: "not valid UTF-8"})
		case 20:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: "XYZ 20", Field: "reference",
				Message: `"XYZ 20" is not a reference of a known series (PCD, DMPCD, MD, DD, ADD)`})
		case 30:
			dupLine = line
		case 31:
			want = append(want, importer.Problem{File: "decisions.csv", Line: dupLine, Reference: ref, Field: "reference",
				Message: fmt.Sprintf("duplicate reference: also at decisions.csv:%d", line)},
				importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "reference",
					Message: fmt.Sprintf("duplicate reference: also at decisions.csv:%d", dupLine)})
		case 40:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "documents[1]",
				Message: "Missing.pdf: no such file beside the record"})
		case 41:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "documents[1]",
				Message: "Accounts.pdf: its content is a CSV, not what its name says"})
		case 50:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "links",
				Message: fmt.Sprintf("link loop: PCD %d → PCD %d → PCD %d", num, num+1, num)})
		case 51:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "links",
				Message: fmt.Sprintf("link loop: PCD %d → PCD %d → PCD %d", num-1, num, num-1)})
		case 60:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: ref, Field: "date_signed",
				Message: `"4th March" is not a date (write it like 2024-03-31 or 31/03/2024)`})
		case 80:
			want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: "30080", Field: "reference",
				Message: `"30080" is not a decision reference (write it like PCD 1682)`})
		}
		amount := fmt.Sprintf("£%d,%03d.50", 1+i%90, i%1000)
		if i == 70 { // an amount that does not parse
			amount = "about a million"
		}
		fline := funding.row(ref, amount, "2020-21 to 2022-23", "total", "grant_accepted", "Grant", "Home Office", "Violence Reduction Unit")
		if i == 10 { // the bad row is not read, so its funding line has no decision
			want = append(want, importer.Problem{File: "decisions.funding.csv", Line: fline, Reference: ref, Field: "reference",
				Message: "no decision with this reference in decisions.csv"})
		}
		if i == 70 {
			want = append(want, importer.Problem{File: "decisions.funding.csv", Line: fline, Reference: ref, Field: "amount",
				Message: `"about a million" is not an amount of money (write it like £1,234.56)`})
		}
	}
	// A row with a column too few, and a funding line for no decision.
	line := main.row("PCD 39999", "Short row")
	want = append(want, importer.Problem{File: "decisions.csv", Line: line, Reference: "PCD 39999", Message: fmt.Sprintf("2 columns, not the %d the header names", len(decisionColumns))})
	fline := funding.row("PCD 38888", "£5", "", "", "grant_accepted", "Orphan", "", "")
	want = append(want, importer.Problem{File: "decisions.funding.csv", Line: fline, Reference: "PCD 38888", Field: "reference", Message: "no decision with this reference in decisions.csv"})
	main.write(t, filepath.Join(dir, "decisions.csv"))
	funding.write(t, filepath.Join(dir, "decisions.funding.csv"))
	slices.SortStableFunc(want, func(a, b importer.Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return dir, want
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func newImportStore(t testing.TB) (*pgxpool.Pool, *store.Store, *blobstore.Store) {
	t.Helper()
	pool := dbtest.New(t)
	blobs, err := blobstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	return pool, store.New(pool), blobs
}

// refusedByFaults are the decisions the planted faults refuse: the unknown series, the bare
// number, both duplicates, both documents at fault, the loop's two, the bad date and the bad
// amount. The
// row of bad UTF-8 and the short row are not read as decisions at all (problems of the file),
// and the orphan funding line refuses no decision.
const refusedByFaults = 10

func reportLines(ps []importer.Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestCSVPlantedFaults(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 300
	dir, want := plantedFaults(t, n)
	pool, st, blobs := newImportStore(t)
	count := func() int {
		var c int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM decisions`).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := count()

	dry, err := importer.Run(ctx, st, importer.Options{Source: dir, DryRun: true, Blobs: blobs})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := reportLines(dry.Problems), reportLines(want); !slices.Equal(got, w) {
		t.Errorf("dry run's report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
	if dry.Imported != n-refusedByFaults-1 || dry.Refused != refusedByFaults {
		t.Errorf("dry run: would import %d, refuse %d; want %d, %d", dry.Imported, dry.Refused, n-refusedByFaults-1, refusedByFaults)
	}
	if c := count(); c != before {
		t.Errorf("the dry run wrote %d decisions", c-before)
	}
	var report bytes.Buffer
	if err := importer.WriteReport(&report, dry.Problems); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(report.String(), "\n"); lines != len(want)+1 {
		t.Errorf("the report has %d lines, want a header and %d problems", lines, len(want))
	}

	// A real run refuses the same decisions and imports the rest, each whole.
	res, err := importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs, By: "test", Batch: 40})
	if err != nil {
		t.Fatal(err)
	}
	if got, w := reportLines(res.Problems), reportLines(want); !slices.Equal(got, w) {
		t.Errorf("real run's report:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
	}
	if res.Imported != dry.Imported || count() != before+dry.Imported {
		t.Errorf("imported %d (the register gained %d), want %d", res.Imported, count()-before, dry.Imported)
	}
	for _, ref := range []string{"PCD 30010", "PCD 30030", "PCD 30040", "PCD 30041", "PCD 30050", "PCD 30051", "PCD 30060", "PCD 30070"} {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM decisions WHERE reference = $1`, ref).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s, refused, is in the register (%d, %v)", ref, n, err)
		}
	}
	// Unknown is NULL, never a guess; a good document came in and is in the hash.
	var docs int
	var maker *string
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM documents doc JOIN decisions d ON d.id = doc.decision_id WHERE d.reference = 'PCD 30042'),
	(SELECT decision_maker_name FROM decisions WHERE reference = 'PCD 30001')`).Scan(&docs, &maker); err != nil {
		t.Fatal(err)
	}
	if docs != 1 || maker == nil || *maker != "Sophie Linden" {
		t.Errorf("PCD 30042 has %d documents, PCD 30001's decision maker %v; want 1, Sophie Linden", docs, maker)
	}
	rep, err := st.VerifyRegister(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Signatures.Mismatches > 0 {
		t.Errorf("verify after the import: %+v", rep.Signatures)
	}
}
