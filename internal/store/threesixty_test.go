package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/threesixty"
)

// TestGrantsArePublicOnly: the grants of a 360Giving export are the accepted grants of
// published decisions only, counted by what is known of each, the counts describing exactly
// the grants that follow; drafts, deferred and withdrawn decisions never come back.
func TestGrantsArePublicOnly(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	now := time.Now()
	plantHidden(t, st, now)

	read := func() (threesixty.Counts, []store.GrantLine) {
		t.Helper()
		var c threesixty.Counts
		var lines []store.GrantLine
		err := st.GrantsEach(ctx, now, search.Query{Sort: search.SortNewest}, store.MaxExportRows,
			func(got threesixty.Counts) error { c = got; return nil },
			func(l store.GrantLine) error { lines = append(lines, l); return nil })
		if err != nil {
			t.Fatal(err)
		}
		if only, err := st.GrantCounts(ctx, now, search.Query{Sort: search.SortNewest}, store.MaxExportRows); err != nil ||
			only.Published != c.Published || only.LeftOut != c.LeftOut {
			t.Errorf("GrantCounts = %+v (%v), GrantsEach counted %+v", only, err, c)
		}
		return c, lines
	}
	c, lines := read()
	// The seeded register: 8 accepted grants in 10 decisions, none with an award date.
	if c.Published != 0 || c.LeftOut != 8 || len(lines) != 8 || c.ByReason[threesixty.NoAwardDate] != 8 ||
		c.ByReason[threesixty.NoRecipient] != 7 || c.ByReason[threesixty.AmountUnclear] != 1 || len(c.ByReason) != 3 {
		t.Errorf("counts %+v over %d lines, want 8 left out: 8 undated, 7 without recipient, 1 unclear", c, len(lines))
	}
	for _, l := range lines {
		if strings.HasPrefix(l.Slug, "pcd-1683") || strings.HasPrefix(l.Slug, "pcd-1684") || strings.Contains(dump(l), secret) {
			t.Errorf("GrantsEach returned hidden %s: %s", l.Reference, dump(l))
		}
		if got := l.Line().Known().Missing(); len(got) == 0 {
			t.Errorf("%s: a seeded grant with nothing missing", l.Reference)
		}
	}
	if lines[0].Reference != "PCD 1682" || lines[0].RecipientName == nil || *lines[0].RecipientName != "Metropolitan Police Service" {
		t.Errorf("first grant %s, want PCD 1682's, to the Metropolitan Police Service", dump(lines[0]))
	}

	// A withdrawn decision's grant leaves the export, whoever may still read its page.
	exec(t, st, `UPDATE decisions SET status = 'withdrawn', withdrawn_at = now(), withdrawal_reason = 'test' WHERE slug = 'pcd-1682'`)
	if c, lines = read(); c.LeftOut != 7 || len(lines) != 7 || lines[0].Reference == "PCD 1682" {
		t.Errorf("after withdrawing PCD 1682: %+v over %d lines, want 7", c, len(lines))
	}
}
