package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// correctOnce corrects PCD 1682 (the first funding line's amount) through the store, so it has
// two signed versions.
func correctOnce(t *testing.T, dbURL string) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	now := time.Now()
	user := func(email string, g store.Grants) store.User {
		id, err := st.CreateUser(ctx, store.System(now), email, "Someone "+email, "$argon2id$not-a-real-hash", g)
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	drafter := user("drafter@example.org", store.Grants{Roles: []string{"drafter"}})
	maker := user("maker@example.org", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	if err := st.StartCorrection(ctx, drafter.Act(now), "pcd-1682", "A figure was mistyped."); err != nil {
		t.Fatal(err)
	}
	err = st.EditCorrection(ctx, drafter.Act(now), "pcd-1682", 1, "funding", func(e *store.CorrectionEdit) error {
		e.Draft.Funding[0].AmountPence++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SendCorrection(ctx, drafter.Act(now), "pcd-1682", 2); err != nil {
		t.Fatal(err)
	}
	c, err := st.OpenCorrection(ctx, store.Staff(drafter.ID, now), "pcd-1682")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ApproveCorrection(ctx, maker.Act(now), "pcd-1682", decision.ContentHash(c.NewContent())); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyCorrectedDecision: both versions of a corrected decision verify, and a version
// changed behind the triggers' backs (its bytes and hash rewritten together, so the database's
// own CHECK holds) is named.
func TestVerifyCorrectedDecision(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	correctOnce(t, dbURL)
	out, err := runCmd(t, dbURL, nil, "verify")
	if err != nil || !strings.Contains(out, "checked 10 signed decisions: all match") ||
		!strings.Contains(out, "checked 2 signed versions of corrected decisions: all match") {
		t.Fatalf("verify after a correction = %v\n%s", err, out)
	}
	tamperVersions(t, dbURL)
	out, err = runCmd(t, dbURL, nil, "verify")
	if err == nil || !strings.Contains(out, "version 1 of PCD 1682 does not hold") {
		t.Fatalf("verify after a version was rewritten = %v\n%s", err, out)
	}
}

func tamperVersions(t *testing.T, dbURL string) {
	t.Helper()
	tamperTables(t, dbURL, []string{"decision_versions"},
		`UPDATE decision_versions SET canonical = canonical || '\x20'::bytea,
			content_hash = encode(sha256(canonical || '\x20'::bytea), 'hex') WHERE number = 1`)
}
