package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// command is the real command running in the test, stopped as a signal would stop it.
type command struct {
	stop context.CancelFunc
	log  *logWatch
	done chan struct{}
	err  error // run's result, once done is closed
}

// start runs the command with env over quiet test defaults: JSON logs, any free port (the
// command listens, then logs the address it got), no drain.
func start(t *testing.T, env map[string]string, args ...string) *command {
	t.Helper()
	// Request and statement deadlines far beyond any request's unless the test sets its own: on a
	// loaded machine, under -race, a page can take longer than the production defaults (10 s, 5 s),
	// and a test not about deadlines must not fail with a 503 then.
	full := map[string]string{"LOG_FORMAT": "json", "ADDR": "127.0.0.1:0", "DRAIN_DELAY": "0s", "DOCUMENTS_URL": t.TempDir(),
		"REQUEST_TIMEOUT": "2m", "DB_STATEMENT_TIMEOUT": "1m"}
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &command{stop: cancel, log: newLogWatch(), done: make(chan struct{})}
	go func() {
		c.err = run(ctx, append([]string{"decisions"}, args...), func(k string) string { return full[k] }, nil, c.log)
		c.log.close()
		close(c.done)
	}()
	t.Cleanup(func() { cancel(); <-c.done })
	return c
}

// url waits until the command serves and returns its address.
func (c *command) url(t *testing.T) string {
	t.Helper()
	return "http://" + c.log.waitFor(t, "serving")["addr"].(string)
}

// wait returns run's result. The bound only keeps a broken shutdown from hanging the suite.
func (c *command) wait(t *testing.T) error {
	t.Helper()
	select {
	case <-c.done:
		return c.err
	case <-time.After(60 * time.Second):
		t.Fatalf("the command did not stop; its log:\n%s", c.log)
		return nil
	}
}

// logWatch is the command's JSON log: all of it, and its lines one by one as they come.
type logWatch struct {
	mu     sync.Mutex
	all    bytes.Buffer
	lines  chan map[string]any
	closed bool
}

func newLogWatch() *logWatch { return &logWatch{lines: make(chan map[string]any, 10_000)} }

func (l *logWatch) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all.Write(p)
	var line map[string]any
	if !l.closed && json.Unmarshal(p, &line) == nil {
		l.lines <- line
	}
	return len(p), nil
}

func (l *logWatch) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	close(l.lines)
}

func (l *logWatch) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.all.String()
}

// waitFor returns the next line whose message starts with msg, failing if the command ends first.
func (l *logWatch) waitFor(t *testing.T, msg string) map[string]any {
	t.Helper()
	return l.waitForLine(t, msg, func(line map[string]any) bool {
		m, _ := line["msg"].(string)
		return strings.HasPrefix(m, msg)
	})
}

// waitForRequest returns the next request line for path. The line is written as the request's
// handling ends, so once it is seen the request no longer counts as in flight, even though its
// client may have had the whole response a moment before.
func (l *logWatch) waitForRequest(t *testing.T, path string) map[string]any {
	t.Helper()
	return l.waitForLine(t, "a request line for "+path, func(line map[string]any) bool {
		return line["msg"] == "request" && line["path"] == path
	})
}

func (l *logWatch) waitForLine(t *testing.T, what string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for line := range l.lines {
		if match(line) {
			return line
		}
	}
	t.Fatalf("the command ended without logging %s:\n%s", what, l)
	return nil
}

type result struct {
	status int
	body   string
	err    error
}

// getAsync requests url in the background.
func getAsync(url string) <-chan result {
	got := make(chan result, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{status: resp.StatusCode, body: string(b), err: err}
	}()
	return got
}

func get(t *testing.T, url string) result {
	t.Helper()
	r := <-getAsync(url)
	if r.err != nil {
		t.Fatalf("GET %s: %v", url, r.err)
	}
	return r
}

// lockTable takes an exclusive lock on table until release is called or the test ends.
func lockTable(t *testing.T, dbURL, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+table+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	release = func() { tx.Rollback(ctx) }
	t.Cleanup(func() { release(); conn.Close(ctx) })
	return release
}

// TestServeAndShutDown starts the real command, reads a page, then stops it as a signal would
// and checks that it shuts down cleanly.
func TestServeAndShutDown(t *testing.T) {
	t.Parallel()
	c := start(t, map[string]string{"DATABASE_URL": dbtest.URL(t)})
	url := c.url(t)
	if r := get(t, url+"/decisions/pcd-1682"); r.status != http.StatusOK {
		t.Errorf("GET /decisions/pcd-1682 = %d", r.status)
	}
	c.stop()
	if err := c.wait(t); err != nil {
		t.Errorf("run after shutdown = %v, want nil", err)
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	// No SMTP_URL: the operator is told notices are kept, not sent.
	for _, want := range []string{`"msg":"serving"`, `"route":"/decisions/{slug}"`, `"msg":"stopped"`,
		`"level":"WARN","msg":"SMTP_URL is not set: notices are kept, and shown on \"Your work\", but no e-mail is sent"`} {
		if !strings.Contains(c.log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, c.log)
		}
	}
}

// TestPoolSettingsInDatabaseURL serves with pgxpool's own setting in DATABASE_URL, which the
// migrations' connection must not pass on to PostgreSQL.
func TestPoolSettingsInDatabaseURL(t *testing.T) {
	t.Parallel()
	c := start(t, map[string]string{"DATABASE_URL": dbtest.URL(t) + "&pool_max_conns=8"})
	if r := get(t, c.url(t)+"/decisions/pcd-1682"); r.status != http.StatusOK {
		t.Errorf("GET /decisions/pcd-1682 = %d", r.status)
	}
	c.stop()
	if err := c.wait(t); err != nil {
		t.Errorf("run = %v", err)
	}
}

func TestHelpListsEnvironment(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "serve", "--help"}, func(string) string { return "" }, nil, &out); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DATABASE_URL", "ADDR", "LOG_LEVEL", "BASE_URL", "DRAIN_DELAY", "REQUEST_TIMEOUT",
		"DB_MAX_CONNS", "DB_STATEMENT_TIMEOUT", "migrate force N", dropAllTables} {
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
	err = run(context.Background(), []string{"decisions"}, func(k string) string {
		return map[string]string{"SMTP_URL": "smtp://relay:hunter2@mail.example.org?starttls=sometimes"}[k]
	}, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "SMTP_URL") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("bad SMTP_URL: err = %v, want a refusal naming SMTP_URL without its password", err)
	}
	if err := run(context.Background(), []string{"decisions", "dance"}, func(string) string { return "" }, nil, &out); err == nil {
		t.Error("unknown command accepted")
	}
}

// TestDatabaseURLRequired checks that every command that touches the database refuses to run
// without DATABASE_URL, in one line saying where to get one, while the help needs none.
func TestDatabaseURLRequired(t *testing.T) {
	t.Parallel()
	noEnv := func(string) string { return "" }
	for _, args := range [][]string{{}, {"serve"}, {"migrate", "up"}, {"migrate", "version"}, {"user", "list"}, {"verify"}} {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"decisions"}, args...), noEnv, nil, &out)
		if !errors.Is(err, config.ErrNoDatabaseURL) || strings.Contains(err.Error(), "\n") {
			t.Errorf("decisions %v without DATABASE_URL = %v, want one line naming DATABASE_URL", args, err)
		}
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"decisions"}, args...), noEnv, nil, &out); err != nil || !strings.Contains(out.String(), "DATABASE_URL") {
			t.Errorf("decisions %v without DATABASE_URL = %v, want the usage", args, err)
		}
	}
}

// migrateCmd runs `decisions migrate ARGS...` and returns what it printed.
func migrateCmd(dbURL string, args ...string) (string, error) {
	var out bytes.Buffer
	env := func(k string) string { return map[string]string{"DATABASE_URL": dbURL}[k] }
	err := run(context.Background(), append([]string{"decisions", "migrate"}, args...), env, nil, &out)
	return out.String(), err
}

func TestMigrateVersion(t *testing.T) {
	t.Parallel()
	out, err := migrateCmd(dbtest.URL(t), "version")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "version ") || strings.Contains(out, "dirty=true") || strings.HasPrefix(out, "version 0 ") {
		t.Errorf("migrate version printed %q", out)
	}
}

// TestMigrateVersionOnlyReads asks an empty database its version: the answer is that no
// migration is applied, and the question must not create golang-migrate's table.
func TestMigrateVersionOnlyReads(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.EmptyURL(t)
	if out, err := migrateCmd(dbURL, "version"); out != "no migration applied\n" || err != nil {
		t.Errorf("migrate version on an empty database = %q, %v; want no migration applied", out, err)
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var created bool
	if err := conn.QueryRow(context.Background(), `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&created); err != nil {
		t.Fatal(err)
	}
	if created {
		t.Error("migrate version created schema_migrations")
	}
}

// TestMigrateDownNeedsItsFlag checks that dropping every table takes a flag that says so.
func TestMigrateDownNeedsItsFlag(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	for _, args := range [][]string{{"down"}, {"down", "--yes"}} {
		if _, err := migrateCmd(dbURL, args...); err == nil || !strings.Contains(err.Error(), dropAllTables) {
			t.Errorf("migrate %v = %v, want a refusal naming %s", args, err, dropAllTables)
		}
	}
	if out, _ := migrateCmd(dbURL, "version"); strings.HasPrefix(out, "version 0 ") {
		t.Fatalf("a refused migrate down dropped the tables: %q", out)
	}
	if _, err := migrateCmd(dbURL, "down", dropAllTables); err != nil {
		t.Fatalf("migrate down %s = %v", dropAllTables, err)
	}
	if out, _ := migrateCmd(dbURL, "version"); out != "no migration applied\n" {
		t.Errorf("after migrate down: %q, want no migration applied", out)
	}
}

// TestMigrateForceClearsDirty sets the dirty flag a failed migration leaves, then forces.
func TestMigrateForceClearsDirty(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	before, err := migrateCmd(dbURL, "version")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE schema_migrations SET dirty = true`); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := conn.QueryRow(context.Background(), `SELECT version FROM schema_migrations`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"x", "6", "999"} { // no migration 6: the files go from 5 to 7
		if _, err := migrateCmd(dbURL, "force", bad); err == nil {
			t.Errorf("migrate force %s accepted", bad)
		}
	}
	if _, err := migrateCmd(dbURL, "force", strings.Fields(before)[1]); err != nil {
		t.Fatalf("migrate force: %v", err)
	}
	if after, _ := migrateCmd(dbURL, "version"); after != before {
		t.Errorf("after force: %q, want %q", after, before)
	}
}

// TestShutdownFinishesRequestsInFlight holds a request in the database (a table lock), starts
// the shutdown, then lets the request go: it must still get its whole page.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	// A shutdown bound far past the page's time: at load 87 under -race the released page
	// outlasted the default 20 s and was cancelled. TestShutdownIsBounded tests the bound.
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "SHUTDOWN_TIMEOUT": "5m"})
	url := c.url(t)
	release := lockTable(t, dbURL, "decisions")
	got := getAsync(url + "/decisions/pcd-1682")
	dbtest.WaitForLockWaiters(t, dbURL, 1)
	c.stop() // as SIGTERM would
	c.log.waitFor(t, "shutting down")
	release()
	r := <-got
	if r.err != nil || r.status != http.StatusOK || !strings.Contains(r.body, "£2,755,000") {
		t.Errorf("in-flight request = %d, %v; want the whole 200 page", r.status, r.err)
	}
	if err := c.wait(t); err != nil {
		t.Errorf("run = %v, want a clean shutdown", err)
	}
}

// TestShutdownIsBounded holds a request in the database for longer than SHUTDOWN_TIMEOUT and
// never lets it go: the command must cancel it and exit while the lock is still held. The
// request deadline and statement timeout are set far away, so only the shutdown can end it.
func TestShutdownIsBounded(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "SHUTDOWN_TIMEOUT": "1s",
		"REQUEST_TIMEOUT": "1h", "DB_STATEMENT_TIMEOUT": "1h"})
	url := c.url(t)
	lockTable(t, dbURL, "decisions")
	got := getAsync(url + "/decisions/pcd-1682")
	dbtest.WaitForLockWaiters(t, dbURL, 1)
	began := time.Now()
	c.stop()
	err := c.wait(t)
	took := time.Since(began)
	t.Logf("stopped %s after the signal, with the lock still held; %s", took.Round(time.Millisecond), phases(c.log.String(), began))
	// Unbounded, the command would wait for the lock, which the test never releases, or for the
	// request's own deadline (an hour): wait fails after its 60 s. Bounded, it stops after
	// SHUTDOWN_TIMEOUT (1 s), then the cancellation: pgx gives the cancel request a second
	// (pgconn's DeadlineDelay); when the server has not acted on it by then, as on a loaded
	// machine, pgx closes the connection and pgxpool waits up to 15 s for that close (its
	// destructor's bound). The bound adds those and 10 s for a machine slowed by -race and other
	// tests (11 s in all once proved too little); it stays far below the hour the request would
	// otherwise take, and below wait's own bound.
	const pgxCancelDeadline, pgxpoolCloseBound, slack = time.Second, 15 * time.Second, 10 * time.Second
	if bound := time.Second + pgxCancelDeadline + pgxpoolCloseBound + slack; took > bound {
		t.Errorf("run stopped %s after the signal, want under SHUTDOWN_TIMEOUT + pgx's bounds + 10s = %s", took, bound)
	}
	if err == nil || !strings.Contains(err.Error(), "cancelled") {
		t.Errorf("run = %v, want it to say requests were cancelled", err)
	}
	if r := <-got; r.err == nil && r.status == http.StatusOK {
		t.Errorf("the held request got a whole page, want it cut short")
	}
	if !strings.Contains(c.log.String(), "shutdown timeout: cancelling") {
		t.Errorf("log does not say requests were cancelled:\n%s", c.log)
	}
	// The held request answers nothing; its log line says so, and why.
	var cancelled bool
	for l := range strings.Lines(c.log.String()) {
		var line struct{ Level, Msg, Reason string }
		if json.Unmarshal([]byte(l), &line) == nil && line.Msg == "request cancelled" {
			cancelled = line.Level == "WARN" && strings.Contains(line.Reason, "shutdown")
		}
	}
	if !cancelled {
		t.Errorf("log lacks a WARN \"request cancelled\" line giving the shutdown as its reason:\n%s", c.log)
	}
}

// phases says when, after began, the shutdown's log lines came, so a slow stop shows where its
// time went.
func phases(log string, began time.Time) string {
	var out []string
	for l := range strings.Lines(log) {
		var line struct {
			Time time.Time
			Msg  string
		}
		if json.Unmarshal([]byte(l), &line) != nil || line.Time.Before(began) {
			continue
		}
		out = append(out, fmt.Sprintf("%q at +%s", line.Msg, line.Time.Sub(began).Round(time.Millisecond)))
	}
	return strings.Join(out, ", ")
}

// TestDrainBeforeShutdown checks that after a signal /readyz answers 503 while pages are still
// served, and only then the shutdown begins. The drain is far longer than the checks could take
// (30 s), so they never race its end; a second signal then ends it at once, as it does for
// someone pressing Ctrl-C twice.
//
// Not parallel: the second signal is a real SIGINT to the test process, which every command
// running at that moment would receive. Parallel tests wait until the sequential ones are done.
func TestDrainBeforeShutdown(t *testing.T) {
	c := start(t, map[string]string{"DATABASE_URL": dbtest.URL(t), "DRAIN_DELAY": "30s"})
	url := c.url(t)
	if r := get(t, url+"/readyz"); r.status != http.StatusOK {
		t.Fatalf("GET /readyz before the signal = %d", r.status)
	}
	c.stop()
	// Logged once the command listens for the second signal, so the SIGINT below cannot kill
	// the test process.
	c.log.waitFor(t, "draining")
	if r := get(t, url+"/readyz"); r.status != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz while draining = %d, want 503", r.status)
	}
	if r := get(t, url+"/decisions/pcd-1682"); r.status != http.StatusOK {
		t.Errorf("GET a page while draining = %d, want 200", r.status)
	}
	// The client has its response before the handler has quite returned; under load, a second
	// signal sent at once could find the request still in flight. Wait until it is not.
	c.log.waitForRequest(t, "/readyz")
	c.log.waitForRequest(t, "/decisions/pcd-1682")
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	c.log.waitFor(t, "second signal: ending the drain")
	c.log.waitFor(t, "shutting down")
	if err := c.wait(t); err != nil {
		t.Errorf("run = %v, want a clean exit: no request was in flight", err)
	}
}

// TestSignalDuringMigration holds a lock the start-up migration needs, then signals: the
// command must stop at once, not when the lock is released.
func TestSignalDuringMigration(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	lockTable(t, dbURL, "schema_migrations")
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "MIGRATE_ON_START": "true"})
	c.log.waitFor(t, "migrating")
	dbtest.WaitForLockWaiters(t, dbURL, 1)
	c.stop()
	if err := c.wait(t); !errors.Is(err, store.ErrInterrupted) {
		t.Errorf("run = %v, want the migration interrupted", err)
	}
}

// TestBadPoolSettingStopsBeforeMigrating starts serve on a fresh database with a pool setting
// pgxpool refuses: the command must stop before it migrates, not after.
func TestBadPoolSettingStopsBeforeMigrating(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.EmptyURL(t)
	c := start(t, map[string]string{"DATABASE_URL": dbURL + "&pool_max_conns=zz", "MIGRATE_ON_START": "true"})
	if err := c.wait(t); err == nil || !strings.Contains(err.Error(), "pool_max_conns") {
		t.Errorf("run = %v, want a refusal naming pool_max_conns", err)
	}
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var migrated bool
	if err := conn.QueryRow(context.Background(), `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&migrated); err != nil {
		t.Fatal(err)
	}
	if migrated {
		t.Error("the command migrated before refusing its pool setting")
	}
}

// TestServeDoesNotMigrate starts serve on a database with no migrations: it refuses, naming
// the step to run, and leaves the database as it was. Migrating is `decisions migrate up`'s job
// (or MIGRATE_ON_START's), so a rolling deploy's instances never race to migrate.
func TestServeDoesNotMigrate(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.EmptyURL(t)
	c := start(t, map[string]string{"DATABASE_URL": dbURL})
	if err := c.wait(t); !errors.Is(err, store.ErrSchemaBehind) || !strings.Contains(err.Error(), "decisions migrate up") {
		t.Errorf("run = %v, want a refusal that says to run decisions migrate up", err)
	}
	if out, err := migrateCmd(dbURL, "version"); err != nil || out != "no migration applied\n" {
		t.Errorf("migrate version after serve = %q, %v; want no migration applied", out, err)
	}
}

// TestServeOnANewerSchema starts serve on a database a newer release has migrated further:
// this release keeps serving it (migrations expand before they contract).
func TestServeOnANewerSchema(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `UPDATE schema_migrations SET version = 9999`); err != nil {
		t.Fatal(err)
	}
	c := start(t, map[string]string{"DATABASE_URL": dbURL})
	if line := c.log.waitFor(t, "the database has a newer release's migrations"); line["database_version"] != float64(9999) {
		t.Errorf("logged %v, want database_version 9999", line)
	}
	if r := get(t, c.url(t)+"/decisions/pcd-1682"); r.status != http.StatusOK {
		t.Errorf("GET /decisions/pcd-1682 = %d, want 200", r.status)
	}
}
