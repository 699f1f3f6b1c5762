package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// staticFileRetention is how long a release's static files stay shared after it last started:
// far longer than two releases run side by side, and than a reader keeps a page open.
const staticFileRetention = 30 * 24 * time.Hour

// PublishStaticFiles shares a release's fingerprinted static files (name to content) with every
// other instance, and forgets those no release has published for staticFileRetention.
func (s *Store) PublishStaticFiles(ctx context.Context, files map[string][]byte, now time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		// In name order, so instances starting together take the rows' locks in one order and
		// never deadlock.
		b := &pgx.Batch{}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			data := files[name]
			b.Queue(`
INSERT INTO static_files (name, data, seen_at) VALUES ($1, $2, $3)
ON CONFLICT (name) DO UPDATE SET seen_at = greatest(static_files.seen_at, excluded.seen_at)`, name, data, now)
		}
		b.Queue(`DELETE FROM static_files WHERE seen_at < $1`, now.Add(-staticFileRetention))
		if err := tx.db.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("publish static files: %w", mapError(err))
		}
		return nil
	})
}

// StaticFile is the content of a fingerprinted static file some release published, or
// ErrNotFound.
func (s *Store) StaticFile(ctx context.Context, name string) ([]byte, error) {
	var data []byte
	if err := s.db.QueryRow(ctx, `SELECT data FROM static_files WHERE name = $1`, name).Scan(&data); err != nil {
		return nil, fmt.Errorf("static file %s: %w", name, mapError(err))
	}
	return data, nil
}
