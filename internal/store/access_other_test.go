package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestOtherDecisionsFollowTheOneRule: a decision page names other decisions through its links
// and citations; each is filtered by the same rule as the page's own decision (visibleD), so
// the public never meets a draft there and staff do.
func TestOtherDecisionsFollowTheOneRule(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	drafterID, _ := plantHidden(t, st, now)
	// The draft PCD 1683 is the source a citation of PCD 1682 points at, and it continues PCD 1682.
	exec(t, st, `UPDATE decisions SET source_url = 'https://example.org/planted-draft' WHERE slug = 'pcd-1683'`)
	exec(t, st, `INSERT INTO decision_citations (decision_id, position, url)
		SELECT id, 100, 'http://www.example.org/planted-draft' FROM decisions WHERE slug = 'pcd-1682'`)

	for _, c := range []struct {
		name string
		acc  store.Access
		want bool
	}{{"public", store.Public(now), false}, {"staff", store.Staff(drafterID, now), true}} {
		d, err := st.DecisionBySlug(ctx, c.acc, "pcd-1682")
		if err != nil {
			t.Fatal(err)
		}
		cited, linked := false, false
		for _, ci := range d.Citations {
			if ci.Slug != nil && *ci.Slug == "pcd-1683" {
				cited = true
			}
		}
		for _, l := range d.Links {
			if l.Slug == "pcd-1683" {
				linked = true
			}
		}
		if cited != c.want || linked != c.want {
			t.Errorf("%s: the draft named by a citation %v, by a link %v; want %v", c.name, cited, linked, c.want)
		}
	}
}
