// Package dbtest gives each test its own freshly migrated PostgreSQL database, cloned from a
// template that pgtestdb builds once per set of migrations, so tests run in parallel.
package dbtest

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver pgtestdb uses
	"github.com/peterldowns/pgtestdb"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/migrations"
)

// URL returns a URL for a fresh migrated database, dropped when the test ends. It fails the
// test when DATABASE_URL is unset: `make test` provides one.
func URL(t testing.TB) string {
	t.Helper()
	conf := config(t)
	return pgtestdb.Custom(t, conf, migrator{}).URL()
}

// EmptyURL returns a URL for a fresh database with no migrations applied, dropped when the
// test ends: for tests of the migrations themselves.
func EmptyURL(t testing.TB) string {
	t.Helper()
	return pgtestdb.Custom(t, config(t), pgtestdb.NoopMigrator{}).URL()
}

// New returns a pool on a fresh migrated database, closed before the database is dropped.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("open test database: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func config(t testing.TB) pgtestdb.Config {
	t.Helper()
	raw := os.Getenv("DATABASE_URL")
	if raw == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL cluster")
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("DATABASE_URL: %v", err)
	}
	pass, _ := u.User.Password()
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	return pgtestdb.Config{
		DriverName: "pgx",
		Host:       u.Hostname(),
		Port:       port,
		User:       u.User.Username(),
		Password:   pass,
		Database:   "postgres",
		Options:    "sslmode=disable",
		// A test that leaks a connection should not also fail to clean up after itself.
		ForceTerminateConnections: true,
	}
}

// migrator runs the application's own migrations (golang-migrate over pgx v5), so tests
// exercise the exact path `decisions migrate` takes.
type migrator struct{}

func (migrator) Hash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}

func (migrator) Migrate(ctx context.Context, _ *sql.DB, conf pgtestdb.Config) error {
	return store.Migrate(ctx, conf.URL())
}

// WaitForLockWaiters returns once at least n queries in the database at url are waiting for a
// lock: the moment a test that holds a lock knows its requests have reached the database. It
// watches from a connection of its own: inside a transaction, pg_stat_activity does not change.
func WaitForLockWaiters(t testing.TB, url string, n int) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("watch for lock waiters: %v", err)
	}
	defer conn.Close(ctx)
	const waiting = `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`
	// Polling pg_stat_activity: PostgreSQL sends no signal. The bound is a safety net, not a
	// timing assertion: a test whose queries never reach the lock fails instead of hanging.
	giveUp := time.After(lockWaitBound)
	poll := time.NewTicker(10 * time.Millisecond)
	defer poll.Stop()
	for {
		var got int
		if err := conn.QueryRow(ctx, waiting).Scan(&got); err != nil {
			t.Fatalf("count lock waiters: %v", err)
		}
		if got >= n {
			return
		}
		select {
		case <-poll.C:
		case <-giveUp:
			t.Fatalf("waited %s for %d queries to wait for a lock; %d do", lockWaitBound, n, got)
		}
	}
}

// lockWaitBound is far longer than a query takes to reach a lock, even under -race on a
// loaded machine.
const lockWaitBound = 2 * time.Minute

// Beginner is what a test writes through: a pool, a connection or a transaction.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Publish runs build, which writes decisions as approved, published or withdrawn with all their
// parts, and in the same transaction signs each decision it left unsigned, as a decision signed
// before the register existed (an 'imported' signature over its content, audited): the database
// refuses, at commit, such a decision without a signature.
func Publish(t testing.TB, db Beginner, build func(tx pgx.Tx) error) {
	t.Helper()
	ctx := context.Background()
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if err := build(tx); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT reference FROM decisions d
WHERE status IN ('approved', 'published', 'withdrawn') AND NOT EXISTS (SELECT 1 FROM signatures g WHERE g.decision_id = d.id)`)
		if err != nil {
			return err
		}
		refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		_, err = store.OnTx(tx).AttestImported(ctx, time.Now(), refs)
		return err
	})
	if err != nil {
		t.Fatalf("publish test decisions: %v", err)
	}
}

// PublishSQL is Publish for one statement.
func PublishSQL(t testing.TB, db Beginner, sql string, args ...any) {
	t.Helper()
	Publish(t, db, func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), sql, args...)
		return err
	})
}
