package threesixty_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/threesixty"
	"github.com/decision-register/decisions/internal/threesixty/threesixtytest"
)

func TestPounds(t *testing.T) {
	for _, tc := range []struct {
		pence int64
		want  string
	}{
		{1, "0.01"}, {99, "0.99"}, {100, "1"}, {147930616, "1479306.16"}, {27550000, "275500"},
		{26924450, "269244.50"}, {1_000_000_000_000_000, "10000000000000"}, {-150, "-1.50"},
	} {
		if got := threesixty.Pounds(tc.pence); string(got) != tc.want {
			t.Errorf("Pounds(%d) = %s, want %s", tc.pence, got, tc.want)
		}
	}
}

func TestPlannedDates(t *testing.T) {
	y := func(n int) *int { return &n }
	for _, tc := range []struct {
		start, end *int
		want       string
	}{
		{y(2024), y(2024), "2024-04-01 2025-03-31 12"},
		{y(2024), nil, "2024-04-01 2025-03-31 12"},
		{y(2023), y(2024), "2023-04-01 2025-03-31 24"},
		{y(1999), y(2000), "1999-04-01 2001-03-31 24"},
		{nil, nil, "none"},
	} {
		got := "none"
		if e, ok := threesixty.PlannedDates(tc.start, tc.end); ok {
			got = fmt.Sprintf("%s %s %d", e.StartDate, e.EndDate, e.Duration)
		}
		if got != tc.want {
			t.Errorf("PlannedDates = %s, want %s", got, tc.want)
		}
	}
}

func TestValidPrefix(t *testing.T) {
	for p, want := range map[string]bool{
		threesixty.DefaultPrefix: true, "360G-mopac": true, "360G-LondonCF": true, "360G-a_b.c-1": true,
		"": false, "360G-": false, "360g-mopac": false, "GB-CHC-1": false, "360G-mopac-": false, "360G-a b": false,
		"360G-a--b": false, "360G-é": false,
	} {
		if got := threesixty.ValidPrefix(p); got != want {
			t.Errorf("ValidPrefix(%q) = %v, want %v", p, got, want)
		}
	}
}

func strp(s string) *string { return &s }

// fullLine is a grant with every value a record needs.
func fullLine() threesixty.Line {
	signed := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	fy := 2024
	return threesixty.Line{Reference: "PCD 1682", Slug: "pcd-1682", Position: 1, Title: strp("Alpha - Social Media Hub"),
		Summary: strp("Accepts the Home Office grant."), DateSigned: &signed, UpdatedAt: signed,
		AmountPence: 275500000, Currency: "GBP", Basis: "total", FYStart: &fy, FYEnd: &fy,
		Funder:    &threesixty.Org{LocalID: 1, Name: "Home Office"},
		Recipient: &threesixty.Org{LocalID: 2, OrgID: "GB-GOR-EA123", Name: "Metropolitan Police Service"}}
}

func TestGrant(t *testing.T) {
	b := threesixty.Builder{Prefix: "360G-mopac", BaseURL: "https://decisions.example.org"}
	g, missing := b.Grant(fullLine())
	if len(missing) > 0 {
		t.Fatalf("a full line is left out for %v", missing)
	}
	got, _ := json.Marshal(g)
	want := `{"id":"360G-mopac-pcd-1682-1","title":"PCD 1682: Alpha - Social Media Hub","description":"Accepts the Home Office grant.",` +
		`"currency":"GBP","amountAwarded":2755000,"awardDate":"2024-06-03","url":"https://decisions.example.org/decisions/pcd-1682",` +
		`"plannedDates":[{"startDate":"2024-04-01","endDate":"2025-03-31","duration":12}],` +
		`"recipientOrganization":[{"id":"GB-GOR-EA123","name":"Metropolitan Police Service"}],` +
		`"fundingOrganization":[{"id":"360G-mopac-org-1","name":"Home Office"}],"dateModified":"2024-06-03T00:00:00Z"}`
	if string(got) != want {
		t.Errorf("grant =\n%s\nwant\n%s", got, want)
	}
	// An amount paid each year is the grant's whole award: PCD 1532's £570,567 a year for two years.
	l := fullLine()
	end := 2025
	l.FYEnd, l.Basis, l.AmountPence = &end, "per_year", 57056700
	if g, _ := b.Grant(l); g.AmountAwarded != "1141134" || g.PlannedDates[0].Duration != 24 {
		t.Errorf("per-year grant: %s over %d months, want 1141134 over 24", g.AmountAwarded, g.PlannedDates[0].Duration)
	}
	pkg, _ := json.Marshal(map[string]any{"grants": []threesixty.Grant{g}})
	if err := threesixtytest.ValidatePackage(pkg); err != nil {
		t.Errorf("a full grant does not validate: %v", err)
	}
}

// TestLeftOut: each required value the register may not know leaves the grant out, named; a
// missing optional value (the financial years) does not.
func TestLeftOut(t *testing.T) {
	b := threesixty.Builder{Prefix: threesixty.DefaultPrefix, BaseURL: "http://localhost:8080"}
	for _, tc := range []struct {
		name   string
		change func(*threesixty.Line)
		want   []threesixty.Reason
	}{
		{"no award date", func(l *threesixty.Line) { l.DateSigned = nil }, []threesixty.Reason{threesixty.NoAwardDate}},
		{"no recipient", func(l *threesixty.Line) { l.Recipient = nil }, []threesixty.Reason{threesixty.NoRecipient}},
		{"no funder", func(l *threesixty.Line) { l.Funder = nil }, []threesixty.Reason{threesixty.NoFunder}},
		{"no title", func(l *threesixty.Line) { l.Title = nil }, []threesixty.Reason{threesixty.NoTitle}},
		{"no summary", func(l *threesixty.Line) { l.Summary = nil }, []threesixty.Reason{threesixty.NoDescription}},
		{"unclear basis", func(l *threesixty.Line) { l.Basis = "unclear" }, []threesixty.Reason{threesixty.AmountUnclear}},
		{"seeded", func(l *threesixty.Line) { l.DateSigned, l.Recipient = nil, nil },
			[]threesixty.Reason{threesixty.NoAwardDate, threesixty.NoRecipient}},
		{"no years", func(l *threesixty.Line) { l.FYStart, l.FYEnd = nil, nil }, nil},
	} {
		l := fullLine()
		tc.change(&l)
		g, missing := b.Grant(l)
		if !slices.Equal(missing, tc.want) || !slices.Equal(l.Known().Missing(), tc.want) {
			t.Errorf("%s: missing %v (known says %v), want %v", tc.name, missing, l.Known().Missing(), tc.want)
		}
		if tc.want == nil {
			if len(g.PlannedDates) != 0 {
				t.Errorf("%s: planned dates %v, want none", tc.name, g.PlannedDates)
			}
			pkg, _ := json.Marshal(map[string]any{"grants": []threesixty.Grant{g}})
			if err := threesixtytest.ValidatePackage(pkg); err != nil {
				t.Errorf("%s: does not validate: %v", tc.name, err)
			}
		}
	}
}

func TestCountsSummary(t *testing.T) {
	var c threesixty.Counts
	if got, want := c.Summary(), "0 grants published; none left out."; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	c.Add(threesixty.Known{true, true, true, true, true, true}, 1)
	c.Add(threesixty.Known{Title: true, Description: true, Funder: true, AmountClear: true}, 7)
	c.Add(threesixty.Known{Title: true, Description: true, Funder: true}, 1)
	want := "1 grant published; 8 left out: 8 have no award date (the date the decision was signed is not recorded), " +
		"8 have no recipient recorded, 1 has an amount the source does not say is per year or in total (a grant can lack more than one)."
	if got := c.Summary(); got != want {
		t.Errorf("Summary() =\n%q\nwant\n%q", got, want)
	}
}

// TestSchemaRejects: the validator is not a rubber stamp: the faults the exports must never
// have are refused.
func TestSchemaRejects(t *testing.T) {
	b := threesixty.Builder{Prefix: "360G-mopac", BaseURL: "https://decisions.example.org"}
	g, _ := b.Grant(fullLine())
	good, _ := json.Marshal(g)
	for name, bad := range map[string]string{
		"no grants":          `{"grants": []}`,
		"award date guess":   `{"grants": [` + strings.Replace(string(good), `"2024-06-03"`, `"June 2024"`, 1) + `]}`,
		"amount as text":     `{"grants": [` + strings.Replace(string(good), `2755000`, `"2755000"`, 1) + `]}`,
		"no recipient":       `{"grants": [` + strings.Replace(string(good), `"recipientOrganization"`, `"x"`, 1) + `]}`,
		"currency":           `{"grants": [` + strings.Replace(string(good), `"GBP"`, `"GB"`, 1) + `]}`,
		"version with patch": `{"version": "1.4.3", "grants": [` + string(good) + `]}`,
	} {
		if err := threesixtytest.ValidatePackage([]byte(bad)); err == nil {
			t.Errorf("%s: validates, want an error", name)
		}
	}
}

// TestCSVColumns: every column of the CSV is a title the grant schema has, and a row
// unflattened through those titles is the JSON record again.
func TestCSVColumns(t *testing.T) {
	b := threesixty.Builder{Prefix: "360G-mopac", BaseURL: "https://decisions.example.org"}
	g, _ := b.Grant(fullLine())
	pkg, err := threesixtytest.Unflatten([][]string{threesixty.CSVHeader, g.CSVRow()})
	if err != nil {
		t.Fatal(err)
	}
	if err := threesixtytest.ValidatePackage(pkg); err != nil {
		t.Errorf("unflattened CSV does not validate: %v", err)
	}
	want, _ := json.Marshal(map[string]any{"grants": []threesixty.Grant{g}})
	if !sameJSON(t, pkg, want) {
		t.Errorf("unflattened CSV =\n%s\nwant\n%s", pkg, want)
	}
	if _, err := threesixtytest.Unflatten([][]string{{"Identifier", "Grant Reference"}}); err == nil {
		t.Error("a column the schema does not title is read, want an error")
	}
}

func TestValidOrgID(t *testing.T) {
	for id, want := range map[string]bool{
		"GB-CHC-1092948": true, "GB-COH-01234567": true, "XI-IATI-ABC": true, "GB-SC-SC012345": true, "GB-GOR-D1234": true,
		"": false, "GB-CHC": false, "GB-CHC-": false, "gb-chc-1": false, "GB-C-1": false, "GB-CHC-1 2": false, "360G-x-1": false,
	} {
		if got := threesixty.ValidOrgID(id); got != want {
			t.Errorf("ValidOrgID(%q) = %v, want %v", id, got, want)
		}
	}
}

func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	same, err := threesixtytest.SameJSON(a, b)
	if err != nil {
		t.Fatal(err)
	}
	return same
}
