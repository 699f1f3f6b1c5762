package importer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/api"
	"github.com/decision-register/decisions/internal/importer"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
	"github.com/decision-register/decisions/internal/testsite"
)

// seedSynthetic adds n synthetic decisions to a site, as `decisions seed-synthetic` does.
func seedSynthetic(t testing.TB, st *store.Store, n int, seed uint64) {
	t.Helper()
	ctx := context.Background()
	state, err := st.SyntheticState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := st.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		t.Fatal(err)
	}
	gen := synthetic.New(seed, state.LastNumber, time.Now())
	for made := 0; made < n; made += 1000 {
		var b []store.SyntheticDecision
		for range min(1000, n-made) {
			b = append(b, gen.Next())
		}
		if err := st.LoadSynthetic(ctx, b, orgs, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

// client asks for pages uncompressed: the round trip compares what the pages say, and
// compressing each answer only to undo it costs the test process a tenth of its CPU under -race.
var client = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func get(t testing.TB, url string) []byte {
	t.Helper()
	b, err := fetchPage(url)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fetchPage is get for a goroutine of its own, which may not stop the test.
func fetchPage(url string) ([]byte, error) {
	resp, err := client.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s = %d, want 200", url, resp.StatusCode)
	}
	return b, nil
}

// export writes every decision the public API lists into dir as one JSON lines file, with
// each decision's supporting documents in a directory named for its slug, as docs/import.md
// says; it returns the slugs, and each decision's API answer by slug.
func export(t testing.TB, site *testsite.Site, dir string) ([]string, map[string][]byte) {
	t.Helper()
	var slugs []string
	answers := map[string][]byte{}
	var lines bytes.Buffer
	next := site.URL + "/api/v1/decisions?limit=100"
	for next != "" {
		var page api.DecisionList
		if err := json.Unmarshal(get(t, next), &page); err != nil {
			t.Fatal(err)
		}
		for _, d := range page.Decisions {
			slugs = append(slugs, d.Slug)
			b := get(t, site.URL+"/api/v1/decisions/"+d.Slug)
			answers[d.Slug] = b
			var full api.Decision
			if err := json.Unmarshal(b, &full); err != nil {
				t.Fatal(err)
			}
			for _, doc := range full.Documents {
				if doc.Kind != "supporting" {
					continue
				}
				body := get(t, strings.Replace(doc.URL, testsite.BaseURL, site.URL, 1))
				if err := os.MkdirAll(filepath.Join(dir, d.Slug), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, d.Slug, doc.Name), body, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, b); err != nil {
				t.Fatal(err)
			}
			lines.Write(compact.Bytes())
			lines.WriteByte('\n')
		}
		next = ""
		if page.Links.Next != nil {
			next = strings.Replace(*page.Links.Next, testsite.BaseURL, site.URL, 1)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "register.jsonl"), lines.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return slugs, answers
}

// volatile are the parts of a page that differ between any two requests for it.
var volatile = regexp.MustCompile(`nonce="[^"]*"|name="csrf_token" value="[^"]*"`)

// TestRoundTrip exports a populated register (the seeded ten, synthetic decisions and one with
// a supporting document) through the public API over HTTP, imports the export into a fresh
// register, and requires each decision's page, canonical bytes and hashes to be the same.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	from := testsite.New(t)
	seedSynthetic(t, from.Store, 200, 7)
	from.Published(t, 99001, "A decision with a paper", testsite.Doc{Name: "Report.csv", Body: []byte("year,amount\n2024-25,100\n")})
	dir := t.TempDir()
	slugs, exported := export(t, from, dir)
	if len(slugs) < 150 {
		t.Fatalf("exported %d decisions, want the seeded ten and most of 200 synthetic", len(slugs))
	}

	to := testsite.New(t)
	res, err := importer.Run(ctx, to.Store, importer.Options{Source: dir, Blobs: to.Blobs, By: "round trip"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Problems {
		t.Errorf("problem: %s", p)
	}
	// The seeded ten are in every register already (by migration), as the export has them.
	if res.Imported != len(slugs)-10 || res.Unchanged != 10 || res.Refused != 0 || res.Pending != 0 {
		t.Errorf("imported %d, unchanged %d, refused %d, pending links %d; want %d, 10, 0, 0",
			res.Imported, res.Unchanged, res.Refused, res.Pending, len(slugs)-10)
	}
	// Each decision compared by one of a few workers: the two sites answer side by side, as
	// they would for several readers, instead of one page at a time. The first difference
	// stops the workers (the rest would repeat it).
	compare := func(slug string) error {
		for _, path := range []string{"/decisions/" + slug, "/decisions/" + slug + "/canonical", "/decisions/" + slug + "/verify"} {
			a, err := fetchPage(from.URL + path)
			if err != nil {
				return err
			}
			b, err := fetchPage(to.URL + path)
			if err != nil {
				return err
			}
			a, b = volatile.ReplaceAll(a, nil), volatile.ReplaceAll(b, nil)
			if !bytes.Equal(a, b) {
				return fmt.Errorf("GET %s differs after the round trip:\n%s", path, firstDifference(a, b))
			}
		}
		var a, b api.Decision
		if err := json.Unmarshal(exported[slug], &a); err != nil {
			return err
		}
		body, err := fetchPage(to.URL + "/api/v1/decisions/" + slug)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return err
		}
		if a.ContentHash != b.ContentHash || a.Signoff.Signature == nil || b.Signoff.Signature == nil ||
			a.Signoff.Signature.ContentHash != b.Signoff.Signature.ContentHash || b.Signoff.HashMatches == nil || !*b.Signoff.HashMatches {
			return fmt.Errorf("%s: hashes differ after the round trip, or do not match: %+v, %+v", slug, a.Signoff, b.Signoff)
		}
		return nil
	}
	todo := make(chan string)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for slug := range todo {
				if failed.Load() {
					continue
				}
				if err := compare(slug); err != nil {
					failed.Store(true)
					t.Error(err)
				}
			}
		})
	}
	for _, slug := range slugs {
		todo <- slug
	}
	close(todo)
	wg.Wait()
	if t.Failed() {
		return
	}
	rep, err := to.Store.VerifyRegister(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Signatures.Mismatches > 0 || rep.Signatures.Decisions != len(slugs) {
		t.Errorf("verify after the import: %+v, want %d signatures that hold", rep.Signatures, len(slugs))
	}
}

// firstDifference shows where two pages part.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-200)
	return "before: …" + string(a[from:min(len(a), i+200)]) + "…\nafter:  …" + string(b[from:min(len(b), i+200)]) + "…"
}
