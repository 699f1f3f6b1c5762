package importer_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/importer"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestImportedPageSaysSo imports the documented example and reads PCD 2001's page: the public
// is told it was signed outside the register, as the seeded decisions' pages say, and staff
// see in its timeline where it was imported from.
func TestImportedPageSaysSo(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	res, err := importer.Run(context.Background(), site.Store, importer.Options{
		Source: filepath.Join("..", "..", "docs", "examples", "import"), Blobs: site.Blobs, By: "Ivy Importer"})
	if err != nil || res.Imported != 2 {
		t.Fatalf("import: %v, %+v", err, res)
	}
	site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	for _, c := range []struct {
		name   string
		client func() (*goquery.Document, error)
		want   []string
	}{
		{"the public", func() (*goquery.Document, error) { return fetch(site.URL + "/decisions/pcd-2001") }, nil},
		{"an admin", func() (*goquery.Document, error) {
			return fetchWith(site.Client(t, "admin@example.org"), site.URL+"/decisions/pcd-2001")
		}, []string{"Content recorded on import", "by Ivy Importer", "From decisions.csv, where it is CMIS-4411 (import run 1)"}},
	} {
		doc, err := c.client()
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Find(`[data-testid=imported]`).Text(); !strings.Contains(got, "Signed before this register existed") {
			t.Errorf("%s: the sign-off section says %q, want that it was signed before the register", c.name, got)
		}
		tl := doc.Find(`[data-testid=timeline]`).Text()
		for _, w := range c.want {
			if !strings.Contains(tl, w) {
				t.Errorf("%s: the timeline lacks %q: %s", c.name, w, tl)
			}
		}
		if c.want == nil && tl != "" {
			t.Errorf("%s sees a timeline: %s", c.name, tl)
		}
	}
}

func fetch(url string) (*goquery.Document, error) { return fetchWith(nil, url) }

func fetchWith(c interface {
	Get(string) (*http.Response, error)
}, url string) (*goquery.Document, error) {
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("GET %s = %d: %.300s", url, resp.StatusCode, b)
	}
	return goquery.NewDocumentFromReader(resp.Body)
}
