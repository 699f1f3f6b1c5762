package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RegisterState says how far what the public may see has come: Changes counts the audit
// trail's entries (every signature, publication, release, import, correction and withdrawal
// writes one, in the transaction that makes the change), and ChangedAt is the newest of the
// newest entry's time and the newest deferred publication date that has come but whose release
// is not yet recorded. Two equal states mean every public page built in between is still true,
// except for the time-based part of ChangedAt, which the state carries too.
//
// Decision is the state of one decision's own row (its status, version and last change), for a
// page about it: a change to it that the audit trail missed, such as a withdrawal made in SQL,
// still shows at once.
type RegisterState struct {
	Changes   int64
	ChangedAt time.Time
	Decision  string
}

// RegisterState reads the register's state at now, and that of the decision with slug, in one
// indexed round trip.
func (s *Store) RegisterState(ctx context.Context, now time.Time, slug string) (RegisterState, error) {
	var slugs []string
	if slug != "" {
		slugs = []string{slug}
	}
	st, own, err := s.RegisterStates(ctx, now, slugs)
	st.Decision = own[slug]
	return st, err
}

// RegisterStates reads the register's state at now, and that of each decision named in slugs
// (by slug; one not in the register is left out), in one indexed round trip: many readers
// waiting at once share it (the server's kept pages do).
func (s *Store) RegisterStates(ctx context.Context, now time.Time, slugs []string) (RegisterState, map[string]string, error) {
	var st RegisterState
	var at *time.Time
	var own []string
	err := s.db.QueryRow(ctx, `
SELECT (SELECT h.entries FROM audit_head h), greatest(
	(SELECT a.at FROM audit_log a ORDER BY a.id DESC LIMIT 1),
	(SELECT max(d.publish_at) FROM decisions d WHERE d.status = 'approved' AND d.publish_at <= $1),
	-- A decision withdrawn before its date is shown from that date too (visibleD).
	(SELECT max(d.publish_at) FROM decisions d WHERE d.status = 'withdrawn' AND d.publish_at <= $1)),
	ARRAY(SELECT d.slug || ' ' || concat_ws(' ', d.status, d.version, d.updated_at, d.publish_at)
		FROM decisions d WHERE d.slug = ANY($2::text[]))`, now, slugs).
		Scan(&st.Changes, &at, &own)
	if err != nil {
		return RegisterState{}, nil, fmt.Errorf("register state: %w", err)
	}
	if at != nil {
		st.ChangedAt = *at
	}
	states := make(map[string]string, len(own))
	for _, o := range own {
		// A slug has no spaces (decision.ValidSlug).
		slug, state, _ := strings.Cut(o, " ")
		states[slug] = state
	}
	return st, states, nil
}
