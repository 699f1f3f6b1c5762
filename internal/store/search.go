package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/search"
)

// SearchResult is one decision found by a search, with its sort key and, when words were
// searched, a snippet of its Part I text around them.
type SearchResult struct {
	DecisionSummary
	Series     string    `db:"series"`
	Funder     *string   `db:"funder"`
	FunderSlug *string   `db:"funder_slug"` // its organisation page
	TotalPence *int64    `db:"total_pence"`
	Rank       float32   `db:"rank"`
	UpdatedAt  time.Time `db:"updated_at"`
	KeyDate    time.Time `db:"key_date"`
	KeyAmount  int64     `db:"key_amount"`
	// Snippet holds the matched words between search.MarkStart and search.MarkEnd. The
	// sentinels are removed from the text before marking, so each one is a mark.
	Snippet string `db:"snippet"`
}

// Key is the result's place in the order of q, for a cursor.
func (r SearchResult) Key(back bool) search.Cursor {
	return search.Cursor{Back: back, Rank: r.Rank, Date: r.KeyDate, Number: int32(r.Number), Amount: r.KeyAmount, ID: r.ID}
}

// SearchPage is one page of a search.
type SearchPage struct {
	Results []SearchResult
	Funding []FundingLine // the funding lines of the decisions on the page
	// Count is the number of matches, exact up to CountCap; Capped means there are more.
	Count  int
	Capped bool
	// Unranked means relevance was asked for but the words match more decisions than a search
	// ranks: the page is newest first, and its cursors are for that order.
	Unranked bool
	// Next and Prev are the cursors of the pages after and before this one, or nil.
	Next, Prev *search.Cursor
}

// CountCap is how many matches a search counts exactly; beyond it, "more than 1,000".
const CountCap = 1000

// DefaultRankLimit is how many matches, by the planner's estimate, a search still ranks by
// relevance and counts. Ranking reads every match's search document (about 2 KB each, out of
// line): 5,000 matches took 70 ms at 100,000 decisions on this 2-core machine, about 14 µs a
// match, and a word such as "grant" matches all of them. Beyond the limit the matches are shown newest first, which
// the date index finds without reading the rest, and the count is the estimate.
const DefaultRankLimit = CountCap

const (
	keyDate   = `coalesce(d.date_signed, '0001-01-01'::date)`
	keyAmount = `coalesce(d.total_pence, -1)`
	// rankExpr ranks title and reference matches (weight A) far above the rest, words close
	// together above scattered ones (cover density), and an exact reference above everything.
	rankExpr = `(ts_rank_cd('{0.05, 0.2, 0.4, 1.0}', d.search_vector, websearch_to_tsquery('english', @q))
		+ CASE WHEN d.reference = @reference THEN 1000 ELSE 0 END)::real`
)

// searchWhere is a search's condition in parts: what the reader may see and the filters; the
// date bounds again on the newest-first key (empty without dates); and the words (empty when
// there are none).
type searchWhere struct {
	filters, keyBounds, words string
	facets                    []facet // the facets of the filters that have an ordered index of their own
}

// facet is a filter whose decisions an index holds newest first (migration 000078): a
// financial year, or a funder named by one organisation.
type facet struct {
	table, column string
	value         int64
}

// facetFrom is the statement's FROM for a walk of f: its rows, newest first, each joined to
// its decision.
func (f facet) from() string {
	return f.table + ` f JOIN decisions d ON d.id = f.decision_id`
}

// cond is f's own condition, on the facet table.
func (f facet) cond() string { return `f.` + f.column + ` = @facet_value` }

// and joins the non-empty conditions.
func and(conds ...string) string {
	return strings.Join(slices.DeleteFunc(conds, func(c string) bool { return c == "" }), "\n\tAND ")
}

// all is the whole condition, as it runs.
func (w searchWhere) all() string { return and(w.filters, w.keyBounds, w.words) }

// onFacet is the whole condition for a walk of f: f's own, the date bounds again on f's key,
// so the walk starts and stops at the range, and the rest.
func (w searchWhere) onFacet(f facet) string {
	return and(f.cond(), strings.ReplaceAll(w.keyBounds, keyDate, "f.key_date"), w.all())
}

// candidates is what the filters alone leave, as it runs.
func (w searchWhere) candidates() string { return and(w.filters, w.keyBounds) }

// estimated is the whole condition for the planner to estimate, each bound written once: the
// planner takes the key's bounds as independent of the date's and multiplies them (8,299
// decisions of 2020 at 100,000 were estimated at 705, those of June 2024, 670, at 4).
func (w searchWhere) estimated() string { return and(w.filters, w.words) }

// searchConds builds the condition for q: constant fragments only, joined by what q uses. User
// text only ever travels as arguments. funders are the ids of the organisations q.Funder
// names, looked up first so the planner can estimate the filter from the index's statistics.
// The words' condition comes last: of conditions that cost the same to the planner, the first
// written is tested first, and the words read each candidate's 2 KB search document.
func searchConds(acc Access, q search.Query, funders []int64) (w searchWhere, args pgx.NamedArgs) {
	args = acc.args(pgx.NamedArgs{})
	conds := []string{visibleD}
	var facets []facet
	ref, words := referenceIn(q.Q)
	args["reference"] = ref
	args["q"] = words
	var wordsCond string
	switch {
	case ref != "" && words != "":
		// "pcd 1682 social": the decision named, and whatever the words find.
		wordsCond = `(d.reference = @reference OR d.search_vector @@ websearch_to_tsquery('english', @q))`
	case ref != "":
		wordsCond = `(d.reference = @reference OR d.search_vector @@ websearch_to_tsquery('english', @q))`
		args["q"] = q.Q
	case q.Q != "":
		wordsCond = `d.search_vector @@ websearch_to_tsquery('english', @q)`
	}
	if q.FY != nil {
		args["fy"] = int(*q.FY)
		conds = append(conds, `d.financial_years @> ARRAY[@fy::integer]`)
		facets = append(facets, facet{"decision_years", "fy", int64(*q.FY)})
	}
	if q.Maker != "" {
		args["maker"] = q.Maker
		conds = append(conds, `lower(d.decision_maker_name) = lower(@maker)`)
	}
	if q.Funder != "" {
		args["funder"] = q.Funder
		args["funder_ids"] = funders
		conds = append(conds, `d.funder_ids && @funder_ids::bigint[]`)
		if len(funders) == 1 {
			// Organisations merged into one are several ids, whose rows no one range holds in order.
			facets = append(facets, facet{"decision_funders", "funder_id", funders[0]})
		}
	}
	if q.Series != "" {
		args["series"] = q.Series
		conds = append(conds, `d.series = @series`)
	}
	if q.Status != "" && acc.IsStaff() {
		args["status"] = q.Status
		conds = append(conds, `d.status = @status`)
	}
	if !q.KeepWithdrawn && q.Status == "" && q.Q == "" && q.FY == nil && q.Maker == "" && q.Funder == "" && q.Series == "" &&
		q.MinPence == nil && q.MaxPence == nil && q.From == nil && q.To == nil {
		// The default list (no words, no filter) is the register as it stands: a withdrawn
		// decision (or, for staff, a discarded draft) leaves it, but any search still finds it,
		// marked so.
		conds = append(conds, `d.status NOT IN ('withdrawn', 'discarded')`)
	}
	if q.MinPence != nil {
		args["min"] = *q.MinPence
		conds = append(conds, `d.total_pence >= @min`)
	}
	if q.MaxPence != nil {
		args["max"] = *q.MaxPence
		conds = append(conds, `d.total_pence <= @max`)
	}
	// Each date bound is written twice: on the date signed, which is what it means, and on the
	// key of the newest-first index, which it implies (a decision with no date has neither),
	// so a walk in that order starts and stops at the range instead of reading up to it.
	var keyBounds []string
	if q.From != nil {
		args["from"] = *q.From
		conds = append(conds, `d.date_signed >= @from`)
		keyBounds = append(keyBounds, keyDate+` >= @from`)
	}
	if q.To != nil {
		args["to"] = *q.To
		conds = append(conds, `d.date_signed <= @to`)
		keyBounds = append(keyBounds, keyDate+` <= @to`)
	}
	return searchWhere{filters: and(conds...), keyBounds: and(keyBounds...), words: wordsCond, facets: facets}, args
}

// order returns the ORDER BY of q's sort (reversed for a page going back) and the keyset
// condition that starts after (or before) cursor c.
func order(q search.Query, c *search.Cursor, args pgx.NamedArgs) (orderBy, seek string) {
	orderBy, seek, _, _ = orderCols(q, c, args)
	return orderBy, seek
}

// orderCols is order, with the expressions ordered by and their direction.
func orderCols(q search.Query, c *search.Cursor, args pgx.NamedArgs) (orderBy, seek string, cols []string, dir string) {
	return orderColsOn(q, c, args, nil)
}

// facetKey is the newest-first key as a facet table holds it (migration 000078).
var facetKey = []string{"f.key_date", "f.number", "f.decision_id"}

// orderColsOn is orderCols with the newest-first key read from newest's expressions (a facet
// table's) instead of the decision's, when given.
func orderColsOn(q search.Query, c *search.Cursor, args pgx.NamedArgs, newest []string) (orderBy, seek string, cols []string, dir string) {
	dir, cmp := "DESC", "<"
	if c != nil && c.Back {
		dir, cmp = "ASC", ">"
	}
	var vals []string
	switch q.Sort {
	case search.SortRelevance:
		cols, vals = []string{rankExpr, "d.id"}, []string{"@k_rank::real", "@k_id::bigint"}
	case search.SortAmount:
		cols, vals = []string{keyAmount, "d.id"}, []string{"@k_amount::bigint", "@k_id::bigint"}
	default:
		cols, vals = []string{keyDate, "d.number", "d.id"}, []string{"@k_date::date", "@k_number::integer", "@k_id::bigint"}
		if newest != nil {
			cols = newest
		}
	}
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " " + dir
	}
	orderBy = strings.Join(parts, ", ")
	if c != nil {
		args["k_rank"], args["k_date"], args["k_number"], args["k_amount"], args["k_id"] = c.Rank, c.Date, c.Number, c.Amount, c.ID
		seek = "\n\tAND (" + strings.Join(cols, ", ") + ") " + cmp + " (" + strings.Join(vals, ", ") + ")"
	}
	return orderBy, seek, cols, dir
}

// MarkStart and MarkEnd enclose the matched words of a snippet: private-use characters that
// are stripped from the text first, so only ts_headline's marks remain.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// snippetShort is the start of a decision d's Part I text, its summary and recommendations,
// and snippetRest the rest, its Part I sections: together the only text a snippet is taken
// from. The marks' characters are stripped first, so each mark in a snippet is ts_headline's.
const (
	snippetShort = `translate(concat_ws(' ', d.summary,
	(SELECT string_agg(r.body, ' ' ORDER BY r.position) FROM recommendations r WHERE r.decision_id = d.id)),
	E'\uE000\uE001', '')`
	snippetRest = `translate(
	(SELECT string_agg(s.body, ' ' ORDER BY s.position) FROM sections s WHERE s.decision_id = d.id AND s.part = 1),
	E'\uE000\uE001', '')`
)

// snippetSQL marks the words in the summary and recommendations when they are there (some
// 500 bytes to read), and in the whole Part I text only when they are not: ts_headline reads
// and parses all the text it is given, and the sections' few kilobytes took 1.7 ms a result,
// a third of a search's time. The OFFSET 0 keeps the planner from writing x's text out in
// each place it is used, which built it three times.
const snippetSQL = `(SELECT CASE WHEN to_tsvector('english', x.short) @@ x.tq
		THEN ts_headline('english', x.short, x.tq, ` + headlineOptions + `)
		ELSE ts_headline('english', concat_ws(' ', x.short, ` + snippetRest + `), x.tq, ` + headlineOptions + `) END
	FROM (SELECT ` + snippetShort + ` AS short, websearch_to_tsquery('english', @q) AS tq OFFSET 0) x)`

const headlineOptions = `'StartSel=' || chr(57344) || ', StopSel=' || chr(57345) ||
	', MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "'`

const resultColumns = summaryColumns + `, d.series, (SELECT coalesce(k.name, o.name) FROM organisations o
		LEFT JOIN kept_organisation_names k ON k.decision_id = d.id AND k.organisation_id = o.id WHERE o.id = d.funder_id) AS funder,
	(SELECT m.slug FROM organisations o JOIN organisations m ON m.id = coalesce(o.merged_into, o.id) WHERE o.id = d.funder_id) AS funder_slug,
	d.total_pence, d.updated_at, ` + keyDate + ` AS key_date, ` + keyAmount + ` AS key_amount`

// Search returns one page of the decisions the reader may see that match q, in q's order,
// starting at q's cursor, with at most limit results.
func (s *Store) Search(ctx context.Context, acc Access, q search.Query, limit int) (SearchPage, error) {
	st, err := s.searchStatements(ctx, acc, q, limit)
	if err != nil {
		return SearchPage{}, err
	}
	q, pl, pageSQL, args := st.q, st.plan, st.pageSQL, st.args
	page := SearchPage{Count: pl.count, Unranked: pl.unranked}
	b := &pgx.Batch{}
	// One implicit transaction: a setting made local here holds for the rest of the batch.
	b.Queue(customPlans)
	if pl.byMatches {
		b.Queue(matchesFirst)
	}
	if pl.facet != nil {
		b.Queue(facetFirst)
	}
	b.Queue(pageSQL, args).Query(func(rows pgx.Rows) error {
		var err error
		page.Results, err = pgx.CollectRows(rows, pgx.RowToStructByName[SearchResult])
		return err
	})
	if err := s.db.SendBatch(ctx, b).Close(); err != nil {
		return SearchPage{}, fmt.Errorf("search: %w", err)
	}
	if page.Count > CountCap {
		page.Count, page.Capped = CountCap, true
	}
	back := q.Cursor != nil && q.Cursor.Back
	more := len(page.Results) > limit
	if more {
		page.Results = page.Results[:limit]
	}
	if back {
		slices.Reverse(page.Results)
	}
	if n := len(page.Results); n > 0 {
		first, last := page.Results[0].Key(true), page.Results[n-1].Key(false)
		switch {
		case back:
			page.Next = &last
			if more {
				page.Prev = &first
			}
		default:
			if more {
				page.Next = &last
			}
			if q.Cursor != nil {
				page.Prev = &first
			}
		}
	}
	ids := make([]int64, len(page.Results))
	for i, r := range page.Results {
		ids[i] = r.ID
	}
	rows, err := s.db.Query(ctx, fundingForSQL, ids)
	if err != nil {
		return SearchPage{}, fmt.Errorf("funding for search: %w", err)
	}
	page.Funding, err = pgx.CollectRows(rows, pgx.RowToStructByName[FundingLine])
	if err != nil {
		return SearchPage{}, fmt.Errorf("funding for search: %w", err)
	}
	return page, nil
}

// searchStatement is a planned search: its query (its sort as the plan turned it), the plan,
// and the page's statement with its arguments.
type searchStatement struct {
	q       search.Query
	plan    searchPlan
	pageSQL string
	args    pgx.NamedArgs
}

// searchStatements plans a page of q (counting its matches) and builds the page's statement.
func (s *Store) searchStatements(ctx context.Context, acc Access, q search.Query, limit int) (searchStatement, error) {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return searchStatement{}, err
	}
	w, args := searchConds(acc, q, funders)
	where := w.all()
	pl, err := s.plan(ctx, &q, w, args, true)
	if err != nil {
		return searchStatement{}, err
	}
	rank := "0::real"
	snippet := "coalesce(d.summary, '')"
	if q.Q != "" {
		rank = rankExpr
	}
	orderBy, seek, cols, dir := orderCols(q, q.Cursor, args)
	args["limit"] = limit + 1
	pageSQL := `SELECT ` + resultColumns + `, ` + rank + ` AS rank, '' AS snippet
FROM decisions d
WHERE ` + where + seek + `
ORDER BY ` + orderBy + `
LIMIT @limit`
	switch {
	case pl.facet != nil:
		orderBy, seek, _, _ = orderColsOn(q, q.Cursor, args, facetKey)
		pageSQL = `SELECT ` + resultColumns + `, ` + rank + ` AS rank, '' AS snippet
FROM ` + pl.facet.from() + `
WHERE ` + w.onFacet(*pl.facet) + seek + `
ORDER BY ` + orderBy + `
LIMIT @limit`
	case pl.filtersFirst:
		pageSQL = filtersFirstSQL(w, seek, cols, dir, rank)
	}
	if q.Q != "" {
		// Headlines for the page's rows only: ts_headline reads the whole text.
		snippet = snippetSQL
	}
	pageSQL = `SELECT p.id, p.reference, p.slug, p.number, p.title, p.summary, p.decision_maker_name, p.date_signed,
	p.status, p.synthetic, p.series, p.funder, p.funder_slug, p.total_pence, p.updated_at, p.key_date, p.key_amount, p.rank,
	(SELECT ` + snippet + ` FROM decisions d WHERE d.id = p.id) AS snippet
FROM (` + pageSQL + `) p`
	return searchStatement{q: q, plan: pl, pageSQL: pageSQL, args: args}, nil
}

// SearchPlanName names how a page of q is read: "filters first", "by matches", "walk" (the
// statement as written, as the planner chooses), and "unranked" when relevance was turned to
// newest first. For .ci/searchtime and the tests.
func (s *Store) SearchPlanName(ctx context.Context, acc Access, q search.Query) (string, error) {
	st, err := s.searchStatements(ctx, acc, q, 20)
	if err != nil {
		return "", err
	}
	name := st.plan.name()
	if st.plan.unranked {
		name += ", unranked"
	}
	return name, nil
}

// ExplainSearch runs the statements of a page of q under EXPLAIN (ANALYZE, BUFFERS), with
// the settings the page runs them with, and returns the plans: for .ci/loadrun's output.
func (s *Store) ExplainSearch(ctx context.Context, acc Access, q search.Query, limit int) (string, error) {
	st, err := s.searchStatements(ctx, acc, q, limit)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, stmt := range []struct {
		sql   string
		facet bool
	}{{st.plan.countSQL, false}, {st.pageSQL, st.plan.facet != nil}} {
		err = s.InTx(ctx, func(tx *Store) error {
			settings := []string{customPlans}
			if stmt.sql == st.plan.countSQL && st.plan.countByIndex {
				settings = append(settings, countFromIndex)
			}
			if st.plan.byMatches {
				settings = append(settings, matchesFirst)
			}
			if stmt.facet {
				settings = append(settings, facetFirst)
			}
			for _, set := range settings {
				if _, err := tx.db.Exec(ctx, set); err != nil {
					return err
				}
			}
			rows, err := tx.db.Query(ctx, `EXPLAIN (ANALYZE, BUFFERS) `+stmt.sql, pgx.QueryExecModeDescribeExec, st.args)
			if err != nil {
				return err
			}
			lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
			if err != nil {
				return err
			}
			b.WriteString(strings.Join(lines, "\n") + "\n\n")
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	return b.String(), err
}

// filtersFirstSQL is a page's statement when the filters alone leave few candidates: they
// are collected from the indexes and sorted, which reads no search document, and the words
// are then tested on them in order until the page is full. The OFFSET 0 keeps the planner
// from merging the two steps, and so from testing the words on every candidate (or walking
// all decisions in order) to fill one page.
func filtersFirstSQL(w searchWhere, seek string, cols []string, dir, rank string) string {
	keys := make([]string, len(cols))
	outer := make([]string, len(cols))
	for i, c := range cols {
		keys[i] = fmt.Sprintf("%s AS k%d", c, i)
		outer[i] = fmt.Sprintf("c.k%d %s", i, dir)
	}
	inner := make([]string, len(cols))
	for i := range cols {
		inner[i] = fmt.Sprintf("%d %s", i+2, dir)
	}
	return `SELECT ` + resultColumns + `, ` + rank + ` AS rank, '' AS snippet
FROM (SELECT d.id, ` + strings.Join(keys, ", ") + `
	FROM decisions d
	WHERE ` + w.candidates() + seek + `
	ORDER BY ` + strings.Join(inner, ", ") + `
	OFFSET 0) c
JOIN decisions d ON d.id = c.id
WHERE ` + w.words + `
ORDER BY ` + strings.Join(outer, ", ") + `
LIMIT @limit`
}

// customPlans plans each search for its own values, for the rest of the transaction. The
// statements are prepared once per connection, and after five runs PostgreSQL may switch to a
// generic plan, made for any words, years and funders: for "grant" with a year and a funder at
// a million decisions the generic plans took 0.3 s to count and 0.43 s for the page, where the
// plans for the values took 0.1 and 0.13 s. Planning a search costs 1 to 5 ms.
const customPlans = `SELECT set_config('plan_cache_mode', 'force_custom_plan', true)`

// matchesFirst makes the planner collect a search's matches from the indexes before ordering
// them, for the rest of the transaction (see searchPlan.byMatches).
const matchesFirst = `SELECT set_config('enable_indexscan', 'off', true)`

// facetFirst makes the planner walk a facet's index in order for the rest of the
// transaction (see searchPlan.facet): left to itself, it collects and sorts all the facet's
// matches whenever it expects the walk to read more than a few hundred rows.
const facetFirst = `SELECT set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
	set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
	set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`

// FacetDensity: a page walks a facet's index newest first (searchPlan.facet) when the planner
// expects at least one in FacetDensity of the facet's decisions to match the whole search,
// so a page of 20 reads some 20 × FacetDensity rows at most, by the estimate.
const FacetDensity = 20

// searchPlan is how a search runs.
type searchPlan struct {
	count    int    // the matches the reader may see, counted up to CountCap + 1
	countSQL string // the statement that counted them
	// unranked: the words match more than the rank limit, and a search by relevance was
	// turned to newest first.
	unranked bool
	// byMatches: collect the matches from the indexes (words, years, funders) and sort them,
	// instead of walking decisions in order and testing each. The planner expects matches
	// spread evenly over time, but filters are not: a financial year or a date range puts them
	// all in one stretch, and walking to it read 24,842 decisions (3 s at 100,000) where the
	// matches were 1,657 (0.1 s to collect and sort). Chosen for words with filters beyond the
	// rank limit, when the planner estimates at most 10,000 matches, so collecting is bounded,
	// and for a list by financial year of at most FiltersFirstLimit decisions.
	byMatches bool
	// filtersFirst: collect what the filters alone leave, sort it, and test the words on it in
	// order until a page is full (filtersFirstSQL); chosen for a page of words with filters
	// beyond the rank limit when the planner estimates the filters leave at most
	// FiltersFirstLimit decisions. "grant" for a year and a funder at a million decisions:
	// 16,595 candidates, 0.17 s, where walking took 1.1 s and collecting every match 0.4 s.
	filtersFirst bool
	// facet: walk the facet's own index newest first (decision_years or decision_funders,
	// migration 000078), each row joined to its decision and tested, until the page is full.
	// A year's decisions are bunched in time, so the newest-first walk over all decisions read
	// every decision newer than the year, and collecting them read and sorted the year's
	// 180,000 at a million. Chosen, for the newest-first order, when the facet is dense in
	// matches (FacetDensity).
	facet *facet
	// countByIndex: the count read the words' index (see CountScanShare).
	countByIndex bool
}

// name names the plan, for .ci/searchtime and the tests.
func (pl searchPlan) name() string {
	switch {
	case pl.facet != nil:
		return "facet " + pl.facet.table
	case pl.filtersFirst:
		return "filters first"
	case pl.byMatches:
		return "by matches"
	}
	return "walk"
}

// FiltersFirstLimit bounds the candidates a filters-first page collects and sorts.
const FiltersFirstLimit = 25 * CountCap

// funderIDs are the ids of the organisations named name, in any case, and of those merged with
// them; none for "".
func (s *Store) funderIDs(ctx context.Context, name string) ([]int64, error) {
	if name == "" {
		return nil, nil
	}
	// Curly and straight apostrophes alike: the search text has straight ones (search.Parse).
	rows, err := s.db.Query(ctx, `
SELECT o.id FROM organisations o WHERE coalesce(o.merged_into, o.id) IN (
	SELECT coalesce(n.merged_into, n.id) FROM organisations n WHERE translate(lower(n.name), '’‘', '''''') = lower($1))`, name)
	if err != nil {
		return nil, fmt.Errorf("funder %q: %w", name, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("funder %q: %w", name, err)
	}
	return ids, nil
}

// plan counts what the reader may see of q's matches (the count shown is always this one:
// the planner's estimates count drafts too) and decides the order: beyond the rank limit, a
// search by relevance turns to newest first (unranked), unless a typed reference must come
// first or a relevance cursor already fixed the order.
// A page (not an export) may be planned filters first.
func (s *Store) plan(ctx context.Context, q *search.Query, w searchWhere, args pgx.NamedArgs, page bool) (searchPlan, error) {
	var pl searchPlan
	where := w.all()
	fc, err := s.chooseFacet(ctx, *q, w, args, page)
	if err != nil {
		return searchPlan{}, err
	}
	// The register's own list counts its first rows newest first: left to itself, the planner
	// reads the status index from its first status, and at a million decisions passed 79,709
	// drafts and deferred decisions (12 to 150 ms) before the first published one.
	walk := ""
	if q.Q == "" && !q.HasFilters() {
		walk = ` ORDER BY ` + keyDate + ` DESC, d.number DESC, d.id DESC`
	}
	// Described afresh each time, so planned for its values (see customPlans). Not counted by a
	// facet's walk: each row it reads is a decision fetched by its id (14 µs apiece under load
	// here), where the planner's scans for a count read decisions in the order they are stored.
	pl.countSQL = `SELECT count(*) FROM (SELECT 1 FROM decisions d WHERE ` + where + walk +
		` LIMIT ` + strconv.Itoa(CountCap+1) + `) c`
	bitmap, err := s.countByIndex(ctx, w, args)
	if err != nil {
		return searchPlan{}, err
	}
	pl.countByIndex = bitmap
	if bitmap {
		// One implicit transaction, with its settings, as a page's (see Search).
		b := &pgx.Batch{}
		b.Queue(customPlans)
		b.Queue(countFromIndex)
		b.Queue(pl.countSQL, args).QueryRow(func(row pgx.Row) error { return row.Scan(&pl.count) })
		if err := s.db.SendBatch(ctx, b).Close(); err != nil {
			return searchPlan{}, fmt.Errorf("count matches: %w", err)
		}
	} else if err := s.db.QueryRow(ctx, pl.countSQL, pgx.QueryExecModeDescribeExec, args).Scan(&pl.count); err != nil {
		return searchPlan{}, fmt.Errorf("count matches: %w", err)
	}
	// A walk of the facet serves the newest-first order, whatever else the estimates say.
	withFacet := func() (searchPlan, error) {
		if fc != nil && q.Sort == search.SortNewest {
			pl.facet, pl.byMatches, pl.filtersFirst = fc, false, false
		}
		return pl, nil
	}
	limit := DefaultRankLimit
	if q.RankLimit > 0 {
		limit = min(q.RankLimit, CountCap)
	}
	if q.Q == "" {
		// A list by financial year: the planner expects a year's decisions spread evenly over
		// time, so it walks newest first, but they are bunched around the year itself, and
		// walking to 2016-17 read 65,771 decisions at 100,000 (0.17 s). Collecting them from
		// the year's index and sorting them is bounded by FiltersFirstLimit.
		if q.FY != nil && q.Sort != search.SortRelevance {
			if pl.byMatches = pl.count <= CountCap; !pl.byMatches {
				est, err := s.estimate(ctx, w.estimated(), args)
				if err != nil {
					return searchPlan{}, err
				}
				pl.byMatches = est <= FiltersFirstLimit
			}
		}
		return withFacet()
	}
	if pl.count <= limit {
		return withFacet()
	}
	if q.Sort == search.SortRelevance && q.Cursor == nil && args["reference"] == "" {
		q.Sort, pl.unranked = search.SortNewest, true
	}
	if q.HasFilters() && q.Sort != search.SortRelevance {
		matches, err := s.estimate(ctx, w.estimated(), args)
		if err != nil {
			return searchPlan{}, err
		}
		pl.byMatches = matches <= 10*CountCap
		if page {
			candidates, err := s.estimate(ctx, w.filters, args)
			if err != nil {
				return searchPlan{}, err
			}
			limit := FiltersFirstLimit
			if q.CandidateLimit != 0 {
				limit = q.CandidateLimit
			}
			// Filters first tests the words on candidates until a page is full: words that
			// match few of them (under one in twenty) would be tested on most, where the
			// words' index finds their few matches at once.
			if candidates <= limit && (!pl.byMatches || 20*matches >= candidates) {
				pl.filtersFirst, pl.byMatches = true, false
			}
		}
	}
	return withFacet()
}

// countFromIndex is the setting under which a count reads the matches from the words' GIN index
// (a bitmap), never by a scan of decisions that tests the words on each row it reads.
const countFromIndex = `SELECT set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)`

// CountScanShare: words the planner expects in fewer than one decision in CountScanShare are
// counted from their index. A scan testing the words reads each row's search document (2 KB,
// out of line), which the planner does not cost: it scanned for a word in a fifth of the
// decisions at a million, reading 7,743 documents to count 1,001 (718 ms under load, where the
// index took 292 ms); for a word in most decisions the scan stops soonest ("grant": 95 ms,
// the index 1,872 ms).
const CountScanShare = 3

// countByIndex reports whether w's words are counted from their index (see CountScanShare).
func (s *Store) countByIndex(ctx context.Context, w searchWhere, args pgx.NamedArgs) (bool, error) {
	if w.words == "" {
		return false, nil
	}
	words, err := s.estimate(ctx, w.words, args)
	if err != nil {
		return false, err
	}
	all, err := s.estimate(ctx, "true", args)
	if err != nil {
		return false, err
	}
	return words*CountScanShare < all, nil
}

// chooseFacet returns the facet a page of q walks newest first, or nil: the year, else the
// funder, when the planner expects at least one in FacetDensity of its decisions to match q (q.FacetWalk overrides the choice for tests). Not for an
// export (page false), which keeps its one statement, nor for the order by amount.
func (s *Store) chooseFacet(ctx context.Context, q search.Query, w searchWhere, args pgx.NamedArgs, page bool) (*facet, error) {
	if !page || len(w.facets) == 0 || q.FacetWalk < 0 || q.Sort == search.SortAmount || (q.Sort == search.SortRelevance && q.Q == "") {
		return nil, nil
	}
	// A year, when there is one: its decisions are bunched in time, so walking anything else
	// newest first reads every newer decision before reaching them (a funder's, for "grant" in
	// 2021-22 from the Home Office at a million: 690 ms), where a funder's, a maker's or the
	// words' decisions are spread through the year's.
	best := &w.facets[0]
	size, err := s.estimate(ctx, best.cond(), pgx.NamedArgs{"facet_value": best.value}, best.table+" f")
	if err != nil {
		return nil, err
	}
	args["facet_value"] = best.value
	if q.FacetWalk > 0 {
		return best, nil
	}
	matches, err := s.estimate(ctx, w.estimated(), args)
	if err != nil {
		return nil, err
	}
	if matches*FacetDensity < size {
		return nil, nil
	}
	return best, nil
}

// estimate is the planner's estimate of how many decisions match where, drafts included: no
// rows are read. It chooses a plan; it is never shown.
func (s *Store) estimate(ctx context.Context, where string, args pgx.NamedArgs, from ...string) (int, error) {
	table := "decisions d"
	if len(from) > 0 {
		table = from[0]
	}
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	// The simple protocol sends the values in the statement, so the planner estimates for
	// these words: a prepared statement, once generic, would estimate for any words alike.
	if err := s.db.QueryRow(ctx, `EXPLAIN (FORMAT JSON) SELECT 1 FROM `+table+` WHERE `+where,
		pgx.QueryExecModeSimpleProtocol, args).Scan(&plan); err != nil {
		return 0, fmt.Errorf("estimate matches: %w", err)
	}
	if len(plan) == 0 {
		return 0, fmt.Errorf("estimate matches: no plan")
	}
	return int(plan[0].Plan.Rows), nil
}

// referenceIn splits search text into the canonical reference it starts with ("pcd 1682
// social" gives "PCD 1682"), whose decision ranks first, and the words after it. A bare number
// before words ("2024 budget") stays part of the words.
func referenceIn(q string) (ref, words string) {
	if r, err := decision.ParseReference(q); err == nil {
		return r.String(), ""
	}
	if r, rest, ok := decision.ParseReferencePrefix(q); ok && strings.ContainsFunc(strings.TrimSuffix(q, rest), unicode.IsLetter) {
		return r.String(), rest
	}
	return "", q
}

// suggestSQL finds the word of the titles the reader may see closest in spelling to @word.
const suggestSQL = `
WITH t AS (SELECT d.title FROM decisions d WHERE @word <% d.title AND ` + visibleD + ` LIMIT 50)
SELECT w FROM (SELECT DISTINCT lower(x) AS w FROM t, regexp_split_to_table(t.title, '[^[:alpha:]]+') x) ws
WHERE length(w) >= 3 AND similarity(w, @word) >= 0.3
ORDER BY similarity(w, @word) DESC, w
LIMIT 1`

// maxSuggestWords bounds the work a suggestion does.
const maxSuggestWords = 6

// Suggest returns search text close in spelling to words that found nothing ("socal meda"
// gives "social media"), from the titles the reader may see, or "" when it has nothing better.
func (s *Store) Suggest(ctx context.Context, acc Access, words string) (_ string, err error) {
	defer wrap(&err, "suggest")
	fields := strings.Fields(strings.ToLower(words))
	if len(fields) == 0 || len(fields) > maxSuggestWords {
		return "", nil
	}
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return "", err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // read only
	// The default (0.6) misses a dropped letter in a short word: "knfe" is 0.6 from "knife".
	if _, err := tx.Exec(ctx, `SELECT set_config('pg_trgm.word_similarity_threshold', '0.4', true)`); err != nil {
		return "", err
	}
	changed := false
	for i, f := range fields {
		// A word excluded (-crime) or in a phrase is meant as typed: "correcting" it would
		// suggest its opposite.
		if len([]rune(f)) < 3 || !strings.ContainsFunc(f, unicode.IsLetter) || strings.HasPrefix(f, "-") || strings.ContainsRune(f, '"') {
			continue
		}
		var w string
		err := tx.QueryRow(ctx, suggestSQL, acc.args(pgx.NamedArgs{"word": f})).Scan(&w)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", err
		}
		if w != f {
			fields[i], changed = w, true
		}
	}
	if !changed {
		return "", nil
	}
	return strings.Join(fields, " "), nil
}

// ExportRow is one decision of an export: its summary and the financial years of its funding
// lines, as the site writes them.
type ExportRow struct {
	SearchResult
	FinancialYears string `db:"financial_years"`
}

// MaxExportRows bounds one export; a bigger one is asked for in parts by filters.
const MaxExportRows = 100_000

// SearchEach streams the decisions the reader may see that match q, in q's order from its
// cursor, at most limit of them, calling fn for each row as it arrives from the database:
// nothing is held but the row in hand.
func (s *Store) SearchEach(ctx context.Context, acc Access, q search.Query, limit int, fn func(ExportRow) error) error {
	funders, err := s.funderIDs(ctx, q.Funder)
	if err != nil {
		return err
	}
	w, args := searchConds(acc, q, funders)
	where := w.all()
	// In the order the page for the same query has.
	pl, err := s.plan(ctx, &q, w, args, false)
	if err != nil {
		return err
	}
	rank := "0::real"
	if q.Q != "" {
		rank = rankExpr
	}
	orderBy, seek := order(q, q.Cursor, args)
	args["limit"] = min(limit, MaxExportRows)
	sql := `SELECT ` + resultColumns + `, ` + rank + ` AS rank, '' AS snippet,
	array_to_string(ARRAY(SELECT financial_year_text(y) FROM unnest(d.financial_years) y ORDER BY y), ' ') AS financial_years
FROM decisions d
WHERE ` + where + seek + `
ORDER BY ` + orderBy + `
LIMIT @limit`
	// One snapshot for the whole download, and one statement that may stream for as long as
	// the request's own deadline (EXPORT_TIMEOUT), not the pool's statement_timeout for pages.
	return s.inSnapshot(ctx, func(tx *Store) (err error) {
		defer wrap(&err, "export")
		if err := tx.statementTimeoutFrom(ctx); err != nil {
			return err
		}
		if _, err := tx.db.Exec(ctx, customPlans); err != nil {
			return err
		}
		if pl.byMatches {
			if _, err := tx.db.Exec(ctx, matchesFirst); err != nil {
				return err
			}
		}
		rows, err := tx.db.Query(ctx, sql, args)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			row, err := pgx.RowToStructByName[ExportRow](rows)
			if err != nil {
				return err
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return nil
	})
}

// statementTimeoutFrom sets the transaction's statement_timeout to the time left before ctx's
// deadline, when it has one.
func (s *Store) statementTimeoutFrom(ctx context.Context) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		return nil
	}
	ms := max(time.Until(deadline).Milliseconds(), 1)
	if _, err := s.db.Exec(ctx, `SELECT set_config('statement_timeout', $1, true)`, strconv.FormatInt(ms, 10)); err != nil {
		return fmt.Errorf("statement timeout: %w", err)
	}
	return nil
}
