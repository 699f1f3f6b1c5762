package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
)

// watchedLog is a log that says when a line holding want has been written.
type watchedLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (w *watchedLog) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) && w.seen != nil {
		close(w.seen)
		w.seen = nil
	}
	return len(p), nil
}

func (w *watchedLog) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// TestSignedPDFWorker: `signed-pdf --worker`, run as its own process would be, prints a signed
// decision's pending document and keeps running until stopped, then exits cleanly.
func TestSignedPDFWorker(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, st := openPool(t, dbURL)
	ctx := context.Background()
	now := time.Now()
	maker, err := st.CreateUser(ctx, store.System(now), "signer@example.org", "Sam Signer", "$argon2id$unused",
		store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	if err != nil {
		t.Fatal(err)
	}
	// The decision, its funding and its signature in one transaction: the database refuses a
	// published decision without a signature at commit.
	var id int64
	var hash string
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
VALUES ('PCD', 9301, 'PCD 9301', 'pcd-9301', 'Youth diversion', 'To fund a diversion scheme.', 'published') RETURNING id`).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label)
VALUES ($1, 1, 1234500, 'grant_accepted', 'Grant')`, id); err != nil {
			return err
		}
		c, err := store.OnTx(tx).Content(ctx, id)
		if err != nil {
			return err
		}
		hash = decision.ContentHash(c)
		_, err = tx.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
	content_hash, canonical_version) VALUES ($1, 'signed', 'approved', $2, 'Sam Signer', 'none', $3, $4, $5)`,
			id, maker, now, hash, decision.CanonicalVersion)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// The job a signature in the register adds in its own transaction.
	if n, err := st.EnqueueMissingSignedPDFs(ctx, now); err != nil || n != 1 {
		t.Fatalf("EnqueueMissingSignedPDFs = %d, %v; want the one job", n, err)
	}

	documents := t.TempDir()
	env := map[string]string{"DATABASE_URL": dbURL, "CHROMIUM_PATH": os.Getenv("CHROMIUM_PATH"), "DOCUMENTS_URL": documents}
	log := &watchedLog{want: "made the signed decision document", seen: make(chan struct{})}
	seen := log.seen
	workerCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- run(workerCtx, []string{"decisions", "signed-pdf", "--worker"}, func(k string) string { return env[k] }, nil, log)
	}()
	select {
	case <-seen:
	case err := <-done:
		t.Fatalf("the worker stopped before printing: %v\n%s", err, log)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("the worker, stopped, = %v; want a clean exit\n%s", err, log)
	}

	var sha string
	if err := pool.QueryRow(ctx, `SELECT sha256 FROM documents WHERE decision_id = $1 AND kind = 'signed'`, id).Scan(&sha); err != nil {
		t.Fatalf("no signed document recorded: %v\n%s", err, log)
	}
	blobs, err := blobstore.Open(ctx, documents)
	if err != nil {
		t.Fatal(err)
	}
	defer blobs.Close()
	r, err := blobs.Open(ctx, sha)
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, pdf); !strings.Contains(text, hash) || !strings.Contains(text, "£12,345") {
		t.Errorf("the worker's signed document lacks its hash or its amount:\n%s", text)
	}
	var pending int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM signed_pdf_jobs WHERE done_at IS NULL`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("%d jobs left pending (%v), want none", pending, err)
	}
}
