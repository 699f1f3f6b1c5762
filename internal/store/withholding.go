package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// What is withheld.
const (
	WithheldPartTwo  = "part_two"
	WithheldDeferral = "deferral"
)

// Release modes of a series: deferred decisions released on their date, or only once their
// owner confirms.
const (
	ReleaseAutomatic = "automatic"
	ReleaseConfirm   = "confirm"
)

// Withholding events in the audit trail.
const (
	EventWithholdingRecorded = "withholding_recorded"
	EventWithholdingExtended = "withholding_extended"
	EventWithholdingReminder = "withholding_review" // the notice reminding an owner (not audited)
)

// WithholdingInput is a ground recorded for a Part II or a deferral.
type WithholdingInput struct {
	Ground         string // a decision.Ground code
	PublicInterest string
	ReviewOn       time.Time // a date (London's)
}

// Withholding is one thing withheld, as the public list and the staff's reviews show it.
type Withholding struct {
	ID             int64      `db:"id"`
	DecisionID     int64      `db:"decision_id"`
	Reference      string     `db:"reference"`
	Slug           string     `db:"slug"`
	Series         string     `db:"series"`
	Status         string     `db:"status"`
	What           string     `db:"what"`
	Ground         string     `db:"ground"`
	PublicInterest string     `db:"public_interest"`
	ReviewOn       time.Time  `db:"review_on"`
	PublishAt      *time.Time `db:"publish_at"`
	Held           bool       `db:"release_held"`
	ReleasedAt     *time.Time `db:"released_at"`
	Extensions     []Extension
}

// Extension is one extension of a withholding, shown publicly.
type Extension struct {
	WithholdingID int64     `db:"withholding_id"`
	From          time.Time `db:"from_date"`
	To            time.Time `db:"to_date"`
	Reason        string    `db:"reason"`
	At            time.Time `db:"extended_at"`
	By            string    `db:"extended_by"`
}

const withholdingColumns = `w.id, w.decision_id, d.reference, d.slug, d.series, d.status, w.what, w.ground, w.public_interest,
	w.review_on, d.publish_at, d.release_held, w.released_at`

// SetPartTwoWithholding records (or, with nil, removes) the ground a draft's Part II is
// withheld on, as its drafting team saves Part II.
func (s *Store) SetPartTwoWithholding(ctx context.Context, decisionID int64, w *WithholdingInput, at time.Time) error {
	if w == nil {
		_, err := s.db.Exec(ctx, `DELETE FROM withholdings WHERE decision_id = $1 AND what = 'part_two'`, decisionID)
		if err != nil {
			return fmt.Errorf("remove Part II's ground: %w", mapError(err))
		}
		return nil
	}
	_, err := s.db.Exec(ctx, `
INSERT INTO withholdings (decision_id, what, ground, public_interest, review_on, recorded_at)
VALUES ($1, 'part_two', $2, $3, $4, $5)
ON CONFLICT (decision_id, what) DO UPDATE SET ground = $2, public_interest = $3, review_on = $4, recorded_at = $5,
	reminded_at = NULL`, decisionID, w.Ground, w.PublicInterest, w.ReviewOn, at)
	if err != nil {
		return fmt.Errorf("record Part II's ground: %w", mapError(err))
	}
	return nil
}

// WithholdingOf is what of a decision is withheld (WithheldPartTwo or WithheldDeferral), with
// its extensions: ErrNotFound when nothing is recorded.
func (s *Store) WithholdingOf(ctx context.Context, decisionID int64, what string) (Withholding, error) {
	ws, err := s.withholdings(ctx, `w.decision_id = $1 AND w.what = $2`, decisionID, what)
	if err != nil {
		return Withholding{}, err
	}
	if len(ws) == 0 {
		return Withholding{}, fmt.Errorf("withholding of %d: %w", decisionID, ErrNotFound)
	}
	return ws[0], nil
}

// WithholdingByID reads one withholding.
func (s *Store) WithholdingByID(ctx context.Context, id int64) (Withholding, error) {
	ws, err := s.withholdings(ctx, `w.id = $1`, id)
	if err != nil {
		return Withholding{}, err
	}
	if len(ws) == 0 {
		return Withholding{}, fmt.Errorf("withholding %d: %w", id, ErrNotFound)
	}
	return ws[0], nil
}

// Withheld lists what is withheld now from signed decisions, soonest review first: each
// deferral not yet released, and each Part II of a decision the public may read. The public
// list shows their references, grounds, notes, dates and extensions, never what is withheld.
func (s *Store) Withheld(ctx context.Context, now time.Time) ([]Withholding, error) {
	return s.withholdings(ctx, `w.released_at IS NULL AND (
	(w.what = 'deferral' AND d.status = 'approved' AND (d.publish_at > $1 OR d.release_held))
	OR (w.what = 'part_two' AND (d.status IN ('published', 'withdrawn') OR (d.status = 'approved' AND d.publish_at <= $1 AND NOT d.release_held))))`, now)
}

// PastReview lists what is withheld whose review date has come (in London) by now, the
// longest overdue first: the staff's list of reviews to make.
func (s *Store) PastReview(ctx context.Context, now time.Time) ([]Withholding, error) {
	return s.withholdings(ctx, `w.released_at IS NULL AND w.review_on <= ($1::timestamptz AT TIME ZONE 'Europe/London')::date
	AND d.status IN ('approved', 'published', 'withdrawn')`, now)
}

func (s *Store) withholdings(ctx context.Context, where string, args ...any) ([]Withholding, error) {
	rows, err := s.db.Query(ctx, `SELECT `+withholdingColumns+` FROM withholdings w JOIN decisions d ON d.id = w.decision_id
WHERE `+where+` ORDER BY w.review_on, d.reference, w.what`, args...)
	if err != nil {
		return nil, fmt.Errorf("withholdings: %w", err)
	}
	ws, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Withholding])
	if err != nil {
		return nil, fmt.Errorf("withholdings: %w", err)
	}
	if len(ws) == 0 {
		return ws, nil
	}
	ids := make([]int64, len(ws))
	for i, w := range ws {
		ids[i] = w.ID
	}
	rows, err = s.db.Query(ctx, `SELECT withholding_id, from_date, to_date, reason, extended_at, extended_by
FROM withholding_extensions WHERE withholding_id = ANY($1) ORDER BY id`, ids)
	if err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	exts, err := pgx.CollectRows(rows, pgx.RowToStructByName[Extension])
	if err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	for _, e := range exts {
		for i := range ws {
			if ws[i].ID == e.WithholdingID {
				ws[i].Extensions = append(ws[i].Extensions, e)
			}
		}
	}
	return ws, nil
}

// ExtendWithholding moves a withholding's review date on to a later day, with the reason,
// which the public reads: the owner's "extend". A held deferral stays held.
func (s *Store) ExtendWithholding(ctx context.Context, act Act, id int64, to time.Time, reason string) error {
	return s.InTx(ctx, func(tx *Store) error {
		w, err := tx.lockedWithholding(ctx, id)
		if err != nil {
			return err
		}
		if w.ReleasedAt != nil {
			return fmt.Errorf("%w: it is released", ErrConflict)
		}
		if !to.After(w.ReviewOn) {
			return refusal("The new date must be after " + w.ReviewOn.Format("2 January 2006") + ".")
		}
		_, err = tx.db.Exec(ctx, `INSERT INTO withholding_extensions (withholding_id, from_date, to_date, reason, extended_at, extended_by)
VALUES ($1, $2, $3, $4, $5, $6)`, id, w.ReviewOn, to, reason, act.At, act.Name)
		if err != nil {
			return fmt.Errorf("extend: %w", mapError(err))
		}
		if _, err := tx.db.Exec(ctx, `UPDATE withholdings SET review_on = $2, reminded_at = NULL WHERE id = $1`, id, to); err != nil {
			return fmt.Errorf("extend: %w", mapError(err))
		}
		return tx.Audit(ctx, act, w.DecisionID, EventWithholdingExtended, map[string]string{"reference": w.Reference,
			"what": w.What, "from": w.ReviewOn.Format(time.DateOnly), "to": to.Format(time.DateOnly), "reason": reason})
	})
}

func (s *Store) lockedWithholding(ctx context.Context, id int64) (Withholding, error) {
	if _, err := s.db.Exec(ctx, `SELECT 1 FROM withholdings WHERE id = $1 FOR UPDATE`, id); err != nil {
		return Withholding{}, fmt.Errorf("withholding %d: %w", id, mapError(err))
	}
	return s.WithholdingByID(ctx, id)
}

// ReleaseHeld publishes now a deferred decision its series held for its owner: the owner's
// "release now". Its date published is today; alerts and notices follow its release.
func (s *Store) ReleaseHeld(ctx context.Context, act Act, id int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		w, err := tx.lockedWithholding(ctx, id)
		if err != nil {
			return err
		}
		if w.What != WithheldDeferral || w.ReleasedAt != nil || w.Status != "approved" {
			return fmt.Errorf("%w: not a deferred publication waiting for release", ErrConflict)
		}
		var published time.Time
		err = tx.db.QueryRow(ctx, `UPDATE decisions SET status = 'published', release_held = false, updated_at = $2,
	date_published = greatest(($2::timestamptz AT TIME ZONE 'Europe/London')::date, (publish_at AT TIME ZONE 'Europe/London')::date)
WHERE id = $1 RETURNING date_published`, w.DecisionID, act.At).Scan(&published)
		if err != nil {
			return fmt.Errorf("release %s: %w", w.Reference, mapError(err))
		}
		if _, err := tx.db.Exec(ctx, `UPDATE withholdings SET released_at = $2 WHERE id = $1`, id, act.At); err != nil {
			return fmt.Errorf("release %s: %w", w.Reference, mapError(err))
		}
		// release_held is "" from now on: verify compares the row with the latest entry that
		// recorded it (this one, or the signature's).
		return tx.Audit(ctx, act, w.DecisionID, EventReleased, map[string]string{"reference": w.Reference,
			"publish_at": derefTime(w.PublishAt).UTC().Format(time.RFC3339), "date_published": published.Format(time.DateOnly),
			"confirmed_by": act.Name, "release_held": "false"})
	})
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// SeriesReleaseMode is how a series' deferred decisions are released, and how many days
// before its date the owner is reminded: automatic, by default.
func (s *Store) SeriesReleaseMode(ctx context.Context, series string) (string, int, error) {
	mode, days := ReleaseAutomatic, 14
	err := s.db.QueryRow(ctx, `SELECT mode, remind_days FROM series_release WHERE series = $1`, series).Scan(&mode, &days)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return mode, days, fmt.Errorf("release mode of %s: %w", series, err)
	}
	return mode, days, nil
}

// SetSeriesReleaseMode sets how a series' deferred decisions are released from now on
// (decisions signed before keep how they were signed).
func (s *Store) SetSeriesReleaseMode(ctx context.Context, act Act, series, mode string, remindDays int) error {
	return s.InTx(ctx, func(tx *Store) error {
		_, err := tx.db.Exec(ctx, `INSERT INTO series_release (series, mode, remind_days, updated_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (series) DO UPDATE SET mode = $2, remind_days = $3, updated_at = $4`, series, mode, remindDays, act.At)
		if err != nil {
			return fmt.Errorf("release mode of %s: %w", series, mapError(err))
		}
		return tx.Audit(ctx, act, 0, EventChainChanged, map[string]string{"series": series, "release": mode,
			"remind_days": fmt.Sprint(remindDays)})
	})
}

// holdForRelease holds a deferred decision past its publication day when its series releases
// by confirmation. It runs before the signature: once signed, the database lets release_held
// change only by the release (migration 71), and the signing record holds it.
func (s *Store) holdForRelease(ctx context.Context, id int64, ref string) error {
	var series string
	if err := s.db.QueryRow(ctx, `SELECT series FROM decisions WHERE id = $1`, id).Scan(&series); err != nil {
		return fmt.Errorf("hold %s: %w", ref, mapError(err))
	}
	mode, _, err := s.SeriesReleaseMode(ctx, series)
	if err != nil || mode != ReleaseConfirm {
		return err
	}
	if _, err := s.db.Exec(ctx, `UPDATE decisions SET release_held = true WHERE id = $1`, id); err != nil {
		return fmt.Errorf("hold %s: %w", ref, mapError(err))
	}
	return nil
}

// recordDeferral records a deferral's ground as the decision is signed, reviewed on its
// publication day (holdForRelease has held it past that day when its series releases by
// confirmation).
func (s *Store) recordDeferral(ctx context.Context, act Act, id int64, ref string, publishAt time.Time, w WithholdingInput) error {
	var series string
	if err := s.db.QueryRow(ctx, `SELECT series FROM decisions WHERE id = $1`, id).Scan(&series); err != nil {
		return fmt.Errorf("deferral of %s: %w", ref, mapError(err))
	}
	mode, _, err := s.SeriesReleaseMode(ctx, series)
	if err != nil {
		return err
	}
	day := publishAt.In(londonZone())
	_, err = s.db.Exec(ctx, `
INSERT INTO withholdings (decision_id, what, ground, public_interest, review_on, recorded_at) VALUES ($1, 'deferral', $2, $3, $4, $5)
ON CONFLICT (decision_id, what) DO UPDATE SET ground = $2, public_interest = $3, review_on = $4, recorded_at = $5, reminded_at = NULL`,
		id, w.Ground, w.PublicInterest, time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC), act.At)
	if err != nil {
		return fmt.Errorf("deferral of %s: %w", ref, mapError(err))
	}
	return s.Audit(ctx, act, id, EventWithholdingRecorded, map[string]string{"reference": ref, "what": WithheldDeferral,
		"ground": w.Ground, "public_interest": w.PublicInterest, "release": mode})
}

// RemindReviews reminds the owners (the series' decision makers) of each withholding whose
// review is near: a held deferral, or a Part II, remind_days (14 without a series setting)
// before its review date. Each is reminded once until it is extended. It returns how many
// were.
func (s *Store) RemindReviews(ctx context.Context, now time.Time) (int, error) {
	n := 0
	err := s.InTx(ctx, func(tx *Store) error {
		n = 0
		rows, err := tx.db.Query(ctx, `SELECT `+withholdingColumns+` FROM withholdings w JOIN decisions d ON d.id = w.decision_id
LEFT JOIN series_release r ON r.series = d.series
WHERE w.released_at IS NULL AND w.reminded_at IS NULL
	AND ((w.what = 'deferral' AND d.release_held) OR (w.what = 'part_two' AND d.status IN ('approved', 'published', 'withdrawn')))
	AND w.review_on - coalesce(r.remind_days, 14) <= ($1::timestamptz AT TIME ZONE 'Europe/London')::date
ORDER BY w.id FOR UPDATE OF w SKIP LOCKED`, now)
		if err != nil {
			return fmt.Errorf("reviews due: %w", err)
		}
		ws, err := pgx.CollectRows(rows, pgx.RowToStructByNameLax[Withholding])
		if err != nil {
			return fmt.Errorf("reviews due: %w", err)
		}
		for _, w := range ws {
			var d noticeDecision
			err := tx.db.QueryRow(ctx, `SELECT id, slug, reference, title, series, status FROM decisions WHERE id = $1`, w.DecisionID).
				Scan(&d.ID, &d.Slug, &d.Reference, &d.Title, &d.Series, &d.Status)
			if err != nil {
				return fmt.Errorf("reviews due: %w", mapError(err))
			}
			to, _, err := tx.recipients(ctx, d, audienceDecisionMakers)
			if err != nil {
				return err
			}
			what, ask := "Its Part II", "Release it, or extend it with a new review date and the reason, which the public reads."
			if w.What == WithheldDeferral {
				what, ask = "Its deferred publication", "It is not published until you release it: release it now, or extend it with a new date and the reason, which the public reads."
			}
			due := w.ReviewOn
			for _, u := range to {
				_, err := tx.QueueNotice(ctx, now, Notice{UserID: u, DecisionID: d.ID, Event: EventWithholdingReminder, Kind: NoticeAction,
					Reference: d.Reference, Title: d.Title, Subject: d.Reference + " withholding due for review",
					Body:     what + " is due for review on " + due.Format("Monday 2 January 2006") + ". " + ask,
					LinkPath: "/withheld/review", DueAt: &due})
				if err != nil {
					return err
				}
			}
			if _, err := tx.db.Exec(ctx, `UPDATE withholdings SET reminded_at = $2 WHERE id = $1`, w.ID, now); err != nil {
				return fmt.Errorf("reviews due: %w", mapError(err))
			}
			n++
		}
		return nil
	})
	return n, err
}
