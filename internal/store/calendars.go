package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// CalendarDate is a decision's date ahead, as a calendar feed shows it.
type CalendarDate struct {
	Reference string    `db:"reference"`
	Slug      string    `db:"slug"`
	Title     *string   `db:"title"` // nil where the public may not read it yet
	At        time.Time `db:"at"`
	Detail    string    `db:"detail"`
	UpdatedAt time.Time `db:"updated_at"`
}

// calendarLimit bounds a feed: a calendar with more events than this is no use to anyone.
const calendarLimit = 5000

// DeferredPublications are the signed decisions whose publication is deferred past now, or
// held for their owner's release (at the date it was extended to), soonest first: their
// references, dates and latest extension's reason only, since the public may read nothing
// else of them yet.
func (s *Store) DeferredPublications(ctx context.Context, now time.Time) ([]CalendarDate, error) {
	rows, err := s.db.Query(ctx, `
SELECT d.reference, d.slug, NULL::text AS title,
	CASE WHEN d.release_held AND w.review_on IS NOT NULL THEN greatest(d.publish_at, w.review_on::timestamp AT TIME ZONE 'Europe/London')
		ELSE d.publish_at END AS at,
	coalesce((SELECT 'Extended from ' || to_char(e.from_date, 'FMDD FMMonth YYYY') || ': ' || e.reason FROM withholding_extensions e
		WHERE e.withholding_id = w.id ORDER BY e.id DESC LIMIT 1), '') AS detail,
	greatest(d.updated_at, (SELECT max(e.extended_at) FROM withholding_extensions e WHERE e.withholding_id = w.id)) AS updated_at
FROM decisions d LEFT JOIN withholdings w ON w.decision_id = d.id AND w.what = 'deferral'
WHERE d.status = 'approved' AND (d.publish_at > $1 OR d.release_held)
ORDER BY 4, d.reference LIMIT $2`, now, calendarLimit)
	if err != nil {
		return nil, fmt.Errorf("deferred publications: %w", err)
	}
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[CalendarDate])
	if err != nil {
		return nil, fmt.Errorf("deferred publications: %w", err)
	}
	return ds, nil
}

// FundingEnds are the decisions the public may read whose money accepted (a grant, a
// variation, a maximum after variation) runs to a financial year ending on or after since:
// each with the last day of its last financial year (31 March), soonest first, and the
// funding lines that end then.
func (s *Store) FundingEnds(ctx context.Context, acc Access, since time.Time) ([]CalendarDate, error) {
	args := acc.args(pgx.NamedArgs{"since": since, "limit": calendarLimit})
	rows, err := s.db.Query(ctx, `
WITH ends AS (
	SELECT d.id, max(coalesce(f.fy_end, f.fy_start)) AS last_fy
	FROM decisions d JOIN funding_lines f ON f.decision_id = d.id
	WHERE `+visibleD+` AND d.status <> 'withdrawn'
		AND f.kind IN ('grant_accepted', 'variation', 'maximum_after_variation') AND coalesce(f.fy_end, f.fy_start) IS NOT NULL
	GROUP BY d.id
)
SELECT d.reference, d.slug, d.title, make_date(e.last_fy + 1, 3, 31) AS at,
	(SELECT string_agg(f.label, '; ' ORDER BY f.position) FROM funding_lines f WHERE f.decision_id = d.id
		AND f.kind IN ('grant_accepted', 'variation', 'maximum_after_variation') AND coalesce(f.fy_end, f.fy_start) = e.last_fy) AS detail,
	d.updated_at
FROM ends e JOIN decisions d ON d.id = e.id
WHERE make_date(e.last_fy + 1, 3, 31) >= @since::date
ORDER BY e.last_fy, d.number, d.id LIMIT @limit`, args)
	if err != nil {
		return nil, fmt.Errorf("funding ends: %w", err)
	}
	ds, err := pgx.CollectRows(rows, pgx.RowToStructByName[CalendarDate])
	if err != nil {
		return nil, fmt.Errorf("funding ends: %w", err)
	}
	return ds, nil
}

// PlanCalendar is the forward plan's notices for its calendar: those expected to end on or
// after since, withdrawn ones too, soonest first, as a reads them, at most calendarLimit.
func (s *Store) PlanCalendar(ctx context.Context, a Access, since time.Time) ([]PlanNoticeRow, error) {
	return s.PlanNotices(ctx, a, PlanFilter{From: &since, Withdrawn: true, Limit: calendarLimit})
}
