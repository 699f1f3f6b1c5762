package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
)

// TestOrganisationTotalsMatchBruteForce: the organisations index reads a summary the database
// keeps (migration 000081). After each of a run of random changes (drafts' funding lines and
// funders added, changed and removed, drafts sent and returned and discarded, deferred decisions
// published, decisions withdrawn and corrected, organisations merged), it gives exactly what
// adding up every decision the reader may see gives: for the public now, before anything was
// published, once every deferred decision's date has come, and for staff.
func TestOrganisationTotalsMatchBruteForce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newCorrectionDB(t)
	st := db.st
	state, err := st.SyntheticState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := st.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		t.Fatal(err)
	}
	gen := synthetic.New(7, state.LastNumber, db.now)
	var batch []store.SyntheticDecision
	for range 300 {
		batch = append(batch, gen.Next())
	}
	if err := st.LoadSynthetic(ctx, batch, orgs, db.now); err != nil {
		t.Fatal(err)
	}

	readers := []struct {
		name string
		acc  store.Access
	}{
		{"the public now", store.Public(db.now)},
		{"the public long ago", store.Public(db.now.AddDate(-30, 0, 0))},
		{"the public once every deferred date has come", store.Public(db.now.AddDate(5, 0, 0))},
		{"staff", store.Staff(db.drafter.ID, db.now)},
	}
	compare := func(step string) {
		t.Helper()
		for _, r := range readers {
			for _, sort := range []store.OrgSort{store.OrgSortName, store.OrgSortDecisions} {
				q := store.OrgQuery{Sort: sort, Limit: 10000}
				got, err := st.OrganisationIndex(ctx, r.acc, q)
				if err != nil {
					t.Fatalf("%s: OrganisationIndex: %v", step, err)
				}
				want, err := st.OrganisationIndexBruteForce(ctx, r.acc, q)
				if err != nil {
					t.Fatalf("%s: brute force: %v", step, err)
				}
				if got.Total != want.Total || !reflect.DeepEqual(got.Orgs, want.Orgs) {
					t.Fatalf("%s, for %s by %s: the kept totals give %d organisations\n%+v\nwant %d\n%+v",
						step, r.name, sort, got.Total, got.Orgs, want.Total, want.Orgs)
				}
			}
		}
	}
	compare("after loading")

	rng := rand.New(rand.NewPCG(24, 81))
	// pick returns one id the query lists, at random, or 0 when it lists none.
	pick := func(sql string, args ...any) int64 {
		t.Helper()
		rows, err := db.pool.Query(ctx, sql, args...)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			return 0
		}
		return ids[rng.IntN(len(ids))]
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	org := func() int64 {
		return pick(`SELECT id FROM organisations WHERE merged_into IS NULL AND name NOT LIKE 'Draft Only%' ORDER BY id`)
	}
	draft := func() int64 { return pick(`SELECT id FROM decisions WHERE status = 'draft' ORDER BY id`) }
	slugOf := func(id int64) string {
		var slug string
		if err := db.pool.QueryRow(ctx, `SELECT slug FROM decisions WHERE id = $1`, id).Scan(&slug); err != nil {
			t.Fatal(err)
		}
		return slug
	}
	kinds := []string{"grant_accepted", "variation", "maximum_after_variation", "agreed_in_principle", "context"}
	added := 0
	ops := []struct {
		name string
		do   func() bool
	}{
		{"a funding line added to a draft", func() bool {
			d := draft()
			if d == 0 {
				return false
			}
			fy := 2018 + rng.IntN(8)
			basis := []string{"total", "per_year"}[rng.IntN(2)]
			exec(`INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, kind, label, fy_start, fy_end, basis)
VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM funding_lines WHERE decision_id = $1), $2, $3, $4, $5, 'Added', $6, $7, $8)`,
				d, org(), org(), 100+rng.Int64N(1e9), kinds[rng.IntN(len(kinds))], fy, fy+rng.IntN(3), basis)
			return true
		}},
		{"a draft's funding line changed", func() bool {
			f := pick(`SELECT f.id FROM funding_lines f JOIN decisions d ON d.id = f.decision_id WHERE d.status = 'draft' ORDER BY f.id`)
			if f == 0 {
				return false
			}
			exec(`UPDATE funding_lines SET amount_pence = $2, recipient_id = $3, kind = $4 WHERE id = $1`,
				f, 100+rng.Int64N(1e9), org(), kinds[rng.IntN(len(kinds))])
			return true
		}},
		{"a draft's funding line removed", func() bool {
			f := pick(`SELECT f.id FROM funding_lines f JOIN decisions d ON d.id = f.decision_id WHERE d.status = 'draft' ORDER BY f.id`)
			if f == 0 {
				return false
			}
			exec(`DELETE FROM funding_lines WHERE id = $1`, f)
			return true
		}},
		{"a draft's funder changed", func() bool {
			d := draft()
			if d == 0 {
				return false
			}
			exec(`UPDATE decisions SET funder_id = $2 WHERE id = $1`, d, org())
			return true
		}},
		{"a new organisation named only in a draft", func() bool {
			d := draft()
			if d == 0 {
				return false
			}
			added++
			var o int64
			if err := db.pool.QueryRow(ctx, `INSERT INTO organisations (name) VALUES ($1) RETURNING id`,
				fmt.Sprintf("Draft Only Trust %d", added)).Scan(&o); err != nil {
				t.Fatal(err)
			}
			exec(`INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, kind, label)
VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM funding_lines WHERE decision_id = $1), $2, $3, 5000, 'grant_accepted', 'New')`,
				d, org(), o)
			return true
		}},
		{"a draft sent for sign-off and returned", func() bool {
			d := draft()
			if d == 0 {
				return false
			}
			exec(`UPDATE decisions SET status = 'awaiting_signoff' WHERE id = $1`, d)
			compare("a draft sent for sign-off")
			exec(`UPDATE decisions SET status = 'draft' WHERE id = $1`, d)
			return true
		}},
		{"a draft discarded", func() bool {
			d := draft()
			if d == 0 || rng.IntN(3) > 0 { // seldom: drafts are what most changes need
				return false
			}
			exec(`UPDATE decisions SET status = 'discarded' WHERE id = $1`, d)
			return true
		}},
		{"deferred decisions published", func() bool {
			n, err := st.ReleaseDue(ctx, db.now.AddDate(0, 0, 30+rng.IntN(400)))
			return err == nil && n > 0
		}},
		{"a decision withdrawn", func() bool {
			d := pick(`SELECT id FROM decisions WHERE series = 'PCD' AND status IN ('published', 'approved') ORDER BY id`)
			if d == 0 {
				return false
			}
			if err := st.Withdraw(ctx, db.maker.Act(db.now), slugOf(d), "Superseded.", db.now); err != nil {
				t.Fatalf("withdraw: %v", err)
			}
			return true
		}},
		{"a decision corrected", func() bool {
			// Of a decision naming no merged organisation: correcting one that does fails
			// its hash check whatever the summary does (its triggers write no content; reported).
			d := pick(`SELECT d.id FROM decisions d WHERE d.series = 'PCD' AND d.status = 'published'
	AND EXISTS (SELECT 1 FROM funding_lines f WHERE f.decision_id = d.id AND f.kind = 'grant_accepted' AND f.recipient_id IS NOT NULL)
	AND NOT EXISTS (SELECT 1 FROM funding_lines f JOIN organisations o ON o.id IN (f.funder_id, f.recipient_id)
		WHERE f.decision_id = d.id AND o.merged_into IS NOT NULL) ORDER BY d.id`)
			if d == 0 {
				return false
			}
			slug := slugOf(d)
			if err := st.StartCorrection(ctx, db.drafter.Act(db.now), slug, "The amount was mistyped."); err != nil {
				t.Fatalf("start correction: %v", err)
			}
			db.edit(t, slug, func(k *decision.Corrected) {
				for i := range k.Funding {
					k.Funding[i].AmountPence += 100 + rng.Int64N(1e6)
				}
			})
			db.send(t, slug)
			c := db.open(t, slug)
			if _, err := st.ApproveCorrection(ctx, db.maker.Act(db.now), slug, decision.ContentHash(c.NewContent())); err != nil {
				t.Fatalf("approve correction: %v", err)
			}
			return true
		}},
		{"two organisations merged", func() bool {
			from, into := org(), org()
			if from == into || from == 0 {
				return false
			}
			if err := st.MergeOrganisations(ctx, db.admin.Act(db.now), from, into); err != nil {
				t.Fatalf("merge: %v", err)
			}
			return true
		}},
	}
	done := map[string]int{}
	for i := range 80 {
		op := ops[rng.IntN(len(ops))]
		if op.do() {
			done[op.name]++
			t.Logf("step %d: %s", i, op.name)
			compare(fmt.Sprintf("step %d, %s", i, op.name))
		}
	}
	for _, op := range ops {
		if done[op.name] == 0 {
			t.Errorf("no %s in the run: choose another seed", op.name)
		}
	}
	// Paging through each organisation's page, forward and back, gives every decision naming it
	// once, in the listing order, as reading them all does; its years are what its lines add up to.
	for _, r := range readers {
		all, err := st.OrganisationIndex(ctx, r.acc, store.OrgQuery{Sort: store.OrgSortName, Limit: 10000})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range all.Orgs {
			rec, err := st.OrganisationByID(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.OrganisationDecisionIDsBruteForce(ctx, r.acc, rec)
			if err != nil {
				t.Fatal(err)
			}
			var forward []int64
			var pages []store.OrgDetail
			q := store.OrgPageQuery{Limit: 7}
			for {
				od, err := st.OrganisationDetail(ctx, r.acc, rec, q)
				if err != nil {
					t.Fatal(err)
				}
				if od.Count != int64(len(want)) {
					t.Fatalf("%s for %s: Count %d, want %d", o.Name, r.name, od.Count, len(want))
				}
				pages = append(pages, od)
				for _, d := range od.Decisions {
					forward = append(forward, d.ID)
				}
				if od.Next == nil {
					break
				}
				q.Cursor = od.Next
			}
			if !reflect.DeepEqual(forward, want) && len(want) > 0 {
				t.Fatalf("%s for %s: paging forward gives %v, want %v", o.Name, r.name, forward, want)
			}
			// Back from the last page: each Prev gives the page before, the first has none.
			for i := len(pages) - 1; i > 0; i-- {
				back, err := st.OrganisationDetail(ctx, r.acc, rec, store.OrgPageQuery{Limit: 7, Cursor: pages[i].Prev})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(back.Decisions, pages[i-1].Decisions) {
					t.Fatalf("%s for %s: Previous from page %d gives another page than page %d", o.Name, r.name, i+1, i)
				}
				if (back.Prev == nil) != (i == 1) {
					t.Fatalf("%s for %s: page %d read back has Previous %v", o.Name, r.name, i, back.Prev)
				}
			}
			years, err := st.OrganisationYearsBruteForce(ctx, r.acc, rec)
			if err != nil {
				t.Fatal(err)
			}
			if (len(years) > 0 || len(pages[0].Years) > 0) && !reflect.DeepEqual(pages[0].Years, years) {
				t.Fatalf("%s for %s: the kept years give\n%+v\nwant\n%+v", o.Name, r.name, pages[0].Years, years)
			}
			if pages[0].Prev != nil {
				t.Fatalf("%s for %s: the first page has a Previous", o.Name, r.name)
			}
		}
	}
	// A draft's new organisation is not the public's to know.
	pub, err := st.OrganisationIndex(ctx, store.Public(db.now), store.OrgQuery{Name: "Draft Only Trust", Sort: store.OrgSortName, Limit: 100})
	if err != nil || pub.Total != 0 || len(pub.Orgs) != 0 {
		t.Errorf("the public's index names %d organisations only drafts name (%v), want none", pub.Total, err)
	}
}
