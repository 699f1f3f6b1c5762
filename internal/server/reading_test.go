package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// These tests cover the wording points of the user review: what the pages say, and where
// their links go.

func TestNotRecordedIsOnePhraseLinkedToItsMeaning(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/", "/decisions", "/decisions/pcd-545", "/decisions/pcd-960", "/decisions/pcd-1215"} {
		r := ts.get(t, path)
		for _, bad := range []string{"Name not recorded", "title not recorded", "Title not recorded", "Year not"} {
			if strings.Contains(r.doc.Find("body").Text(), bad) {
				t.Errorf("GET %s shows %q, want the one phrase Not recorded", path, bad)
			}
		}
		r.doc.Find(".app-not-recorded").Each(func(_ int, s *goquery.Selection) {
			if href, _ := s.Attr("href"); href != "/glossary#not-recorded" || s.Text() != "Not recorded" {
				t.Errorf("GET %s: Not recorded %q links to %q, want /glossary#not-recorded", path, s.Text(), href)
			}
		})
		if r.doc.Find(".app-not-recorded").Length() == 0 {
			t.Errorf("GET %s shows no Not recorded", path)
		}
	}
	r := ts.get(t, "/glossary")
	if r.status != http.StatusOK {
		t.Fatalf("GET /glossary = %d", r.status)
	}
	got := r.text(`[data-testid="not-recorded-meaning"]`)
	for _, want := range []string{"published sources do not give this value", "never guesses"} {
		if !strings.Contains(got, want) {
			t.Errorf("glossary's Not recorded = %q, want it to say %q", got, want)
		}
	}
	for _, short := range []string{"HO", "SMH", "SMIN", "DMPC", "MPS", "NPCC", "DPIA", "MOPAC"} {
		if r.doc.Find(`[data-testid="glossary-abbreviations"] abbr`).FilterFunction(func(_ int, s *goquery.Selection) bool { return s.Text() == short }).Length() != 1 {
			t.Errorf("the glossary does not explain %s", short)
		}
	}
}

func TestAbbreviationsExplainedOnFirstUse(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1682")
	seen := map[string]int{}
	r.doc.Find("main abbr").Each(func(_ int, s *goquery.Selection) {
		if s.ParentsFiltered(`[data-testid="abbreviations"], .app-print-only`).Length() > 0 {
			return
		}
		seen[s.Text()]++
		if title, _ := s.Attr("title"); title == "" {
			t.Errorf("<abbr>%s</abbr> has no title", s.Text())
		}
	})
	for _, short := range []string{"HO", "SMH", "MPS", "DMPC", "DPIA", "MOPAC"} {
		if seen[short] != 1 {
			t.Errorf("PCD 1682 marks %s %d times, want once, on first use", short, seen[short])
		}
	}
	var terms []string
	r.doc.Find(`[data-testid="abbreviations"] .app-terms__row`).Each(func(_ int, s *goquery.Selection) {
		terms = append(terms, s.Find("dt").Text()+" = "+s.Find("dd").Text())
	})
	if got := strings.Join(terms, "|"); !strings.HasPrefix(got, "HO = Home Office|SMH = Social Media Hub|MPS = Metropolitan Police Service") {
		t.Errorf("abbreviations on the page = %q, want them in order of first use", got)
	}
}

func TestReferencesInTextLink(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1215")
	var links []string
	r.doc.Find(`[data-testid="about"] a, #about ~ * a`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Attr("href")
		if strings.HasPrefix(href, "/decisions/") {
			links = append(links, s.Text()+" "+href)
		}
	})
	joined := strings.Join(links, "|")
	for _, want := range []string{"PCD545 /decisions/pcd-545", "PCD867 /decisions/pcd-867", "PCD914 /decisions/pcd-914", "PCD960 /decisions/pcd-960"} {
		if !strings.Contains(joined, want) {
			t.Errorf("PCD 1215's record lacks the link %q among %q", want, joined)
		}
	}
	if r.doc.Find(`a[href="/decisions/pcd-1215"]`).Length() != 0 {
		t.Error("PCD 1215's page links to itself")
	}
	// The register's own sentences link too: "No amount is recorded for PCD 545, …".
	note := r.doc.Find(`#funding-history ~ p.govuk-body-s`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.HasPrefix(s.Text(), "No amount is recorded for")
	})
	if href, _ := note.Find("a").Attr("href"); href != "/decisions/pcd-545" {
		t.Errorf("the chain note %q does not link PCD 545", strings.TrimSpace(note.Text()))
	}
}

func TestCitedOnlyRecordSaysSo(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-545")
	got := r.text(`[data-testid="cited-only"]`)
	if !strings.Contains(got, "only because later decisions cite it: PCD 960, PCD 1215 and PCD 1682") {
		t.Errorf("PCD 545's top note = %q", got)
	}
	var items []string
	r.doc.Find(`[data-testid="citations"] li`).Each(func(_ int, s *goquery.Selection) {
		first, _ := s.Find("a").First().Attr("href")
		items = append(items, strings.Join(strings.Fields(s.Text()), " ")+" → "+first)
	})
	want := []string{
		"PCD 960: Home Office Funding Project Alpha Social Media Hub 2021/22 (PCD 960’s page on london.gov.uk) → /decisions/pcd-960",
		"PCD 1215: Home Office funding for Project Alpha social media hub (PCD 1215’s page on london.gov.uk) → /decisions/pcd-1215",
		"PCD 1682: Alpha - Social Media Hub (PCD 1682’s page on london.gov.uk) → /decisions/pcd-1682",
	}
	if strings.Join(items, "\n") != strings.Join(want, "\n") {
		t.Errorf("citations =\n%s\nwant\n%s", strings.Join(items, "\n"), strings.Join(want, "\n"))
	}
	r.doc.Find(`[data-testid="citations"] a`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "://") {
			t.Errorf("citation link text %q is an address, want words", s.Text())
		}
	})
	if r.doc.Find(`[data-testid="cited-only"]`).Length() != 0 && ts.get(t, "/decisions/pcd-1682").doc.Find(`[data-testid="cited-only"]`).Length() != 0 {
		t.Error("PCD 1682, which has its own page, says it is known only from citations")
	}
}

func TestKeyInformationClaimsOnlyWhatTheDataSupports(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1532")
	years := r.doc.Find(`[data-testid="financial-years"]`)
	hints := strings.Join(strings.Fields(years.Find("p").Text()), " ")
	years.Find("p").Remove()
	if got := strings.TrimSpace(years.Text()); got != "2023-24 to 2024-25" {
		t.Errorf("PCD 1532 financial years = %q, want the years of the £1,141,134 it accepted, 2023-24 to 2024-25", got)
	}
	if !strings.Contains(hints, "Agreed in principle only, not accepted: 2025-26 to 2026-27") {
		t.Errorf("PCD 1532 financial years hint = %q, want the in-principle years on their own line", hints)
	}
	maker := r.text(`[data-testid="decision-maker"]`)
	if strings.Contains(maker, "shown as 'Past staff'") || !strings.Contains(maker, "past staff: they no longer hold the post") {
		t.Errorf("PCD 1532 decision maker = %q, want Past staff explained", maker)
	}
	if got := r.text(`[data-testid="status"]`); !strings.Contains(got, "date the decision itself was first published is not recorded") {
		t.Errorf("status = %q, want Published explained beside an unknown date published", got)
	}

	r = ts.get(t, "/decisions/pcd-867")
	var kinds, years867 []string
	r.doc.Find(`[data-testid="funding-table"] tbody tr`).Each(func(_ int, row *goquery.Selection) {
		row.Find(".app-card-table__label").Remove()
		kinds = append(kinds, strings.Join(strings.Fields(row.Find("td").Eq(1).Text()), " "))
		cell := row.Find("td").Eq(0)
		published := cell.Find(".govuk-body-s").Text()
		cell.Find(".govuk-body-s").Remove()
		years867 = append(years867, strings.TrimSpace(strings.TrimSpace(cell.Text())+" "+published))
	})
	if len(kinds) != 2 || strings.Contains(kinds[1], "another decision") || !strings.HasPrefix(kinds[1], "Quoted for comparison") {
		t.Errorf("PCD 867's own 2019/20 figure is labelled %q, want a label that fits it", kinds)
	}
	if len(years867) != 2 || years867[0] != "2020-21 As published: 01/04/2020 to 31/03/2021" || years867[1] != "2019-20" {
		t.Errorf("PCD 867 years = %q, want the published form only where it says more", years867)
	}
}

func TestListsSayTheirOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/")
	if got := r.text(`[data-testid="recent-heading"]`); strings.Contains(got, "recent") {
		t.Errorf("home heading = %q, but no date signed is known", got)
	}
	if got := r.text(`[data-testid="order"]`); !strings.Contains(got, "reference number, highest first") {
		t.Errorf("home order = %q", got)
	}
	r = ts.get(t, "/decisions")
	if got := r.text(`[data-testid="result-count"]`) + " " + r.text(`[data-testid="order"]`); strings.Contains(got, "newest first") || !strings.Contains(got, "reference number, highest first") {
		t.Errorf("list says %q, but no date signed is known", got)
	}
}

func TestBackgroundPapersSayTheyAreNotPublished(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1682")
	if got := r.text(`[data-testid="section-note"]`); !strings.Contains(got, "not published") {
		t.Errorf("background papers note = %q", got)
	}
}

func TestAccessibilityStatementNamesAContact(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/accessibility")
	a := r.doc.Find(`[data-testid="contact"] a`)
	href, _ := a.Attr("href")
	if !strings.HasPrefix(href, "https://") || a.Text() == "" {
		t.Errorf("accessibility statement contact = %q %q, want a link", a.Text(), href)
	}
	// A sentence with a full stop, whose link says where it leads.
	const want = "Contact the Mayor’s Office for Policing and Crime (its page on london.gov.uk lists how)."
	if got := strings.Join(strings.Fields(r.text(`[data-testid="contact"]`)), " "); got != want {
		t.Errorf("accessibility statement contact = %q, want %q", got, want)
	}
	if got := a.Text(); got != "the Mayor’s Office for Policing and Crime" {
		t.Errorf("contact link text = %q, want the owner's name", got)
	}
}

// TestNoSectionsSentenceEnds checks the sentence that sends a reader to the published page of a
// decision whose text the register does not hold: it ends with a full stop.
func TestNoSectionsSentenceEnds(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	found := 0
	for _, slug := range []string{"pcd-545", "pcd-867", "pcd-914", "pcd-956", "pcd-960", "pcd-1047", "pcd-1215", "pcd-1218", "pcd-1532", "pcd-1682"} {
		r := ts.get(t, "/decisions/"+slug)
		if r.doc.Find(`[data-testid="no-sections"] a`).Length() == 0 {
			continue
		}
		found++
		if got := r.text(`[data-testid="no-sections"]`); !strings.HasSuffix(got, "published page.") {
			t.Errorf("GET %q: no-sections text = %q, want it to end \"published page.\"", slug, got)
		}
	}
	if found == 0 {
		t.Error("no decision page links to its published page for want of its text")
	}
}

// TestGreyIsExplainedByTheChart checks that only the chart speaks of grey bars: on narrow screens
// the chart is not shown, so the notes under the table must be true without it.
func TestGreyIsExplainedByTheChart(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1215")
	if r.doc.Find(`[data-testid="funding-chart"] .app-chart__bar--unclear`).Length() == 0 {
		t.Fatal("PCD 1215's chart draws no bar in grey")
	}
	if got := r.text(`[data-testid="chart-legend"]`); !strings.Contains(got, "Grey bar") {
		t.Errorf("chart legend = %q, want it to explain the grey bar", got)
	}
	r.doc.Find("p, li, td, caption").Each(func(_ int, p *goquery.Selection) {
		if strings.Contains(strings.ToLower(p.Text()), "grey") {
			t.Errorf("text outside the chart speaks of grey: %q", strings.Join(strings.Fields(p.Text()), " "))
		}
	})
}

// TestCardTableLabelsAreNotHidden checks that the labels inside the money tables' cells, shown
// when the tables become stacked cards on narrow screens, reach assistive technology: WebKit
// drops the table semantics of a table whose parts are display: block or flex, and then the label
// is all that says what a figure is.
func TestCardTableLabelsAreNotHidden(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/decisions/pcd-1532", "/decisions/pcd-1682"} {
		r := ts.get(t, path)
		labels := r.doc.Find("table.app-card-table .app-card-table__label")
		if labels.Length() == 0 {
			t.Fatalf("GET %q: no card table labels", path)
		}
		labels.Each(func(_ int, l *goquery.Selection) {
			if l.ParentsFiltered("[aria-hidden]").Length() > 0 || l.AttrOr("aria-hidden", "") != "" {
				t.Errorf("GET %q: label %q is hidden from assistive technology", path, l.Text())
			}
		})
	}
}

// TestNoEmptyTestIDs checks that an element carries data-testid only when it has one to give.
func TestNoEmptyTestIDs(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/", "/decisions", "/decisions/pcd-1682", "/decisions/pcd-1532", "/decisions/pcd-545", "/decisions/pcd-960", "/glossary", "/accessibility"} {
		r := ts.get(t, path)
		if n := strings.Count(r.body, `data-testid=""`); n > 0 {
			t.Errorf("GET %q: %d empty data-testid attributes", path, n)
		}
	}
}
