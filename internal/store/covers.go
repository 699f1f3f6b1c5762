package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/decision"
)

// Audit events of cover.
const (
	EventCoverSet   = "cover_set"
	EventCoverEnded = "cover_ended"
)

// Cover is someone acting for a person over a period of London days.
type Cover struct {
	ID          int64      `db:"id"`
	UserID      int64      `db:"user_id"`
	UserName    string     `db:"user_name"`
	CovererID   int64      `db:"coverer_id"`
	CovererName string     `db:"coverer_name"`
	Starts      time.Time  `db:"starts_on"`
	Ends        time.Time  `db:"ends_on"`
	Reason      string     `db:"reason"`
	SetByName   string     `db:"set_by_name"`
	CreatedAt   time.Time  `db:"created_at"`
	EndedAt     *time.Time `db:"ended_at"`
}

// Days writes the cover's days: "1–14 August 2026".
func (c Cover) Days() string { return decision.CoverDays(c.Starts, c.Ends) }

// CoverInput is a cover to set: who acts for whom, from and to (London days), and why.
type CoverInput struct {
	UserID    int64
	CovererID int64 // 0 when none was chosen
	Starts    time.Time
	Ends      time.Time
	Reason    string
}

// CoverErrors are what is wrong with a cover, by field, in words for the person setting it.
type CoverErrors []decision.CoverProblem

func (e CoverErrors) Error() string {
	msgs := make([]string, len(e))
	for i, p := range e {
		msgs[i] = p.Field + ": " + p.Message
	}
	return "cover refused: " + strings.Join(msgs, "; ")
}

const coverColumns = `c.id, c.user_id, p.name AS user_name, c.coverer_id, b.name AS coverer_name, c.starts_on, c.ends_on,
	c.reason, c.set_by_name, c.created_at, c.ended_at`

const coverFrom = ` FROM covers c JOIN users p ON p.id = c.user_id JOIN users b ON b.id = c.coverer_id`

// londonDay is the London day of t, as a date at midnight UTC (how dates come back from PostgreSQL).
func londonDay(t time.Time) time.Time {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// SetCover records a cover, set by act's person for themself or (an admin) for someone else:
// refused by field (CoverErrors) when the rules of decision.CheckCover refuse it. The person's
// row is locked first, so two covers set at once are judged one after the other; the table's
// exclusion constraint refuses an overlap whatever the application does.
func (s *Store) SetCover(ctx context.Context, act Act, in CoverInput) (int64, error) {
	var id int64
	err := s.InTx(ctx, func(tx *Store) error {
		if _, err := tx.db.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, in.UserID); err != nil {
			return fmt.Errorf("lock user %d: %w", in.UserID, err)
		}
		person, err := tx.UserByID(ctx, in.UserID)
		if err != nil {
			return err
		}
		req := decision.CoverRequest{Person: person.Actor(), Starts: in.Starts, Ends: in.Ends, Reason: in.Reason,
			Today: londonDay(act.At), Self: act.UserID == in.UserID,
			Names: map[int64]string{person.ID: person.Name}, Steps: map[string]string{}}
		var coverer User
		if in.CovererID != 0 {
			if coverer, err = tx.UserByID(ctx, in.CovererID); err != nil {
				if errors.Is(err, ErrNotFound) {
					return CoverErrors{{Field: "coverer", Message: "Select who will act for them from the list"}}
				}
				return err
			}
			a := coverer.Actor()
			if coverer.DisabledAt != nil {
				a = decision.Actor{ID: coverer.ID} // a disabled account acts on nothing
			}
			req.Coverer, req.Names[coverer.ID] = &a, coverer.Name
		}
		kinds, err := tx.StepKinds(ctx)
		if err != nil {
			return err
		}
		for _, k := range kinds {
			req.Steps[k.Code] = k.Name
		}
		existing, err := tx.coversOf(ctx, `c.user_id = $1 AND c.ended_at IS NULL`, in.UserID)
		if err != nil {
			return err
		}
		for _, c := range existing {
			req.Existing = append(req.Existing, decision.Cover{ID: c.ID, PersonID: c.UserID, CovererID: c.CovererID, Starts: c.Starts, Ends: c.Ends})
		}
		if problems := decision.CheckCover(req); len(problems) > 0 {
			return CoverErrors(problems)
		}
		err = tx.db.QueryRow(ctx, `
INSERT INTO covers (user_id, coverer_id, starts_on, ends_on, reason, set_by, set_by_name, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			in.UserID, in.CovererID, in.Starts, in.Ends, strings.TrimSpace(in.Reason), act.UserID, act.Name, act.At).Scan(&id)
		if err != nil {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "23P01" {
				return CoverErrors{{Field: "starts", Message: "This would overlap another cover: choose other dates"}}
			}
			return fmt.Errorf("set cover for user %d: %w", in.UserID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventCoverSet, map[string]string{"cover": fmt.Sprint(id), "person": person.Name,
			"coverer": coverer.Name, "from": in.Starts.Format(time.DateOnly), "to": in.Ends.Format(time.DateOnly),
			"reason": strings.TrimSpace(in.Reason), "set_by": act.Name})
	})
	return id, err
}

// EndCover ends a cover of userID now (it stays on record: approvals given under it name it).
// ErrNotFound when there is no such cover running or to come.
func (s *Store) EndCover(ctx context.Context, act Act, userID, coverID int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		var person, coverer, from, to string
		err := tx.db.QueryRow(ctx, `
UPDATE covers c SET ended_at = $3 FROM users p, users b
WHERE c.id = $1 AND c.user_id = $2 AND c.ended_at IS NULL AND p.id = c.user_id AND b.id = c.coverer_id
RETURNING p.name, b.name, c.starts_on::text, c.ends_on::text`, coverID, userID, act.At).Scan(&person, &coverer, &from, &to)
		if err != nil {
			return fmt.Errorf("end cover %d: %w", coverID, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventCoverEnded, map[string]string{"cover": fmt.Sprint(coverID), "person": person,
			"coverer": coverer, "from": from, "to": to})
	})
}

// CoversOf lists the covers that involve userID and have not ended and not run out by at: those
// of them (someone acts for them) and those by them (they act for someone), by start.
func (s *Store) CoversOf(ctx context.Context, userID int64, at time.Time) ([]Cover, error) {
	return s.coversOf(ctx, `(c.user_id = $1 OR c.coverer_id = $1) AND c.ended_at IS NULL AND c.ends_on >= $2`, userID, londonDay(at))
}

func (s *Store) coversOf(ctx context.Context, where string, args ...any) ([]Cover, error) {
	rows, err := s.db.Query(ctx, `SELECT `+coverColumns+coverFrom+` WHERE `+where+` ORDER BY c.starts_on, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("covers: %w", err)
	}
	cs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Cover])
	if err != nil {
		return nil, fmt.Errorf("covers: %w", err)
	}
	return cs, nil
}

// runningSQL is the covers running on a London day, not ended. Cover never cascades: the
// table is read one hop only, never followed from a coverer to whoever covers them.
const runningSQL = ` AND c.ended_at IS NULL AND $2::date BETWEEN c.starts_on AND c.ends_on`

// ActsFor lists the people userID acts for at a time: those whose cover by them runs that
// London day. Cover does not cascade, so this is never followed further.
func (s *Store) ActsFor(ctx context.Context, userID int64, at time.Time) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT c.user_id FROM covers c WHERE c.coverer_id = $1`+runningSQL+` ORDER BY c.user_id`,
		userID, londonDay(at))
	if err != nil {
		return nil, fmt.Errorf("whom user %d acts for: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("whom user %d acts for: %w", userID, err)
	}
	return ids, nil
}

// CoveredBy is who acts for userID at a time (0 when nobody does): where their notices go
// while the cover runs. One cover runs for a person at a time (the exclusion constraint).
func (s *Store) CoveredBy(ctx context.Context, userID int64, at time.Time) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, `SELECT c.coverer_id FROM covers c WHERE c.user_id = $1`+runningSQL, userID, londonDay(at)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("who covers user %d: %w", userID, err)
	}
	return id, nil
}

// RunningCovers are the covers by userID running at a time, with the people they cover.
func (s *Store) RunningCovers(ctx context.Context, userID int64, at time.Time) ([]Cover, []decision.Actor, error) {
	cs, err := s.coversOf(ctx, `c.coverer_id = $1`+runningSQL, userID, londonDay(at))
	if err != nil {
		return nil, nil, err
	}
	people := make([]decision.Actor, 0, len(cs))
	for _, c := range cs {
		u, err := s.UserByID(ctx, c.UserID)
		if err != nil {
			return nil, nil, err
		}
		people = append(people, u.Actor())
	}
	return cs, people, nil
}
