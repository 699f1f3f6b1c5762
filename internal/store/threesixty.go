package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/threesixty"
)

// GrantLine is one accepted grant of a decision the public may see, with what a 360Giving
// record takes from its decision and organisations.
type GrantLine struct {
	Reference      string     `db:"reference"`
	Slug           string     `db:"slug"`
	Title          *string    `db:"title"`
	Summary        *string    `db:"summary"`
	DateSigned     *time.Time `db:"date_signed"`
	UpdatedAt      time.Time  `db:"updated_at"`
	Position       int        `db:"position"`
	AmountPence    int64      `db:"amount_pence"`
	Currency       string     `db:"currency"`
	Basis          string     `db:"basis"`
	FYStart        *int       `db:"fy_start"`
	FYEnd          *int       `db:"fy_end"`
	FunderID       *int64     `db:"funder_id"`
	FunderName     *string    `db:"funder_name"`
	FunderOrgID    *string    `db:"funder_org_id"`
	RecipientID    *int64     `db:"recipient_id"`
	RecipientName  *string    `db:"recipient_name"`
	RecipientOrgID *string    `db:"recipient_org_id"`
}

// Line is g as the 360Giving rules take it.
func (g GrantLine) Line() threesixty.Line {
	org := func(id *int64, name, orgID *string) *threesixty.Org {
		if id == nil || name == nil {
			return nil
		}
		o := &threesixty.Org{LocalID: *id, Name: *name}
		if orgID != nil {
			o.OrgID = *orgID
		}
		return o
	}
	return threesixty.Line{Reference: g.Reference, Slug: g.Slug, Position: g.Position, Title: g.Title,
		Summary: g.Summary, DateSigned: g.DateSigned, UpdatedAt: g.UpdatedAt, AmountPence: g.AmountPence,
		Currency: g.Currency, Basis: g.Basis, FYStart: g.FYStart, FYEnd: g.FYEnd,
		Funder:    org(g.FunderID, g.FunderName, g.FunderOrgID),
		Recipient: org(g.RecipientID, g.RecipientName, g.RecipientOrgID)}
}

// grantDecisionsSQL picks the decisions of a grant export from those the search's where and
// order select: only published ones, since a withdrawn decision's grants are not open data,
// whoever may still read its page.
func grantDecisionsSQL(where, orderBy, seek string) string {
	return `SELECT d.id, row_number() OVER (ORDER BY ` + orderBy + `) AS ord
FROM decisions d
WHERE ` + where + seek + ` AND d.status IN ('published', 'approved')
ORDER BY ` + orderBy + `
LIMIT @limit`
}

const grantKnownColumns = `d.title IS NOT NULL AS title, d.summary IS NOT NULL AS description,
	d.date_signed IS NOT NULL AS award_date, f.funder_id IS NOT NULL AS funder,
	f.recipient_id IS NOT NULL AS recipient, f.basis <> 'unclear' AS amount_clear`

// grantQueries builds the statements of a grant export of q: the counts by what is known of
// each grant, and the grants themselves, with the decisions in the order the page for the
// same query has, and plans them as the page's search is planned (for the rest of the
// transaction it runs in).
func (s *Store) grantQueries(ctx context.Context, now time.Time, q search.Query, limit int) (countSQL, linesSQL string, args pgx.NamedArgs, err error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return "", "", nil, err
	}
	w, args := searchConds(Public(now), q, funders)
	where := w.all()
	pl, err := s.plan(ctx, &q, w, args, false)
	if err != nil {
		return "", "", nil, err
	}
	if _, err := s.db.Exec(ctx, customPlans); err != nil {
		return "", "", nil, fmt.Errorf("plan grants: %w", err)
	}
	if pl.byMatches {
		if _, err := s.db.Exec(ctx, matchesFirst); err != nil {
			return "", "", nil, fmt.Errorf("plan grants: %w", err)
		}
	}
	args["limit"] = min(limit, MaxExportRows)
	orderBy, seek := order(q, q.Cursor, args)
	matched := grantDecisionsSQL(where, orderBy, seek)
	countSQL = `SELECT ` + grantKnownColumns + `, count(*) AS n
FROM (` + matched + `) m JOIN decisions d ON d.id = m.id
JOIN funding_lines f ON f.decision_id = d.id AND f.kind = 'grant_accepted'
GROUP BY 1, 2, 3, 4, 5, 6`
	linesSQL = `SELECT d.reference, d.slug, d.title, d.summary, d.date_signed, d.updated_at,
	f.position, f.amount_pence, f.currency, f.basis, f.fy_start, f.fy_end,
	fo.id AS funder_id, fo.name AS funder_name, fo.org_id AS funder_org_id,
	ro.id AS recipient_id, ro.name AS recipient_name, ro.org_id AS recipient_org_id
FROM (` + matched + `) m JOIN decisions d ON d.id = m.id
JOIN funding_lines f ON f.decision_id = d.id AND f.kind = 'grant_accepted'
-- An organisation merged into another is identified as the other (migration 000056).
LEFT JOIN organisations fo ON fo.id = (SELECT coalesce(x.merged_into, x.id) FROM organisations x WHERE x.id = f.funder_id)
LEFT JOIN organisations ro ON ro.id = (SELECT coalesce(x.merged_into, x.id) FROM organisations x WHERE x.id = f.recipient_id)
ORDER BY m.ord, f.position`
	return countSQL, linesSQL, args, nil
}

func (s *Store) countGrants(ctx context.Context, sql string, args pgx.NamedArgs) (threesixty.Counts, error) {
	var c threesixty.Counts
	rows, err := s.db.Query(ctx, sql, args)
	if err != nil {
		return c, fmt.Errorf("count grants: %w", err)
	}
	var k threesixty.Known
	var n int
	_, err = pgx.ForEachRow(rows, []any{&k.Title, &k.Description, &k.AwardDate, &k.Funder, &k.Recipient, &k.AmountClear, &n},
		func() error { c.Add(k, n); return nil })
	if err != nil {
		return c, fmt.Errorf("count grants: %w", err)
	}
	return c, nil
}

// GrantCounts counts the accepted grants of the published decisions that match q (see
// GrantsEach): how many a 360Giving export of q holds, and how many it leaves out and why.
func (s *Store) GrantCounts(ctx context.Context, now time.Time, q search.Query, limit int) (threesixty.Counts, error) {
	var c threesixty.Counts
	err := s.GrantsEach(ctx, now, q, limit, func(got threesixty.Counts) error { c = got; return nil }, nil)
	return c, err
}

// GrantsEach reads the accepted grants (funding lines of kind grant_accepted) of the published
// decisions that match q, as the public sees them whoever asks: drafts, deferred and withdrawn
// decisions never, Part II never (no grant field comes from it). First it calls counted with
// how many there are, by what is known of each; then fn for each grant, complete or not, in
// q's order and then the line's, as rows arrive, holding nothing but the row in hand (a nil fn
// reads the counts only). Both read
// one snapshot, so the counts describe exactly the grants that follow. limit bounds the
// decisions, as SearchEach does.
func (s *Store) GrantsEach(ctx context.Context, now time.Time, q search.Query, limit int,
	counted func(threesixty.Counts) error, fn func(GrantLine) error) error {
	// One snapshot for the whole download, its statements bound by the request's own deadline
	// (EXPORT_TIMEOUT) as SearchEach's are, not by the pool's statement_timeout for pages.
	return s.inSnapshot(ctx, func(tx *Store) error {
		if err := tx.statementTimeoutFrom(ctx); err != nil {
			return err
		}
		countSQL, linesSQL, args, err := tx.grantQueries(ctx, now, q, limit)
		if err != nil {
			return err
		}
		c, err := tx.countGrants(ctx, countSQL, args)
		if err != nil {
			return err
		}
		if err := counted(c); err != nil || fn == nil {
			return err
		}
		rows, err := tx.db.Query(ctx, linesSQL, args)
		if err != nil {
			return fmt.Errorf("grants: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			g, err := pgx.RowToStructByName[GrantLine](rows)
			if err != nil {
				return fmt.Errorf("grants: %w", err)
			}
			if err := fn(g); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("grants: %w", err)
		}
		return nil
	})
}
