package store

import (
	"context"
	"fmt"
	"time"
)

// RegisterChangedAt is when what the public may see last changed anywhere in the register, as
// far as the register knows: its newest audit entry (every signature, publication, release and
// import writes one), or the newest deferred publication date that has come but whose release
// has not yet been recorded. A page built from several decisions is no newer than this.
func (s *Store) RegisterChangedAt(ctx context.Context, now time.Time) (time.Time, error) {
	var at *time.Time
	err := s.db.QueryRow(ctx, `
SELECT greatest(
	(SELECT a.at FROM audit_log a ORDER BY a.id DESC LIMIT 1),
	(SELECT max(d.publish_at) FROM decisions d WHERE d.status = 'approved' AND d.publish_at <= $1))`, now).Scan(&at)
	if err != nil {
		return time.Time{}, fmt.Errorf("register changed at: %w", err)
	}
	if at == nil {
		return time.Time{}, nil
	}
	return *at, nil
}
