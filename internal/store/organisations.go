package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/search"
)

// EventOrganisationChanged records a change to an organisation's record (its org-id).
const EventOrganisationChanged = "organisation_changed"

// Organisation is a funder or recipient the register names, with its org-id.guide identifier
// when one has been recorded.
type Organisation struct {
	ID    int64   `db:"id"`
	Name  string  `db:"name"`
	OrgID *string `db:"org_id"`
}

// Organisations lists every organisation, by name.
func (s *Store) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name, org_id FROM organisations ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[Organisation])
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return orgs, nil
}

// SetOrgID records (or, with "", clears) the org-id of the organisation named exactly name,
// and audits it. An unknown name is ErrNotFound; an org-id another organisation holds is
// ErrConflict; one of the wrong form is a CheckError.
func (s *Store) SetOrgID(ctx context.Context, act Act, name, orgID string) error {
	var id *string
	if orgID != "" {
		id = &orgID
	}
	return s.InTx(ctx, func(tx *Store) error {
		var prev *string
		err := tx.db.QueryRow(ctx, `SELECT org_id FROM organisations WHERE name = $1 FOR UPDATE`, name).Scan(&prev)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("organisation %s: %w", name, err)
		}
		if _, err := tx.db.Exec(ctx, `UPDATE organisations SET org_id = $2 WHERE name = $1`, name, id); err != nil {
			return fmt.Errorf("org-id of %s: %w", name, mapError(err))
		}
		was := ""
		if prev != nil {
			was = *prev
		}
		return tx.Audit(ctx, act, 0, EventOrganisationChanged, map[string]string{"organisation": name, "org_id": orgID, "was": was})
	})
}

// Organisation events: admins' renames and merges, and organisations added by drafters.
const (
	EventOrganisationRenamed = "organisation_renamed"
	EventOrganisationMerged  = "organisation_merged"
	EventOrganisationAdded   = "organisation_added"
)

// OrgSummary is one organisation in the index: what the reader may see of the decisions
// naming it (or an organisation merged into it), with the amounts that count (grants accepted
// and variations, a yearly amount once a year) it gave and received.
type OrgSummary struct {
	ID            int64   `db:"id"`
	Name          string  `db:"name"`
	Slug          string  `db:"slug"`
	OrgID         *string `db:"org_id"`
	Decisions     int64   `db:"decisions"`
	GivenPence    int64   `db:"given_pence"`
	ReceivedPence int64   `db:"received_pence"`
}

// OrgSort is an order of the organisations index.
type OrgSort string

// The orders of the organisations index.
const (
	OrgSortName      OrgSort = "name"
	OrgSortDecisions OrgSort = "decisions"
	OrgSortGiven     OrgSort = "given"
	OrgSortReceived  OrgSort = "received"
)

// OrgQuery selects a page of the organisations index.
type OrgQuery struct {
	Name   string // part of the name, in any case; "" for all
	Sort   OrgSort
	Limit  int
	Offset int
}

// OrgPage is one page of the organisations index, with how many organisations match.
type OrgPage struct {
	Total int
	Orgs  []OrgSummary
}

// countedPence is a funding line f's amount as totals count it (decision_total_pence).
const countedPence = `(CASE WHEN f.basis = 'per_year' AND f.fy_start IS NOT NULL AND f.fy_end IS NOT NULL
	THEN f.amount_pence * (f.fy_end - f.fy_start + 1) ELSE f.amount_pence END)`

// orgTotals adds up the kept summary (organisation_totals, migration 000081) for the reader:
// the public counts the decisions it may read now (public_from, the time visibleD lets it), staff
// every decision. It must give what orgNaming gives (TestOrganisationTotalsMatchBruteForce).
const orgTotals = `
totals AS (
	SELECT t.organisation_id AS org, sum(t.decisions)::bigint AS decisions, sum(t.given_pence)::bigint AS given_pence,
		sum(t.received_pence)::bigint AS received_pence
	FROM organisation_totals t WHERE @viewer::bigint IS NOT NULL OR t.public_from <= @now
	GROUP BY t.organisation_id
)`

const orgIndexSQL = `
WITH ` + orgTotals + `
SELECT o.id, o.name, o.slug, o.org_id, coalesce(t.decisions, 0) AS decisions,
	coalesce(t.given_pence, 0) AS given_pence, coalesce(t.received_pence, 0) AS received_pence, count(*) OVER () AS total
FROM organisations o LEFT JOIN totals t ON t.org = o.id
WHERE o.merged_into IS NULL AND (@pattern = '' OR lower(o.name) LIKE lower(@pattern))
	AND (t.decisions > 0 OR @viewer::bigint IS NOT NULL)
ORDER BY `

var orgOrders = map[OrgSort]string{
	OrgSortName:      `lower(o.name), o.id`,
	OrgSortDecisions: `decisions DESC, lower(o.name), o.id`,
	OrgSortGiven:     `given_pence DESC, lower(o.name), o.id`,
	OrgSortReceived:  `received_pence DESC, lower(o.name), o.id`,
}

// OrganisationIndex returns a page of the organisations the reader may see named in decisions
// (staff see every organisation), merged ones counted in the one they were merged into.
func (s *Store) OrganisationIndex(ctx context.Context, acc Access, q OrgQuery) (OrgPage, error) {
	order, ok := orgOrders[q.Sort]
	if !ok {
		order = orgOrders[OrgSortName]
	}
	pattern := ""
	if q.Name != "" {
		pattern = "%" + likeEscaper.Replace(q.Name) + "%"
	}
	rows, err := s.db.Query(ctx, orgIndexSQL+order+` LIMIT @limit OFFSET @offset`,
		acc.args(pgx.NamedArgs{"pattern": pattern, "limit": q.Limit, "offset": q.Offset}))
	if err != nil {
		return OrgPage{}, fmt.Errorf("organisations index: %w", err)
	}
	var page OrgPage
	page.Orgs, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (OrgSummary, error) {
		var o OrgSummary
		var total int
		err := row.Scan(&o.ID, &o.Name, &o.Slug, &o.OrgID, &o.Decisions, &o.GivenPence, &o.ReceivedPence, &total)
		page.Total = total
		return o, err
	})
	if err != nil {
		return OrgPage{}, fmt.Errorf("organisations index: %w", err)
	}
	if len(page.Orgs) == 0 && q.Offset > 0 {
		// Past the end: count the matches so the page can say how many there are.
		err := s.db.QueryRow(ctx, `WITH `+orgTotals+`
SELECT count(*) FROM organisations o LEFT JOIN totals t ON t.org = o.id
WHERE o.merged_into IS NULL AND (@pattern = '' OR lower(o.name) LIKE lower(@pattern))
	AND (t.decisions > 0 OR @viewer::bigint IS NOT NULL)`,
			acc.args(pgx.NamedArgs{"pattern": pattern})).Scan(&page.Total)
		if err != nil {
			return OrgPage{}, fmt.Errorf("count organisations: %w", err)
		}
	}
	return page, nil
}

// OrgRecord is an organisation with its page's slug. MergedInto is the slug of the
// organisation it was merged into.
type OrgRecord struct {
	ID         int64   `db:"id"`
	Name       string  `db:"name"`
	Slug       string  `db:"slug"`
	OrgID      *string `db:"org_id"`
	MergedInto *string `db:"merged_into"`
	// Merged are the names of the organisations merged into this one.
	Merged []string `db:"merged"`
	// IDs are its own id and those of the organisations merged into it.
	IDs []int64 `db:"ids"`
}

const orgRecordSQL = `
SELECT o.id, o.name, o.slug, o.org_id, m.slug AS merged_into,
	ARRAY(SELECT x.name FROM organisations x WHERE x.merged_into = o.id ORDER BY lower(x.name)) AS merged,
	ARRAY(SELECT x.id FROM organisations x WHERE x.id = o.id OR x.merged_into = o.id ORDER BY x.id) AS ids
FROM organisations o LEFT JOIN organisations m ON m.id = o.merged_into`

// OrganisationBySlug finds an organisation by its slug, or by a slug it had before a rename.
// moved says the slug was a former one (or the organisation was merged): the caller then
// sends the reader to the record's own slug (or MergedInto).
func (s *Store) OrganisationBySlug(ctx context.Context, slug string) (o OrgRecord, moved bool, err error) {
	rows, err := s.db.Query(ctx, orgRecordSQL+` WHERE o.slug = $1
UNION ALL (`+orgRecordSQL+` JOIN organisation_slugs f ON f.organisation_id = o.id WHERE f.slug = $1
	AND NOT EXISTS (SELECT 1 FROM organisations l WHERE l.slug = $1))`, slug)
	if err != nil {
		return OrgRecord{}, false, fmt.Errorf("organisation %s: %w", slug, err)
	}
	o, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[OrgRecord])
	if errors.Is(err, pgx.ErrNoRows) {
		return OrgRecord{}, false, ErrNotFound
	}
	if err != nil {
		return OrgRecord{}, false, fmt.Errorf("organisation %s: %w", slug, err)
	}
	return o, o.Slug != slug || o.MergedInto != nil, nil
}

// OrgDecision is a decision naming an organisation, with its part in it and the amounts that
// count given and received.
type OrgDecision struct {
	DecisionSummary
	UpdatedAt     time.Time `db:"updated_at"`
	Funder        bool      `db:"as_funder"`
	Recipient     bool      `db:"as_recipient"`
	GivenPence    int64     `db:"given_pence"`
	ReceivedPence int64     `db:"received_pence"`
}

// OrgYearTotal is what an organisation gave and received in one financial year (or range of
// years, for an amount given for several years at once; nil when the year is not recorded), of
// one kind of funding line.
type OrgYearTotal struct {
	FYStart       *int   `db:"fy_start"`
	FYEnd         *int   `db:"fy_end"`
	Kind          string `db:"kind"`
	GivenPence    int64  `db:"given_pence"`
	ReceivedPence int64  `db:"received_pence"`
	Lines         int64  `db:"lines"`
}

// ChainLink is a "continues" link between two decisions of a funding chain.
type ChainLink struct {
	From int64 `db:"from_decision_id"`
	To   int64 `db:"to_decision_id"`
}

// OrgDetail is everything an organisation's page shows.
type OrgDetail struct {
	OrgRecord
	// Decisions are one page of the decisions naming it (all of them, for OrgPageQuery.Limit 0),
	// newest first; Next and Prev are the cursors of the pages after and before, or nil.
	Decisions  []OrgDecision
	Next, Prev *search.Cursor
	// Count, GivenPence and ReceivedPence are over every decision naming it the reader may see.
	Count         int64
	GivenPence    int64
	ReceivedPence int64
	Years         []OrgYearTotal
	// ChainDecisions are the decisions of the funding chains the page's decisions are in
	// ("continues" links, both ways), and ChainLinks their links.
	ChainDecisions []DecisionSummary
	ChainLinks     []ChainLink
}

// OrgPageQuery selects a page of an organisation's decisions: Limit of them (0 for all) from
// Cursor (nil for the first page), in the listing order.
type OrgPageQuery struct {
	Cursor *search.Cursor
	Limit  int
}

// orgDecisionRow is an OrgDecision with its place in the order, for the cursors.
type orgDecisionRow struct {
	OrgDecision
	SortDate   time.Time `db:"sort_date"`
	SortNumber int32     `db:"sort_number"`
}

func (r orgDecisionRow) key(back bool) *search.Cursor {
	return &search.Cursor{Back: back, Date: r.SortDate, Number: r.SortNumber, ID: r.ID}
}

// orgIDArray are the organisation and those merged into it (OrgRecord.IDs), as a parameter,
// which the planner reads: for an organisation few decisions name, it finds their funding lines
// by index (by funder and by recipient, migration 000073), where IN a subquery read every
// funding line and decision of the register.
const orgIDArray = `@orgs::bigint[]`

// orgLine is true of a funding line f naming the organisation, as funder or recipient.
const orgLine = `(f.funder_id = ANY (` + orgIDArray + `) OR f.recipient_id = ANY (` + orgIDArray + `))`

// orgDecisionsSQL reads one page of the decisions naming the organisation, in the listing
// order, from organisation_decisions (migration 000081) by its index: a funder thousands of
// decisions name costs what an ordinary one does. The kept public_from is visibleD for the
// public (TestOrganisationTotalsMatchBruteForce); visibleD itself is checked as well, so a
// decision whose summary rows went stale (a restore without triggers) never shows early.
const orgDecisionsSQL = `
SELECT ` + summaryColumns + `, d.updated_at,
	coalesce(d.funder_id = ANY (` + orgIDArray + `), false) OR EXISTS (SELECT 1 FROM funding_lines f WHERE f.decision_id = d.id AND f.funder_id = ANY (` + orgIDArray + `)) AS as_funder,
	EXISTS (SELECT 1 FROM funding_lines f WHERE f.decision_id = d.id AND f.recipient_id = ANY (` + orgIDArray + `)) AS as_recipient,
	p.given_pence, p.received_pence, p.sort_date, p.number AS sort_number
FROM organisation_decisions p JOIN decisions d ON d.id = p.decision_id
WHERE p.organisation_id = @org AND (@viewer::bigint IS NOT NULL OR p.public_from <= @now) AND ` + visibleD + `
	AND (NOT @seek OR (@back AND (p.sort_date, p.number, p.decision_id) > (@date::date, @number::integer, @id::bigint))
		OR (NOT @back AND (p.sort_date, p.number, p.decision_id) < (@date::date, @number::integer, @id::bigint)))
ORDER BY `

const orgDecisionsOrder = `p.sort_date DESC, p.number DESC, p.decision_id DESC`
const orgDecisionsBackOrder = `p.sort_date, p.number, p.decision_id`

// orgTotalSQL is the organisation's totals for the reader, from the kept summary.
const orgTotalSQL = `
SELECT coalesce(sum(t.decisions), 0)::bigint, coalesce(sum(t.given_pence), 0)::bigint, coalesce(sum(t.received_pence), 0)::bigint
FROM organisation_totals t WHERE t.organisation_id = @org AND (@viewer::bigint IS NOT NULL OR t.public_from <= @now)`

// orgYearsSQL is the organisation's amounts by financial year and kind, from the kept summary
// (organisation_years, migration 000081; 0 stands for a year not recorded): an amount given each
// year counts in each of its years; one given for several years at once, in their range.
const orgYearsSQL = `
SELECT nullif(t.fy_start, 0) AS fy_start, CASE WHEN t.fy_end = 0 OR t.fy_end = t.fy_start THEN NULL ELSE t.fy_end END AS fy_end, t.kind,
	sum(t.given_pence)::bigint AS given_pence, sum(t.received_pence)::bigint AS received_pence, sum(t.lines)::bigint AS lines
FROM organisation_years t WHERE t.organisation_id = @org AND (@viewer::bigint IS NOT NULL OR t.public_from <= @now)
GROUP BY 1, 2, 3 ORDER BY 1 NULLS LAST, 2 NULLS FIRST, 3`

// orgChainSQL walks "continues" links both ways from the decisions on the page, through
// decisions the reader may see. UNION (not UNION ALL) ends the walk on a loop.
const orgChainSQL = `
WITH RECURSIVE walk(id) AS (
	SELECT d.id FROM decisions d
	WHERE ` + visibleD + ` AND d.id = ANY (@page::bigint[])
	UNION
	SELECT d.id FROM walk w
	JOIN decision_links l ON l.kind = 'continues' AND w.id IN (l.from_decision_id, l.to_decision_id)
	JOIN decisions d ON d.id = CASE WHEN l.from_decision_id = w.id THEN l.to_decision_id ELSE l.from_decision_id END
	WHERE ` + visibleD + `
)`

// OrganisationDetail reads a page of an organisation's page for the reader, in two round
// trips: its decisions, then its totals, years and the chains of those decisions.
func (s *Store) OrganisationDetail(ctx context.Context, acc Access, o OrgRecord, q OrgPageQuery) (OrgDetail, error) {
	od := OrgDetail{OrgRecord: o}
	back := q.Cursor != nil && q.Cursor.Back
	args := acc.args(pgx.NamedArgs{"orgs": o.IDs, "org": o.ID, "seek": q.Cursor != nil, "back": back,
		"date": search.NoDate, "number": 0, "id": 0})
	if c := q.Cursor; c != nil {
		args["date"], args["number"], args["id"] = c.Date, c.Number, c.ID
	}
	order := orgDecisionsOrder
	if back {
		order = orgDecisionsBackOrder
	}
	sql := orgDecisionsSQL + order
	if q.Limit > 0 {
		// One more than the page, to know whether there is a next.
		sql += ` LIMIT ` + strconv.Itoa(q.Limit+1)
	}
	rows, err := s.db.Query(ctx, sql, args)
	if err != nil {
		return OrgDetail{}, fmt.Errorf("organisation %s: %w", o.Slug, err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByName[orgDecisionRow])
	if err != nil {
		return OrgDetail{}, fmt.Errorf("organisation %s: %w", o.Slug, err)
	}
	more := q.Limit > 0 && len(list) > q.Limit
	if more {
		list = list[:q.Limit]
	}
	if back {
		slices.Reverse(list)
	}
	if len(list) > 0 {
		first, last := list[0], list[len(list)-1]
		if (back && more) || (!back && q.Cursor != nil) {
			od.Prev = first.key(true)
		}
		if (!back && more) || back {
			od.Next = last.key(false)
		}
	}
	page := make([]int64, len(list))
	for i, r := range list {
		od.Decisions = append(od.Decisions, r.OrgDecision)
		page[i] = r.ID
	}
	args["page"] = page
	b := &pgx.Batch{}
	b.Queue(orgTotalSQL, args).QueryRow(func(row pgx.Row) error {
		return row.Scan(&od.Count, &od.GivenPence, &od.ReceivedPence)
	})
	queueRows(b, orgYearsSQL, args, pgx.RowToStructByName[OrgYearTotal], &od.Years)
	queueRows(b, orgChainSQL+`
SELECT l.from_decision_id, l.to_decision_id FROM decision_links l
WHERE l.kind = 'continues' AND l.from_decision_id IN (SELECT id FROM walk) AND l.to_decision_id IN (SELECT id FROM walk)
ORDER BY 1, 2`, args, pgx.RowToStructByName[ChainLink], &od.ChainLinks)
	queueRows(b, orgChainSQL+`
SELECT `+summaryColumns+` FROM decisions d WHERE d.id IN (SELECT id FROM walk)
	AND EXISTS (SELECT 1 FROM decision_links l WHERE l.kind = 'continues' AND d.id IN (l.from_decision_id, l.to_decision_id))
ORDER BY `+listingOrder, args, pgx.RowToStructByName[DecisionSummary], &od.ChainDecisions)
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return OrgDetail{}, fmt.Errorf("organisation %s: %w", o.Slug, err)
	}
	return od, nil
}

// OrganisationNames lists the names of the organisations a drafter may choose from (none
// merged into another), by name.
func (s *Store) OrganisationNames(ctx context.Context) ([]string, error) {
	rows, err := s.db.Query(ctx, `SELECT name FROM organisations WHERE merged_into IS NULL ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("organisation names: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("organisation names: %w", err)
	}
	return names, nil
}

// Refusals of renames and merges, for the form to show by its field.
var (
	ErrOrgNameTaken = fmt.Errorf("another organisation has that name: %w", ErrConflict)
	ErrOrgSameName  = errors.New("the organisation already has that name")
	ErrOrgSelfMerge = errors.New("an organisation cannot be merged into itself")
	ErrOrgMerged    = fmt.Errorf("the organisation was merged into another: %w", ErrConflict)
)

// lockOrg locks the organisation id (not merged) for a rename or merge.
func (s *Store) lockOrg(ctx context.Context, id int64) (OrgRecord, error) {
	var o OrgRecord
	err := s.db.QueryRow(ctx, `
SELECT o.id, o.name, o.slug, o.org_id, (SELECT m.slug FROM organisations m WHERE m.id = o.merged_into)
FROM organisations o WHERE o.id = $1 FOR UPDATE`, id).Scan(&o.ID, &o.Name, &o.Slug, &o.OrgID, &o.MergedInto)
	if errors.Is(err, pgx.ErrNoRows) {
		return OrgRecord{}, ErrNotFound
	}
	if err != nil {
		return OrgRecord{}, fmt.Errorf("organisation %d: %w", id, err)
	}
	if o.MergedInto != nil {
		return OrgRecord{}, ErrOrgMerged
	}
	return o, nil
}

// OrganisationByID reads one organisation.
func (s *Store) OrganisationByID(ctx context.Context, id int64) (OrgRecord, error) {
	rows, err := s.db.Query(ctx, orgRecordSQL+` WHERE o.id = $1`, id)
	if err != nil {
		return OrgRecord{}, fmt.Errorf("organisation %d: %w", id, err)
	}
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[OrgRecord])
	if errors.Is(err, pgx.ErrNoRows) {
		return OrgRecord{}, ErrNotFound
	}
	if err != nil {
		return OrgRecord{}, fmt.Errorf("organisation %d: %w", id, err)
	}
	return o, nil
}

// keepNamesSQL records the name organisation $1 has now for every decision past drafting that
// names it, so that renaming it changes none of their content (kept_organisation_names).
const keepNamesSQL = `
INSERT INTO kept_organisation_names (decision_id, organisation_id, name, kept_at)
SELECT d.id, o.id, o.name, $2 FROM decisions d JOIN organisations o ON o.id = $1
WHERE d.status NOT IN ('draft', 'discarded') AND (d.funder_id = o.id OR EXISTS (
	SELECT 1 FROM funding_lines f WHERE f.decision_id = d.id AND o.id IN (f.funder_id, f.recipient_id)))
ON CONFLICT (decision_id, organisation_id) DO NOTHING`

// RenameOrganisation gives organisation id a new name, and audits it (old and new name, who).
// Decisions past drafting keep the name they were written with; drafts take the new one. The
// former slug keeps leading to the organisation's page.
func (s *Store) RenameOrganisation(ctx context.Context, act Act, id int64, name string) error {
	return s.InTx(ctx, func(tx *Store) error {
		o, err := tx.lockOrg(ctx, id)
		if err != nil {
			return err
		}
		if o.Name == name {
			return ErrOrgSameName
		}
		var taken bool
		if err := tx.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE lower(name) = lower($1) AND id <> $2)`,
			name, id).Scan(&taken); err != nil {
			return fmt.Errorf("organisation named %q: %w", name, err)
		}
		if taken {
			return ErrOrgNameTaken
		}
		if _, err := tx.db.Exec(ctx, keepNamesSQL, id, act.At); err != nil {
			return fmt.Errorf("keep the names of %s: %w", o.Name, mapError(err))
		}
		var slug string
		if err := tx.db.QueryRow(ctx, `UPDATE organisations SET name = $2 WHERE id = $1 RETURNING slug`, id, name).Scan(&slug); err != nil {
			return fmt.Errorf("rename %s: %w", o.Name, mapError(err))
		}
		if slug != o.Slug {
			if _, err := tx.db.Exec(ctx, `
INSERT INTO organisation_slugs (slug, organisation_id) VALUES ($1, $2)
ON CONFLICT (slug) DO UPDATE SET organisation_id = EXCLUDED.organisation_id`, o.Slug, id); err != nil {
				return fmt.Errorf("keep slug %s: %w", o.Slug, mapError(err))
			}
		}
		return tx.Audit(ctx, act, 0, EventOrganisationRenamed, map[string]string{
			"organisation_id": strconv.FormatInt(id, 10), "was": o.Name, "name": name})
	})
}

// MergeOrganisations merges organisation from into organisation into, and audits it. The
// merged organisation stays, under its own name, in the decisions past drafting that name it
// (their content does not change); its drafts name into instead; its decisions are counted
// as into's, and its page leads to into's. Its org-id moves to into when into has none.
func (s *Store) MergeOrganisations(ctx context.Context, act Act, from, into int64) error {
	if from == into {
		return ErrOrgSelfMerge
	}
	return s.InTx(ctx, func(tx *Store) error {
		// In id order, so two merges of the same pair cannot deadlock.
		first, second := min(from, into), max(from, into)
		a, err := tx.lockOrg(ctx, first)
		if err != nil {
			return err
		}
		b, err := tx.lockOrg(ctx, second)
		if err != nil {
			return err
		}
		f, t := a, b
		if a.ID != from {
			f, t = b, a
		}
		for _, q := range []string{
			`UPDATE organisations SET merged_into = $2 WHERE merged_into = $1`,
			`UPDATE organisations SET merged_into = $2 WHERE id = $1`,
			`UPDATE funding_lines f SET funder_id = $2 FROM decisions d
			 WHERE d.id = f.decision_id AND d.status = 'draft' AND f.funder_id = $1`,
			`UPDATE funding_lines f SET recipient_id = $2 FROM decisions d
			 WHERE d.id = f.decision_id AND d.status = 'draft' AND f.recipient_id = $1`,
			`UPDATE decisions SET funder_id = $2 WHERE status = 'draft' AND funder_id = $1`,
		} {
			if _, err := tx.db.Exec(ctx, q, from, into); err != nil {
				return fmt.Errorf("merge %s into %s: %w", f.Name, t.Name, mapError(err))
			}
		}
		detail := map[string]string{"organisation_id": strconv.FormatInt(from, 10), "organisation": f.Name,
			"into_id": strconv.FormatInt(into, 10), "into": t.Name}
		if f.OrgID != nil && t.OrgID == nil {
			if _, err := tx.db.Exec(ctx, `UPDATE organisations SET org_id = NULL WHERE id = $1`, from); err != nil {
				return fmt.Errorf("move org-id: %w", mapError(err))
			}
			if _, err := tx.db.Exec(ctx, `UPDATE organisations SET org_id = $2 WHERE id = $1`, into, *f.OrgID); err != nil {
				return fmt.Errorf("move org-id: %w", mapError(err))
			}
			detail["org_id"] = *f.OrgID
		}
		return tx.Audit(ctx, act, 0, EventOrganisationMerged, detail)
	})
}

// OrganisationRecords lists every organisation, merged ones too, by name.
func (s *Store) OrganisationRecords(ctx context.Context) ([]OrgRecord, error) {
	rows, err := s.db.Query(ctx, orgRecordSQL+` ORDER BY lower(o.name), o.id`)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowToStructByName[OrgRecord])
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	return orgs, nil
}
