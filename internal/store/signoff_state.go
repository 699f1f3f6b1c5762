package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
)

const signoffStateSQL = `
SELECT d.series, d.status,
	ARRAY(SELECT user_id FROM decision_drafters WHERE decision_id = d.id ORDER BY user_id) AS drafters,
	ARRAY(SELECT step_kind FROM series_chain_steps WHERE series = d.series ORDER BY position) AS chain
FROM decisions d WHERE d.slug = $1`

const liveApprovalsSQL = `
SELECT a.step_kind, a.user_id FROM signoff_actions a JOIN decisions d ON d.id = a.decision_id
WHERE d.slug = $1 AND a.action = 'approved' AND a.cleared_at IS NULL
ORDER BY a.acted_at, a.id`

// SignoffState is where a decision stands in its sign-off, as the sign-off rules take it: its
// series and status, everyone who drafted it, its series' chain and the live approvals.
func (s *Store) SignoffState(ctx context.Context, slug string) (decision.Signoff, error) {
	var st decision.Signoff
	err := s.db.QueryRow(ctx, signoffStateSQL, slug).Scan(&st.Series, &st.Status, &st.Drafters, &st.Chain)
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("sign-off state of %s: %w", slug, mapError(err))
	}
	rows, err := s.db.Query(ctx, liveApprovalsSQL, slug)
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("approvals of %s: %w", slug, err)
	}
	st.Approvals, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (decision.Approval, error) {
		var a decision.Approval
		err := row.Scan(&a.StepKind, &a.UserID)
		return a, err
	})
	if err != nil {
		return decision.Signoff{}, fmt.Errorf("approvals of %s: %w", slug, err)
	}
	return st, nil
}
