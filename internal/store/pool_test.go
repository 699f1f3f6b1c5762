package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4/database"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestPoolSettingsInTheURL passes pgxpool's own settings in the URL: the pool takes them, and
// migrations, which go through a plain connection, are not refused for them.
func TestPoolSettingsInTheURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t) + "&pool_max_conns=3&pool_max_conn_lifetime=1h"
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatalf("Migrate with pool settings in the URL: %v", err)
	}
	if _, _, err := store.MigrationVersion(ctx, url); err != nil {
		t.Fatalf("MigrationVersion with pool settings in the URL: %v", err)
	}
	pool, err := store.Open(ctx, url, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if got := pool.Config().MaxConns; got != 3 {
		t.Errorf("MaxConns = %d, want the URL's 3", got)
	}
	sized, err := store.Open(ctx, url, store.PoolOptions{MaxConns: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer sized.Close()
	if got := sized.Config().MaxConns; got != 7 {
		t.Errorf("MaxConns = %d, want the option's 7", got)
	}
}

// TestStatementTimeout holds a table lock longer than the pool's statement timeout: PostgreSQL
// must stop the query and the store must say it timed out.
func TestStatementTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	pool, err := store.Open(ctx, url, store.PoolOptions{StatementTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	_, err = store.New(pool).SlugByReference(ctx, store.Public(time.Now()), "PCD 1682")
	if !store.IsTimeout(err) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("a query held past statement_timeout = %v, want a timeout", err)
	}
}

// TestMigrateForce clears a dirty version, as after a migration that failed part-way.
func TestMigrateForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE schema_migrations SET dirty = true`); err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, url); err == nil {
		t.Error("Migrate on a dirty database succeeded, want an error")
	}
	v, _, err := store.MigrationVersion(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.MigrateForce(ctx, url, int(v)); err != nil {
		t.Fatalf("MigrateForce(%d) = %v", v, err)
	}
	if got, dirty, err := store.MigrationVersion(ctx, url); got != v || dirty || err != nil {
		t.Errorf("after force: version %d dirty=%t err=%v, want %d clean", got, dirty, err, v)
	}
	// A version with no migration (6 was never written) is refused, and changes nothing.
	for _, bad := range []int{6, 999, -2} {
		if err := store.MigrateForce(ctx, url, bad); err == nil {
			t.Errorf("MigrateForce(%d) accepted a version with no migration", bad)
		}
	}
	if got, dirty, err := store.MigrationVersion(ctx, url); got != v || dirty || err != nil {
		t.Errorf("after refused forces: version %d dirty=%t err=%v, want %d clean", got, dirty, err, v)
	}
}

// TestMigrateStopsWithItsContext holds a lock the migration needs, then ends its context: the
// migration must give up at once, not when the lock is released.
func TestMigrateStopsWithItsContext(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	migrateCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- store.Migrate(migrateCtx, url) }()
	dbtest.WaitForLockWaiters(t, url, 1)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, store.ErrInterrupted) {
			t.Errorf("Migrate after its context ended = %v, want ErrInterrupted", err)
		}
	case <-time.After(60 * time.Second): // a safety net: an interrupted migration returns at once
		t.Fatal("Migrate still runs 60s after its context ended")
	}
}

// TestMigrateIgnoresStatementTimeout migrates a fresh database through a URL whose
// statement_timeout (1 ms) is meant for requests: the migrations and the attestation after them
// must run without it, or they are cancelled part-way and leave the version dirty.
func TestMigrateIgnoresStatementTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.EmptyURL(t) + "&statement_timeout=1"
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatalf("Migrate with statement_timeout=1 in the URL = %v", err)
	}
	if v, dirty, err := store.MigrationVersion(ctx, url); v == 0 || dirty || err != nil {
		t.Errorf("after Migrate: version %d dirty=%t err=%v, want the newest, clean", v, dirty, err)
	}
}

// TestMigrationVersionDoesNotWaitForTheLock holds golang-migrate's advisory lock, as a
// migration running elsewhere does: asking the version must answer at once, not wait for it.
func TestMigrationVersionDoesNotWaitForTheLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := dbtest.URL(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var dbName, schema string
	if err := conn.QueryRow(ctx, `SELECT current_database(), current_schema()`).Scan(&dbName, &schema); err != nil {
		t.Fatal(err)
	}
	lockID, err := database.GenerateAdvisoryLockId(dbName, schema, "schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		v     int
		dirty bool
		err   error
	}
	got := make(chan answer, 1)
	go func() {
		v, dirty, err := store.MigrationVersion(ctx, url)
		got <- answer{v, dirty, err}
	}()
	select {
	case a := <-got:
		if a.v <= 0 || a.dirty || a.err != nil {
			t.Errorf("MigrationVersion = %d, %t, %v; want the newest version, clean", a.v, a.dirty, a.err)
		}
	case <-time.After(60 * time.Second): // a safety net: without the lock the answer is immediate
		t.Fatal("MigrationVersion still waits for golang-migrate's lock after 60s")
	}
}
