package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
	"github.com/decision-register/decisions/internal/testsite"
	"github.com/decision-register/decisions/internal/threesixty"
	"github.com/decision-register/decisions/internal/threesixty/threesixtytest"
)

// Text that must never reach open data: a draft, a deferred decision, a withdrawn one, and
// Part II, each with a grant whose values are all known.
const (
	grantDraft     = "GRANT-DRAFT-SECRET"
	grantDeferred  = "GRANT-DEFERRED-SECRET"
	grantWithdrawn = "GRANT-WITHDRAWN-SECRET"
	grantPartTwo   = "GRANT-PARTTWO-SECRET"
)

// quoted is a published decision whose text needs every kind of CSV quoting.
const (
	quotedTitle   = `Commas, "quotes" and more`
	quotedSummary = "A summary, with \"quotes\",\nand a new line.\n\nAnd a paragraph."
	quotedOrg     = `Smith, "Jones" & Partners`
)

type grantPackage struct {
	Version     string             `json:"version"`
	Description string             `json:"description"`
	Grants      []threesixty.Grant `json:"grants"`
}

// newGrantServer is the seeded register with 60 synthetic decisions (published, drafts,
// deferred, some with Part II) and decisions written here: one that needs CSV quoting, and
// the hidden ones above, each with a full grant.
func newGrantServer(t *testing.T) *testServer {
	t.Helper()
	ts := newTestServer(t)
	ctx := context.Background()
	orgs, err := ts.site.Store.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		t.Fatal(err)
	}
	gen := synthetic.New(9, nil, time.Now())
	var batch []store.SyntheticDecision
	for range 60 {
		batch = append(batch, gen.Next())
	}
	if err := ts.site.Store.LoadSynthetic(ctx, batch, orgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Written and signed in one transaction: the signed ones' parts cannot be added later.
	var stmts [][]any
	add := func(number int, title, status string) {
		stmts = append(stmts, []any{`
WITH d AS (
	INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed, funder_id)
	VALUES ('MD', $1, 'MD ' || $1::int, 'md-' || $1::int, $2, $3, 'published', DATE '2024-05-01',
		(SELECT id FROM organisations WHERE name = 'Home Office'))
	RETURNING id)
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label)
SELECT d.id, 1, (SELECT id FROM organisations WHERE name = 'Home Office'),
	(SELECT id FROM organisations WHERE name = $4), 1234567, 2024, 2025, 'total', 'grant_accepted', 'Grant accepted'
FROM d`, number, title, quotedSummary + " " + title, quotedOrg})
		if status != "published" {
			stmts = append(stmts, []any{`UPDATE decisions SET status = $2, withdrawn_at = now(), withdrawal_reason = 'Withdrawn in a test.' WHERE slug = 'md-' || $1::int`, number, status})
		}
	}
	if _, err := ts.pool.Exec(ctx, `INSERT INTO organisations (name, org_id) VALUES ($1, 'GB-COH-01234567')`, quotedOrg); err != nil {
		t.Fatal(err)
	}
	add(801, quotedTitle, "published")
	add(802, grantWithdrawn, "withdrawn")
	add(803, "Part two holder", "published")
	for _, sql := range []string{
		`INSERT INTO sections (decision_id, part, position, kind, heading, body)
			SELECT id, 2, 1, 'other', 'Confidential', '` + grantPartTwo + ` advice' FROM decisions WHERE slug = 'md-803'`,
		`INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed, funder_id)
			VALUES ('MD', 804, 'MD 804', 'md-804', '` + grantDraft + `', 'Draft summary.', 'draft', DATE '2024-05-01',
			(SELECT id FROM organisations WHERE name = 'Home Office'))`,
		`INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed, publish_at, funder_id)
			VALUES ('MD', 805, 'MD 805', 'md-805', '` + grantDeferred + `', 'Deferred summary.', 'approved', DATE '2024-05-01',
			now() + interval '30 days', (SELECT id FROM organisations WHERE name = 'Home Office'))`,
		`INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, fy_end, basis, kind, label)
			SELECT id, 1, funder_id, (SELECT id FROM organisations WHERE name = 'Safer London'), 500000, 2024, 2024, 'total',
			'grant_accepted', 'Grant accepted' FROM decisions WHERE slug IN ('md-804', 'md-805')`,
	} {
		stmts = append(stmts, []any{sql})
	}
	dbtest.Publish(t, ts.pool, func(tx pgx.Tx) error {
		for _, st := range stmts {
			if _, err := tx.Exec(ctx, st[0].(string), st[1:]...); err != nil {
				return fmt.Errorf("%s: %w", st[0], err)
			}
		}
		return nil
	})
	return ts
}

// grantCounts reads an export's count headers.
func grantCounts(t *testing.T, r response) (published, leftOut int, reasons string) {
	t.Helper()
	p, err1 := strconv.Atoi(r.header.Get("Grants-Published"))
	l, err2 := strconv.Atoi(r.header.Get("Grants-Left-Out"))
	if err1 != nil || err2 != nil {
		t.Fatalf("count headers %q %q", r.header.Get("Grants-Published"), r.header.Get("Grants-Left-Out"))
	}
	return p, l, r.header.Get("Grants-Left-Out-Reasons")
}

// grantsOf reads both exports of a query, checks each against the 360Giving schema and the
// other, and returns the package and the counts.
func grantsOf(t *testing.T, ts *testServer, query string) (grantPackage, int, int, string) {
	t.Helper()
	r := ts.get(t, "/360giving.json?"+query)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /360giving.json?%s = %d %s\n%s", query, r.status, r.header.Get("Content-Type"), r.body)
	}
	var pkg grantPackage
	if err := json.Unmarshal([]byte(r.body), &pkg); err != nil {
		t.Fatalf("GET /360giving.json?%s: %v\n%s", query, err, r.body)
	}
	published, leftOut, reasons := grantCounts(t, r)
	if len(pkg.Grants) != published {
		t.Errorf("%q: %d grants, Grants-Published says %d", query, len(pkg.Grants), published)
	}
	if len(pkg.Grants) > 0 {
		if err := threesixtytest.ValidatePackage([]byte(r.body)); err != nil {
			t.Errorf("%q: the package does not validate against 360Giving 1.4.3: %v", query, err)
		}
	}
	c := ts.get(t, "/360giving.csv?"+query)
	if c.status != http.StatusOK || !strings.HasPrefix(c.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET /360giving.csv?%s = %d %s", query, c.status, c.header.Get("Content-Type"))
	}
	if cp, cl, cr := grantCounts(t, c); cp != published || cl != leftOut || cr != reasons {
		t.Errorf("%q: CSV counts %d %d %q, JSON's %d %d %q", query, cp, cl, cr, published, leftOut, reasons)
	}
	rows, err := csv.NewReader(strings.NewReader(c.body)).ReadAll()
	if err != nil {
		t.Fatalf("%q: CSV: %v", query, err)
	}
	if !slices.Equal(rows[0], threesixty.CSVHeader) || len(rows)-1 != published {
		t.Errorf("%q: CSV header %v and %d rows, want %v and %d", query, rows[0], len(rows)-1, threesixty.CSVHeader, published)
	}
	unflat, err := threesixtytest.Unflatten(rows)
	if err != nil {
		t.Fatalf("%q: %v", query, err)
	}
	if len(pkg.Grants) > 0 {
		if err := threesixtytest.ValidatePackage(unflat); err != nil {
			t.Errorf("%q: the CSV, unflattened, does not validate: %v", query, err)
		}
	}
	want, _ := json.Marshal(map[string]any{"grants": pkg.Grants})
	if !sameJSON(t, unflat, want) {
		t.Errorf("%q: the CSV's grants differ from the JSON's", query)
	}
	return pkg, published, leftOut, reasons
}

// threeSixtyExports: both exports of the whole register validate against 360Giving 1.4.3,
// hold the published grants with their values exactly, leave out the seeded decisions' grants
// (no award date) and say so in the headers, the package and the page, and hold nothing that
// is not open.
// TestThreeSixty runs the export checks below on one site: loading it is most of their cost.
func TestThreeSixty(t *testing.T) {
	t.Parallel()
	ts := newGrantServer(t)
	t.Run("exports", func(t *testing.T) { threeSixtyExports(t, ts) })
	t.Run("follows the search", func(t *testing.T) { threeSixtyFollowsTheSearch(t, ts) })
}

func threeSixtyExports(t *testing.T, ts *testServer) {
	ctx := context.Background()
	pkg, published, leftOut, reasons := grantsOf(t, ts, "")
	if published < 20 {
		t.Fatalf("%d grants published from 60 synthetic decisions, want at least 20", published)
	}
	// The ten seeded decisions hold 8 accepted grants, none with an award date; 7 have no
	// recipient either, and PCD 1215's amount may be per year or for both years.
	if leftOut < 8 || !strings.Contains(reasons, "no-recipient=7") || !strings.Contains(reasons, "amount-unclear=1") {
		t.Errorf("left out %d (%s), want the seeded decisions' 8 with no-recipient=7 and amount-unclear=1", leftOut, reasons)
	}
	var seededUndated int
	if err := ts.pool.QueryRow(ctx, `SELECT count(*) FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
		WHERE f.kind = 'grant_accepted' AND d.date_signed IS NULL AND d.status = 'published'`).Scan(&seededUndated); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(reasons, fmt.Sprintf("no-award-date=%d", seededUndated)) || seededUndated < 8 {
		t.Errorf("reasons %q, want no-award-date=%d (at least the seeded 8)", reasons, seededUndated)
	}
	for _, g := range pkg.Grants {
		if strings.Contains(g.URL, "/pcd-1682") || !strings.HasPrefix(g.ID, threesixty.DefaultPrefix+"-") {
			t.Errorf("grant %s (%s): a seeded grant, or an identifier without the prefix", g.ID, g.URL)
		}
	}
	// The counts, in the same words, in the package, on the page and in the headers.
	page := ts.get(t, "/360giving")
	headline := strings.TrimSpace(page.doc.Find(`[data-testid="threesixty-counts"]`).Text())
	if want := fmt.Sprintf("%d grants published; %d left out", published, leftOut); headline != want+":" ||
		!strings.Contains(pkg.Description, want+": ") {
		t.Errorf("page says %q; package says %q; want both to say %q", headline, pkg.Description, want)
	}
	reasonItems := page.doc.Find(`[data-testid="threesixty-reasons"] li`)
	if reasonItems.Length() != 3 || !strings.Contains(reasonItems.First().Text(), " have no award date") {
		t.Errorf("page lists %d reasons, want 3, the first the award date", reasonItems.Length())
	}
	reasonItems.Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(pkg.Description, s.Text()) {
			t.Errorf("the package's description lacks %q", s.Text())
		}
	})
	if page.doc.Find(`[data-testid="unregistered-prefix"]`).Length() != 1 || pkg.Version != "1.4" {
		t.Errorf("the page does not warn of the placeholder prefix, or the version is %q", pkg.Version)
	}

	// Each grant is its funding line exactly: amount from pence, dates, organisations.
	type want struct {
		pence          int64
		signed         string
		fyStart, fyEnd *int
		basis          string
		funder, recip  string
		recipOrgID     *string
	}
	for _, g := range pkg.Grants {
		local := strings.TrimPrefix(g.ID, threesixty.DefaultPrefix+"-")
		slug, pos := local[:strings.LastIndex(local, "-")], local[strings.LastIndex(local, "-")+1:]
		var w want
		err := ts.pool.QueryRow(ctx, `SELECT f.amount_pence, d.date_signed::text, f.fy_start, f.fy_end, f.basis, fo.name, ro.name, ro.org_id
			FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
			JOIN organisations fo ON fo.id = f.funder_id JOIN organisations ro ON ro.id = f.recipient_id
			WHERE d.slug = $1 AND f.position = $2 AND f.kind = 'grant_accepted'`, slug, pos).
			Scan(&w.pence, &w.signed, &w.fyStart, &w.fyEnd, &w.basis, &w.funder, &w.recip, &w.recipOrgID)
		if err != nil {
			t.Errorf("grant %s: no such accepted grant: %v", g.ID, err)
			continue
		}
		amount := w.pence
		if w.basis == "per_year" {
			amount *= int64(*w.fyEnd - *w.fyStart + 1)
		}
		if g.AmountAwarded != threesixty.Pounds(amount) || g.AwardDate != w.signed || g.Currency != "GBP" ||
			g.FundingOrganization[0].Name != w.funder || g.RecipientOrganization[0].Name != w.recip ||
			g.URL != "http://localhost:8080/decisions/"+slug {
			t.Errorf("grant %s = %+v, want %d pence signed %s from %s to %s", g.ID, g, amount, w.signed, w.funder, w.recip)
		}
		if w.recipOrgID != nil && g.RecipientOrganization[0].ID != *w.recipOrgID {
			t.Errorf("grant %s: recipient %q, want its org-id %q", g.ID, g.RecipientOrganization[0].ID, *w.recipOrgID)
		}
		if w.fyStart != nil && (len(g.PlannedDates) != 1 || g.PlannedDates[0].StartDate != fmt.Sprintf("%d-04-01", *w.fyStart)) {
			t.Errorf("grant %s: planned dates %v, want from %d-04-01", g.ID, g.PlannedDates, *w.fyStart)
		}
	}

	// The quoted decision comes through the CSV intact, with its recipient's org-id.
	var quoted *threesixty.Grant
	for i, g := range pkg.Grants {
		if strings.HasSuffix(g.URL, "/md-801") {
			quoted = &pkg.Grants[i]
		}
	}
	if quoted == nil || quoted.Title != "MD 801: "+quotedTitle || quoted.Description != quotedSummary+" "+quotedTitle ||
		quoted.RecipientOrganization[0] != (threesixty.Organization{ID: "GB-COH-01234567", Name: quotedOrg}) ||
		quoted.AmountAwarded != "12345.67" || quoted.PlannedDates[0] != (threesixty.Event{StartDate: "2024-04-01", EndDate: "2026-03-31", Duration: 24}) {
		t.Errorf("MD 801 = %+v", quoted)
	}

	// Nothing hidden, whoever asks: the public and a member of staff get the same grants.
	ts.site.User(t, "staff@example.org", "Sam Staff", store.Grants{Roles: []string{"drafter"}})
	staff := ts.site.Client(t, "staff@example.org")
	for _, path := range []string{"/360giving.json", "/360giving.csv", "/360giving", "/360giving.json?series=MD", "/360giving.csv?q=secret"} {
		for who, c := range map[string]*http.Client{"public": ts.client, "staff": staff} {
			resp, err := c.Get(ts.url + path)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, secret := range []string{grantDraft, grantDeferred, grantWithdrawn, grantPartTwo, "md-802", "md-804", "md-805"} {
				if strings.Contains(string(b), secret) {
					t.Errorf("GET %s as %s shows %s", path, who, secret)
				}
			}
		}
	}
	// The synthetic Part II texts, too: no grant field comes from Part II.
	rows, _ := ts.pool.Query(ctx, `SELECT body FROM sections WHERE part = 2`)
	bodies, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(bodies) < 2 {
		t.Fatalf("Part II texts: %v (%d)", err, len(bodies))
	}
	all := ts.get(t, "/360giving.json").body
	for _, b := range bodies {
		if strings.Contains(all, b) {
			t.Errorf("Part II text %.40q is in the export", b)
		}
	}
}

// threeSixtyFollowsTheSearch: for each search, the grants come from exactly the decisions
// /decisions lists, in its order, and the counts cover every accepted grant of them.
func threeSixtyFollowsTheSearch(t *testing.T, ts *testServer) {
	ctx := context.Background()
	for _, query := range []string{"", "q=violence", "fy=2024-25", "funder=Ministry+of+Justice", "series=PCD&sort=amount",
		"min=1m", "max=500k&sort=newest", "from=2018-04-01&to=2021-03-31", "q=pcd+1682", "q=zebra+crossing", "status=published"} {
		var slugs []string
		for _, row := range csvRows(t, ts, "/decisions.csv?"+query)[1:] {
			slugs = append(slugs, row[1][strings.LastIndex(row[1], "/")+1:])
		}
		pkg, published, leftOut, _ := grantsOf(t, ts, query)
		var order []string
		for _, g := range pkg.Grants {
			slug := g.URL[strings.LastIndex(g.URL, "/")+1:]
			if !slices.Contains(slugs, slug) {
				t.Errorf("%q: grant %s is of a decision /decisions does not list", query, g.ID)
			}
			if len(order) == 0 || order[len(order)-1] != slug {
				order = append(order, slug)
			}
		}
		listed := slices.DeleteFunc(slices.Clone(slugs), func(s string) bool { return !slices.Contains(order, s) })
		if !slices.Equal(order, listed) {
			t.Errorf("%q: grants in the order %v, /decisions lists %v", query, order, listed)
		}
		var lines int
		if err := ts.pool.QueryRow(ctx, `SELECT count(*) FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
			WHERE d.slug = ANY($1) AND f.kind = 'grant_accepted' AND d.status <> 'withdrawn'`, slugs).Scan(&lines); err != nil {
			t.Fatal(err)
		}
		if published+leftOut != lines {
			t.Errorf("%q: %d published + %d left out, want the %d accepted grants of the decisions listed (less withdrawn ones)", query, published, leftOut, lines)
		}
		page := ts.get(t, "/360giving?"+query)
		if got := page.doc.Find(`[data-testid="threesixty-counts"]`).Text(); page.status != http.StatusOK ||
			!strings.HasPrefix(got, fmt.Sprintf("%d grant", published)) {
			t.Errorf("GET /360giving?%s = %d, says %q, want %d published", query, page.status, got, published)
		}
		if query != "" && query != "status=published" {
			if href, _ := page.doc.Find(`[data-testid="threesixty-downloads"] a`).First().Attr("href"); !strings.HasPrefix(href, "/360giving.json?") {
				t.Errorf("GET /360giving?%s: download link %q does not keep the search", query, href)
			}
		}
	}
}

// TestThreeSixtyLinksAndErrors: the results page links to the same search's grants, and a bad
// parameter is a 400 that says which and why, on every form of the export.
func TestThreeSixtyLinksAndErrors(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions?q=social+media&fy=2024-25")
	var hrefs []string
	r.doc.Find(`[data-testid="exports-360giving"] a`).Each(func(_ int, s *goquery.Selection) {
		h, _ := s.Attr("href")
		hrefs = append(hrefs, h)
	})
	if len(hrefs) != 3 || !strings.HasPrefix(hrefs[0], "/360giving.json?") || !strings.HasPrefix(hrefs[1], "/360giving.csv?") ||
		!strings.HasPrefix(hrefs[2], "/360giving?") || !strings.Contains(hrefs[0], "fy=2024-25") || !strings.Contains(hrefs[0], "q=social+media") {
		t.Errorf("results page links %v, want the same search as 360Giving JSON, CSV and its page", hrefs)
	}
	if r.doc.Find(`footer a[href="/360giving"]`).Length() != 1 {
		t.Error("the footer does not link to /360giving")
	}
	for _, tc := range []struct{ path, field, message string }{
		{"/360giving.json?fy=nonsense", "fy", "Enter a financial year like 2024-25"},
		{"/360giving.csv?min=abc", "min", "Minimum amount"},
		{"/360giving.json?sort=price", "sort", ""},
		{"/360giving.csv?cursor=xyz", "cursor", ""},
		{"/360giving.json?status=draft", "status", "Only staff can filter by status"},
	} {
		r := ts.get(t, tc.path)
		if r.status != http.StatusBadRequest || !strings.Contains(r.body, tc.field+": "+tc.message) {
			t.Errorf("GET %s = %d %q, want 400 naming %s", tc.path, r.status, r.body, tc.field)
		}
	}
	p := ts.get(t, "/360giving?fy=nonsense&min=abc")
	if p.status != http.StatusBadRequest || p.doc.Find(`[data-testid="error-summary"] li`).Length() != 2 ||
		!strings.Contains(p.doc.Find(`[data-testid="error-summary"]`).Text(), "Enter a financial year like 2024-25") {
		t.Errorf("GET /360giving with two bad parameters = %d, want 400 with both messages", p.status)
	}
	if href, _ := p.doc.Find(`[data-testid="error-summary"] a`).Attr("href"); href != "/decisions?fy=nonsense&min=abc" {
		t.Errorf("error summary links to %q, want the search page with the same parameters", href)
	}
}

// TestDraftFundingNamesItsRecipient: a drafter names a funding line's recipient as well as its
// funder, so a decision made in the register can be published as 360Giving data.
func TestDraftFundingNamesItsRecipient(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Gamma")
	edit := "/decisions/" + slug + "/edit"
	dc.save(edit+"/funding", url.Values{"action": {"save"}, "amount": {"£125,000.50"}, "fy_start": {"2025-26"},
		"basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant to the Hub"}, "funder": {"Home Office"},
		"recipient": {"Metropolitan Police Service"}}, http.StatusSeeOther)
	dc.save(edit+"/funding", url.Values{"action": {"save"}, "amount": {"£1,000"}, "fy_start": {"2025-26"},
		"basis": {"total"}, "kind": {"context"}, "label": {"Quoted"}}, http.StatusSeeOther)
	if got := dc.get(edit + "/funding").text(`main`); !strings.Contains(got, "from Home Office · to Metropolitan Police Service") {
		t.Errorf("the funding page does not show the recipient:\n%s", got)
	}
	rows, _ := s.Pool.Query(context.Background(), `SELECT o.name FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
		LEFT JOIN organisations o ON o.id = f.recipient_id WHERE d.slug = $1 ORDER BY f.position`, slug)
	recipients, err := pgx.CollectRows(rows, pgx.RowTo[*string])
	if err != nil || len(recipients) != 2 || recipients[0] == nil || *recipients[0] != "Metropolitan Police Service" || recipients[1] != nil {
		t.Errorf("recipients %v (%v), want the Metropolitan Police Service's existing record, then none", recipients, err)
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

// TestThreeSixtyCSVKeepsFormulasAsText: free text that a spreadsheet would run as a formula is
// written as text in the CSV, as /decisions.csv does; the JSON holds it exactly.
func TestThreeSixtyCSVKeepsFormulasAsText(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	dbtest.PublishSQL(t, ts.pool, `
WITH o AS (INSERT INTO organisations (name) VALUES ('@Formula Trust') RETURNING id),
d AS (INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed)
	VALUES ('MD', 901, 'MD 901', 'md-901', 'A grant', '=HYPERLINK("http://evil.example") looks like a formula', 'published', DATE '2024-05-01')
	RETURNING id)
INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, basis, kind, label)
SELECT d.id, 1, (SELECT id FROM organisations WHERE name = 'Home Office'), o.id, 100, 'total', 'grant_accepted', 'Grant'
FROM d, o`)
	rows := csvRows(t, ts, "/360giving.csv?series=MD")
	if len(rows) != 2 || rows[1][2] != `'=HYPERLINK("http://evil.example") looks like a formula` || rows[1][11] != "'@Formula Trust" {
		t.Errorf("CSV rows %q, want the description and recipient written as text", rows)
	}
	var pkg grantPackage
	getJSON(t, ts, "/360giving.json?series=MD", &pkg)
	if len(pkg.Grants) != 1 || !strings.HasPrefix(pkg.Grants[0].Description, "=HYPERLINK") ||
		pkg.Grants[0].RecipientOrganization[0].Name != "@Formula Trust" || len(pkg.Grants[0].PlannedDates) != 0 {
		t.Errorf("JSON grants %+v, want the values exactly as held, and no planned dates", pkg.Grants)
	}
}

// TestThreeSixtyExportsAreRateLimited: the 360Giving files share the exports' allowance per
// client, as /decisions.csv and /decisions.atom do.
func TestThreeSixtyExportsAreRateLimited(t *testing.T) {
	t.Parallel()
	ts := newTestServerWith(t, testsite.Options{ExportRate: server.RateLimit{Requests: 2, Window: time.Minute}})
	for _, path := range []string{"/360giving.json", "/decisions.csv"} {
		if r := ts.get(t, path); r.status != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200 within the allowance", path, r.status)
		}
	}
	if r := ts.get(t, "/360giving.csv"); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("third export = %d, want 429 with Retry-After", r.status)
	}
}
