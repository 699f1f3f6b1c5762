package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// blobSweepLockKey lets one server instance at a time sweep the document store.
const blobSweepLockKey = 7_310_442_033

// SweepBlobs runs sweep under an advisory lock, so one instance sweeps while any others skip
// the round, and reports whether it ran. sweep is given unreferenced, which it asks which hashes
// no record names.
func (s *Store) SweepBlobs(ctx context.Context, sweep func(unreferenced func(context.Context, []string) ([]string, error)) error) (bool, error) {
	ran := false
	err := s.InTxLevel(ctx, pgx.ReadCommitted, func(tx *Store) error {
		ran = false
		if err := tx.db.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, int64(blobSweepLockKey)).Scan(&ran); err != nil {
			return fmt.Errorf("lock the blob sweep: %w", err)
		}
		if !ran {
			return nil
		}
		// Read committed: each question sees the records committed by the time it is asked.
		return sweep(tx.UnreferencedBlobs)
	})
	return ran, err
}

// unreferencedBlobsSQL keeps the hashes no document names. Every table that names a blob by
// its hash belongs here; today only documents does.
const unreferencedBlobsSQL = `
SELECT h FROM unnest($1::text[]) AS h
WHERE NOT EXISTS (SELECT 1 FROM documents doc WHERE doc.sha256 = h)`

// UnreferencedBlobs returns those of hashes that no document names.
func (s *Store) UnreferencedBlobs(ctx context.Context, hashes []string) ([]string, error) {
	rows, err := s.db.Query(ctx, unreferencedBlobsSQL, hashes)
	if err != nil {
		return nil, fmt.Errorf("unreferenced blobs: %w", mapError(err))
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("unreferenced blobs: %w", mapError(err))
	}
	return out, nil
}
