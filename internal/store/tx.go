package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txAttempts bounds how often a transaction that lost a serialization race runs again.
const txAttempts = 5

// InTxLevel runs fn in a transaction at an isolation level, committing when fn returns nil.
// A serialization failure or deadlock (which PostgreSQL resolves by failing one side) runs
// fn again, a few times, on a fresh transaction: fn must be safe to repeat. Inside another
// transaction it runs in a savepoint of that one, at its level, and is not repeated.
func (s *Store) InTxLevel(ctx context.Context, level pgx.TxIsoLevel, fn func(tx *Store) error) error {
	b, ok := s.db.(interface {
		BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	})
	if _, nested := s.db.(pgx.Tx); nested || !ok {
		return s.InTx(ctx, fn)
	}
	var err error
	for range txAttempts {
		err = pgx.BeginTxFunc(ctx, b, pgx.TxOptions{IsoLevel: level}, func(tx pgx.Tx) error {
			return fn(&Store{db: tx})
		})
		if !retryable(err) {
			return err
		}
	}
	return err
}

// retryable reports whether a transaction failed only because another ran at the same time.
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40001" || pgErr.Code == "40P01")
}

// OnTx returns a Store whose queries run in tx, a transaction its caller began and ends: for
// tests and tools that write rows of their own around the store's methods.
func OnTx(tx pgx.Tx) *Store {
	return &Store{db: tx}
}
