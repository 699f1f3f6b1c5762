package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestSignedDocumentSection checks the decision page's signed decision document section, while
// the document is being prepared and once it is listed, with axe-core and the Nu Html Checker.
func TestSignedDocumentSection(t *testing.T) {
	site := testsite.New(t)
	ctx := context.Background()
	maker := site.User(t, "signer@example.org", "Sam Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	for number, made := range map[int]bool{9301: true, 9302: false} {
		var id int64
		err := site.Pool.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Knife crime outreach', 'To accept a grant.', 'published')
RETURNING id`, number).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := site.Store.Content(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		_, err = site.Pool.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
	content_hash, canonical_version) VALUES ($1, 'signed', 'approved', $2, 'Sam Signer', 'none', $3, $4, $5)`,
			id, maker.ID, time.Now(), decision.ContentHash(c), decision.CanonicalVersion)
		if err != nil {
			t.Fatal(err)
		}
		q := `INSERT INTO signed_pdf_jobs (decision_id, created_at, next_attempt_at) VALUES ($1, now(), now())`
		if made {
			q = `INSERT INTO signed_pdfs (decision_id, sha256, size_bytes, content, created_at)
VALUES ($1, encode(sha256('%PDF-1.4 test'), 'hex'), 13, '%PDF-1.4 test', now())`
		}
		if _, err := site.Pool.Exec(ctx, q, id); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path, testID string }{
		{"signed-document-listed", "/decisions/pcd-9301", "signed-document"},
		{"signed-document-pending", "/decisions/pcd-9302", "signed-document-pending"},
	}
	tab := newTab(t)
	dir := t.TempDir()
	var files []string
	for _, p := range pages {
		name, path := p.name, p.path
		resp := run(t, tab, "open "+path, chromedp.NavigateResponse(site.URL+path))
		if resp.Status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.Status)
		}
		n := run(t, tab, "find the section", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=`+p.testID+`]').length`))
		if n != 1 {
			t.Errorf("%s: %d [data-testid=%s], want 1", path, n, p.testID)
		}
		for _, v := range runAxe(t, tab) {
			t.Errorf("%s: axe %s [%s] %s at %s", path, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		}
		resp2, err := http.Get(site.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp2.Body)
		resp2.Body.Close()
		f := filepath.Join(dir, name+".html")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	for _, m := range runVNU(t, files) {
		t.Errorf("vnu %s: %s: line %d: %s (%q)", m.Type, filepath.Base(m.URL), m.LastLine, m.Message, m.Extract)
	}
}
