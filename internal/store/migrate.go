package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	_ "github.com/golang-migrate/migrate/v4/database/pgx/v5" // registers pgx5://
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/migrations"
)

// Migrate brings the database at url up to the newest migration, then hashes the content of
// any imported decision not yet attested (see AttestImported).
func Migrate(url string) error {
	if err := migrateWith(url, "up", (*migrate.Migrate).Up); err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect to attest imported decisions: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := (&Store{db: conn}).AttestImported(ctx, time.Now()); err != nil {
		return err
	}
	return nil
}

// MigrateDown undoes every migration.
func MigrateDown(url string) error {
	return migrateWith(url, "down", (*migrate.Migrate).Down)
}

func migrateWith(url, what string, step func(*migrate.Migrate) error) error {
	m, err := newMigrate(url)
	if err != nil {
		return err
	}
	defer m.Close()
	if err := step(m); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		return fmt.Errorf("migrate %s: %w", what, err)
	}
	return nil
}

// MigrationVersion reports the database's migration version and whether it is dirty.
func MigrationVersion(url string) (uint, bool, error) {
	m, err := newMigrate(url)
	if err != nil {
		return 0, false, err
	}
	defer m.Close()
	v, dirty, err := m.Version()
	if errors.Is(err, migrate.ErrNilVersion) {
		return 0, false, nil
	}
	return v, dirty, err
}

func newMigrate(url string) (*migrate.Migrate, error) {
	src, err := iofs.New(migrations.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	m, err := migrate.NewWithSourceInstance("iofs", src, pgx5URL(url))
	if err != nil {
		return nil, fmt.Errorf("open migrations: %w", err)
	}
	return m, nil
}

// pgx5URL rewrites a postgres:// URL to the scheme golang-migrate's pgx v5 driver wants.
func pgx5URL(url string) string {
	for _, scheme := range []string{"postgres://", "postgresql://"} {
		if rest, ok := strings.CutPrefix(url, scheme); ok {
			return "pgx5://" + rest
		}
	}
	return url
}
