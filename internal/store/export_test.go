package store

import "context"

// Exec runs a statement on whatever the store runs on, so tests can write inside a transaction
// before the store has write methods of its own.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.db.Exec(ctx, sql, args...)
	return err
}

// QueryID runs a statement that returns one id, for tests that build data.
func (s *Store) QueryID(ctx context.Context, sql string, args ...any) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, sql, args...).Scan(&id)
	return id, err
}
