package server_test

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
	"github.com/decision-register/decisions/internal/testsite"
)

// do sends a GET with the given headers, taking the body as it comes (no transparent gzip).
func do(t *testing.T, c *http.Client, url string, headers map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %q: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestCompression(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	c := site.Client(t, "")
	_, plain := do(t, c, site.URL+"/decisions/pcd-1682", map[string]string{"Accept-Encoding": "identity"})
	plainLen := int64(len(plain))
	for _, path := range []string{"/decisions/pcd-1682", "/decisions", "/"} {
		resp, body := do(t, c, site.URL+path, map[string]string{"Accept-Encoding": "gzip"})
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" ||
			!strings.Contains(strings.Join(resp.Header.Values("Vary"), ","), "Accept-Encoding") {
			t.Errorf("GET %q (gzip) = %d, Content-Encoding %q, Vary %q; want 200 gzip varying by Accept-Encoding",
				path, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Values("Vary"))
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(string(body)))
		if err != nil {
			t.Fatalf("GET %q: %v", path, err)
		}
		html, err := io.ReadAll(zr)
		if err != nil || !strings.Contains(string(html), "</html>") {
			t.Errorf("GET %q: the gzip body does not hold the page (%v)", path, err)
		}
		if path == "/decisions/pcd-1682" && int64(len(body))*3 > plainLen {
			t.Errorf("GET %q: %d bytes gzipped against %d plain, want under a third", path, len(body), plainLen)
		}
	}
	resp, _ := do(t, c, site.URL+"/decisions/pcd-1682", map[string]string{"Accept-Encoding": "zstd, gzip"})
	if got := resp.Header.Get("Content-Encoding"); got != "zstd" {
		t.Errorf("GET with zstd offered: Content-Encoding %q, want zstd", got)
	}
	resp, _ = do(t, c, site.URL+"/decisions/pcd-1682", map[string]string{"Accept-Encoding": "identity"})
	if got := resp.Header.Get("Content-Encoding"); got != "" {
		t.Errorf("GET with identity only: Content-Encoding %q, want none", got)
	}
	// The stylesheet too, and its ETag still answers 304 when compressed.
	css, _ := do(t, c, site.URL+"/static/app.css", map[string]string{"Accept-Encoding": "gzip"})
	if css.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(css.Header.Get("ETag"), `W/"`) {
		t.Errorf("GET /static/app.css: Content-Encoding %q ETag %q, want gzip and a weak ETag", css.Header.Get("Content-Encoding"), css.Header.Get("ETag"))
	}
	again, _ := do(t, c, site.URL+"/static/app.css", map[string]string{"Accept-Encoding": "gzip", "If-None-Match": css.Header.Get("ETag")})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("GET /static/app.css with its ETag = %d, want 304", again.StatusCode)
	}
}

func TestDecisionPageConditional(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	c := site.Client(t, "")
	const path = "/decisions/pcd-1682"
	first, body := do(t, c, site.URL+path, nil)
	etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	if first.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `W/"`) || lastMod == "" {
		t.Fatalf("GET %q = %d ETag %q Last-Modified %q, want 200 with a weak ETag and Last-Modified", path, first.StatusCode, etag, lastMod)
	}
	if _, err := http.ParseTime(lastMod); err != nil {
		t.Errorf("Last-Modified %q: %v", lastMod, err)
	}
	if len(body) == 0 {
		t.Fatal("empty page")
	}
	for _, tc := range []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"same ETag", map[string]string{"If-None-Match": etag}, http.StatusNotModified},
		{"ETag among others", map[string]string{"If-None-Match": `W/"other", ` + etag}, http.StatusNotModified},
		{"strong form of the ETag", map[string]string{"If-None-Match": strings.TrimPrefix(etag, "W/")}, http.StatusNotModified},
		{"same ETag, compressed", map[string]string{"If-None-Match": etag, "Accept-Encoding": "gzip"}, http.StatusNotModified},
		{"other ETag", map[string]string{"If-None-Match": `W/"other"`}, http.StatusOK},
		{"other ETag wins over a matching date", map[string]string{"If-None-Match": `W/"other"`, "If-Modified-Since": lastMod}, http.StatusOK},
		{"not modified since", map[string]string{"If-Modified-Since": lastMod}, http.StatusNotModified},
		{"modified since", map[string]string{"If-Modified-Since": time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Format(http.TimeFormat)}, http.StatusOK},
	} {
		resp, b := do(t, c, site.URL+path, tc.headers)
		if resp.StatusCode != tc.want {
			t.Errorf("GET %q with %s = %d, want %d", path, tc.name, resp.StatusCode, tc.want)
		}
		if tc.want == http.StatusNotModified && (len(b) != 0 || resp.Header.Get("ETag") != etag) {
			t.Errorf("GET %q with %s: 304 with %d bytes and ETag %q, want no body and the same ETag", path, tc.name, len(b), resp.Header.Get("ETag"))
		}
	}

	// Another decision has another ETag.
	other, _ := do(t, c, site.URL+"/decisions/pcd-1532", nil)
	if other.Header.Get("ETag") == etag {
		t.Error("two decisions share an ETag")
	}

	// A change the register records (here an audit entry) makes If-Modified-Since stale.
	if err := site.Store.Audit(t.Context(), store.System(time.Now().Add(time.Hour)), 0, store.EventUserAdded, nil); err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, c, site.URL+path, map[string]string{"If-Modified-Since": lastMod})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %q If-Modified-Since after a later change = %d, want 200", path, resp.StatusCode)
	}
}

func TestStaffPagesAreNotConditional(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann Admin", store.Grants{Roles: []string{"admin"}})
	anon, _ := do(t, site.Client(t, ""), site.URL+"/decisions/pcd-1682", nil)
	staff := site.Client(t, "a@example.org")
	resp, body := do(t, staff, site.URL+"/decisions/pcd-1682", map[string]string{"If-None-Match": anon.Header.Get("ETag"),
		"If-Modified-Since": anon.Header.Get("Last-Modified")})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Ann Admin") {
		t.Fatalf("signed-in GET with the public validators = %d, want 200 with their own page", resp.StatusCode)
	}
	if resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("signed-in page: ETag %q Last-Modified %q Cache-Control %q, want no validators and private, no-store",
			resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"), resp.Header.Get("Cache-Control"))
	}
}

func TestSyntheticDecisionSaysSo(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	ctx := t.Context()
	orgs, err := site.Store.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		t.Fatal(err)
	}
	gen := synthetic.New(3, nil, time.Now())
	var batch []store.SyntheticDecision
	slug := ""
	for len(batch) < 40 {
		d := gen.Next()
		if slug == "" && d.Status == "published" {
			slug = d.Ref().Slug()
		}
		batch = append(batch, d)
	}
	if err := site.Store.LoadSynthetic(ctx, batch, orgs, time.Now()); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, "")
	for path, want := range map[string]int{"/decisions/" + slug: 1, "/decisions/pcd-1682": 0} {
		resp, body := do(t, c, site.URL+path, nil)
		if got := strings.Count(string(body), `data-testid="synthetic"`); resp.StatusCode != http.StatusOK || got != want {
			t.Errorf("GET %q = %d with %d synthetic warnings, want 200 with %d", path, resp.StatusCode, got, want)
		}
	}
	// Lists and exports mark them too, so made-up grants are never taken for real ones.
	ref := strings.ToUpper(strings.Replace(slug, "-", " ", 1))
	_, list := do(t, c, site.URL+"/decisions?q="+strings.ReplaceAll(ref, " ", "+")+"+grant", nil)
	if !strings.Contains(string(list), `data-testid="synthetic-tag"`) {
		t.Errorf("the list with %s marks no decision as made up", ref)
	}
	_, real := do(t, c, site.URL+"/decisions?maker=Sophie+Linden", nil) // real decisions only
	if !strings.Contains(string(real), "PCD 1682") || strings.Contains(string(real), `data-testid="synthetic-tag"`) {
		t.Error("the list marks a real decision as made up")
	}
	var one struct{ Synthetic *bool }
	if _, b := do(t, c, site.URL+"/api/v1/decisions/"+slug, nil); json.Unmarshal(b, &one) != nil || one.Synthetic == nil || !*one.Synthetic {
		t.Errorf("API decision %s: synthetic %v, want true", slug, one.Synthetic)
	}
	if _, b := do(t, c, site.URL+"/api/v1/decisions/pcd-1682", nil); json.Unmarshal(b, &one) != nil || one.Synthetic == nil || *one.Synthetic {
		t.Errorf("API decision pcd-1682: synthetic %v, want false", one.Synthetic)
	}
	_, csvBody := do(t, c, site.URL+"/decisions.csv", map[string]string{"Accept-Encoding": "identity"})
	rows, err := csv.NewReader(strings.NewReader(string(csvBody))).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("CSV: %d rows, %v", len(rows), err)
	}
	col := slices.Index(rows[0], "synthetic")
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		if col < 0 {
			break
		}
		seen[r[col]] = true
		if r[0] == "PCD 1682" && r[col] != "false" {
			t.Errorf("CSV row %s: synthetic %q", r[0], r[col])
		}
	}
	if col < 0 || !seen["true"] || !seen["false"] {
		t.Errorf("CSV synthetic column at %d holds %v, want both true and false", col, seen)
	}
}

// TestExportsConditional: every public export has validators and answers 304 on a match, until
// the register records a change; another query has another ETag; a bad query's 400 and a
// missing decision's 404 carry none; staff get no validators (their exports hold drafts).
func TestExportsConditional(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	c := site.Client(t, "")
	paths := []string{"/decisions.csv?q=grant", "/decisions.atom?q=grant", "/api/v1/decisions?q=grant", "/api/v1/decisions/pcd-1682"}
	etags := map[string]string{}
	for _, path := range paths {
		first, _ := do(t, c, site.URL+path, nil)
		etag, lastMod := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
		if first.StatusCode != http.StatusOK || !strings.HasPrefix(etag, `W/"`) || lastMod == "" {
			t.Errorf("GET %q = %d ETag %q Last-Modified %q, want 200 with a weak ETag and Last-Modified", path, first.StatusCode, etag, lastMod)
			continue
		}
		etags[path] = etag
		if resp, b := do(t, c, site.URL+path, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusNotModified || len(b) != 0 {
			t.Errorf("GET %q with its ETag = %d with %d bytes, want 304 and no body", path, resp.StatusCode, len(b))
		}
		if resp, _ := do(t, c, site.URL+path, map[string]string{"If-Modified-Since": lastMod}); resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %q If-Modified-Since its Last-Modified = %d, want 304", path, resp.StatusCode)
		}
	}
	if other, _ := do(t, c, site.URL+"/decisions.csv?q=hub", nil); other.Header.Get("ETag") == etags["/decisions.csv?q=grant"] {
		t.Error("two queries' CSVs share an ETag")
	}
	for _, path := range []string{"/decisions.csv?fy=1999", "/api/v1/decisions?min=-5", "/api/v1/decisions/pcd-99999"} {
		if resp, _ := do(t, c, site.URL+path, nil); resp.StatusCode < 400 || resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
			t.Errorf("GET %q = %d with ETag %q Last-Modified %q, want an error with no validators", path, resp.StatusCode,
				resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
		}
	}
	// A change the register records makes every ETag stale.
	if err := site.Store.Audit(t.Context(), store.System(time.Now().Add(time.Hour)), 0, store.EventUserAdded, nil); err != nil {
		t.Fatal(err)
	}
	for path, etag := range etags {
		if resp, _ := do(t, c, site.URL+path, map[string]string{"If-None-Match": etag}); resp.StatusCode != http.StatusOK {
			t.Errorf("GET %q with its old ETag after a change = %d, want 200", path, resp.StatusCode)
		}
	}
	site.User(t, "officer@example.org", "Officer", store.Grants{})
	staff := site.Client(t, "officer@example.org")
	if resp, _ := do(t, staff, site.URL+"/decisions.csv?q=grant", map[string]string{"If-None-Match": etags["/decisions.csv?q=grant"]}); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") != "" {
		t.Errorf("staff GET /decisions.csv = %d with ETag %q, want 200 and no validators", resp.StatusCode, resp.Header.Get("ETag"))
	}
}
