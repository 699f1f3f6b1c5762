package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/workday"
)

// Reminder kinds, each sent at most once for each time a step starts waiting.
const (
	ReminderBefore    = "before"    // the working day before the due date
	ReminderDue       = "due"       // on the due date
	ReminderEscalated = "escalated" // the working day after: to the escalation contact, or the admins
)

// reminderDue is the reminder a step's clock calls for on today, or "". Only the latest is
// sent: a step found overdue for the first time is escalated, not reminded three times.
func reminderDue(cal *workday.Calendar, c StepClock, today workday.Date) (kind string, due workday.Date) {
	due = cal.Due(c.Since, c.SLADays, dateOf(c.MustSignBy), c.After)
	switch {
	case !today.Before(cal.AddDate(due, 1)):
		return ReminderEscalated, due
	case !today.Before(due):
		return ReminderDue, due
	case !today.Before(cal.AddDate(due, -1)):
		return ReminderBefore, due
	}
	return "", due
}

func dateOf(t *time.Time) *workday.Date {
	if t == nil {
		return nil
	}
	y, m, d := t.Date()
	return &workday.Date{Year: y, Month: m, Day: d}
}

// SendReminders sends the reminders and escalations due at now, each once: the decisions
// are claimed with FOR UPDATE SKIP LOCKED, so two instances never both look at one, and
// step_reminders' key makes a second sending impossible. It returns how many were sent.
func (s *Store) SendReminders(ctx context.Context, now time.Time, cal *workday.Calendar) (int, error) {
	sent := 0
	err := s.InTx(ctx, func(tx *Store) error {
		clocks, err := tx.stepClocksLocked(ctx)
		if err != nil {
			return err
		}
		today := workday.DateOf(now)
		for _, c := range clocks {
			kind, due := reminderDue(cal, c, today)
			if kind == "" {
				continue
			}
			to := c.WhoIDs
			if kind == ReminderEscalated {
				if to, err = tx.escalationTo(ctx, c); err != nil {
					return err
				}
			}
			var inserted bool
			err := tx.db.QueryRow(ctx, `
INSERT INTO step_reminders (decision_id, step_kind, since, kind, due_on, sent_at, sent_to)
VALUES ($1, $2, $3, $4, $5::date, $6, $7) ON CONFLICT DO NOTHING RETURNING true`,
				c.DecisionID, c.StepKind, c.Since, kind, due.String(), now, to).Scan(&inserted)
			if err == pgx.ErrNoRows {
				continue // sent already
			}
			if err != nil {
				return fmt.Errorf("record a reminder: %w", err)
			}
			for _, id := range to {
				if err := queueReminder(ctx, tx, now, c, kind, due, id); err != nil {
					return err
				}
			}
			sent++
		}
		return nil
	})
	return sent, err
}

func (s *Store) stepClocksLocked(ctx context.Context) ([]StepClock, error) {
	rows, err := s.db.Query(ctx, stepClockSQL+` FOR UPDATE OF d SKIP LOCKED`, pgx.NamedArgs{"all": true, "ids": []int64{}})
	if err != nil {
		return nil, fmt.Errorf("step clocks: %w", err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[StepClock])
	if err != nil {
		return nil, fmt.Errorf("step clocks: %w", err)
	}
	return cs, nil
}

// escalationTo is who a late step goes to: its kind's escalation contact, or every admin.
func (s *Store) escalationTo(ctx context.Context, c StepClock) ([]int64, error) {
	if c.Escalation != nil {
		return []int64{*c.Escalation}, nil
	}
	rows, err := s.db.Query(ctx, `SELECT r.user_id FROM user_roles r JOIN users u ON u.id = r.user_id
WHERE r.role = 'admin' AND u.disabled_at IS NULL ORDER BY r.user_id`)
	if err != nil {
		return nil, fmt.Errorf("admins: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// queueReminder writes one reminder or escalation as a notice to one person, in the
// transaction that records it sent, through the outbox (QueueNotice).
func queueReminder(ctx context.Context, tx *Store, now time.Time, c StepClock, kind string, due workday.Date, to int64) error {
	title := ""
	if c.Title != nil {
		title = *c.Title
	}
	dueAt := due.Start()
	n := Notice{UserID: to, DecisionID: c.DecisionID, Event: "reminder_" + kind, Kind: NoticeAction,
		Reference: c.Reference, Title: title, LinkPath: "/decisions/" + c.Slug + "/signoff", DueAt: &dueAt}
	switch kind {
	case ReminderBefore:
		n.Subject = "reminder: the " + c.StepName + " step is due tomorrow"
		n.Body = "The " + c.StepName + " step is waiting for you and is due " + due.Words() + "."
	case ReminderDue:
		n.Subject = "reminder: the " + c.StepName + " step is due today"
		n.Body = "The " + c.StepName + " step is waiting for you and is due today, " + due.Words() + "."
	default:
		n.Subject = "late: the " + c.StepName + " step was due " + due.Words()
		n.Body = "The " + c.StepName + " step was due " + due.Words() + " and has not been cleared. You are its escalation contact."
	}
	_, err := tx.QueueNotice(ctx, now, n)
	return err
}
