package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/testsite"
)

type testServer struct {
	site   *testsite.Site
	url    string
	client *http.Client
	pool   *pgxpool.Pool
	probe  *pgxpool.Pool
}

// newTestServer serves the real routes over HTTP on a fresh database. Its client keeps
// cookies and never follows redirects, so tests see each response as it is.
func newTestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServerWith(t, testsite.Options{})
}

func newTestServerWith(t *testing.T, o testsite.Options) *testServer {
	t.Helper()
	site := testsite.NewWith(t, o)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testServer{site: site, url: site.URL, client: client, pool: site.Pool, probe: site.Probe}
}

type response struct {
	status int
	header http.Header
	body   string
	doc    *goquery.Document
}

func (ts *testServer) get(t *testing.T, path string) response {
	t.Helper()
	resp, err := ts.client.Get(ts.url + path)
	if err != nil {
		t.Fatalf("GET %q: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %q: reading body: %v", path, err)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return response{status: resp.StatusCode, header: resp.Header, body: string(b), doc: doc}
}

func (r response) text(sel string) string {
	return strings.Join(strings.Fields(r.doc.Find(sel).Text()), " ")
}

func TestReferenceLookupRedirects(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, q := range []string{"pcd1682", "PCD 1682", "1682", " PCD-1682 ", "PCD1682", "pcd-1682", "PCD No. 1682",
		"ＰＣＤ １６８２", "ＰＣＤ１６８２", "DMPCD 1682", "MOPAC PCD 1682", "mopac pcd1682"} {
		path := "/decisions?q=" + url.QueryEscape(q)
		r := ts.get(t, path)
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/decisions/pcd-1682" {
			t.Errorf("GET %q = %d Location %q, want 303 /decisions/pcd-1682", path, r.status, r.header.Get("Location"))
		}
	}
	for _, path := range []string{"/decisions/PCD1682", "/decisions/pcd1682", "/decisions/PCD-1682", "/decisions/1682"} {
		r := ts.get(t, path)
		if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/decisions/pcd-1682" {
			t.Errorf("GET %q = %d Location %q, want 301 /decisions/pcd-1682", path, r.status, r.header.Get("Location"))
		}
	}
	r := ts.get(t, "/decisions?q=pcd545")
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/decisions/pcd-545" {
		t.Errorf("GET pcd545 = %d %q, want 303 /decisions/pcd-545", r.status, r.header.Get("Location"))
	}
}

// TestBareNumberSharedBySeries: a bare number goes to the one decision of that number, in
// whatever series; when series share it, the search lists them all, the PCD first, and no
// series is chosen for the reader. A reference with its series still goes straight there.
func TestBareNumberSharedBySeries(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, ref := range []struct {
		series string
		number int
		status string
	}{{"MD", 1682, "published"}, {"MD", 4242, "published"}, {"DD", 4343, "draft"}, {"MD", 4343, "published"}} {
		dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, status)
			VALUES ($1, $2::integer, $1 || ' ' || $2::text, lower($1) || '-' || $2::text, 'Shares a number', $3)`, ref.series, ref.number, ref.status)
	}
	r := ts.get(t, "/decisions?q=1682")
	items := r.doc.Find(`[data-testid="decision-item"]`)
	if r.status != http.StatusOK || items.Length() < 2 || !strings.Contains(items.First().Text(), "PCD 1682") ||
		!strings.Contains(r.text(`[data-testid="decision-item"]`), "MD 1682") {
		t.Errorf("GET ?q=1682 = %d with %d results (first %q), want a list of PCD 1682 then MD 1682",
			r.status, items.Length(), strings.Join(strings.Fields(items.First().Text()), " "))
	}
	for q, want := range map[string]string{"PCD 1682": "/decisions/pcd-1682", "MD 1682": "/decisions/md-1682",
		"4242": "/decisions/md-4242", "4343": "/decisions/md-4343"} {
		r := ts.get(t, "/decisions?q="+url.QueryEscape(q))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != want {
			t.Errorf("GET ?q=%s = %d Location %q, want 303 %s", q, r.status, r.header.Get("Location"), want)
		}
	}
}

func TestUnknownReferenceIsA404Page(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/decisions?q=PCD+9999", "/decisions/pcd-9999", "/decisions?q=9999", "/decisions/no-such-thing", "/nowhere"} {
		r := ts.get(t, path)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %q = %d, want 404", path, r.status)
			continue
		}
		if r.doc.Find(`[data-testid="search-form"]`).Length() != 1 {
			t.Errorf("GET %q: 404 page has no search box", path)
		}
	}
	r := ts.get(t, "/decisions?q=PCD+9999")
	if got := r.text(`[data-testid="error-message"]`); got != "There is no decision PCD 9999 in the register." {
		t.Errorf("404 message = %q", got)
	}
	if v, _ := r.doc.Find("#search").Attr("value"); v != "PCD 9999" {
		t.Errorf("404 search box value = %q, want the reference typed", v)
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tests := []struct {
		query      string
		wantStatus int
	}{
		{"q=" + url.QueryEscape(`<script>alert("x")</script>`), http.StatusOK},
		{"q=" + url.QueryEscape(`" onmouseover="alert(1)`), http.StatusOK},
		{"q=" + url.QueryEscape(`%_\'; DROP TABLE decisions; --`), http.StatusOK},
		{"q=a%00b", http.StatusBadRequest},
		{"q=%ff%fe", http.StatusBadRequest},
		{"q=" + strings.Repeat("x", 10000), http.StatusBadRequest},
		{"cursor=AAAA", http.StatusBadRequest},
		{"cursor=" + url.QueryEscape("<b>2</b>"), http.StatusBadRequest},
		{"cursor=" + strings.Repeat("A", 10000), http.StatusBadRequest},
	}
	// Every parameter, with each kind of hostile value: a 400 with a message, or an escaped page.
	for _, name := range []string{"q", "fy", "maker", "funder", "series", "status", "min", "max", "from", "to", "sort", "cursor"} {
		for _, v := range []string{`<script>alert("x")</script>`, `" onmouseover="alert(1)`, "a\x00b", "\xff\xfe",
			strings.Repeat("9", 10000), "-5", "99999999999999999999", "0", "2024-13-45", "'; DROP TABLE decisions; --"} {
			tests = append(tests, struct {
				query      string
				wantStatus int
			}{name + "=" + url.QueryEscape(v), 0})
		}
	}
	for _, tt := range tests {
		path := "/decisions?" + tt.query
		r := ts.get(t, path)
		if tt.wantStatus == 0 && r.status != http.StatusOK && r.status != http.StatusBadRequest {
			t.Errorf("GET %.60q = %d, want 200 or 400", path, r.status)
		} else if tt.wantStatus != 0 && r.status != tt.wantStatus {
			t.Errorf("GET %.60q = %d, want %d", path, r.status, tt.wantStatus)
		}
		if strings.Contains(r.body, "<script>alert") || strings.Contains(r.body, `" onmouseover="`) {
			t.Errorf("GET %.60q: input reflected unescaped", path)
		}
		if r.status == http.StatusBadRequest && r.doc.Find(".govuk-error-message, [data-testid=error-message]").Length() == 0 {
			t.Errorf("GET %.60q: 400 without a message", path)
		}
	}
	r := ts.get(t, "/decisions?q=a%00b")
	if r.doc.Find(".govuk-error-summary a[href='#q']").Length() != 1 || r.doc.Find("#q-error").Length() != 1 {
		t.Errorf("400 search page lacks the error summary link or the inline error")
	}
	if v, _ := r.doc.Find("#q").Attr("value"); v != "ab" {
		t.Errorf("400 search box value = %q, want the input back without the NUL", v)
	}
	if !r.doc.Find("title").Is("title") || !strings.HasPrefix(r.text("title"), "Error:") {
		t.Errorf("400 page title = %q, want it to start with Error:", r.text("title"))
	}
}

func TestDecisionListOrderAndRows(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions")
	if r.status != http.StatusOK {
		t.Fatalf("GET /decisions = %d, want 200", r.status)
	}
	var refs []string
	r.doc.Find(`[data-testid="decision-item"] h2 a`).Each(func(_ int, s *goquery.Selection) {
		refs = append(refs, strings.SplitN(strings.TrimSpace(s.Text()), ":", 2)[0])
	})
	want := "PCD 1682,PCD 1532,PCD 1218,PCD 1215,PCD 1047,PCD 960,PCD 956,PCD 914,PCD 867,PCD 545"
	if got := strings.Join(refs, ","); got != want {
		t.Errorf("order = %s\nwant %s", got, want)
	}
	first := r.doc.Find(`[data-testid="decision-item"]`).First()
	text := strings.Join(strings.Fields(first.Text()), " ")
	for _, s := range []string{"Alpha - Social Media Hub", "Date signed: Not recorded", "Sophie Linden", "£2,755,000"} {
		if !strings.Contains(text, s) {
			t.Errorf("first row %q lacks %q", text, s)
		}
	}
	if got := r.text(`[data-testid="result-count"]`); !strings.Contains(got, "holds 10 decisions") {
		t.Errorf("result count = %q", got)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	// 25 more decisions make two pages.
	dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, status)
		SELECT 'PCD', n, 'PCD ' || n, 'pcd-' || n, 'Synthetic decision ' || n, 'published' FROM generate_series(2001, 2025) n`)
	r := ts.get(t, "/decisions")
	if n := r.doc.Find(`[data-testid="decision-item"]`).Length(); n != 20 {
		t.Errorf("page 1 has %d rows, want 20", n)
	}
	next, _ := r.doc.Find(`.govuk-pagination__next a[rel="next"]`).Attr("href")
	if !strings.HasPrefix(next, "/decisions?cursor=") {
		t.Fatalf("next link = %q, want a cursor", next)
	}
	if r.doc.Find(`.govuk-pagination__prev`).Length() != 0 {
		t.Errorf("page 1 has a Previous link")
	}
	r = ts.get(t, next)
	if n := r.doc.Find(`[data-testid="decision-item"]`).Length(); n != 15 {
		t.Errorf("page 2 has %d rows, want 15", n)
	}
	if r.doc.Find(`.govuk-pagination__next`).Length() != 0 {
		t.Errorf("the last page has a Next link")
	}
	prev, _ := r.doc.Find(`.govuk-pagination__prev a[rel="prev"]`).Attr("href")
	r = ts.get(t, prev)
	if n := r.doc.Find(`[data-testid="decision-item"]`).Length(); r.status != http.StatusOK || n != 20 {
		t.Errorf("back to page 1 = %d with %d rows, want 200 with 20", r.status, n)
	}
	r = ts.get(t, "/decisions?q=synthetic")
	next, _ = r.doc.Find(`.govuk-pagination__next a`).Attr("href")
	if !strings.HasPrefix(next, "/decisions?cursor=") || !strings.Contains(next, "q=synthetic") {
		t.Fatalf("search next link = %q, want the words and a cursor", next)
	}
	r = ts.get(t, next)
	if r.status != http.StatusOK || r.doc.Find(`[data-testid="decision-item"]`).Length() != 5 {
		t.Errorf("search page 2 = %d with %d rows, want 200 with 5", r.status, r.doc.Find(`[data-testid="decision-item"]`).Length())
	}
	// A cursor from one search does not work for another.
	forged := strings.Replace(next, "q=synthetic", "q=decision", 1)
	if r = ts.get(t, forged); r.status != http.StatusBadRequest {
		t.Errorf("GET %q = %d, want 400", forged, r.status)
	}
}

func TestWordSearch(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions?q=county+LINES")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	got := r.text(`[data-testid="decision-list"]`)
	for _, ref := range []string{"PCD 1532", "PCD 1218", "PCD 956"} {
		if !strings.Contains(got, ref) {
			t.Errorf("search for county lines lacks %s: %q", ref, got)
		}
	}
	// Titles that say it come before decisions that only mention it.
	if first := r.doc.Find(`[data-testid="decision-item"] h2`).First().Text(); !strings.Contains(strings.ToLower(first), "county lines") {
		t.Errorf("first result for county lines = %q, want a title match", first)
	}
	r = ts.get(t, "/decisions?q=zebra")
	if r.status != http.StatusOK || !strings.Contains(r.text(`[data-testid="result-count"]`), "No decisions match") {
		t.Errorf("no-results page = %d %q", r.status, r.text(`[data-testid="result-count"]`))
	}
	r = ts.get(t, "/decisions?q=100%25")
	if r.status != http.StatusOK || r.doc.Find(`[data-testid="decision-item"]`).Length() != 0 {
		t.Errorf("%% is not matched literally")
	}
}

// TestReferenceWithWords finds the decision a reference names among the results of the words
// typed after it.
func TestReferenceWithWords(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, q := range []string{"pcd 1682 social", "PCD1682 county lines", "ＰＣＤ １６８２ ｓｏｃｉａｌ"} {
		r := ts.get(t, "/decisions?q="+url.QueryEscape(q))
		if r.status != http.StatusOK {
			t.Fatalf("GET q=%q = %d, want 200", q, r.status)
		}
		first := r.text(`[data-testid="decision-item"]:first-child .app-decision-list__title`)
		if !strings.HasPrefix(first, "PCD 1682") {
			t.Errorf("GET q=%q: first result %q, want PCD 1682", q, first)
		}
	}
	r := ts.get(t, "/decisions?q="+url.QueryEscape("PCD1682 county lines"))
	if got := r.text(`[data-testid="decision-list"]`); !strings.Contains(got, "PCD 1532") {
		t.Errorf("GET q=PCD1682 county lines lacks the county lines decisions: %q", got)
	}
}

func TestDecisionPage1682(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-1682")
	if r.status != http.StatusOK {
		t.Fatalf("GET /decisions/pcd-1682 = %d", r.status)
	}
	checks := map[string]string{
		`[data-testid="reference"]`:       "PCD 1682",
		`[data-testid="title"]`:           "Alpha - Social Media Hub",
		`[data-testid="date-signed"]`:     "Not recorded",
		`[data-testid="date-published"]`:  "Not recorded",
		`[data-testid="funder"]`:          "Home Office",
		`[data-testid="financial-years"]`: "2024-25",
		`[data-testid="status"]`:          "Published",
		`[data-testid="funding-total"]`:   "£2,755,000",
	}
	r.doc.Find(`.govuk-summary-list__value p`).Remove() // hints under the values
	for sel, want := range checks {
		if got := r.text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if got := r.text(`[data-testid="decision-maker"]`); !strings.HasPrefix(got, "Sophie Linden") {
		t.Errorf("decision maker = %q", got)
	}
	var headings []string
	r.doc.Find(`[data-testid="section"] h3`).Each(func(_ int, s *goquery.Selection) { headings = append(headings, s.Text()) })
	wantHeadings := "Introduction and background|Issues for consideration|Financial Comments|Legal Comments|Equality Comments|GDPR and Data Privacy|Background/supporting papers"
	if got := strings.Join(headings, "|"); got != wantHeadings {
		t.Errorf("sections = %s\nwant %s", got, wantHeadings)
	}
	if href, _ := r.doc.Find(`link[rel="canonical"]`).Attr("href"); href != "http://localhost:8080/decisions/pcd-1682" {
		t.Errorf("canonical = %q", href)
	}
	if title := r.text("title"); title != "PCD 1682: Alpha - Social Media Hub – Decision Register" {
		t.Errorf("title = %q", title)
	}
	if got := r.text(`[data-testid="recommendations"]`); got != "Approve the request to accept HO grant of £2,755,000 for 2024-25 to fund SMH." {
		t.Errorf("recommendations = %q", got)
	}
	if r.doc.Find(`[data-testid="paraphrase"]`).Length() != 0 {
		t.Error("PCD 1682's own published text is marked as a paraphrase")
	}
	var chain []string
	r.doc.Find(`.app-card-table__label`).Remove() // labels seen only on narrow screens
	r.doc.Find(`[data-testid="chain-row"]`).Each(func(_ int, row *goquery.Selection) {
		var cells []string
		row.Find("th, td").Each(func(_ int, c *goquery.Selection) {
			cells = append(cells, strings.Join(strings.Fields(c.Text()), " "))
		})
		chain = append(chain, strings.Join(cells, " | "))
	})
	if len(chain) != 7 {
		t.Fatalf("funding history has %d rows, want 7: %q", len(chain), chain)
	}
	wantChain := []string{
		"PCD 545 | Not recorded | Not recorded | Not recorded",
		"PCD 867 Project Alpha Social Media Hub | 2020-21 | £1,479,306.16 | at least £1,479,306.16",
		"PCD 914 Project Alpha Social Media Hub Grant Agreement Variation Proposal | 2020-21 | £267,354.64 | at least £1,746,660.80",
		"PCD 960 Home Office Funding Project Alpha Social Media Hub 2021/22 | 2021-22 | £1,968,676.24 | at least £3,715,337.04",
		"PCD 1047 Project Alpha Social Media Hub Continued Home Office Funding 2021/2022 | 2021-22 | £1,170,000 | at least £4,885,337.04",
		"PCD 1215 Home Office funding for Project Alpha social media hub | 2022-23 to 2023-24 | £2,893,452 * | at least £7,778,789.04",
		"PCD 1682 (this decision) Alpha - Social Media Hub | 2024-25 | £2,755,000 | at least £10,533,789.04",
	}
	for i := range wantChain {
		if chain[i] != wantChain[i] {
			t.Errorf("chain row %d = %q\nwant %q", i, chain[i], wantChain[i])
		}
	}
	if n := r.doc.Find(`[data-testid="chart-bar"]`).Length(); n != 7 {
		t.Errorf("chart has %d bars, want 7", n)
	}
	if got := r.text(`[data-testid="related"]`); !strings.Contains(got, "Related to PCD 1532") || !strings.Contains(got, "Continues the funding of PCD 1215") {
		t.Errorf("related = %q", got)
	}
}

func TestDecisionPageHonestAboutUnknowns(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions/pcd-545")
	if r.status != http.StatusOK {
		t.Fatalf("status %d", r.status)
	}
	r.doc.Find(`.govuk-summary-list__value p`).Remove() // hints under the values
	for _, sel := range []string{`[data-testid="date-signed"]`, `[data-testid="decision-maker"]`, `[data-testid="financial-years"]`, `[data-testid="source"]`} {
		if got := r.text(sel); got != "Not recorded" {
			t.Errorf("PCD 545 %s = %q, want Not recorded", sel, got)
		}
	}
	if got := r.text(`[data-testid="title"]`); got != "Title: Not recorded" {
		t.Errorf("PCD 545 title = %q", got)
	}
	if got := r.text(`[data-testid="funding-none"]`); got != "Amount: Not recorded" {
		t.Errorf("PCD 545 funding = %q, want Not recorded", got)
	}
	for _, sel := range []string{`#summary + p`, `#recommendations + p`} {
		if got := r.text(sel); got != "Not recorded" {
			t.Errorf("PCD 545 %s = %q, want Not recorded", sel, got)
		}
	}
	if got := r.text(`[data-testid="related"]`); !strings.Contains(got, "Continued by PCD 867") {
		t.Errorf("PCD 545 related = %q", got)
	}

	r = ts.get(t, "/decisions/pcd-960")
	if r.doc.Find(`[data-testid="inferred"]`).Length() != 1 {
		t.Error("PCD 960's inferred identity is not marked")
	}
	if r.doc.Find(`[data-testid="paraphrase"]`).Length() != 1 {
		t.Error("PCD 960's paraphrased summary is not marked")
	}

	r = ts.get(t, "/decisions/pcd-1215")
	if got := r.text(`[data-testid="funding-total"]`); got != "£2,893,452" {
		t.Errorf("PCD 1215 total = %q, want £2,893,452 (never doubled)", got)
	}
	if !strings.Contains(r.body, "does not make clear whether the amount is for each year") {
		t.Error("PCD 1215 does not explain its ambiguous amount")
	}

	r = ts.get(t, "/decisions/pcd-1532")
	if got := r.text(`[data-testid="funding-total"]`); got != "£1,141,134" {
		t.Errorf("PCD 1532 total = %q, want £1,141,134 (£570,567 a year for two years; not the in-principle £1m)", got)
	}
	if got := r.text(`[data-testid="related"]`); !strings.Contains(got, "Related to PCD 1682") {
		t.Errorf("PCD 1532 related = %q, want it to show PCD 1682", got)
	}

	r = ts.get(t, "/decisions/pcd-1047")
	if got := r.text(`[data-testid="funding-total"]`); got != "£1,170,000" {
		t.Errorf("PCD 1047 total = %q, want £1,170,000 (PCD 960's £2m is context)", got)
	}
}

func TestHomePage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/")
	if r.status != http.StatusOK {
		t.Fatalf("GET / = %d", r.status)
	}
	if got := r.text(`[data-testid="decision-count"]`); !strings.Contains(got, "holds 10 decisions") {
		t.Errorf("count = %q", got)
	}
	if n := r.doc.Find(`[data-testid="decision-item"]`).Length(); n != 5 {
		t.Errorf("home lists %d recent decisions, want 5", n)
	}
	if title := r.text("title"); title != "Decision Register" {
		t.Errorf("home title = %q", title)
	}
	if label := r.text(`label[for="search"]`); label != "Reference or words" {
		t.Errorf("search label = %q", label)
	}
}

func TestHeadersAndStatic(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/")
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows inline code: %q", csp)
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "strict-origin-when-cross-origin"} {
		if got := r.header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if r.header.Get("X-Request-Id") == "" {
		t.Error("no X-Request-Id")
	}
	if r.doc.Find("script:not([src])").Length() != 0 {
		t.Error("page has an inline script")
	}
	css, _ := r.doc.Find(`link[rel="stylesheet"]`).Attr("href")
	if !strings.HasPrefix(css, "/static/app.") || css == "/static/app.css" {
		t.Fatalf("stylesheet %q is not fingerprinted", css)
	}
	s := ts.get(t, css)
	if s.status != http.StatusOK || !strings.Contains(s.header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(s.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d %q %q", css, s.status, s.header.Get("Cache-Control"), s.header.Get("Content-Type"))
	}
	s = ts.get(t, "/static/nothing.css")
	if s.status != http.StatusNotFound || !strings.HasPrefix(s.header.Get("Content-Type"), "text/html") ||
		s.doc.Find(`[data-testid="search-form"]`).Length() != 1 {
		t.Errorf("GET missing static = %d %q, want the 404 page with its search box", s.status, s.header.Get("Content-Type"))
	}
}

func TestHealth(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := ts.get(t, path)
		if r.status != http.StatusOK || !strings.Contains(r.body, `"status":"ok"`) || r.header.Get("Content-Type") != "application/json" {
			t.Errorf("GET %s = %d %q", path, r.status, r.body)
		}
	}
	ts.pool.Close()
	ts.site.Replica.Close() // the public's reads' pool
	ts.probe.Close()
	if r := ts.get(t, "/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the database gone = %d, want 503", r.status)
	}
	if r := ts.get(t, "/healthz"); r.status != http.StatusOK {
		t.Errorf("GET /healthz with the database gone = %d, want 200", r.status)
	}
	if r := ts.get(t, "/decisions/pcd-1682"); r.status != http.StatusInternalServerError || !strings.Contains(r.body, "quote reference") {
		t.Errorf("GET a page with the database gone = %d, want the 500 page with a request id", r.status)
	}
}

// holdDecisions locks the decisions table until the test ends or release is called, so page
// requests wait in the database.
func holdDecisions(t *testing.T, pool *pgxpool.Pool) (release func()) {
	t.Helper()
	return holdTable(t, pool, "decisions")
}

// holdTable locks table against every read until release (or the test's end).
func holdTable(t *testing.T, pool *pgxpool.Pool, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	release = func() { tx.Rollback(ctx) }
	t.Cleanup(func() { release(); conn.Close(ctx) })
	return release
}

// TestReadyWhileThePoolIsBusy takes every connection of the requests' pool with requests stuck
// behind a lock: the database is healthy, so /readyz must still say ready, at once.
func TestReadyWhileThePoolIsBusy(t *testing.T) {
	t.Parallel()
	ts := newTestServerWith(t, testsite.Options{MaxConns: 2})
	// Sections, not decisions: the register's state, which requests share a read of, reads
	// decisions; each request then builds the page itself, reading its sections.
	release := holdTable(t, ts.pool, "sections")
	statuses := make(chan int, 3)
	for range 3 {
		go func() {
			resp, err := http.Get(ts.url + "/decisions/pcd-1682")
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	dbtest.WaitForLockWaiters(t, ts.pool.Config().ConnString(), 2) // both connections are taken; the third request queues
	if r := ts.get(t, "/readyz"); r.status != http.StatusOK {
		t.Errorf("GET /readyz with the pool busy = %d %s, want 200", r.status, r.body)
	}
	release()
	for range 3 {
		if got := <-statuses; got != http.StatusOK {
			t.Errorf("held request = %d, want 200", got)
		}
	}
}

// TestRequestDeadline holds a page's queries behind a lock that is never released in time: the
// request's deadline must cancel them and answer the busy page.
func TestRequestDeadline(t *testing.T) {
	t.Parallel()
	ts := newTestServerWith(t, testsite.Options{RequestTimeout: 200 * time.Millisecond})
	holdDecisions(t, ts.pool)
	r := ts.get(t, "/decisions/pcd-1682")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "the service is busy") || r.header.Get("X-Request-Id") == "" {
		t.Errorf("GET a page held past its deadline = %d, want the 503 busy page", r.status)
	}
	if r := ts.get(t, "/healthz"); r.status != http.StatusOK {
		t.Errorf("GET /healthz = %d, want 200", r.status)
	}
}

// TestDrainingIsNotReady checks that a draining server says so on /readyz and nowhere else.
func TestDrainingIsNotReady(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ts.site.Server.Drain()
	if r := ts.get(t, "/readyz"); r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "draining") {
		t.Errorf("GET /readyz while draining = %d %s, want 503 draining", r.status, r.body)
	}
	for _, path := range []string{"/healthz", "/decisions/pcd-1682"} {
		if r := ts.get(t, path); r.status != http.StatusOK {
			t.Errorf("GET %s while draining = %d, want 200", path, r.status)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	resp, err := ts.client.Post(ts.url+"/decisions", "application/x-www-form-urlencoded", strings.NewReader("q=x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /decisions = %d, want 405", resp.StatusCode)
	}
	if got := resp.Header.Get("Allow"); got != "GET, HEAD" {
		t.Errorf("POST /decisions Allow = %q, want %q", got, "GET, HEAD")
	}
}

// TestRedirectsStayOnSite sends addresses that a careless slash redirect turns into another
// host: browsers drop tabs and newlines and read a backslash as a slash. Every redirect must
// name a path on this site, and carry the security headers and a request id like any answer.
func TestRedirectsStayOnSite(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	site, _ := url.Parse(ts.url)
	for _, path := range []string{
		"/%09/evil.example/", "/%0A/evil.example/", "/%0D%0A/evil.example/", "//evil.example/",
		"/%5Cevil.example/", "/%5C%5Cevil.example/", "/%2F%2Fevil.example/", "/%09%2F/evil.example/",
		"/%20/evil.example/", "///evil.example//",
	} {
		r := ts.get(t, path)
		loc := r.header.Get("Location")
		if r.status != http.StatusMovedPermanently {
			t.Errorf("GET %q = %d, want 301", path, r.status)
			continue
		}
		// Read the address as a browser would before following it.
		asBrowser := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(loc)
		to, err := site.Parse(asBrowser)
		if err != nil || to.Host != site.Host || !strings.HasPrefix(loc, "/") || strings.HasPrefix(asBrowser, "//") {
			t.Errorf("GET %q: Location %q leads to %v, want a path on this site", path, loc, to)
		}
		if r.header.Get("X-Request-Id") == "" || r.header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %q: redirect without a request id or security headers", path)
		}
	}
	// The query is kept as sent, its parameters in their order.
	for _, q := range []string{"q=pcd+1682", "q=pcd%201682&page=2&from=2020", "z=1&a=2&q=%2F%2Fevil.example"} {
		r := ts.get(t, "/decisions/?"+q)
		if want := "/decisions?" + q; r.status != http.StatusMovedPermanently || r.header.Get("Location") != want {
			t.Errorf("GET /decisions/?%s = %d %q, want 301 %s", q, r.status, r.header.Get("Location"), want)
		}
	}
}

func TestOddAddresses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	tests := []struct {
		path     string
		status   int
		location string
	}{
		{"/decisions/", http.StatusMovedPermanently, "/decisions"},
		{"/decisions/%3Cscript%3Ealert(1)%3C%2Fscript%3E", http.StatusNotFound, ""},
		{"/decisions/" + strings.Repeat("a", 5000), http.StatusNotFound, ""},
		{"/decisions/pcd-1682%00", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		r := ts.get(t, tt.path)
		if r.status != tt.status || r.header.Get("Location") != tt.location {
			t.Errorf("GET %.60q = %d %q, want %d %q", tt.path, r.status, r.header.Get("Location"), tt.status, tt.location)
		}
		if strings.Contains(r.body, "<script>alert") {
			t.Errorf("GET %.60q reflects markup unescaped", tt.path)
		}
	}
	req, _ := http.NewRequest(http.MethodHead, ts.url+"/decisions/pcd-1682", nil)
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("HEAD /decisions/pcd-1682 = %d, want 200", resp.StatusCode)
	}
}

// TestRelatedDecisionsInReferenceOrder checks related decisions are listed by series and number,
// earlier first, whatever the kind of link: PCD 914 before PCD 1047, not after it as text sorts.
func TestRelatedDecisionsInReferenceOrder(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	// The seeded decisions are signed, so their links cannot change: a new decision links to them.
	dbtest.PublishSQL(t, ts.pool, `
		INSERT INTO decisions (series, number, reference, slug, title, status) VALUES ('PCD', 2000, 'PCD 2000', 'pcd-2000', 'Later', 'published');
		INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
		SELECT f.id, o.id, 'related' FROM decisions f, decisions o
		WHERE f.reference = 'PCD 2000' AND o.reference IN ('PCD 1682', 'PCD 914', 'PCD 1047', 'PCD 1532')`)
	r := ts.get(t, "/decisions/pcd-2000")
	var refs []string
	r.doc.Find(`[data-testid="related"] a`).Each(func(_ int, s *goquery.Selection) {
		refs = append(refs, strings.TrimSpace(s.Text()))
	})
	if got, want := strings.Join(refs, ","), "PCD 914,PCD 1047,PCD 1532,PCD 1682"; got != want {
		t.Errorf("related decisions = %s, want %s", got, want)
	}
}

// TestYearNumberedReferences checks the older "DMPCD 2014 23" form end to end.
func TestYearNumberedReferences(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, ref_year, number, reference, slug, title, status)
		VALUES ('DMPCD', 2014, 23, 'DMPCD 2014 23', 'dmpcd-2014-23', 'An older decision', 'published')`)
	for _, q := range []string{"DMPCD 2014 23", "dmpcd-2014-23", "DMPCD/2014/23"} {
		r := ts.get(t, "/decisions?q="+url.QueryEscape(q))
		if r.status != http.StatusSeeOther || r.header.Get("Location") != "/decisions/dmpcd-2014-23" {
			t.Errorf("GET q=%q = %d %q, want 303 /decisions/dmpcd-2014-23", q, r.status, r.header.Get("Location"))
		}
	}
	r := ts.get(t, "/decisions/DMPCD2014-23")
	if r.status != http.StatusMovedPermanently || r.header.Get("Location") != "/decisions/dmpcd-2014-23" {
		t.Errorf("GET /decisions/DMPCD2014-23 = %d %q", r.status, r.header.Get("Location"))
	}
	if r := ts.get(t, "/decisions/dmpcd-2014-23"); r.status != http.StatusOK || r.text(`[data-testid="reference"]`) != "DMPCD 2014 23" {
		t.Errorf("GET /decisions/dmpcd-2014-23 = %d %q", r.status, r.text(`[data-testid="reference"]`))
	}
}
