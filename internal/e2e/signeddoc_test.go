package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestSignedDocumentPending checks a decision's page while its signed decision document is being
// prepared, with axe-core and the Nu Html Checker. (Once made, the document is listed with the
// decision's documents, whose own checks cover it.)
func TestSignedDocumentPending(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	ctx := context.Background()
	maker := site.User(t, "signer@example.org", "Sam Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	// Written and signed in one transaction: the database refuses an unsigned published
	// decision at commit.
	var id int64
	err := pgx.BeginFunc(ctx, site.Pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
VALUES ('PCD', 9302, 'PCD 9302', 'pcd-9302', 'Knife crime outreach', 'To accept a grant.', 'published') RETURNING id`).Scan(&id)
		if err != nil {
			return err
		}
		c, err := store.OnTx(tx).Content(ctx, id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
	content_hash, canonical_version) VALUES ($1, 'signed', 'approved', $2, 'Sam Signer', 'none', $3, $4, $5)`,
			id, maker.ID, time.Now(), decision.ContentHash(c), decision.CanonicalVersion)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `INSERT INTO signed_pdf_jobs (decision_id, version, created_at, next_attempt_at) VALUES ($1, 1, now(), now())`, id); err != nil {
		t.Fatal(err)
	}

	const path = "/decisions/pcd-9302"
	tab := newTab(t)
	axeAtWidths(t, tab, "signed-document-pending", func(int64) {
		if resp := run(t, tab, "open "+path, chromedp.NavigateResponse(site.URL+path)); resp.Status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, resp.Status)
		}
		if n := run(t, tab, "find the notice", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid=signed-document-pending]').length`)); n != 1 {
			t.Errorf("%s: %d 'being prepared' notices, want 1", path, n)
		}
	})
	resp, err := http.Get(site.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	f := filepath.Join(t.TempDir(), "signed-document-pending.html")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, []string{f})
}
