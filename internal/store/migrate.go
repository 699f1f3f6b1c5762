package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-migrate/migrate/v4"
	pgxmigrate "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/decision-register/decisions/migrations"
)

// ErrInterrupted means a migration command stopped because its context ended.
var ErrInterrupted = errors.New("migration interrupted")

// Migrate brings the database at url up to the newest migration, then hashes the content of any
// seeded decision not yet attested (see AttestImported). It stops when ctx ends.
func Migrate(ctx context.Context, url string) error {
	if err := migrateWith(ctx, url, "up", (*migrate.Migrate).Up); err != nil {
		return err
	}
	cfg, err := migrationConnConfig(url)
	if err != nil {
		return err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to attest imported decisions: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := (&Store{db: conn}).AttestImported(ctx, time.Now(), migrations.SeededReferences); err != nil {
		return err
	}
	return nil
}

// MigrateDown undoes every migration: every table and its data is dropped.
func MigrateDown(ctx context.Context, url string) error {
	return migrateWith(ctx, url, "down", (*migrate.Migrate).Down)
}

// MigrateForce records version as the database's migration version and clears the dirty flag,
// for a migration that failed part-way and was then put right by hand. It runs no SQL of its own.
func MigrateForce(ctx context.Context, url string, version int) error {
	versions, err := migrationVersions()
	if err != nil {
		return err
	}
	if version != -1 && !slices.Contains(versions, version) {
		return fmt.Errorf("migrate force: there is no migration %d: the versions are %v, or -1 for none", version, versions)
	}
	return migrateWith(ctx, url, fmt.Sprintf("force %d", version), func(m *migrate.Migrate) error {
		return m.Force(version)
	})
}

// MigrationVersion reports the database's migration version and whether it is dirty; the
// version is -1 when no migration has been applied. It only reads: it creates no table, and
// does not wait for golang-migrate's lock, so it answers while a migration runs.
func MigrationVersion(ctx context.Context, url string) (version int, dirty bool, err error) {
	cfg, err := migrationConnConfig(url)
	if err != nil {
		return 0, false, err
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return 0, false, fmt.Errorf("migrate version: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	version = -1
	err = pgx.BeginTxFunc(ctx, conn, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, migrationsTableSQL).Scan(&exists); err != nil || !exists {
			return err
		}
		err := tx.QueryRow(ctx, migrationVersionSQL).Scan(&version, &dirty)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		return err
	})
	if err != nil {
		return 0, false, fmt.Errorf("migrate version: %w", err)
	}
	return version, dirty, nil
}

// migrationVersions lists the embedded migrations' versions, in order.
func migrationVersions() ([]int, error) {
	names, err := fs.Glob(migrations.FS, "*.up.sql")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var versions []int
	for _, n := range names {
		digits, _, _ := strings.Cut(n, "_")
		v, err := strconv.Atoi(digits)
		if err != nil {
			return nil, fmt.Errorf("read migrations: %s does not start with its version", n)
		}
		versions = append(versions, v)
	}
	slices.Sort(versions)
	return versions, nil
}

// golang-migrate keeps its version in schema_migrations, in the connection's current schema:
// one row, or none when no migration is applied.
const (
	migrationsTableSQL  = `SELECT to_regclass('schema_migrations') IS NOT NULL`
	migrationVersionSQL = `SELECT version, dirty FROM schema_migrations LIMIT 1`
)

func migrateWith(ctx context.Context, url, what string, step func(*migrate.Migrate) error) error {
	in := &interrupter{}
	stop := context.AfterFunc(ctx, in.interrupt)
	defer stop()
	m, err := newMigrate(url, in)
	if err == nil {
		stopGracefully := context.AfterFunc(ctx, func() { m.GracefulStop <- true })
		defer stopGracefully()
		err = step(m)
		m.Close()
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("migrate %s: %w (%w); if `decisions migrate version` says dirty, see the README on migrate force", what, ErrInterrupted, ctx.Err())
	case err != nil && !errors.Is(err, migrate.ErrNoChange):
		return fmt.Errorf("migrate %s: %w", what, err)
	}
	return nil
}

func newMigrate(dbURL string, in *interrupter) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	cfg, err := migrationConnConfig(dbURL)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(in.track))
	driver, err := pgxmigrate.WithInstance(db, &pgxmigrate.Config{})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open migrations: %w", err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "pgx5", driver)
	if err != nil {
		driver.Close()
		return nil, fmt.Errorf("open migrations: %w", err)
	}
	return m, nil
}

// migrationConnConfig is the connection the migrations (and the attestation after them) use:
// the URL without pgxpool's settings, and with no statement_timeout. The URL's
// statement_timeout is meant for requests; a migration that took longer would be cancelled
// part-way and leave the version dirty.
func migrationConnConfig(dbURL string) (*pgx.ConnConfig, error) {
	cfg, err := pgx.ParseConfig(withoutPoolSettings(dbURL))
	if err != nil {
		return nil, fmt.Errorf("database URL: %w", err)
	}
	cfg.RuntimeParams["statement_timeout"] = "0"
	return cfg, nil
}

// withoutPoolSettings drops pgxpool's own URL settings (pool_max_conns, ...), which a plain
// connection would send to PostgreSQL as unknown parameters.
func withoutPoolSettings(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL // pgx reports the error
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// interrupter stops the migration's connections when its context ends: golang-migrate's pgx
// driver runs every statement with context.Background, so a migration waiting on a lock would
// otherwise ignore SIGTERM until the lock is released.
type interrupter struct {
	mu    sync.Mutex
	conns []*pgconn.PgConn
	done  bool
}

func (in *interrupter) track(_ context.Context, c *pgx.Conn) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.done {
		return ErrInterrupted
	}
	in.conns = append(in.conns, c.PgConn())
	return nil
}

// interrupt asks PostgreSQL to cancel each connection's statement, which rolls back its
// transaction, then closes the connection so the driver stops waiting even between statements.
func (in *interrupter) interrupt() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.done = true
	for _, c := range in.conns {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = c.CancelRequest(ctx)
		cancel()
		_ = c.Conn().Close()
	}
}

// ErrSchemaBehind means the database lacks migrations this program needs: run `decisions
// migrate up` before starting it.
var ErrSchemaBehind = errors.New("the database is behind this program")

// CheckSchema reports whether this program can serve the database at url without migrating:
// its version is this program's newest migration or later, and clean. A later one is a newer
// release's: migrations only expand the schema while the previous release may still run on it
// (README, "Adding a migration"), so this one keeps working there during a rolling deploy.
func CheckSchema(ctx context.Context, url string) (have, want int, err error) {
	versions, err := migrationVersions()
	if err != nil {
		return 0, 0, err
	}
	want = versions[len(versions)-1]
	have, dirty, err := MigrationVersion(ctx, url)
	switch {
	case err != nil:
		return have, want, err
	case dirty:
		return have, want, fmt.Errorf("migration %d failed part-way (dirty): put it right, then `decisions migrate force N`", have)
	case have < want:
		return have, want, fmt.Errorf("%w: it is at migration %d and this program needs %d: run `decisions migrate up` first (or set MIGRATE_ON_START=true)", ErrSchemaBehind, have, want)
	}
	return have, want, nil
}
