package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestServeAndShutDown starts the real command, reads a page, then stops it as a signal would
// and checks that it shuts down cleanly.
func TestServeAndShutDown(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	env := map[string]string{"DATABASE_URL": dbtest.URL(t), "ADDR": addr, "LOG_FORMAT": "json"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"decisions", "serve"}, func(k string) string { return env[k] }, nil, &syncWriter{w: &out})
	}()

	url := "http://" + addr
	var resp *http.Response
	var err error
	for i := 0; i < 100; i++ {
		if resp, err = http.Get(url + "/decisions/pcd-1682"); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server never answered: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /decisions/pcd-1682 = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run after shutdown = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("server did not shut down within 10 s")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	for _, want := range []string{`"msg":"serving"`, `"route":"/decisions/{slug}"`, `"msg":"stopped"`} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, out.String())
		}
	}
}

func TestHelpListsEnvironment(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "serve", "--help"}, func(string) string { return "" }, nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DATABASE_URL", "ADDR", "LOG_LEVEL", "BASE_URL"} {
		if !strings.Contains(out.String(), name) {
			t.Errorf("help lacks %s", name)
		}
	}
}

func TestBadConfigAndCommands(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := run(context.Background(), []string{"decisions"}, func(k string) string {
		return map[string]string{"LOG_LEVEL": "shouty"}[k]
	}, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "LOG_LEVEL") {
		t.Errorf("bad LOG_LEVEL: err = %v", err)
	}
	err = run(context.Background(), []string{"decisions"}, func(k string) string {
		return map[string]string{"BASE_URL": "https://example.org/register"}[k]
	}, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "BASE_URL") || !strings.Contains(err.Error(), "scheme and host only") {
		t.Errorf("BASE_URL with a path: err = %v, want a refusal naming BASE_URL", err)
	}
	if err := run(context.Background(), []string{"decisions", "dance"}, func(string) string { return "" }, nil, &out); err == nil {
		t.Error("unknown command accepted")
	}
}

func TestMigrateVersion(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": dbtest.URL(t)}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "migrate", "version"}, func(k string) string { return env[k] }, nil, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "version ") || strings.Contains(out.String(), "dirty=true") || strings.HasPrefix(out.String(), "version 0 ") {
		t.Errorf("migrate version printed %q", out.String())
	}
}

// TestShutdownFinishesRequestsInFlight holds a request in the database (a table lock), starts
// the shutdown, then lets the request go: it must still get its whole page.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	addr := freeAddr(t)
	env := map[string]string{"DATABASE_URL": dbURL, "ADDR": addr, "LOG_LEVEL": "error"}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"decisions"}, func(k string) string { return env[k] }, nil, io.Discard)
	}()
	url := "http://" + addr
	waitUp(t, url)

	locker, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer locker.Close(context.Background())
	tx, err := locker.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), "LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url + "/decisions/pcd-1682")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	waitForLockWaiter(t, locker)
	cancel() // as SIGTERM would
	time.Sleep(200 * time.Millisecond)
	if err := tx.Rollback(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, "£2,755,000") {
		t.Errorf("in-flight request = %d, %v; want the whole 200 page", r.status, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("run = %v, want a clean shutdown", err)
	}
}

func waitUp(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 100; i++ {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server never answered")
}

// waitForLockWaiter waits until some query is blocked behind the test's lock.
func waitForLockWaiter(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	for i := 0; i < 200; i++ {
		var n int
		err := conn.QueryRow(context.Background(),
			`SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatal("the request never reached the database")
}
