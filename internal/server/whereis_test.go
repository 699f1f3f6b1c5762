package server_test

import (
	"context"
	"strings"
	"testing"
)

// addDocumentRow attaches a supporting document to a decision by its row alone: the pages
// that list documents read the rows, not the bytes.
func (ss *signoffSite) addDocumentRow(t *testing.T, slug string, position int, name, mediaType string, size int64, sha string) {
	t.Helper()
	_, err := ss.Pool.Exec(context.Background(), `
INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, added_at)
SELECT id, $2, 'supporting', $3, $4, $5, $6, $7 FROM decisions WHERE slug = $1`,
		slug, position, name, mediaType, size, sha, ss.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// TestSignoffShowsSupportingDocuments: the finance adviser and the decision maker see each
// supporting document (link, type, size, fingerprint) on the sign-off page, and the sentence
// above their button says the documents are covered by what they approve.
func TestSignoffShowsSupportingDocuments(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 9701)
	budget := strings.Repeat("ab", 32)
	ss.addDocumentRow(t, slug, 1, "SMH budget breakdown 2025–26", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 2048, budget)
	ss.addDocumentRow(t, slug, 2, "MPS paper", "application/pdf", 30*1024, strings.Repeat("cd", 32))
	ss.approveSteps(t, slug, "head_of_unit")

	fin := ss.Client(t, "finance@example.org")
	pg := get(t, fin, ss.URL+"/decisions/"+slug+"/signoff")
	if pg.status != 200 {
		t.Fatalf("GET sign-off = %d, want 200", pg.status)
	}
	docs := pg.doc.Find(`[data-testid="signoff-documents"] [data-testid="document"]`)
	if docs.Length() != 2 {
		t.Fatalf("sign-off page lists %d documents, want 2", docs.Length())
	}
	first := docs.First()
	if href, _ := first.Find(`[data-testid="document-link"]`).Attr("href"); href != "/decisions/"+slug+"/documents/"+budget {
		t.Errorf("document link = %q", href)
	}
	if got := strings.Join(strings.Fields(first.Find(`[data-testid="document-meta"]`).Text()), " "); got != "Excel spreadsheet (XLSX), 2 KB" {
		t.Errorf("document type and size = %q", got)
	}
	if got := first.Find(`[data-testid="document-hash"]`).Text(); got != budget {
		t.Errorf("document fingerprint = %q, want %q", got, budget)
	}
	if got := pg.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "the text above and its 2 supporting documents") {
		t.Errorf("approval sentence = %q, want it to say the documents are covered", got)
	}
	if got := pg.text(`[data-testid="documents-fingerprint"]`); !strings.Contains(got, "64 letters and numbers") {
		t.Errorf("fingerprint explanation = %q", got)
	}

	// The decision maker's signature covers them too.
	ss.approveSteps(t, slug, chainSteps[1:]...)
	dm := get(t, ss.Client(t, "dmpc@example.org"), ss.URL+"/decisions/"+slug+"/signoff")
	if got := dm.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "the text above and its 2 supporting documents, Part II included") {
		t.Errorf("signature sentence = %q", got)
	}

	// Without documents the page says so, and the sentence speaks of the text alone.
	bare := ss.awaitingDecision(t, 9702)
	pg = get(t, ss.Client(t, "head-of-unit@example.org"), ss.URL+"/decisions/"+bare+"/signoff")
	if pg.doc.Find(`[data-testid="signoff-no-documents"]`).Length() != 1 {
		t.Error("a decision without documents does not say it has none")
	}
	if got := pg.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "You approve the text above, whose") {
		t.Errorf("approval sentence without documents = %q", got)
	}
}

// approveSteps has the advisers of steps approve, in order, through the store.
func (ss *signoffSite) approveSteps(t *testing.T, slug string, steps ...string) {
	t.Helper()
	hash := ss.hashOf(t, slug)
	for _, k := range steps {
		if err := ss.Store.Approve(context.Background(), ss.advisers[k].Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
}
