package store

import (
	"context"

	"github.com/decision-register/decisions/internal/search"
)

// Exec runs a statement on whatever the store runs on, so tests can write inside a transaction
// before the store has write methods of its own.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.db.Exec(ctx, sql, args...)
	return err
}

// BeginTest starts a transaction for a test that writes rows of its own around the store's
// methods, and returns a Store over it and the function that commits it.
func (s *Store) BeginTest(ctx context.Context) (*Store, func() error, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &Store{db: tx}, func() error { return tx.Commit(ctx) }, nil
}

// QueryID runs a statement that returns one id, for tests that build data.
func (s *Store) QueryID(ctx context.Context, sql string, args ...any) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, sql, args...).Scan(&id)
	return id, err
}

// SearchPlan names how a page of q would be read: "filters first", "by matches" or "walk".
func (s *Store) SearchPlan(ctx context.Context, acc Access, q search.Query) (string, error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return "", err
	}
	w, args := searchConds(acc, q, funders)
	pl, err := s.plan(ctx, &q, w, args, true)
	if err != nil {
		return "", err
	}
	return pl.name(), nil
}

// FiltersEstimate is the planner's estimate of the decisions q's filters leave, as plan takes
// it to choose filters first, and how many they leave.
func (s *Store) FiltersEstimate(ctx context.Context, acc Access, q search.Query) (est, actual int, err error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return 0, 0, err
	}
	w, args := searchConds(acc, q, funders)
	if est, err = s.estimate(ctx, w.filters, args); err != nil {
		return 0, 0, err
	}
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM decisions d WHERE `+w.all(), args).Scan(&actual)
	return est, actual, err
}
