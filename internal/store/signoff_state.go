package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

const signoffStateSQL = `
SELECT d.series, d.status,
	ARRAY(SELECT dd.user_id FROM decision_drafters dd WHERE dd.decision_id = d.id ORDER BY dd.user_id) AS drafters,
	ARRAY(SELECT c.step_kind FROM decision_chains c WHERE c.decision_id = d.id ORDER BY c.position) AS chain
FROM decisions d WHERE d.slug = $1`

const liveApprovalsSQL = `
SELECT a.step_kind, a.user_id FROM signoff_actions a JOIN decisions d ON d.id = a.decision_id
WHERE d.slug = $1 AND a.action = 'approved' AND a.cleared_at IS NULL ORDER BY a.id`

// SignoffState is where a decision stands in its sign-off chain, for the pure rules in
// package decision: its series and status, who drafted it, its series' chain in order, and
// the approvals still live (not cleared by a later edit). It is for deciding, not showing:
// callers check the reader's access first.
func (s *Store) SignoffState(ctx context.Context, slug string) (decision.Signoff, error) {
	var so decision.Signoff
	err := s.db.QueryRow(ctx, signoffStateSQL, slug).Scan(&so.Series, &so.Status, &so.Drafters, &so.Chain)
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("sign-off state of %q: %w", slug, mapError(err))
	}
	rows, err := s.db.Query(ctx, liveApprovalsSQL, slug)
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("approvals of %q: %w", slug, err)
	}
	so.Approvals, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (decision.Approval, error) {
		var a decision.Approval
		err := row.Scan(&a.StepKind, &a.UserID)
		return a, err
	})
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("approvals of %q: %w", slug, err)
	}
	return so, nil
}
