package store

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// txAttempts bounds how often a transaction that lost a serialization race, or was chosen to
// end a deadlock, runs again before its error is answered.
const txAttempts = 5

// txState is what a transaction begun by InTx carries beside its connection: the audit entries
// its work asked for, which are appended when the work is done (appendAudit).
type txState struct {
	audit []AuditEntry
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling back otherwise.
// See InTxLevel.
func (s *Store) InTx(ctx context.Context, fn func(tx *Store) error) error {
	return s.InTxLevel(ctx, "", fn)
}

// InTxLevel runs fn in a transaction at an isolation level (empty: the database's default),
// committing when fn returns nil. The audit entries fn asks for are appended last, just before
// the commit, so the trail's head is the last lock the transaction takes (docs/architecture.md,
// "Lock order"). A serialization failure or deadlock (which PostgreSQL resolves by failing one
// side) runs the whole of fn again, a few times, on a fresh transaction, before the error is
// returned: fn must be safe to repeat, changing nothing outside the transaction but what it
// sets afresh on each run. Inside another transaction it runs in a savepoint of that one, at
// its level, and is not repeated: the outermost transaction is.
func (s *Store) InTxLevel(ctx context.Context, level pgx.TxIsoLevel, fn func(tx *Store) error) error {
	if s.tx != nil {
		return s.savepoint(ctx, fn)
	}
	b, ok := s.db.(interface {
		BeginTx(ctx context.Context, opts pgx.TxOptions) (pgx.Tx, error)
	})
	if !ok {
		// A Store over a transaction begun elsewhere: a savepoint that appends its own entries.
		return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
			return (&Store{db: tx, tx: &txState{}}).work(ctx, fn)
		})
	}
	var err error
	for attempt := range txAttempts {
		err = pgx.BeginTxFunc(ctx, b, pgx.TxOptions{IsoLevel: level}, func(tx pgx.Tx) error {
			return (&Store{db: tx, tx: &txState{}}).work(ctx, fn)
		})
		if !retryable(err) || ctx.Err() != nil || attempt == txAttempts-1 {
			return err
		}
		// A random pause, longer each time, so transactions that collided do not meet again
		// at once and spend their attempts in a burst.
		select {
		case <-time.After(rand.N(5 * time.Millisecond << attempt)):
		case <-ctx.Done():
			return err
		}
	}
	return err
}

// work runs a transaction's work, then writes the notices its audit entries call for and
// appends the entries.
func (s *Store) work(ctx context.Context, fn func(tx *Store) error) error {
	if err := fn(s); err != nil {
		return err
	}
	if err := s.writeNotices(ctx); err != nil {
		return err
	}
	return s.appendAudit(ctx)
}

// savepoint runs fn in a savepoint of the transaction s is in. Audit entries asked for in a
// savepoint that is rolled back are forgotten with it.
func (s *Store) savepoint(ctx context.Context, fn func(tx *Store) error) error {
	kept := len(s.tx.audit)
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		return fn(&Store{db: tx, tx: s.tx})
	})
	if err != nil {
		s.tx.audit = s.tx.audit[:kept]
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
