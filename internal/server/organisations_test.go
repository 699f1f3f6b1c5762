package server_test

import (
	"context"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// The seeded register names two organisations: the Home Office funds all ten decisions, and the
// Metropolitan Police Service receives PCD 1682's grant.

func TestOrganisationIndex(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/organisations")
	if r.status != http.StatusOK {
		t.Fatalf("GET /organisations = %d, want 200", r.status)
	}
	if got, want := cells(r.doc, `[data-testid="org-row"] td`), "Home Office | Decisions 10 | Given £12,442,631.08 | Received £0 | "+
		"Metropolitan Police Service | Decisions 1 | Given £0 | Received £2,755,000"; got != want {
		t.Errorf("GET /organisations rows = %q, want %q", got, want)
	}
	if href, _ := r.doc.Find(`[data-testid="org-row"] a`).First().Attr("href"); href != "/organisations/home-office" {
		t.Errorf("Home Office links to %q, want /organisations/home-office", href)
	}
	for _, tt := range []struct{ path, want string }{
		{"/organisations?name=POLICE", "Metropolitan Police Service"},
		{"/organisations?sort=received", "Metropolitan Police Service | Home Office"},
		{"/organisations?sort=given", "Home Office | Metropolitan Police Service"},
		{"/organisations?name=nobody", ""},
	} {
		r := ts.get(t, tt.path)
		var names []string
		r.doc.Find(`[data-testid="org-row"] a`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
		if got := strings.Join(names, " | "); r.status != http.StatusOK || got != tt.want {
			t.Errorf("GET %s = %d %q, want 200 %q", tt.path, r.status, got, tt.want)
		}
	}
	if got := ts.get(t, "/organisations?name=nobody").text(`[data-testid="org-empty"]`); got != "No organisation has “nobody” in its name." {
		t.Errorf("no match says %q", got)
	}
	if got := ts.get(t, "/organisations?page=2").text(`[data-testid="org-empty"]`); !strings.Contains(got, "past the last") {
		t.Errorf("a page past the last says %q", got)
	}
	for _, path := range []string{"/organisations?sort=cheapest", "/organisations?page=0", "/organisations?page=x",
		"/organisations?name=" + strings.Repeat("a", 1001)} {
		if r := ts.get(t, path); r.status != http.StatusBadRequest {
			t.Errorf("GET %s = %d, want 400", path, r.status)
		}
	}
}

func TestOrganisationPage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/organisations/home-office")
	if r.status != http.StatusOK {
		t.Fatalf("GET /organisations/home-office = %d, want 200", r.status)
	}
	if got := r.doc.Find(`[data-testid="org-decision"]`).Length(); got != 10 {
		t.Errorf("Home Office's page lists %d decisions, want 10", got)
	}
	if got := r.text(`[data-testid="org-total-given"]`); got != "£12,442,631.08" {
		t.Errorf("total given = %q", got)
	}
	if got := r.text(`[data-testid="org-id"]`); got != "Not recorded" {
		t.Errorf("org-id = %q, want Not recorded", got)
	}
	if got := r.text(`[data-testid="org-360giving-id"]`); !strings.HasPrefix(got, "360G-") || !strings.Contains(got, "-org-") {
		t.Errorf("360Giving identifier = %q, want the publisher's own", got)
	}
	chains := r.doc.Find(`[data-testid="org-chain"]`)
	if chains.Length() != 2 || !strings.HasPrefix(strings.Join(strings.Fields(chains.First().Text()), " "),
		"PCD 545 (names it) → PCD 867 (names it) → PCD 914") {
		t.Errorf("chains = %q", r.text(`[data-testid="org-chains"]`))
	}
	if years := cells(r.doc, `[data-testid="org-year"] td`); !strings.Contains(years, "2024-25 | Kind Grant accepted | Given £3,325,567 | Received £0") ||
		!strings.Contains(years, "2022-23 to 2023-24 | Kind Grant accepted | Given £2,893,452") {
		t.Errorf("years = %q", years)
	}
	mps := ts.get(t, "/organisations/metropolitan-police-service")
	if got := mps.text(`[data-testid="org-decision"]`); !strings.Contains(got, "PCD 1682") || !strings.Contains(got, "Recipient") {
		t.Errorf("MPS decisions = %q", got)
	}
	// The cache: the same page again is the same bytes, and a conditional request is a 304.
	again := ts.get(t, "/organisations/home-office")
	if again.body != r.body {
		t.Error("the organisation page changed between two reads of an unchanged register")
	}
	req, _ := http.NewRequest(http.MethodGet, ts.url+"/organisations/home-office", nil)
	req.Header.Set("If-None-Match", r.header.Get("ETag"))
	resp, err := ts.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("conditional GET = %d, want 304 (ETag %q)", resp.StatusCode, r.header.Get("ETag"))
	}
	for _, path := range []string{"/organisations/nobody", "/organisations/Home_Office", "/organisations/nobody.csv", "/organisations/nobody.atom"} {
		if r := ts.get(t, path); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, r.status)
		}
	}
	// Names link to their pages, on decision pages and in lists.
	d := ts.get(t, "/decisions/pcd-1682")
	if href, _ := d.doc.Find(`[data-testid="funder"] a`).Attr("href"); href != "/organisations/home-office" {
		t.Errorf("PCD 1682's funder links to %q", href)
	}
	if href, _ := d.doc.Find(`[data-testid="recipient-link"]`).Attr("href"); href != "/organisations/metropolitan-police-service" {
		t.Errorf("PCD 1682's recipient links to %q", href)
	}
	if href, _ := ts.get(t, "/decisions").doc.Find(`[data-testid="funder-link"]`).First().Attr("href"); href != "/organisations/home-office" {
		t.Errorf("the list's funder links to %q", href)
	}
}

func TestOrganisationCSVAndAtom(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/organisations/metropolitan-police-service.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET .csv = %d %q", r.status, r.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"organisation", "org_id", "reference", "url", "title", "date_signed", "as", "given_pence", "given", "received_pence", "received", "status"},
		{"Metropolitan Police Service", "", "PCD 1682", "http://localhost:8080/decisions/pcd-1682", "Alpha - Social Media Hub", "", "recipient", "", "", "275500000", "2755000.00", "published"},
	}
	if len(rows) != len(want) || strings.Join(rows[0], ",") != strings.Join(want[0], ",") || strings.Join(rows[1], ",") != strings.Join(want[1], ",") {
		t.Errorf("CSV = %q, want %q", rows, want)
	}
	a := ts.get(t, "/organisations/home-office.atom")
	if a.status != http.StatusOK || !strings.HasPrefix(a.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("GET .atom = %d %q", a.status, a.header.Get("Content-Type"))
	}
	var feed struct {
		Title   string `xml:"title"`
		Entries []struct {
			ID    string `xml:"id"`
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(a.body), &feed); err != nil {
		t.Fatal(err)
	}
	if len(feed.Entries) != 10 || feed.Entries[0].Title != "PCD 1682: Alpha - Social Media Hub" || !strings.HasPrefix(feed.Title, "Decisions naming Home Office") {
		t.Errorf("feed %q has %d entries, first %+v", feed.Title, len(feed.Entries), feed.Entries[0])
	}
}

// orgSite is the seeded register with an admin, a drafter and a draft naming a new recipient.
type orgSite struct {
	*testsite.Site
	admin, drafter store.User
	adminClient    *http.Client
	draft          string
}

func newOrgSite(t *testing.T) orgSite {
	t.Helper()
	site := testsite.New(t)
	s := orgSite{Site: site,
		admin:   site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}}),
		drafter: site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}}),
	}
	s.adminClient = site.Client(t, "admin@example.org")
	ctx := context.Background()
	act := s.drafter.Act(site.Clock.Now())
	slug, err := site.Store.CreateDraft(ctx, act, "PCD", "Project Gamma")
	if err != nil {
		t.Fatal(err)
	}
	fy := 2026
	if err := site.Store.AddFundingLine(ctx, act, slug, store.Base{Version: 1}, store.NewFundingLine{AmountPence: 100000, FYStart: &fy,
		Basis: decision.BasisTotal, Kind: decision.KindGrantAccepted, Label: "Grant", Funder: "home office", Recipient: "Met Police"}); err != nil {
		t.Fatal(err)
	}
	s.draft = slug
	return s
}

func (s orgSite) orgID(t *testing.T, name string) int64 {
	t.Helper()
	var id int64
	if err := s.Pool.QueryRow(context.Background(), `SELECT id FROM organisations WHERE name = $1`, name).Scan(&id); err != nil {
		t.Fatalf("organisation %q: %v", name, err)
	}
	return id
}

// audits are the organisation events of the audit trail, as "event actor detail".
func (s orgSite) audits(t *testing.T) []string {
	t.Helper()
	rows, err := s.Pool.Query(context.Background(), `
SELECT event || ' ' || actor || ' ' || detail::text FROM audit_log WHERE event LIKE 'organisation%' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func (s orgSite) get(t *testing.T, c *http.Client, path string) adminPage {
	t.Helper()
	return adminDo(t, c, http.MethodGet, s.URL+path, nil)
}

func (s orgSite) canonical(t *testing.T, slug string) string {
	t.Helper()
	resp, err := http.Get(s.URL + "/decisions/" + slug + "/canonical")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func (s orgSite) verify(t *testing.T) {
	t.Helper()
	rep, err := s.Store.VerifySignatures(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Decisions < 10 || rep.Mismatches != 0 {
		t.Errorf("verify: %d decisions, %d mismatches (%s: %s)", rep.Decisions, rep.Mismatches, rep.BadReference, rep.Problem)
	}
}

// TestOrganisationRenameKeepsSignedNames renames the Home Office, which funds ten signed
// decisions and a draft: the signed ones keep the name they were signed with (their bytes and
// hashes do not change, and verify holds), the draft takes the new one, the old address leads
// to the new, and the audit trail says who renamed what to what.
func TestOrganisationRenameKeepsSignedNames(t *testing.T) {
	t.Parallel()
	s := newOrgSite(t)
	anon := s.Client(t, "")
	before := s.canonical(t, "pcd-1682")
	if !strings.Contains(before, `"funder":"Home Office"`) {
		t.Fatalf("PCD 1682's canonical bytes do not name the Home Office: %s", before)
	}
	id := s.orgID(t, "Home Office")
	p := adminDo(t, s.adminClient, http.MethodPost, s.URL+"/admin/organisations/"+itoa64(id)+"/rename", url.Values{"name": {"Home Office (UK)"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("rename = %d, want 303: %s", p.status, p.text(".govuk-error-summary"))
	}
	if got := s.get(t, s.adminClient, p.header.Get("Location")).text(`[data-testid="flash"]`); !strings.Contains(got, "Home Office has been renamed Home Office (UK)") {
		t.Errorf("flash = %q", got)
	}
	if after := s.canonical(t, "pcd-1682"); after != before {
		t.Errorf("renaming changed PCD 1682's canonical bytes (%d bytes, were %d)", len(after), len(before))
	}
	s.verify(t)
	if got := s.get(t, anon, "/decisions/pcd-1682/verify").doc.Find(`[data-testid="verify-result"]`).AttrOr("data-matches", ""); got != "true" {
		t.Errorf("PCD 1682's verify page: matches = %q", got)
	}
	d := s.get(t, anon, "/decisions/pcd-1682")
	if got, href := d.text(`[data-testid="funder"]`), d.doc.Find(`[data-testid="funder"] a`).AttrOr("href", ""); got != "Home Office" || href != "/organisations/home-office-uk" {
		t.Errorf("PCD 1682's funder = %q → %q, want the signed name linking to the new page", got, href)
	}
	if got := s.get(t, anon, "/organisations/home-office"); got.status != http.StatusMovedPermanently || got.header.Get("Location") != "/organisations/home-office-uk" {
		t.Errorf("GET old slug = %d → %q, want 301 to /organisations/home-office-uk", got.status, got.header.Get("Location"))
	}
	if got := s.get(t, anon, "/organisations/home-office.csv"); got.header.Get("Location") != "/organisations/home-office-uk.csv" {
		t.Errorf("GET old slug's CSV → %q", got.header.Get("Location"))
	}
	if got := s.get(t, anon, "/organisations/home-office-uk").text("h1"); got != "Home Office (UK)" {
		t.Errorf("new page's heading = %q", got)
	}
	var draftFunder string
	if err := s.Pool.QueryRow(context.Background(), `
SELECT o.name FROM funding_lines f JOIN decisions d ON d.id = f.decision_id JOIN organisations o ON o.id = f.funder_id
WHERE d.slug = $1`, s.draft).Scan(&draftFunder); err != nil || draftFunder != "Home Office (UK)" {
		t.Errorf("the draft's funder = %q (%v), want the new name", draftFunder, err)
	}
	audits := s.audits(t)
	if len(audits) != 2 || !strings.HasPrefix(audits[0], "organisation_added Dana Drafter") ||
		!strings.HasPrefix(audits[1], "organisation_renamed Alex Admin") ||
		!strings.Contains(audits[1], `"was":"Home Office"`) || !strings.Contains(audits[1], `"name":"Home Office (UK)"`) {
		t.Errorf("audit = %q", audits)
	}
}

// TestOrganisationMerge merges the Metropolitan Police Service (PCD 1682's recipient, signed)
// into Met Police (named by a draft): PCD 1682 still names the MPS and verifies, its page links
// to Met Police's, the index counts it there, and the MPS's page leads there.
func TestOrganisationMerge(t *testing.T) {
	t.Parallel()
	s := newOrgSite(t)
	anon := s.Client(t, "")
	before := s.canonical(t, "pcd-1682")
	mps, met := s.orgID(t, "Metropolitan Police Service"), s.orgID(t, "Met Police")
	p := adminDo(t, s.adminClient, http.MethodPost, s.URL+"/admin/organisations/"+itoa64(mps)+"/merge", url.Values{"into": {itoa64(met)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/admin/organisations/"+itoa64(met) {
		t.Fatalf("merge = %d → %q, want 303 to the other's page", p.status, p.header.Get("Location"))
	}
	if after := s.canonical(t, "pcd-1682"); after != before {
		t.Errorf("merging changed PCD 1682's canonical bytes")
	}
	s.verify(t)
	d := s.get(t, anon, "/decisions/pcd-1682")
	if got := d.doc.Find(`[data-testid="recipient-link"]`); got.Text() != "Metropolitan Police Service" || got.AttrOr("href", "") != "/organisations/met-police" {
		t.Errorf("PCD 1682's recipient = %q → %q", got.Text(), got.AttrOr("href", ""))
	}
	if got := s.get(t, anon, "/organisations/metropolitan-police-service"); got.status != http.StatusMovedPermanently || got.header.Get("Location") != "/organisations/met-police" {
		t.Errorf("GET merged slug = %d → %q", got.status, got.header.Get("Location"))
	}
	idx := s.get(t, anon, "/organisations")
	if got := cells(idx.doc, `[data-testid="org-row"] td`); got != "Home Office | Decisions 10 | Given £12,442,631.08 | Received £0 | Met Police | Decisions 1 | Given £0 | Received £2,755,000" {
		t.Errorf("index after merge = %q", got)
	}
	met2 := s.get(t, anon, "/organisations/met-police")
	if got := met2.text(`[data-testid="org-merged"]`); got != "Metropolitan Police Service" {
		t.Errorf("Also recorded as = %q", got)
	}
	// Its page lists the decisions naming the organisation merged into it.
	if got := met2.text(`[data-testid="org-decision"]`); !strings.Contains(got, "PCD 1682") {
		t.Errorf("Met Police's decisions = %q, want PCD 1682, which names the Metropolitan Police Service", got)
	}
	audits := s.audits(t)
	if len(audits) != 2 || !strings.HasPrefix(audits[1], "organisation_merged Alex Admin") ||
		!strings.Contains(audits[1], `"organisation":"Metropolitan Police Service"`) || !strings.Contains(audits[1], `"into":"Met Police"`) {
		t.Errorf("audit = %q", audits)
	}
	// A merged organisation is done with: it cannot be renamed or merged again.
	for _, form := range []struct {
		path string
		form url.Values
	}{{"/rename", url.Values{"name": {"MPS"}}}, {"/merge", url.Values{"into": {itoa64(s.orgID(t, "Home Office"))}}}} {
		if p := adminDo(t, s.adminClient, http.MethodPost, s.URL+"/admin/organisations/"+itoa64(mps)+form.path, form.form); p.status != http.StatusUnprocessableEntity {
			t.Errorf("POST %s on a merged organisation = %d, want 422", form.path, p.status)
		}
	}
	if n := len(s.audits(t)); n != 2 {
		t.Errorf("refused changes wrote to the audit trail: %d entries", n)
	}
}

// TestOrganisationAdminBadInput: each refusal comes back by its field with the input kept, and
// changes nothing.
func TestOrganisationAdminBadInput(t *testing.T) {
	t.Parallel()
	s := newOrgSite(t)
	ho := itoa64(s.orgID(t, "Home Office"))
	base := "/admin/organisations/" + ho
	tests := []struct {
		name, path string
		form       url.Values
		field      string
		want       string
	}{
		{"empty name", "/rename", url.Values{"name": {"  "}}, "name", "Enter the organisation’s new name"},
		{"same name", "/rename", url.Values{"name": {"Home Office"}}, "name", "Enter a name different from its name now"},
		{"another's name", "/rename", url.Values{"name": {"metropolitan police service"}}, "name", "Another organisation is called metropolitan police service"},
		{"too long", "/rename", url.Values{"name": {strings.Repeat("a", 1001)}}, "name", "characters or fewer"},
		{"into nothing", "/merge", url.Values{"into": {""}}, "into", "Choose the organisation to merge it into"},
		{"into itself", "/merge", url.Values{"into": {ho}}, "into", "one cannot be merged into itself"},
		{"into an unknown one", "/merge", url.Values{"into": {"999999"}}, "into", "from the list"},
		{"into not a number", "/merge", url.Values{"into": {"Home Office"}}, "into", "from the list"},
	}
	for _, tt := range tests {
		p := adminDo(t, s.adminClient, http.MethodPost, s.URL+base+tt.path, tt.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST = %d, want 422", tt.name, p.status)
			continue
		}
		if got := p.text("#" + tt.field + "-error"); !strings.Contains(got, tt.want) {
			t.Errorf("%s: error by %s = %q, want %q", tt.name, tt.field, got, tt.want)
		}
		if href := p.doc.Find(".govuk-error-summary a").AttrOr("href", ""); href != "#"+tt.field {
			t.Errorf("%s: the error summary links to %q, want #%s", tt.name, href, tt.field)
		}
		if tt.field == "name" && tt.name != "empty name" {
			if got := p.doc.Find("#name").AttrOr("value", ""); got != strings.TrimSpace(tt.form.Get("name")) {
				t.Errorf("%s: the name field holds %q, want the input", tt.name, got)
			}
		}
	}
	if a := s.audits(t); len(a) != 1 {
		t.Errorf("refused changes were audited: %q", a)
	}
	// The draft's new recipient is the public's to know only once a published decision names it.
	anon := s.Client(t, "")
	if got := s.get(t, anon, "/organisations").text(`[data-testid="organisations"]`); strings.Contains(got, "Met Police") {
		t.Errorf("the public index lists a draft's new organisation: %q", got)
	}
	for _, path := range []string{"/organisations/met-police", "/organisations/met-police.csv", "/organisations/met-police.atom"} {
		if got := s.get(t, anon, path).status; got != http.StatusNotFound {
			t.Errorf("GET %s as the public = %d, want 404", path, got)
		}
	}
	staff := s.get(t, s.adminClient, "/organisations/met-police")
	if staff.status != http.StatusOK || !strings.Contains(staff.text(`[data-testid="org-decisions"]`), "Project Gamma") {
		t.Errorf("GET /organisations/met-police as staff = %d, decisions %q", staff.status, staff.text(`[data-testid="org-decisions"]`))
	}
	if got := s.get(t, s.adminClient, "/admin/organisations/999999").status; got != http.StatusNotFound {
		t.Errorf("GET unknown organisation = %d, want 404", got)
	}
	list := s.get(t, s.adminClient, "/admin/organisations")
	if got := list.text(`[data-testid="admin-orgs"]`); !strings.Contains(got, "Home Office") || !strings.Contains(got, "Met Police") {
		t.Errorf("admin list = %q", got)
	}
}

// cells is the text of each element sel finds, spaces collapsed, joined by " | ".
func cells(doc *goquery.Document, sel string) string {
	var out []string
	doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return strings.Join(out, " | ")
}

// TestOrganisationPagePaged: an organisation many decisions name lists 50 of them a page,
// newest first; following "Next" to the end and "Previous" back reads every one once, in
// order; a cursor changed, or made for another organisation, is a 400 page.
func TestOrganisationPagePaged(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ctx := context.Background()
	orgs, err := ts.site.Store.EnsureOrganisations(ctx, []string{"Kestrel Fund"})
	if err != nil {
		t.Fatal(err)
	}
	var batch []store.SyntheticDecision
	for n := 7001; n <= 7120; n++ {
		signed := time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n%40) // many share a date
		batch = append(batch, store.SyntheticDecision{Series: "PCD", Number: n, Title: fmt.Sprintf("Kestrel grant %d", n), Summary: "A grant.",
			Funder: "Kestrel Fund", DecisionMakerName: "Sophie Linden", DecisionMakerRole: "Deputy Mayor",
			Status: "published", DateSigned: &signed, DatePublished: &signed, SignedAt: &signed,
			PartTwoSalt: fmt.Sprintf("%032x", n)})
	}
	if err := ts.site.Store.LoadSynthetic(ctx, batch, orgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	var seen []string
	var pageURLs []string
	path := "/organisations/kestrel-fund"
	for path != "" {
		r := ts.get(t, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %q = %d, want 200", path, r.status)
		}
		if got := r.text(`[data-testid="org-decision-count"]`); !strings.HasPrefix(got, "120 decisions") {
			t.Errorf("GET %q: count %q, want 120 decisions", path, got)
		}
		rows := r.doc.Find(`[data-testid="org-decision"] a`)
		if rows.Length() > 50 {
			t.Fatalf("GET %q lists %d decisions, want at most 50", path, rows.Length())
		}
		rows.Each(func(_ int, s *goquery.Selection) { seen = append(seen, s.Text()) })
		pageURLs = append(pageURLs, path)
		path, _ = r.doc.Find(`.govuk-pagination__next a`).Attr("href")
	}
	sort.SliceStable(batch, func(i, j int) bool {
		if !batch[i].DateSigned.Equal(*batch[j].DateSigned) {
			return batch[i].DateSigned.After(*batch[j].DateSigned)
		}
		return batch[i].Number > batch[j].Number
	})
	var want []string
	for _, d := range batch {
		want = append(want, fmt.Sprintf("PCD %d", d.Number))
	}
	if !slices.Equal(seen, want) || len(pageURLs) != 3 {
		t.Fatalf("paging read %d pages:\n%v\nwant, newest first:\n%v", len(pageURLs), seen, want)
	}
	// Back from the last page, "Previous" gives each page before.
	last := ts.get(t, pageURLs[2])
	prev, _ := last.doc.Find(`.govuk-pagination__prev a`).Attr("href")
	back := ts.get(t, prev)
	if got, want := back.doc.Find(`[data-testid="org-decision"] a`).First().Text(), seen[50]; got != want {
		t.Errorf("Previous from the last page starts at %q, want %q", got, want)
	}
	if _, ok := ts.get(t, "/organisations/kestrel-fund").doc.Find(`.govuk-pagination__prev a`).Attr("href"); ok {
		t.Errorf("the first page has a Previous link")
	}
	cursor := strings.TrimPrefix(pageURLs[1], "/organisations/kestrel-fund?cursor=")
	for _, bad := range []string{"/organisations/kestrel-fund?cursor=x" + cursor, "/organisations/home-office?cursor=" + cursor} {
		if r := ts.get(t, bad); r.status != http.StatusBadRequest {
			t.Errorf("GET %q = %d, want 400", bad, r.status)
		}
	}
}
