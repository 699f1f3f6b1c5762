package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// StepClock is where the step a decision waits on stands on the clock: the facts the chain
// line ("Waiting on Legal · A. Name for 4 working days · reminded twice · due Thu 12 March")
// and the reminders are made from, the working days counted by package workday.
type StepClock struct {
	DecisionID int64      `db:"decision_id"`
	Slug       string     `db:"slug"`
	Reference  string     `db:"reference"`
	Title      *string    `db:"title"`
	StepKind   string     `db:"step_kind"`
	StepName   string     `db:"step_name"`
	SLADays    int        `db:"sla_days"`
	Since      time.Time  `db:"since"` // when the step started waiting
	After      int        `db:"after"` // steps after it in the chain
	MustSignBy *time.Time `db:"must_sign_by"`
	Who        []string   `db:"who"`                // who may clear it, by name
	WhoIDs     []int64    `db:"who_ids"`            // and their ids
	Escalation *int64     `db:"escalation_user_id"` // the kind's escalation contact, while they may be one
	Reminded   int        `db:"reminded"`           // reminders sent for this wait
	Escalated  bool       `db:"escalated"`
}

// stepClockSQL is each awaiting decision's first step without a live approval. It waits
// since the later of its submission and the last live approval (its last change, for a
// decision with neither recorded).
const stepClockSQL = `
SELECT d.id AS decision_id, d.slug, d.reference, d.title, c.step_kind, k.name AS step_name, k.sla_days,
	w.since, c.after, d.must_sign_by,
	(SELECT u.id FROM users u WHERE u.id = k.escalation_user_id AND u.disabled_at IS NULL AND (
		EXISTS (SELECT 1 FROM user_step_kinds uk WHERE uk.user_id = u.id AND uk.step_kind = c.step_kind)
		OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'admin'))) AS escalation_user_id,
	ARRAY(SELECT u.name FROM users u JOIN user_step_kinds uk ON uk.user_id = u.id
		WHERE uk.step_kind = c.step_kind AND u.disabled_at IS NULL ORDER BY u.name) AS who,
	ARRAY(SELECT u.id FROM users u JOIN user_step_kinds uk ON uk.user_id = u.id
		WHERE uk.step_kind = c.step_kind AND u.disabled_at IS NULL ORDER BY u.name) AS who_ids,
	(SELECT count(*) FROM step_reminders r WHERE r.decision_id = d.id AND r.step_kind = c.step_kind
		AND r.since = w.since AND r.kind <> 'escalated')::int AS reminded,
	EXISTS (SELECT 1 FROM step_reminders r WHERE r.decision_id = d.id AND r.step_kind = c.step_kind
		AND r.since = w.since AND r.kind = 'escalated') AS escalated
FROM decisions d
JOIN LATERAL (
	SELECT x.step_kind, (SELECT count(*) FROM decision_chains y WHERE y.decision_id = d.id AND y.position > x.position)::int AS after
	FROM decision_chains x WHERE x.decision_id = d.id AND NOT EXISTS (
		SELECT 1 FROM signoff_actions a WHERE a.decision_id = d.id AND a.step_kind = x.step_kind
			AND a.action = 'approved' AND a.cleared_at IS NULL)
	ORDER BY x.position LIMIT 1) c ON true
JOIN step_kinds k ON k.code = c.step_kind
JOIN LATERAL (SELECT coalesce(greatest(
	(SELECT max(l.at) FROM audit_log l WHERE l.decision_id = d.id AND l.event = 'submitted'),
	(SELECT max(a.acted_at) FROM signoff_actions a WHERE a.decision_id = d.id AND a.action = 'approved'
		AND a.cleared_at IS NULL)), d.updated_at) AS since) w ON true
WHERE d.status = 'awaiting_signoff' AND (@all OR d.id = ANY(@ids))
ORDER BY d.id`

// StepClocks reads the clock of the step each of the given decisions waits on; a decision
// awaiting only its signature, or not awaiting sign-off, has none. It is for showing to
// someone who may already see the decisions, and for the reminders.
func (s *Store) StepClocks(ctx context.Context, ids []int64) (map[int64]StepClock, error) {
	return s.stepClocks(ctx, pgx.NamedArgs{"all": false, "ids": ids})
}

func (s *Store) stepClocks(ctx context.Context, args pgx.NamedArgs) (map[int64]StepClock, error) {
	rows, err := s.db.Query(ctx, stepClockSQL, args)
	if err != nil {
		return nil, fmt.Errorf("step clocks: %w", err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[StepClock])
	if err != nil {
		return nil, fmt.Errorf("step clocks: %w", err)
	}
	out := make(map[int64]StepClock, len(cs))
	for _, c := range cs {
		out[c.DecisionID] = c
	}
	return out, nil
}

// MustSignBy is the date decision id must be signed by, or nil. Callers check the reader
// may see the decision.
func (s *Store) MustSignBy(ctx context.Context, id int64) (*time.Time, error) {
	var by *time.Time
	if err := s.db.QueryRow(ctx, `SELECT must_sign_by FROM decisions WHERE id = $1`, id).Scan(&by); err != nil {
		return nil, fmt.Errorf("must be signed by, of decision %d: %w", id, mapError(err))
	}
	return by, nil
}

// StepKindSetting is how a kind of step is timed: its service level in working days and
// who its late steps are escalated to (nil: the admins).
type StepKindSetting struct {
	Code       string `db:"code"`
	Name       string `db:"name"`
	SLADays    int    `db:"sla_days"`
	Escalation *int64 `db:"escalation_user_id"`
	// EscalationName is the escalation contact's name, or "".
	EscalationName string `db:"escalation_name"`
}

// StepKindSettings is every kind of step's timing, by name.
func (s *Store) StepKindSettings(ctx context.Context) ([]StepKindSetting, error) {
	rows, err := s.db.Query(ctx, `
SELECT k.code, k.name, k.sla_days, k.escalation_user_id, coalesce(u.name, '') AS escalation_name
FROM step_kinds k LEFT JOIN users u ON u.id = k.escalation_user_id ORDER BY k.name`)
	if err != nil {
		return nil, fmt.Errorf("step kind settings: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[StepKindSetting])
	if err != nil {
		return nil, fmt.Errorf("step kind settings: %w", err)
	}
	return out, nil
}

// StepKindChange is what an admin changes of a kind of step: a field left nil is unchanged.
// Escalation set to a pointer to 0 means the admins.
type StepKindChange struct {
	SLADays    *int
	Escalation *int64
}

// SetStepKindSettings applies the changes given, by step kind code, and audits each value
// that changes (who, old → new) in the same transaction. An escalation contact must be an
// enabled user who clears that kind of step, or an admin: ErrConflict otherwise.
func (s *Store) SetStepKindSettings(ctx context.Context, act Act, changes map[string]StepKindChange) error {
	codes := make([]string, 0, len(changes))
	for code := range changes {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return s.InTx(ctx, func(tx *Store) error {
		for _, code := range codes {
			ch := changes[code]
			var old StepKindSetting
			rows, err := tx.db.Query(ctx, `
SELECT k.code, k.name, k.sla_days, k.escalation_user_id, coalesce(u.name, '') AS escalation_name
FROM step_kinds k LEFT JOIN users u ON u.id = k.escalation_user_id WHERE k.code = $1 FOR UPDATE OF k`, code)
			if err == nil {
				old, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[StepKindSetting])
			}
			if err != nil {
				return fmt.Errorf("step kind %s: %w", code, mapError(err))
			}
			if ch.SLADays != nil && *ch.SLADays != old.SLADays {
				if _, err := tx.db.Exec(ctx, `UPDATE step_kinds SET sla_days = $2 WHERE code = $1`, code, *ch.SLADays); err != nil {
					return fmt.Errorf("service level of %s: %w", code, mapError(err))
				}
				err := tx.Audit(ctx, act, 0, EventStepKindChanged, map[string]string{"step_kind": code, "change": "service level",
					"old": strconv.Itoa(old.SLADays), "new": strconv.Itoa(*ch.SLADays)})
				if err != nil {
					return err
				}
			}
			if ch.Escalation == nil {
				continue
			}
			var to *int64
			if *ch.Escalation != 0 {
				to = ch.Escalation
			}
			if (to == nil) == (old.Escalation == nil) && (to == nil || *to == *old.Escalation) {
				continue
			}
			newName := "the admins"
			if to != nil {
				err := tx.db.QueryRow(ctx, `
SELECT u.name FROM users u WHERE u.id = $1 AND u.disabled_at IS NULL AND (
	EXISTS (SELECT 1 FROM user_step_kinds k WHERE k.user_id = u.id AND k.step_kind = $2)
	OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = 'admin'))`, *to, code).Scan(&newName)
				if errors.Is(err, pgx.ErrNoRows) {
					return fmt.Errorf("escalation contact %d of %s: %w", *to, code, ErrConflict)
				}
				if err != nil {
					return fmt.Errorf("escalation contact of %s: %w", code, err)
				}
			}
			if _, err := tx.db.Exec(ctx, `UPDATE step_kinds SET escalation_user_id = $2 WHERE code = $1`, code, to); err != nil {
				return fmt.Errorf("escalation contact of %s: %w", code, mapError(err))
			}
			oldName := "the admins"
			if old.Escalation != nil {
				oldName = old.EscalationName
			}
			err = tx.Audit(ctx, act, 0, EventStepKindChanged, map[string]string{"step_kind": code, "change": "escalation contact",
				"old": oldName, "new": newName})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// SetMustSignBy sets (or, with nil, clears) the date draft id must be signed by.
func (s *Store) SetMustSignBy(ctx context.Context, id int64, by *time.Time) error {
	if _, err := s.db.Exec(ctx, `UPDATE decisions SET must_sign_by = $2::date WHERE id = $1 AND status = 'draft'`, id, by); err != nil {
		return fmt.Errorf("must be signed by, of decision %d: %w", id, mapError(err))
	}
	return nil
}
