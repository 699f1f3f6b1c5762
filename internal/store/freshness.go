package store

import (
	"context"
	"fmt"
	"time"
)

// RegisterState says how far what the public may see has come: Changes counts the audit
// trail's entries (every signature, publication, release, import, correction and withdrawal
// writes one, in the transaction that makes the change), and ChangedAt is the newest of the
// newest entry's time and the newest deferred publication date that has come but whose release
// is not yet recorded. Two equal states mean every public page built in between is still true,
// except for the time-based part of ChangedAt, which the state carries too.
type RegisterState struct {
	Changes   int64
	ChangedAt time.Time
}

// RegisterState reads the register's state at now, in one indexed round trip.
func (s *Store) RegisterState(ctx context.Context, now time.Time) (RegisterState, error) {
	var st RegisterState
	var at *time.Time
	err := s.db.QueryRow(ctx, `
SELECT (SELECT h.entries FROM audit_head h), greatest(
	(SELECT a.at FROM audit_log a ORDER BY a.id DESC LIMIT 1),
	(SELECT max(d.publish_at) FROM decisions d WHERE d.status = 'approved' AND d.publish_at <= $1))`, now).
		Scan(&st.Changes, &at)
	if err != nil {
		return RegisterState{}, fmt.Errorf("register state: %w", err)
	}
	if at != nil {
		st.ChangedAt = *at
	}
	return st, nil
}
