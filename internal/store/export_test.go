package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/search"
)

// Exec runs a statement on whatever the store runs on, so tests can write inside a transaction
// before the store has write methods of its own.
func (s *Store) Exec(ctx context.Context, sql string, args ...any) error {
	_, err := s.db.Exec(ctx, sql, args...)
	return err
}

// BeginTest starts a transaction for a test that writes rows of its own around the store's
// methods, and returns a Store over it and the function that commits it.
func (s *Store) BeginTest(ctx context.Context) (*Store, func() error, error) {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return nil, nil, err
	}
	return &Store{db: tx}, func() error { return tx.Commit(ctx) }, nil
}

// QueryID runs a statement that returns one id, for tests that build data.
func (s *Store) QueryID(ctx context.Context, sql string, args ...any) (int64, error) {
	var id int64
	err := s.db.QueryRow(ctx, sql, args...).Scan(&id)
	return id, err
}

// SearchPlan names how a page of q would be read: "filters first", "by matches" or "walk".
func (s *Store) SearchPlan(ctx context.Context, acc Access, q search.Query) (string, error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return "", err
	}
	w, args := searchConds(acc, q, funders)
	pl, err := s.plan(ctx, &q, w, args, true)
	if err != nil {
		return "", err
	}
	return pl.name(), nil
}

// FiltersEstimate is the planner's estimate of the decisions q's filters leave, as plan takes
// it to choose filters first, and how many they leave.
func (s *Store) FiltersEstimate(ctx context.Context, acc Access, q search.Query) (est, actual int, err error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return 0, 0, err
	}
	w, args := searchConds(acc, q, funders)
	if est, err = s.estimate(ctx, w.filters, args); err != nil {
		return 0, 0, err
	}
	err = s.db.QueryRow(ctx, `SELECT count(*) FROM decisions d WHERE `+w.all(), args).Scan(&actual)
	return est, actual, err
}

// orgNaming (the index's query before migration 000081, kept as the brute force the kept
// summary must equal) lists each (organisation as merged, decision) pair with the amounts that count
// given and received in the decision: the funder of the decision itself names it too. The
// reader's visibility applies (visibleD).
const orgNaming = `
named AS (
	SELECT coalesce(o.merged_into, o.id) AS org, d.id AS decision_id, 0::bigint AS given, 0::bigint AS received
	FROM decisions d JOIN organisations o ON o.id = d.funder_id WHERE ` + visibleD + `
	UNION ALL
	SELECT coalesce(o.merged_into, o.id), d.id, CASE WHEN f.kind IN ('grant_accepted', 'variation') THEN ` + countedPence + ` ELSE 0 END, 0
	FROM funding_lines f JOIN decisions d ON d.id = f.decision_id JOIN organisations o ON o.id = f.funder_id WHERE ` + visibleD + `
	UNION ALL
	SELECT coalesce(o.merged_into, o.id), d.id, 0, CASE WHEN f.kind IN ('grant_accepted', 'variation') THEN ` + countedPence + ` ELSE 0 END
	FROM funding_lines f JOIN decisions d ON d.id = f.decision_id JOIN organisations o ON o.id = f.recipient_id WHERE ` + visibleD + `
)`

// OrganisationIndexBruteForce is the organisations index added up from every decision the
// reader may see, as it was before the kept summary: what OrganisationIndex must return.
func (s *Store) OrganisationIndexBruteForce(ctx context.Context, acc Access, q OrgQuery) (OrgPage, error) {
	order := orgOrders[q.Sort]
	rows, err := s.db.Query(ctx, `
WITH `+orgNaming+`,
totals AS (
	SELECT org, count(DISTINCT decision_id) AS decisions, sum(given)::bigint AS given_pence, sum(received)::bigint AS received_pence
	FROM named GROUP BY org
)
SELECT o.id, o.name, o.slug, o.org_id, coalesce(t.decisions, 0) AS decisions,
	coalesce(t.given_pence, 0) AS given_pence, coalesce(t.received_pence, 0) AS received_pence
FROM organisations o LEFT JOIN totals t ON t.org = o.id
WHERE o.merged_into IS NULL AND (t.decisions > 0 OR @viewer::bigint IS NOT NULL)
ORDER BY `+order+` LIMIT @limit`, acc.args(pgx.NamedArgs{"limit": q.Limit}))
	if err != nil {
		return OrgPage{}, err
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[OrgSummary])
	return OrgPage{Total: len(orgs), Orgs: orgs}, err
}

// OrganisationDecisionIDsBruteForce lists the ids of every decision naming organisation o (or
// one merged into it) the reader may see, in the listing order, read from the decisions and
// funding lines themselves: what paging through OrganisationDetail must give.
func (s *Store) OrganisationDecisionIDsBruteForce(ctx context.Context, acc Access, o OrgRecord) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT d.id FROM decisions d WHERE `+visibleD+` AND d.id IN (
	SELECT x.id FROM decisions x WHERE x.funder_id = ANY (@orgs::bigint[])
	UNION SELECT f.decision_id FROM funding_lines f WHERE f.funder_id = ANY (@orgs::bigint[]) OR f.recipient_id = ANY (@orgs::bigint[]))
ORDER BY `+listingOrder, acc.args(pgx.NamedArgs{"orgs": o.IDs}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// orgYearsBruteSQL (the page's query before migration 000081) adds up an organisation's funding lines by financial year and kind: an amount
// given each year counts in each of its years; one given for several years at once, in their range.
const orgYearsBruteSQL = `
WITH lines AS (
	SELECT f.kind, f.funder_id = ANY (` + orgIDArray + `) AS given, f.recipient_id = ANY (` + orgIDArray + `) AS received,
		y AS fy_start, CASE WHEN f.basis = 'per_year' THEN y ELSE f.fy_end END AS fy_end, f.amount_pence
	FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
	LEFT JOIN LATERAL generate_series(f.fy_start, CASE WHEN f.basis = 'per_year' THEN f.fy_end ELSE f.fy_start END) y ON true
	WHERE ` + visibleD + ` AND ` + orgLine + `
)
SELECT fy_start, CASE WHEN fy_end = fy_start THEN NULL ELSE fy_end END AS fy_end, kind,
	coalesce(sum(amount_pence) FILTER (WHERE given), 0)::bigint AS given_pence,
	coalesce(sum(amount_pence) FILTER (WHERE received), 0)::bigint AS received_pence,
	count(*) AS lines
FROM lines GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2 NULLS FIRST, 3`

// OrganisationYearsBruteForce is an organisation's amounts by year and kind added up from its
// funding lines: what OrganisationDetail's Years must be.
func (s *Store) OrganisationYearsBruteForce(ctx context.Context, acc Access, o OrgRecord) ([]OrgYearTotal, error) {
	rows, err := s.db.Query(ctx, orgYearsBruteSQL, acc.args(pgx.NamedArgs{"orgs": o.IDs}))
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[OrgYearTotal])
}
