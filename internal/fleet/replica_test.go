package fleet_test

import (
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/store"
)

// TestReadReplica runs an instance on a primary of its own and a streaming replica of it
// (.ci/devdb, pg_basebackup -R), with DATABASE_READ_URL set. The public's reads reach the
// replica, staff read the primary; while the primary is stopped the public pages, search and
// exports still answer from the replica (and /readyz says so) while staff pages do not, and a
// deferred decision appears there at its time by the same rule as on the primary; once the
// primary is back, everything recovers without a restart.
func TestReadReplica(t *testing.T) {
	t.Parallel()
	current, _ := binaries(t)
	devdb := func(port int, args ...string) string {
		return script(t, map[string]string{"PGPORT": fmt.Sprint(port)}, ".ci/devdb", args...)
	}
	var primaryPort, replicaPort int
	t.Cleanup(func() {
		if replicaPort != 0 {
			devdb(replicaPort, "reset")
		}
		if primaryPort != 0 {
			devdb(primaryPort, "reset")
		}
	})
	primaryPort, primaryURL := clusterOnFreePort(t, func(port int) (string, string, error) {
		return runScript(map[string]string{"PGPORT": fmt.Sprint(port)}, ".ci/devdb", "up")
	})
	// Migrating is its own step, before any instance starts.
	migrate := exec.Command(current, "migrate", "up")
	migrate.Env = []string{"DATABASE_URL=" + primaryURL}
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("migrate up: %v\n%s", err, out)
	}
	replicaPort, replicaURL := clusterOnFreePort(t, func(port int) (string, string, error) {
		return runScript(map[string]string{"PGPORT": fmt.Sprint(primaryPort)}, ".ci/devdb", "replica", fmt.Sprint(port))
	})

	ctx := context.Background()
	primary, err := store.Open(ctx, primaryURL, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Close()
	addUser(t, store.New(primary), "sam@example.org", "Sam Staff", store.Grants{Roles: []string{"drafter"}})
	signer := newSigner(t, store.New(primary))
	replica, err := pgx.Connect(ctx, replicaURL)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close(ctx)
	var inRecovery bool
	if err := replica.QueryRow(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("the replica's pg_is_in_recovery() = %t, %v; want a standby", inRecovery, err)
	}
	// The staff account, the last write, has reached the replica.
	waitFor(t, 2*time.Minute, "the replica to catch up", func() bool {
		var n int
		return replica.QueryRow(ctx, `SELECT count(*) FROM users WHERE email = 'sam@example.org'`).Scan(&n) == nil && n == 1
	})

	in := startInstance(t, current, map[string]string{
		"DATABASE_URL":      primaryURL + "&application_name=register-primary",
		"DATABASE_READ_URL": replicaURL + "&application_name=register-public",
		"REQUEST_TIMEOUT":   "5s"})
	base := "http://" + in.addr
	public := newBrowser(base).via(-1)
	staff := newBrowser(base).via(-1)
	signIn(t, staff, base, "sam@example.org")

	publicPages := []string{"/", "/decisions/pcd-1682", "/decisions?q=social+media", "/decisions.csv?q=alpha",
		"/api/v1/decisions?q=alpha", "/decisions.atom"}
	check := func(when string, c *http.Client, path string, want int) {
		t.Helper()
		if r := do(t, c, http.MethodGet, base+path, nil); r.status != want {
			t.Errorf("%s: GET %s = %d, want %d", when, path, r.status, want)
		}
	}
	for _, p := range publicPages {
		check("both up", public, p, http.StatusOK)
	}
	check("both up", staff, "/work", http.StatusOK)
	// What the public read ran on the replica, under the read pool's name.
	var publicQueries int
	err = replica.QueryRow(ctx, `
SELECT count(*) FROM pg_stat_activity
WHERE application_name = 'register-public' AND backend_type = 'client backend' AND query <> ''`).Scan(&publicQueries)
	if err != nil || publicQueries == 0 {
		t.Errorf("the replica ran %d of the public's queries (%v), want some", publicQueries, err)
	}

	// With the replica's replay paused, a decision published on the primary is on staff's
	// pages at once and not on the public's until replay resumes: each reads where it should.
	if _, err := replica.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	signer.sign(t, primary, 9001, 0)
	check("replay paused", staff, "/decisions/pcd-9001", http.StatusOK)
	check("replay paused", public, "/decisions/pcd-9001", http.StatusNotFound)
	if _, err := replica.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 2*time.Minute, "the public to see the decision once replay resumes", func() bool {
		return do(t, public, http.MethodGet, base+"/decisions/pcd-9001", nil).status == http.StatusOK
	})

	// A decision deferred a few seconds: hidden until its time, then shown from the replica by
	// the same time rule, though the primary, where its release would be recorded, is down.
	// The check is evidence only if its answer came before the decision's time; on a loaded
	// machine it may come after, so then a new decision is tried with twice the deferral,
	// rather than a deferral guessed long enough for any machine.
	deferred := ""
	for number, deferral := 9002, 6*time.Second; deferred == ""; number, deferral = number+1, 2*deferral {
		if number > 9006 {
			t.Fatalf("no check of a deferred decision answered before its time, the last deferred %s", deferral/2)
		}
		due := time.Now().Add(deferral) // sign takes the time after this: the decision's time is no earlier
		signer.sign(t, primary, number, deferral)
		slug := fmt.Sprintf("pcd-%d", number)
		// Released already, on the primary, when the machine is slow enough.
		waitFor(t, 2*time.Minute, "the deferred decision to reach the replica", func() bool {
			var n int
			return replica.QueryRow(ctx, `SELECT count(*) FROM decisions WHERE slug = $1 AND status IN ('approved', 'published')`, slug).Scan(&n) == nil && n == 1
		})
		r := do(t, public, http.MethodGet, base+"/decisions/"+slug, nil)
		if time.Now().After(due) {
			t.Logf("the check of %s answered after its time (%s deferred): trying again", slug, deferral)
			continue
		}
		if r.status != http.StatusNotFound {
			t.Errorf("before its time: GET /decisions/%s = %d, want %d", slug, r.status, http.StatusNotFound)
		}
		deferred = slug
	}

	devdb(primaryPort, "stop")
	waitFor(t, 2*time.Minute, "the deferred decision to show from the replica at its time", func() bool {
		return do(t, public, http.MethodGet, base+"/decisions/"+deferred, nil).status == http.StatusOK
	})
	for _, p := range publicPages {
		check("primary stopped", public, p, http.StatusOK)
	}
	// Staff read and write only the primary: "temporarily unavailable".
	if r := do(t, staff, http.MethodGet, base+"/work", nil); r.status != http.StatusServiceUnavailable {
		t.Errorf("primary stopped: GET /work for staff = %d, want 503", r.status)
	}
	// Ready still, for the public's reads: a load balancer that took every instance out now
	// would take the public pages down with the primary.
	if r := do(t, public, http.MethodGet, base+"/readyz", nil); r.status != http.StatusOK || !strings.Contains(r.body, `"status":"degraded"`) {
		t.Errorf("primary stopped: GET /readyz = %d %s, want 200 degraded", r.status, r.body)
	}

	devdb(primaryPort, "up")
	restarted := time.Now()
	waitFor(t, 2*time.Minute, "staff pages to recover", func() bool {
		return do(t, staff, http.MethodGet, base+"/work", nil).status == http.StatusOK
	})
	t.Logf("staff pages answered again %s after the primary was back", time.Since(restarted).Round(time.Millisecond))
	if r := do(t, public, http.MethodGet, base+"/readyz", nil); r.status != http.StatusOK || !strings.Contains(r.body, `"status":"ok"`) {
		t.Errorf("primary back: GET /readyz = %d %s, want 200 ok", r.status, r.body)
	}
	for _, p := range publicPages {
		check("primary back", public, p, http.StatusOK)
	}
}

// clusterOnFreePort starts a PostgreSQL cluster with up on a port that was free a moment ago
// (the test restarts the primary on its port, so the port is the test's choice, not the
// cluster's). Another process may take the port meanwhile: then that cluster is deleted and
// another port tried.
func clusterOnFreePort(t *testing.T, up func(port int) (url, stderr string, err error)) (int, string) {
	t.Helper()
	for try := 1; ; try++ {
		port := freePort(t)
		url, stderr, err := up(port)
		if err == nil {
			return port, url
		}
		if !strings.Contains(stderr, "in use") || try == 5 {
			t.Fatalf("start a cluster on port %d: %v\n%s", port, err, stderr)
		}
		t.Logf("port %d was taken before PostgreSQL could listen on it: trying another", port)
		if _, stderr, err := runScript(map[string]string{"PGPORT": fmt.Sprint(port)}, ".ci/devdb", "reset"); err != nil {
			t.Fatalf("delete the cluster on port %d: %v\n%s", port, err, stderr)
		}
	}
}

// waitFor polls cond until it holds, failing after timeout: a bound only a broken test reaches,
// far beyond what a loaded machine takes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
	}
}
