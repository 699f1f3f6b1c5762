package importer_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/api"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/importer"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
)

// syntheticExport writes n published decisions as seed-synthetic makes them (same generator,
// same seed), in the public JSON /api/v1/decisions/{slug} serves, one a line, straight from
// the generator: a register's export of seed-synthetic's output, without 10,000 requests.
func syntheticExport(t testing.TB, path string, n int) []store.SyntheticDecision {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	gen := synthetic.New(1, map[string]int{}, time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC))
	day := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		s := t.Format(time.DateOnly)
		return &s
	}
	var all []store.SyntheticDecision
	for len(all) < n {
		d := gen.Next()
		if d.Status != decision.StatusPublished {
			continue
		}
		all = append(all, d)
		c := d.Content()
		out := api.Decision{Reference: c.Reference, Slug: d.Ref().Slug(), Series: d.Series, Title: &d.Title, Summary: &d.Summary,
			TextSource: "published", Synthetic: true, Status: d.Status, DateSigned: day(d.DateSigned), DatePublished: day(d.DatePublished),
			DecisionMaker: api.Person{Name: &d.DecisionMakerName, Role: &d.DecisionMakerRole}, Funder: &d.Funder,
			Recommendations: d.Recommendations, Sections: []api.Section{}, FundingLines: []api.FundingLine{}, Links: []api.Link{},
			Documents: []api.Document{}, Signoff: api.Signoff{Approvals: []api.Approval{}}}
		for i, s := range d.Sections {
			out.Sections = append(out.Sections, api.Section{Part: 1, Position: i + 1, Kind: s.Kind, Heading: s.Heading, Body: s.Body})
		}
		if h := c.WithPartTwoHashed().PartTwoHash; h != "" {
			out.PartTwoSHA256 = &h
		}
		for i, l := range d.Funding {
			out.FundingLines = append(out.FundingLines, api.FundingLine{Position: i + 1, Funder: l.Funder, Recipient: l.Recipient,
				AmountPence: l.AmountPence, Currency: l.Currency, FYStart: l.FYStart, FYEnd: l.FYEnd, Basis: l.Basis, Kind: l.Kind,
				Label: l.Label, PeriodText: l.PeriodText})
		}
		for _, l := range c.Links {
			out.Links = append(out.Links, api.Link{Kind: l.Kind, Direction: "to", Reference: l.Reference})
		}
		hash := decision.ContentHash(c)
		out.ContentHash = hash
		out.Signoff.Signature = &api.Signature{Kind: "imported", Outcome: "approved", SignedAt: *d.SignedAt, ContentHash: hash}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(append(b, '\n'))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return all
}

// BenchmarkImport10000 imports 10,000 of seed-synthetic's decisions (sections, Part II, funding
// lines, chains) into an empty register and reports decisions a second: the figure is
// 10,000 in under a minute. As a baseline it loads the same decisions the way seed-synthetic
// does, in the same run, and reports the import's time as a multiple of that. Run it with
// `go test -run '^$' -bench Import10000 -benchtime 1x ./internal/importer`.
func BenchmarkImport10000(b *testing.B) {
	const n = 10000
	dir := b.TempDir()
	decisions := syntheticExport(b, filepath.Join(dir, "synthetic.jsonl"), n)
	ctx := context.Background()
	var took, baseline time.Duration
	for range b.N {
		b.StopTimer()
		_, st, blobs := newImportStore(b)
		_, seeded, _ := newImportStore(b)
		orgs, err := seeded.EnsureOrganisations(ctx, synthetic.Organisations())
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := 0; i < n; i += 2000 {
			if err := seeded.LoadSynthetic(ctx, decisions[i:min(i+2000, n)], orgs, time.Now()); err != nil {
				b.Fatal(err)
			}
		}
		baseline += time.Since(start)
		b.StartTimer()
		start = time.Now()
		res, err := importer.Run(ctx, st, importer.Options{Source: dir, Blobs: blobs})
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if res.Imported != n || len(res.Problems) != 0 {
			b.Fatalf("imported %d of %d; problems %v", res.Imported, n, reportLines(res.Problems)[:min(5, len(res.Problems))])
		}
	}
	b.ReportMetric(float64(n*b.N)/took.Seconds(), "decisions/s")
	b.ReportMetric(took.Seconds()/baseline.Seconds(), "x-seed-synthetic")
}

// TestSyntheticExportImports keeps the benchmark's input honest where the suite runs: a few
// hundred of the same decisions import with no problem, their hashes as signed.
func TestSyntheticExportImports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	syntheticExport(t, filepath.Join(dir, "synthetic.jsonl"), 300)
	_, st, blobs := newImportStore(t)
	res, err := importer.Run(context.Background(), st, importer.Options{Source: dir, Blobs: blobs, Batch: 64})
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 300 || len(res.Problems) != 0 {
		t.Fatalf("imported %d of 300; problems %v", res.Imported, reportLines(res.Problems))
	}
	// Batches loaded side by side chain their audit entries one after the other.
	rep, err := st.VerifyRegister(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Signatures.Mismatches > 0 || rep.Chain.BadID != 0 {
		t.Errorf("verify: %+v, chain %+v", rep.Signatures, rep.Chain)
	}
}
