package testsite_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/testsite"
)

// recordingTB is a test whose output the test can read.
type recordingTB struct {
	testing.TB
	mu  sync.Mutex
	out bytes.Buffer
}

func (r *recordingTB) Output() io.Writer { return r }

func (r *recordingTB) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.Write(p)
}

func (r *recordingTB) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// TestSiteLogsToTheTest checks that the site's log lines, a failed request's cause among them,
// go to the test's output instead of nowhere.
func TestSiteLogsToTheTest(t *testing.T) {
	t.Parallel()
	rec := &recordingTB{TB: t}
	site := testsite.New(rec)
	site.Pool.Close() // every page now fails with a cause worth reading
	site.Replica.Close()
	resp, err := http.Get(site.URL + "/decisions/pcd-1682")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Fatalf("GET with the pool closed = %d, want 500", resp.StatusCode)
	}
	// The request's own log line is written after its response is sent: wait for it (bounded).
	deadline := time.Now().Add(60 * time.Second) // only a line never written reaches it
	for !strings.Contains(rec.String(), "status=500") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for _, want := range []string{"request failed", "closed pool", "status=500"} {
		if !strings.Contains(rec.String(), want) {
			t.Errorf("the test's output lacks %q:\n%s", want, rec)
		}
	}
}

// TestPublicReadsGoToAReadOnlyPool: the site's public pages read from a pool of their own, as
// they would from a replica, and that pool refuses writes, so a public path that wrote would
// fail its test instead of passing here and failing against a real replica.
func TestPublicReadsGoToAReadOnlyPool(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	primary := site.Pool.Stat().AcquireCount()
	for _, path := range []string{"/decisions/pcd-1682", "/decisions?q=hub", "/decisions.csv", "/api/v1/decisions"} {
		resp, err := http.Get(site.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
	if got := site.Pool.Stat().AcquireCount(); got != primary {
		t.Errorf("public pages took %d connections from the primary's pool, want none", got-primary)
	}
	if site.Replica.Stat().AcquireCount() == 0 {
		t.Error("public pages took no connection from the replica's pool")
	}
	_, err := site.Replica.Exec(context.Background(), `UPDATE decisions SET title = title WHERE slug = 'pcd-1682'`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Errorf("a write through the public's pool = %v, want SQLSTATE 25006 (read-only transaction)", err)
	}
}
