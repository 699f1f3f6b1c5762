package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

// genDecision is a generated decision as the brute-force search sees it.
type genDecision struct {
	id        int64
	series    string
	number    int
	title     string
	summary   string
	partOne   string
	partTwo   string
	maker     string
	funder    string // the decision's funder
	lineFund  []string
	years     [][2]int
	total     *int64
	signed    *time.Time
	status    string
	publishAt *time.Time
}

var (
	genSeries = []string{"GA", "GB", "GC"}
	genMakers = []string{"Mira Maker", "Sol Signer", "Ada Approver"}
	genOrgs   = []string{"Home Office", "Youth Fund", "City Trust"}
	genWords  = []string{"qzalf", "qzbrav", "qzchar", "qzdelt"}
)

// generate inserts n decisions drawn from a seeded source, and returns them.
func generate(t *testing.T, st *store.Store, n int, now time.Time) []genDecision {
	t.Helper()
	rng := rand.New(rand.NewPCG(8, 8))
	pick := func(xs []string) string { return xs[rng.IntN(len(xs))] }
	for _, o := range genOrgs {
		exec(t, st, `INSERT INTO organisations (name) VALUES ($1) ON CONFLICT DO NOTHING`, o)
	}
	var out []genDecision
	for i := range n {
		g := genDecision{series: pick(genSeries), number: 100 + i, maker: pick(genMakers), status: "published"}
		g.title = "Generated " + pick(genWords)
		g.summary = "A summary about " + pick(genWords)
		g.partOne = "Part one text " + pick(genWords)
		g.partTwo = secret + " " + pick(genWords)
		if rng.IntN(3) > 0 {
			g.funder = pick(genOrgs)
		}
		if rng.IntN(4) > 0 {
			d := time.Date(2021+rng.IntN(4), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
			g.signed = &d
		}
		switch rng.IntN(10) {
		case 0:
			g.status = "draft"
		case 1:
			g.status = "approved"
			p := now.Add(time.Duration(rng.IntN(2)*2-1) * 24 * time.Hour) // deferred, or come
			g.publishAt = &p
		case 2:
			g.status = "withdrawn"
		}
		ref := fmt.Sprintf("%s %d", g.series, g.number)
		var funder any
		if g.funder != "" {
			funder = g.funder
		}
		// Each decision is written and, unless a draft, signed in one transaction: the database
		// refuses a public decision without a signature at commit.
		tx, done := inTx(t, st)
		id, err := tx.QueryID(context.Background(), `INSERT INTO decisions (series, number, reference, slug, title, summary,
			decision_maker_name, funder_id, date_signed, status, publish_at, withdrawn_at, withdrawal_reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT id FROM organisations WHERE name = $8), $9, $10, $11,
				CASE WHEN $10 = 'withdrawn' THEN now() END, CASE WHEN $10 = 'withdrawn' THEN 'Withdrawn for a test' END) RETURNING id`,
			g.series, g.number, ref, strings.ToLower(strings.ReplaceAll(ref, " ", "-")), g.title, g.summary,
			g.maker, funder, g.signed, g.status, g.publishAt)
		g.id = id
		if err != nil {
			t.Fatal(err)
		}
		exec(t, tx, `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES
			($1, 1, 1, 'other', 'Background', $2), ($1, 2, 1, 'other', 'Confidential', $3)`, g.id, g.partOne, g.partTwo)
		var lines []decision.Line
		for pos := range rng.IntN(3) {
			fy := 2021 + rng.IntN(4)
			end := fy + rng.IntN(2)
			kind := []string{"grant_accepted", "variation", "context"}[rng.IntN(3)]
			basis := []string{"total", "per_year"}[rng.IntN(2)]
			amount := int64(1+rng.IntN(50)) * 100_000
			org := pick(genOrgs)
			exec(t, tx, `INSERT INTO funding_lines (decision_id, position, funder_id, amount_pence, fy_start, fy_end, basis, kind, label)
				VALUES ($1, $2, (SELECT id FROM organisations WHERE name = $3), $4, $5, $6, $7, $8, 'Line')`,
				g.id, pos+1, org, amount, fy, end, basis, kind)
			g.lineFund = append(g.lineFund, org)
			g.years = append(g.years, [2]int{fy, end})
			lines = append(lines, decision.Line{AmountPence: amount, Kind: kind, Basis: basis, FYStart: &fy, FYEnd: &end})
		}
		if g.status != "draft" {
			if _, err := tx.AttestImported(context.Background(), now, []string{ref}); err != nil {
				t.Fatal(err)
			}
		}
		done()
		if tot := decision.TotalOf(lines); tot.Known {
			g.total = &tot.Pence
		}
		out = append(out, g)
	}
	return out
}

func (g genDecision) visible(acc store.Access) bool {
	return acc.IsStaff() || g.status == "published" || g.status == "withdrawn" || (g.status == "approved" && !g.publishAt.After(acc.Now))
}

// matches is the brute-force answer to q.
func (g genDecision) matches(q search.Query, acc store.Access) bool {
	if !g.visible(acc) {
		return false
	}
	if q.Q != "" && !strings.Contains(g.title+" "+g.summary+" "+g.partOne, q.Q) {
		return false
	}
	// The default list (no words, no filter) leaves withdrawn decisions out; any search keeps them.
	if g.status == "withdrawn" && !q.KeepWithdrawn && q.Q == "" && q.FY == nil && q.Maker == "" && q.Funder == "" &&
		q.Series == "" && q.Status == "" && q.MinPence == nil && q.MaxPence == nil && q.From == nil && q.To == nil {
		return false
	}
	if q.FY != nil && !slices.ContainsFunc(g.years, func(y [2]int) bool { return y[0] <= int(*q.FY) && int(*q.FY) <= y[1] }) {
		return false
	}
	if q.Maker != "" && !strings.EqualFold(g.maker, q.Maker) {
		return false
	}
	if q.Funder != "" && !strings.EqualFold(g.funder, q.Funder) && !slices.ContainsFunc(g.lineFund, func(f string) bool { return strings.EqualFold(f, q.Funder) }) {
		return false
	}
	if q.Series != "" && g.series != q.Series {
		return false
	}
	if q.Status != "" && g.status != q.Status {
		return false
	}
	if q.MinPence != nil && (g.total == nil || *g.total < *q.MinPence) {
		return false
	}
	if q.MaxPence != nil && (g.total == nil || *g.total > *q.MaxPence) {
		return false
	}
	if q.From != nil && (g.signed == nil || g.signed.Before(*q.From)) {
		return false
	}
	if q.To != nil && (g.signed == nil || g.signed.After(*q.To)) {
		return false
	}
	return true
}

// bruteOrder sorts matches as the store must: newest (unknown dates last, then number, then
// id) or amount (unknown last, then id), all descending.
func bruteOrder(gs []genDecision, sort string) {
	slices.SortFunc(gs, func(a, b genDecision) int {
		if sort == search.SortAmount {
			ta, tb := int64(-1), int64(-1)
			if a.total != nil {
				ta = *a.total
			}
			if b.total != nil {
				tb = *b.total
			}
			if ta != tb {
				return cmpDesc(ta, tb)
			}
			return cmpDesc(a.id, b.id)
		}
		da, db := search.NoDate, search.NoDate
		if a.signed != nil {
			da = *a.signed
		}
		if b.signed != nil {
			db = *b.signed
		}
		if c := db.Compare(da); c != 0 {
			return c
		}
		if a.number != b.number {
			return cmpDesc(int64(a.number), int64(b.number))
		}
		return cmpDesc(a.id, b.id)
	})
}

func cmpDesc(a, b int64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// searchAll walks every page of q forward by cursor, then back again, and returns the ids in
// order, keeping only generated decisions (the migrations' seeded ones are there too).
func searchAll(t *testing.T, st *store.Store, acc store.Access, q search.Query, isGen map[int64]bool) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	var pages [][]int64
	for range 100 {
		page, err := st.Search(ctx, acc, q, 7)
		if err != nil {
			t.Fatalf("Search(%v): %v", q.Values(), err)
		}
		var these []int64
		for _, r := range page.Results {
			these = append(these, r.ID)
			if isGen[r.ID] {
				ids = append(ids, r.ID)
			}
		}
		pages = append(pages, these)
		if page.Next == nil {
			// Walk back by Prev and check each page is the one seen going forward.
			for i := len(pages) - 1; i > 0; i-- {
				q.Cursor = roundTrip(t, page.Prev, q)
				if q.Cursor == nil {
					t.Fatalf("%v: page %d has no Prev", q.Values(), i+1)
				}
				page, err = st.Search(ctx, acc, q, 7)
				if err != nil {
					t.Fatal(err)
				}
				var back []int64
				for _, r := range page.Results {
					back = append(back, r.ID)
				}
				if !slices.Equal(back, pages[i-1]) {
					t.Fatalf("%v: page %d going back = %v, going forward %v", q.Values(), i, back, pages[i-1])
				}
			}
			if len(pages) > 1 && page.Prev != nil {
				t.Errorf("%v: the first page, reached going back, has a Prev", q.Values())
			}
			return ids
		}
		q.Cursor = roundTrip(t, page.Next, q)
	}
	t.Fatal("more than 100 pages")
	return nil
}

// pagedIDs reads q page by page (size n) to the end by the pages' Next links, then back to the
// start by their Prev links, and returns the ids of gen's decisions in the order read
// forwards, failing when the way back does not retrace it.
func pagedIDs(t *testing.T, st *store.Store, acc store.Access, q search.Query, gen []genDecision, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	read := func() ([]int64, store.SearchPage) {
		page, err := st.Search(ctx, acc, q, n)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, r := range page.Results {
			if slices.ContainsFunc(gen, func(g genDecision) bool { return g.id == r.ID }) {
				ids = append(ids, r.ID)
			}
		}
		return ids, page
	}
	var pages [][]int64
	var page store.SearchPage
	for range 100 {
		var ids []int64
		ids, page = read()
		pages = append(pages, ids)
		if page.Next == nil {
			break
		}
		q.Cursor = roundTrip(t, page.Next, q)
	}
	for i := len(pages) - 2; i >= 0; i-- {
		if page.Prev == nil {
			t.Fatalf("page %d of %d has no Prev link", i+2, len(pages))
		}
		q.Cursor = roundTrip(t, page.Prev, q)
		var ids []int64
		ids, page = read()
		if !slices.Equal(ids, pages[i]) {
			t.Errorf("page %d read back = %v, read forwards %v", i+1, ids, pages[i])
		}
	}
	return slices.Concat(pages...)
}

// roundTrip passes a cursor through its text form, as a page link does.
func roundTrip(t *testing.T, c *search.Cursor, q search.Query) *search.Cursor {
	t.Helper()
	if c == nil {
		return nil
	}
	q.Cursor = nil
	got, err := search.DecodeCursor(search.EncodeCursor(*c, q), q)
	if err != nil {
		t.Fatalf("cursor %+v does not round-trip: %v", *c, err)
	}
	return &got
}

// TestSearchFiltersMatchBruteForce checks every filter, and every pair of filters, in each
// order, against an answer computed in Go over a generated set.
func TestSearchFiltersMatchBruteForce(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	now := time.Now()
	gen := generate(t, st, 60, now)
	isGen := map[int64]bool{}
	for _, g := range gen {
		isGen[g.id] = true
	}
	filters := []url.Values{
		{"q": {"qzalf"}}, {"fy": {"2023-24"}}, {"maker": {"sol signer"}}, {"funder": {"Youth Fund"}},
		{"series": {"gb"}}, {"min": {"5000"}}, {"max": {"20000"}}, {"from": {"2022-03-01"}}, {"to": {"2023-06-30"}},
	}
	cases := []url.Values{{}} // the default list, which leaves withdrawn decisions out
	for i, a := range filters {
		cases = append(cases, a)
		for _, b := range filters[i+1:] {
			v := url.Values{}
			for k, x := range a {
				v[k] = x
			}
			for k, x := range b {
				v[k] = x
			}
			cases = append(cases, v)
		}
	}
	accs := map[string]store.Access{"public": store.Public(now), "staff": store.Staff(1, now)}
	for _, c := range cases {
		for accName, acc := range accs {
			for _, sort := range []string{search.SortNewest, search.SortAmount, search.SortRelevance} {
				v := url.Values{}
				for k, x := range c {
					v[k] = x
				}
				v.Set("sort", sort)
				q, err := search.Parse(search.ParamsOf(v), acc.IsStaff())
				if err != nil {
					t.Fatalf("Parse(%v): %v", v, err)
				}
				var want []genDecision
				for _, g := range gen {
					if g.matches(q, acc) {
						want = append(want, g)
					}
				}
				got := searchAll(t, st, acc, q, isGen)
				if (q.FY != nil || q.Funder != "") && q.Sort == search.SortNewest {
					// The same search walking the year's or the funder's own index newest first
					// (migration 000078) must read the same rows in the same order.
					fq := q
					fq.FacetWalk = 1
					if plan, err := st.SearchPlan(context.Background(), acc, fq); err != nil || !strings.HasPrefix(plan, "facet ") {
						t.Errorf("%s %v: plan %q, %v; want a facet's walk", accName, v, plan, err)
					}
					if fgot := searchAll(t, st, acc, fq, isGen); !slices.Equal(fgot, got) {
						t.Errorf("%s %v, walking the facet: got %v, want %v", accName, v, fgot, got)
					}
				}
				if q.Sort == search.SortRelevance {
					// Every match ranks the same here; compare as sets.
					slices.Sort(got)
					slices.SortFunc(want, func(a, b genDecision) int { return cmpDesc(b.id, a.id) })
				} else {
					bruteOrder(want, q.Sort)
				}
				wantIDs := make([]int64, len(want))
				for i, g := range want {
					wantIDs[i] = g.id
				}
				if !slices.Equal(got, wantIDs) {
					t.Errorf("%s %v: got %v, want %v", accName, v, got, wantIDs)
				}
			}
		}
	}
}

// TestSearchStatusFilter is staff only: each status finds exactly its decisions.
func TestSearchStatusFilter(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	now := time.Now()
	gen := generate(t, st, 30, now)
	isGen := map[int64]bool{}
	for _, g := range gen {
		isGen[g.id] = true
	}
	staff := store.Staff(1, now)
	for _, status := range []string{"draft", "approved", "published"} {
		q, err := search.Parse(search.Params{Status: status}, true)
		if err != nil {
			t.Fatal(err)
		}
		var want []genDecision
		for _, g := range gen {
			if g.matches(q, staff) {
				want = append(want, g)
			}
		}
		bruteOrder(want, q.Sort)
		got := searchAll(t, st, staff, q, isGen)
		if len(got) != len(want) {
			t.Errorf("status=%s: %d found, want %d", status, len(got), len(want))
		}
	}
	if _, err := search.Parse(search.Params{Status: "draft"}, false); err == nil {
		t.Error("the public may filter by status draft")
	}
}

// TestSearchNeverLeaks plants Part II text, drafts and deferred decisions, and checks no
// public search finds them, counts them, or shows their text in a snippet or suggestion.
func TestSearchNeverLeaks(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	plantHidden(t, st, now)
	gen := generate(t, st, 20, now)
	public := store.Public(now)
	for _, words := range []string{secret, strings.ToLower(secret), "planted", "secret", "confidential", "part two", "deferred", "draft title", "money"} {
		q, err := search.Parse(search.Params{Q: words}, false)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Search(ctx, public, q, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			if strings.Contains(strings.ToUpper(dump(r)), "PLANTED") || r.Status != "published" && r.Status != "approved" {
				t.Errorf("Search(public, %q) found hidden %s: %s", words, r.Reference, dump(r))
			}
			for _, g := range gen {
				if g.id == r.ID && !g.visible(public) {
					t.Errorf("Search(public, %q) found %s, which the public may not see", words, r.Reference)
				}
			}
		}
		if words == secret && page.Count != 0 {
			t.Errorf("Search(public, %q) counts %d", words, page.Count)
		}
		if s, err := st.Suggest(ctx, public, words); err != nil || strings.Contains(strings.ToUpper(s), "PLANTED") {
			t.Errorf("Suggest(public, %q) = %q, %v", words, s, err)
		}
	}
	// Every snippet of every public search over the generated words stays Part I.
	for _, w := range genWords {
		q, _ := search.Parse(search.Params{Q: w}, false)
		page, err := st.Search(ctx, public, q, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			if strings.Contains(r.Snippet, secret) {
				t.Errorf("snippet of %s for %q shows Part II: %q", r.Reference, w, r.Snippet)
			}
		}
	}
}

// TestSearchRelevance: an exact reference first, a phrase over scattered words, a title match
// over a body match.
func TestSearchRelevance(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	add := func(num int, title, summary, body string) {
		ref := fmt.Sprintf("MD %d", num)
		tx, done := inTx(t, st)
		exec(t, tx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
			VALUES ('MD', $1, $2, $3, $4, $5, 'published')`, num, ref, fmt.Sprintf("md-%d", num), title, summary)
		exec(t, tx, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
			SELECT id, 1, 1, 'other', 'Background', $2 FROM decisions WHERE reference = $1`, ref, body)
		if _, err := tx.AttestImported(ctx, now, []string{ref}); err != nil {
			t.Fatal(err)
		}
		done()
	}
	add(9001, "Knife crime funding", "Money for youth work.", "Nothing about it here.")
	add(9002, "Annual accounts", "The accounts for the year.", "Some text mentions knife crime once.")
	add(9003, "Programme one", "Gang violence reduction.", "Work in schools.")
	add(9004, "Programme two", "Gang members, and later on, violence.", "Work in schools.")
	add(9005, "Reference words", "Mentions MD 9002 in passing.", "md 9005 text.")
	public := store.Public(now)
	order := func(words string) []string {
		q, err := search.Parse(search.Params{Q: words}, false)
		if err != nil {
			t.Fatal(err)
		}
		page, err := st.Search(ctx, public, q, 20)
		if err != nil {
			t.Fatal(err)
		}
		var refs []string
		for _, r := range page.Results {
			refs = append(refs, r.Reference)
		}
		return refs
	}
	if got := order("knife crime"); len(got) != 2 || got[0] != "MD 9001" {
		t.Errorf(`"knife crime" = %v, want the title match MD 9001 first, then MD 9002`, got)
	}
	if got := order("gang violence programme"); len(got) != 2 || got[0] != "MD 9003" {
		t.Errorf(`"gang violence programme" = %v, want the words together (MD 9003) before the scattered (MD 9004)`, got)
	}
	if got := order(`"gang violence"`); !slices.Contains(got, "MD 9003") || slices.Contains(got, "MD 9004") {
		t.Errorf(`quoted "gang violence" = %v, want the phrase only`, got)
	}
	if got := order("md 9002 passing"); len(got) != 2 || got[0] != "MD 9002" || got[1] != "MD 9005" {
		t.Errorf(`"md 9002 passing" = %v, want MD 9002 first, then MD 9005`, got)
	}
	if got := order("-knife crime"); slices.Contains(got, "MD 9001") {
		t.Errorf(`"-knife crime" = %v, want no decision with knife`, got)
	}
	// Snippets mark the matched words, and only those.
	q, _ := search.Parse(search.Params{Q: "accounts"}, false)
	page, err := st.Search(ctx, public, q, 20)
	if err != nil || len(page.Results) == 0 {
		t.Fatalf("accounts: %v, %d results", err, len(page.Results))
	}
	if s := page.Results[0].Snippet; !strings.Contains(s, store.MarkStart+"accounts"+store.MarkEnd) {
		t.Errorf("snippet = %q, want accounts marked", s)
	}
	if s, err := st.Suggest(ctx, public, "knfe crme"); err != nil || s != "knife crime" {
		t.Errorf(`Suggest("knfe crme") = %q, %v, want "knife crime"`, s, err)
	}
	if s, err := st.Suggest(ctx, public, "knfe -crme"); err != nil || s != "knife -crme" {
		t.Errorf(`Suggest("knfe -crme") = %q, %v, want "knife -crme": an excluded word is kept as typed`, s, err)
	}
}

// TestSearchSignedDecisionsStayIndexed: the search triggers only write search columns, which
// the signed-content trigger allows; a signed decision's index is built like any other.
func TestSearchSignedDecisionsStayIndexed(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	q, _ := search.Parse(search.Params{Q: "gang violence"}, false)
	page, err := st.Search(ctx, store.Public(time.Now()), q, 20)
	if err != nil {
		t.Fatal(err)
	}
	if page.Count == 0 {
		t.Error(`"gang violence" finds nothing among the seeded decisions (PCD 960's recommendation)`)
	}
	exec(t, st, `UPDATE organisations SET name = name || ' (renamed)' WHERE NOT EXISTS (
		SELECT 1 FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.funder_id = organisations.id)
		AND NOT EXISTS (SELECT 1 FROM signatures g JOIN funding_lines f ON f.decision_id = g.decision_id
		WHERE organisations.id IN (f.funder_id, f.recipient_id))`)
}

// TestSearchBroadWordsComeNewestFirst: words the planner expects to match more decisions than
// a search ranks are counted by the estimate and, asked for by relevance, come newest first,
// every match once, page after page, as the page's links carry on (sort=newest).
func TestSearchBroadWordsComeNewestFirst(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	now := time.Now()
	gen := generate(t, st, 60, now)
	exec(t, st, `ANALYZE decisions`)
	acc := store.Public(now)
	q, err := search.Parse(search.ParamsOf(url.Values{"q": {"qzalf"}}), false)
	if err != nil {
		t.Fatal(err)
	}
	var want []genDecision
	for _, g := range gen {
		if g.matches(q, acc) {
			want = append(want, g)
		}
	}
	bruteOrder(want, search.SortNewest)
	q.RankLimit = 3
	ctx := context.Background()
	page, err := st.Search(ctx, acc, q, 7)
	if err != nil {
		t.Fatal(err)
	}
	if !page.Unranked || page.Count != len(want) || page.Capped {
		t.Fatalf("first page: unranked %v, count %d (capped %v); want unranked, %d counted exactly",
			page.Unranked, page.Count, page.Capped, len(want))
	}
	var got []int64
	for range 50 {
		for _, r := range page.Results {
			got = append(got, r.ID)
		}
		if page.Next == nil {
			break
		}
		q.Sort = search.SortNewest // as the page's Next link says
		q.Cursor = roundTrip(t, page.Next, q)
		if page, err = st.Search(ctx, acc, q, 7); err != nil {
			t.Fatal(err)
		}
	}
	wantIDs := make([]int64, len(want))
	for i, g := range want {
		wantIDs[i] = g.id
	}
	if !slices.Equal(got, wantIDs) {
		t.Errorf("broad search, page by page = %v, want newest first %v", got, wantIDs)
	}
	// With filters too, the candidates the filters leave are sorted and the words tested on
	// them in order (filters first), or, when the filters leave too many, the matches are
	// collected from the indexes and sorted (by matches): either way the same decisions, in
	// the same order, page by page, forwards and back, as the brute-force answer.
	// Both ends of a date range fall on a matching decision's date, so a bound written
	// exclusively (on either expression) loses one.
	var days []time.Time
	for _, g := range want {
		if g.signed != nil {
			days = append(days, *g.signed)
		}
	}
	slices.SortFunc(days, time.Time.Compare)
	from, to := days[1].Format(time.DateOnly), days[len(days)-2].Format(time.DateOnly)
	staff := store.Staff(1, now) // as the other staff searches here
	for _, c := range []struct {
		v   url.Values
		acc store.Access
	}{
		{url.Values{"q": {"qzalf"}, "from": {"2022-01-01"}}, acc},
		{url.Values{"q": {"qzalf"}, "funder": {"Home Office"}, "sort": {"amount"}}, acc},
		// Newest first over candidates that include decisions with no date signed.
		{url.Values{"q": {"qzalf"}, "funder": {"Home Office"}}, acc},
		{url.Values{"q": {"qzalf"}, "from": {from}, "to": {to}}, acc},
		{url.Values{"q": {"qzalf"}, "to": {to}, "sort": {"amount"}}, acc},
		// A financial year, a funder, or both: walked by the facet's own index too.
		{url.Values{"q": {"qzalf"}, "fy": {"2022-23"}}, acc},
		{url.Values{"q": {"qzalf"}, "fy": {"2022-23"}, "funder": {"Youth Fund"}}, acc},
		{url.Values{"q": {"qzalf"}, "fy": {"2023-24"}, "from": {from}, "to": {to}}, acc},
		{url.Values{"q": {"qzalf"}, "fy": {"2022-23"}}, staff},
		// Staff see drafts and deferred decisions, and may filter by status.
		{url.Values{"q": {"qzalf"}, "series": {"GA"}}, staff},
		{url.Values{"q": {"qzalf"}, "status": {"withdrawn"}}, staff},
	} {
		v, acc := c.v, c.acc
		for _, plan := range []struct {
			candidates, facet int
			name              string
		}{{0, -1, "filters first"}, {-1, -1, "by matches"}, {-1, 1, "facet"}} {
			fq, err := search.Parse(search.ParamsOf(v), acc.IsStaff())
			if err != nil {
				t.Fatal(err)
			}
			// A facet's walk (the year's or the funder's index), for the searches with one.
			if plan.facet > 0 && (fq.FY == nil && fq.Funder == "" || v.Get("sort") == "amount") {
				continue
			}
			fq.FacetWalk = plan.facet
			var fwant []genDecision
			for _, g := range gen {
				if g.matches(fq, acc) {
					fwant = append(fwant, g)
				}
			}
			fq.RankLimit, fq.CandidateLimit = 1, plan.candidates
			if got, err := st.SearchPlan(ctx, acc, fq); err != nil || !strings.HasPrefix(got, plan.name) {
				t.Errorf("%v, candidate limit %d: plan %q, %v; want %q", v, plan.candidates, got, err, plan.name)
			}
			sort := search.SortNewest
			if v.Get("sort") == "amount" {
				sort = search.SortAmount
			}
			fq.Sort = sort
			if page, err := st.Search(ctx, acc, fq, 3); err != nil || page.Count != min(len(fwant), store.CountCap) {
				t.Errorf("%v, %s: count %d, %v; want %d", v, plan.name, page.Count, err, len(fwant))
			}
			bruteOrder(fwant, sort)
			wantIDs := []int64{}
			for _, g := range fwant {
				wantIDs = append(wantIDs, g.id)
			}
			if got := pagedIDs(t, st, acc, fq, gen, 3); !slices.Equal(got, wantIDs) {
				t.Errorf("%v, %s: page by page %v, want %v", v, plan.name, got, wantIDs)
			}
		}
	}
	// A list by financial year walks the year's own index newest first; by amount, it collects
	// the year's decisions from the GIN index and sorts them.
	for sort, want := range map[string]string{"newest": "facet decision_years", "amount": "by matches"} {
		yq, err := search.Parse(search.ParamsOf(url.Values{"fy": {"2022-23"}, "sort": {sort}}), false)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := st.SearchPlan(ctx, acc, yq); err != nil || got != want {
			t.Errorf("list for 2022-23 by %s: plan %q, %v; want %s", sort, got, err, want)
		}
	}
	// The plan is chosen by the planner's estimate of what the filters leave; a date range
	// must be estimated once, not once per expression it is written on (the newest-first key
	// repeats it), or a range of a quarter of the decisions is estimated at a sixteenth.
	rq, err := search.Parse(search.ParamsOf(url.Values{"from": {"2022-01-01"}, "to": {"2022-12-31"}}), false)
	if err != nil {
		t.Fatal(err)
	}
	if est, actual, err := st.FiltersEstimate(ctx, store.Staff(1, now), rq); err != nil || est < actual/2 || est > actual*2 {
		t.Errorf("estimate of the decisions signed in 2022: %d, %v; there are %d", est, err, actual)
	}
	// Drafts are never counted: not by the count, and not by a plan's estimate shown as one.
	for i := range 30 {
		exec(t, st, `INSERT INTO decisions (series, number, reference, slug, title, status) VALUES ('GD', $1, $2, $3, 'Nightjar draft', 'draft')`,
			900+i, fmt.Sprintf("GD %d", 900+i), fmt.Sprintf("gd-%d", 900+i))
	}
	exec(t, st, `ANALYZE decisions`)
	nq, err := search.Parse(search.ParamsOf(url.Values{"q": {"nightjar"}}), false)
	if err != nil {
		t.Fatal(err)
	}
	nq.RankLimit = 3
	if page, err := st.Search(ctx, acc, nq, 7); err != nil || page.Count != 0 || page.Capped || len(page.Results) != 0 {
		t.Errorf("public search for words only drafts hold: count %d (capped %v), %d results, %v; want none",
			page.Count, page.Capped, len(page.Results), err)
	}
	// A typed reference still ranks its decision first, whatever the count.
	ref := fmt.Sprintf("%s %d", want[len(want)-1].series, want[len(want)-1].number)
	q, err = search.Parse(search.ParamsOf(url.Values{"q": {ref + " qzalf"}}), false)
	if err != nil {
		t.Fatal(err)
	}
	q.RankLimit = 3
	page, err = st.Search(ctx, acc, q, 7)
	if err != nil || len(page.Results) == 0 || page.Results[0].Reference != ref || page.Unranked {
		t.Errorf("%q: first result %v (unranked %v, %v), want %s first", q.Q, page.Results, page.Unranked, err, ref)
	}
}
