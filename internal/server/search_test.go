package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

func TestSearchPageFilters(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)

	// A typo gets a suggestion that finds something.
	r := ts.get(t, "/decisions?q=socal+meda")
	if got := r.text(`[data-testid="suggestion"]`); !strings.Contains(got, "social media") {
		t.Errorf("suggestion for socal meda = %q", got)
	}
	if href, _ := r.doc.Find(`[data-testid="suggestion"] a`).Attr("href"); href != "/decisions?q=social+media" {
		t.Errorf("suggestion link = %q", href)
	}

	// Words the old search missed: in any order, in recommendations, years as written.
	for _, q := range []string{"alpha+hub", "grant+home+office", "2024-25", "Sophie+Linden", "gang+violence"} {
		r := ts.get(t, "/decisions?q="+q)
		if r.status != http.StatusOK || r.doc.Find(`[data-testid="decision-item"]`).Length() == 0 {
			t.Errorf("GET /decisions?q=%s = %d with no results", q, r.status)
		}
	}
	// A phone stacks the filters above the results: a link skips them to the search box.
	if href, _ := r.doc.Find(`[data-testid="skip-to-results"]`).Attr("href"); href != "#results" ||
		r.doc.Find(`#results [data-testid="search-form"]`).Length() != 1 {
		t.Errorf("skip link to %q, want #results holding the search box", href)
	}
	// Curly quotes, as a phone types them, work as straight ones.
	straight, curly := ts.get(t, `/decisions?q=%22gang+violence%22`), ts.get(t, "/decisions?q=%E2%80%9Cgang+violence%E2%80%9D")
	if n := straight.doc.Find(`[data-testid="decision-item"]`).Length(); n == 0 || curly.doc.Find(`[data-testid="decision-item"]`).Length() != n {
		t.Errorf("“gang violence” finds %d, \"gang violence\" %d; want the same, and some",
			curly.doc.Find(`[data-testid="decision-item"]`).Length(), n)
	}
	r = ts.get(t, "/decisions?q=gang+violence")
	if !strings.Contains(r.body, "<mark>") {
		t.Errorf("no <mark> in the snippets of gang violence")
	}

	// Chosen filters are tags; each removes itself and keeps the rest.
	r = ts.get(t, "/decisions?q=alpha&funder=home+office&fy=2022-23")
	if r.status != http.StatusOK {
		t.Fatalf("filtered = %d", r.status)
	}
	tags := r.doc.Find(`[data-testid="filter-tag"]`)
	if tags.Length() != 2 {
		t.Fatalf("%d tags, want 2", tags.Length())
	}
	for i := range tags.Length() {
		href, _ := tags.Eq(i).Attr("href")
		text := tags.Eq(i).Text()
		if !strings.Contains(href, "q=alpha") || (strings.Contains(text, "2022-23") && strings.Contains(href, "fy=")) ||
			(strings.Contains(text, "Home Office") && strings.Contains(href, "funder=")) {
			t.Errorf("tag %q links to %q", text, href)
		}
	}
	// The search box carries the filters; the filter form carries the words.
	if v, _ := r.doc.Find(`[data-testid="search-form"] input[name="fy"]`).Attr("value"); v != "2022-23" {
		t.Errorf("search box carries fy %q", v)
	}
	if v, _ := r.doc.Find(`[data-testid="filter-form"] input[name="q"]`).Attr("value"); v != "alpha" {
		t.Errorf("filter form carries q %q", v)
	}
	if feed, _ := r.doc.Find(`link[rel="alternate"][type="application/atom+xml"]`).Attr("href"); !strings.HasPrefix(feed, "/decisions.atom?") {
		t.Errorf("feed link in the head = %q", feed)
	}
	if href, _ := r.doc.Find(`[data-testid="exports"] a`).First().Attr("href"); !strings.HasPrefix(href, "/decisions.csv?") || !strings.Contains(href, "fy=2022-23") {
		t.Errorf("CSV link = %q", href)
	}

	// A bad value: 400, the message beside its field and in the summary, the rest kept.
	r = ts.get(t, "/decisions?q=alpha&fy=2024-26&min=lots")
	if r.status != http.StatusBadRequest {
		t.Errorf("bad year = %d, want 400", r.status)
	}
	for _, id := range []string{"fy", "min"} {
		if r.doc.Find("#"+id+"-error").Length() != 1 || r.doc.Find(`.govuk-error-summary a[href="#`+id+`"]`).Length() != 1 {
			t.Errorf("%s: no inline error or summary link", id)
		}
	}
	if v, _ := r.doc.Find("#fy").Attr("value"); v != "2024-26" {
		t.Errorf("fy shown back as %q", v)
	}

	// The public cannot ask for drafts.
	r = ts.get(t, "/decisions?status=draft")
	if r.status != http.StatusBadRequest || r.doc.Find("#status-error").Length() != 1 {
		t.Errorf("public status=draft = %d", r.status)
	}

	// A reference with a filter is a search, not a redirect; alone it still redirects.
	if r = ts.get(t, "/decisions?q=PCD+1682"); r.status != http.StatusSeeOther {
		t.Errorf("reference alone = %d, want 303", r.status)
	}
	if r = ts.get(t, "/decisions?q=PCD+1682&funder=home+office"); r.status != http.StatusOK || !strings.Contains(r.text(`[data-testid="decision-list"]`), "PCD 1682") {
		t.Errorf("reference with a filter = %d", r.status)
	}
}

// TestStaffSearchStatus: staff filter by status and find drafts; the public finds none of it.
func TestStaffSearchStatus(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Quokka conservation draft")
	p := dc.get("/decisions?status=draft&q=quokka")
	if p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid="decision-list"]`), "Quokka") {
		t.Errorf("staff status=draft&q=quokka = %d %q", p.status, p.text(`[data-testid="decision-list"]`))
	}
	if p = dc.get("/decisions?status=published&q=quokka"); strings.Contains(p.text(`[data-testid="decision-list"]`), "Quokka") {
		t.Errorf("staff status=published lists a draft")
	}
	if p = dc.get("/decisions.csv?status=draft"); !strings.Contains(p.body, "Quokka") {
		t.Errorf("staff CSV of drafts lacks the draft")
	}
	// Every status a decision can have is a filter, rejected too.
	if _, err := s.Site.Pool.Exec(t.Context(), `INSERT INTO decisions (series, number, reference, slug, title, status)
		VALUES ('MD', 91, 'MD 91', 'md-91', 'Numbat rejected', 'rejected')`); err != nil {
		t.Fatal(err)
	}
	if p = dc.get("/decisions?status=rejected"); p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid="decision-list"]`), "Numbat") {
		t.Errorf("staff status=rejected = %d %q", p.status, p.text(`[data-testid="decision-list"]`))
	}
	public := s.Site.Client(t, "")
	for _, path := range []string{"/decisions?q=quokka", "/decisions.csv?q=quokka", "/decisions.atom?q=quokka",
		"/api/v1/decisions?q=quokka", "/api/v1/decisions/" + slug} {
		resp, err := public.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b := new(strings.Builder)
		_, _ = io.Copy(b, resp.Body)
		resp.Body.Close()
		if strings.Contains(b.String(), "Quokka") {
			t.Errorf("public GET %s shows the draft", path)
		}
	}
}

// TestUnrankedSearchSaysItsOrder: words matching more decisions than a search ranks come newest
// first; the page says so, and its sort box shows the order it has, not "Best match".
func TestUnrankedSearchSaysItsOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	// More matches than a search ranks, loaded in one batch as seed-synthetic loads: signing
	// them one at a time took two minutes under -race.
	ctx := context.Background()
	orgs, err := ts.site.Store.EnsureOrganisations(ctx, []string{"Home Office"})
	if err != nil {
		t.Fatal(err)
	}
	var batch []store.SyntheticDecision
	for n := 5001; n <= 5001+store.DefaultRankLimit+100; n++ {
		signed := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%1500)
		batch = append(batch, store.SyntheticDecision{Series: "PCD", Number: n, Title: fmt.Sprintf("Kestrel grant %d", n), Summary: "A grant.",
			Funder: "Home Office", DecisionMakerName: "Sophie Linden", DecisionMakerRole: "Deputy Mayor",
			Status: "published", DateSigned: &signed, DatePublished: &signed, SignedAt: &signed,
			PartTwoSalt: fmt.Sprintf("%032x", n)})
	}
	if err := ts.site.Store.LoadSynthetic(ctx, batch, orgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	r := ts.get(t, "/decisions?q=kestrel")
	if r.status != http.StatusOK {
		t.Fatalf("GET ?q=kestrel = %d", r.status)
	}
	if got, _ := r.doc.Find(`#sort option[selected]`).Attr("value"); got != "newest" {
		t.Errorf("the sort box shows %q, want newest (the order the page has)", got)
	}
	if !strings.Contains(r.body, "Too many decisions match to rank them by relevance") {
		t.Error("the page does not say why the newest come first")
	}
	if next, _ := r.doc.Find(`a[rel="next"]`).Attr("href"); !strings.Contains(next, "sort=newest") {
		t.Errorf("Next links to %q, want sort=newest", next)
	}
	r = ts.get(t, "/decisions?q=kestrel+5001")
	if got, _ := r.doc.Find(`#sort option[selected]`).Attr("value"); got != "" {
		t.Errorf("a few matches: the sort box shows %q, want best match", got)
	}
}

// TestDateRangeSaysItLeavesOutUndated: the ten real decisions have no date signed recorded, so a
// date range finds none of them; the page says why, not just "No decisions match".
func TestDateRangeSaysItLeavesOutUndated(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions?maker=Sophie+Linden&from=2015-01-01")
	if r.status != http.StatusOK || r.doc.Find(`[data-testid="decision-item"]`).Length() != 0 {
		t.Fatalf("GET = %d with %d results, want none (no real decision has a date signed)", r.status, r.doc.Find(`[data-testid="decision-item"]`).Length())
	}
	if got := r.text(`[data-testid="undated-note"]`); !strings.Contains(got, "not recorded") {
		t.Errorf("undated note = %q", got)
	}
	if got := r.text(`#dates-hint`); !strings.Contains(got, "left out") {
		t.Errorf("dates hint = %q", got)
	}
	if r := ts.get(t, "/decisions?maker=Sophie+Linden"); r.doc.Find(`[data-testid="undated-note"]`).Length() != 0 {
		t.Error("the undated note shows with no date given")
	}
}
