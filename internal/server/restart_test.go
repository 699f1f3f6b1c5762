package server_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/pgcluster"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestReadAfterDatabaseRestart restarts a real PostgreSQL (fast, then immediate: a crash) under
// a site whose pools hold connections made before it: the first reads afterwards must be served,
// not answered with a 503 for a dead pooled connection: a signed-in person's page (its session
// and user read first, on the primary's pool) and the public's (on the replica's). Each is asked for at once after the
// start, while the pools' connections have been idle for less than the second after which
// pgxpool would ping them; the log says how long the restart took.
func TestReadAfterDatabaseRestart(t *testing.T) {
	t.Parallel()
	cl := pgcluster.Start(t)
	url := cl.CreateDatabase(t, "register")
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	site := testsite.NewWith(t, testsite.Options{DatabaseURL: url})
	site.User(t, "drafter@example.org", "Dee Drafter", store.Grants{Roles: []string{"drafter"}})
	staff := site.Client(t, "drafter@example.org")
	anon := site.Client(t, "")
	pages := []string{"/decisions/pcd-1682", "/decisions?q=hub", "/decisions.csv", "/"}
	read := func(path string) int {
		c := anon
		if path == "/work" {
			c = staff // the session and the user are read from the primary, before the page
		}
		resp, err := c.Get(site.URL + path)
		if err != nil {
			t.Errorf("GET %s: %v", path, err) // not Fatal: read runs in goroutines too
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, mode := range []string{"fast", "immediate"} {
		// Fill the pools: each page at once, so each takes a connection of its own.
		statuses := make(chan int, len(pages)+1)
		if s := read("/work"); s != http.StatusOK {
			t.Fatalf("GET /work before the restart = %d, want 200", s)
		}
		for _, p := range pages {
			go func() { statuses <- read(p) }()
		}
		for range pages {
			if s := <-statuses; s != http.StatusOK {
				t.Fatalf("GET before the restart = %d, want 200", s)
			}
		}
		began := time.Now()
		cl.Stop(t, mode)
		cl.Start(t)
		t.Logf("stop -m %s and start took %s", mode, time.Since(began).Round(time.Millisecond))
		for _, p := range append([]string{"/work"}, pages...) {
			if s := read(p); s != http.StatusOK {
				t.Errorf("GET %s just after a %s restart = %d, want 200: a read must not fail on a dead pooled connection", p, mode, s)
			}
		}
	}
}
