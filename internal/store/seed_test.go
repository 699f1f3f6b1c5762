package store_test

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// fact is one decision of migrations/seed/pcd-facts.json, the verified record the seed
// migration must match value for value.
type fact struct {
	Reference         string            `json:"reference"`
	Title             *string           `json:"title"`
	DateSigned        *string           `json:"date_signed"`
	DatePublished     *string           `json:"date_published"`
	DecisionMakerName *string           `json:"decision_maker_name"`
	DecisionMakerRole *string           `json:"decision_maker_role"`
	Funder            *string           `json:"funder"`
	Amounts           []factAmount      `json:"amounts"`
	FinancialYears    []string          `json:"financial_years"`
	Summary           *string           `json:"summary"`
	Recommendations   []string          `json:"recommendations"`
	RelatedPCDs       []string          `json:"related_pcds"`
	SourceURL         *string           `json:"source_url"`
	CitedByURLs       []string          `json:"cited_by_urls"`
	FieldStatus       map[string]string `json:"field_status"`
	Notes             []string          `json:"notes"`
}

type factAmount struct {
	AmountGBP json.Number `json:"amount_gbp"`
	Label     string      `json:"label"`
	Period    string      `json:"period"`
}

func loadFacts(t *testing.T) []fact {
	t.Helper()
	f, err := os.Open("../../migrations/seed/pcd-facts.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.UseNumber() // amounts go to pence without passing through a float
	var facts []fact
	if err := dec.Decode(&facts); err != nil {
		t.Fatal(err)
	}
	if len(facts) != 10 {
		t.Fatalf("facts file has %d decisions, want 10", len(facts))
	}
	return facts
}

// gbp mirrors the seed's one typographic change to paraphrased text: "GBP 2m" is shown "£2m".
func gbp(s string) string { return strings.ReplaceAll(s, "GBP ", "£") }

func gbpPtr(s *string) *string {
	if s == nil {
		return nil
	}
	v := gbp(*s)
	return &v
}

// published1682 reads PCD 1682's own summary and recommendation from the seed text.
func published1682(t *testing.T) (summary, recommendation string) {
	t.Helper()
	b, err := os.ReadFile("../../migrations/seed/PCD-1682.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "This paper seeks approval"):
			summary = line
		case strings.HasPrefix(line, "Approve the request"):
			recommendation = line
		}
	}
	return summary, recommendation
}

func TestSeedMatchesFacts(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	summary1682, rec1682 := published1682(t)
	for _, f := range loadFacts(t) {
		t.Run(f.Reference, func(t *testing.T) {
			ref, err := decision.ParseReference(f.Reference)
			if err != nil {
				t.Fatal(err)
			}
			d, err := st.DecisionBySlug(ctx, store.Public(time.Now()), ref.Slug())
			if err != nil {
				t.Fatalf("DecisionBySlug(%q): %v", ref.Slug(), err)
			}
			wantTitle := f.Title
			if wantTitle != nil {
				trimmed := strings.TrimPrefix(*wantTitle, f.Reference+" ")
				wantTitle = &trimmed
			}
			wantSummary, wantRecs, wantSource := gbpPtr(f.Summary), mapStrings(f.Recommendations, gbp), "paraphrase"
			if f.Reference == "PCD 1682" {
				wantSummary, wantRecs, wantSource = &summary1682, []string{rec1682}, "published"
			}
			checkPtr(t, "title", d.Title, wantTitle)
			checkPtr(t, "summary", d.Summary, wantSummary)
			checkPtr(t, "decision maker", d.DecisionMakerName, f.DecisionMakerName)
			checkPtr(t, "decision maker role", d.DecisionMakerRole, f.DecisionMakerRole)
			checkPtr(t, "funder", d.Funder, f.Funder)
			checkPtr(t, "source URL", d.SourceURL, f.SourceURL)
			if f.DateSigned != nil || d.DateSigned != nil || f.DatePublished != nil || d.DatePublished != nil {
				t.Errorf("dates = %v, %v; facts %v, %v (no date is known for any seeded decision)", d.DateSigned, d.DatePublished, f.DateSigned, f.DatePublished)
			}
			if d.TextSource != wantSource {
				t.Errorf("text source = %q, want %q", d.TextSource, wantSource)
			}
			check(t, "recommendations", d.Recommendations, wantRecs)
			urls := []string{}
			for _, c := range d.Citations {
				urls = append(urls, c.URL)
			}
			check(t, "citations", urls, nonNil(f.CitedByURLs))
			check(t, "notes", d.Notes, mapStrings(f.Notes, gbp))
			checkAmounts(t, d, f)
			checkYears(t, d, f)
			checkRelated(t, d, f)
			statuses := map[string]string{}
			for _, fs := range d.FieldStatuses {
				statuses[fs.Field] = fs.Status
			}
			check(t, "field statuses", statuses, f.FieldStatus)
			wantProvenance := "verified"
			if f.Reference == "PCD 960" {
				wantProvenance = "inferred"
			}
			if d.Provenance != wantProvenance {
				t.Errorf("provenance = %q, want %q", d.Provenance, wantProvenance)
			}
		})
	}
}

func checkAmounts(t *testing.T, d store.DecisionDetail, f fact) {
	t.Helper()
	if len(d.Funding) != len(f.Amounts) {
		t.Fatalf("%d funding lines, want %d", len(d.Funding), len(f.Amounts))
	}
	for i, a := range f.Amounts {
		want, err := decision.ParsePence(a.AmountGBP.String())
		if err != nil {
			t.Fatal(err)
		}
		l := d.Funding[i]
		if l.AmountPence != want || l.Label != gbp(a.Label) || l.PeriodText == nil || *l.PeriodText != a.Period {
			t.Errorf("line %d = %d %q %v; want %d %q %q", i+1, l.AmountPence, l.Label, l.PeriodText, want, gbp(a.Label), a.Period)
		}
		if l.Funder == nil || f.Funder == nil || *l.Funder != *f.Funder {
			t.Errorf("line %d funder = %v, want %v", i+1, l.Funder, f.Funder)
		}
	}
}

func checkYears(t *testing.T, d store.DecisionDetail, f fact) {
	t.Helper()
	want := make([]decision.FinancialYear, 0, len(f.FinancialYears))
	for _, s := range f.FinancialYears {
		y, err := decision.ParseFinancialYear(s)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, y)
	}
	lines := make([]decision.Line, len(d.Funding))
	for i, l := range d.Funding {
		lines[i] = decision.Line{AmountPence: l.AmountPence, Kind: l.Kind, Basis: l.Basis, FYStart: l.FYStart, FYEnd: l.FYEnd}
	}
	check(t, "financial years", decision.FinancialYearsOf(lines), want)
}

// checkRelated wants every decision the facts relate to be linked directly or in the same chain.
func checkRelated(t *testing.T, d store.DecisionDetail, f fact) {
	t.Helper()
	reachable := map[string]bool{}
	for _, l := range d.Links {
		reachable[l.Ref] = true
	}
	for _, c := range d.Chain {
		reachable[c.Reference] = true
	}
	for _, r := range f.RelatedPCDs {
		ref, err := decision.ParseReference(r)
		if err != nil {
			t.Fatal(err)
		}
		if !reachable[ref.String()] {
			t.Errorf("%s is not linked to %s", ref, f.Reference)
		}
	}
}

func checkPtr(t *testing.T, what string, got, want *string) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("%s = %s, want %s", what, show(got), show(want))
	}
}

func show(s *string) string {
	if s == nil {
		return "NULL"
	}
	return "\"" + *s + "\""
}

func check(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v\nwant %#v", what, got, want)
	}
}

func mapStrings(in []string, fn func(string) string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		out = append(out, fn(s))
	}
	return out
}

func nonNil(in []string) []string {
	if in == nil {
		return []string{}
	}
	return in
}

// TestSeedWordingIsForThePublic checks that what "About this record" shows carries none of the
// research shorthand the first seed had, and that PCD 1682's own words are called its own.
func TestSeedWordingIsForThePublic(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	shorthand := []string{"GBP", "do NOT", "probable page", "see label", "Body heading", "available copy", "excerpt", "INFERRED", "->"}
	for _, f := range loadFacts(t) {
		ref, err := decision.ParseReference(f.Reference)
		if err != nil {
			t.Fatal(err)
		}
		d, err := st.DecisionBySlug(ctx, store.Public(time.Now()), ref.Slug())
		if err != nil {
			t.Fatal(err)
		}
		shown := append([]string{}, d.Notes...)
		for _, fs := range d.FieldStatuses {
			shown = append(shown, fs.Status)
		}
		for _, s := range shown {
			for _, bad := range shorthand {
				if strings.Contains(s, bad) {
					t.Errorf("%s shows %q, which contains %q", f.Reference, s, bad)
				}
			}
		}
		if f.Reference == "PCD 1682" {
			for _, fs := range d.FieldStatuses {
				if (fs.Field == "summary" || fs.Field == "recommendations") && !strings.Contains(fs.Status, "own words") {
					t.Errorf("PCD 1682 %s status = %q, want it to say they are the decision's own words", fs.Field, fs.Status)
				}
			}
		}
	}
}
