package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// Whether a signed decision waits for its owner's release is part of its signing record: the
// database refuses every change to release_held on a signed decision but the release (true to
// false with publication), and `verify` names a decision whose release_held was changed with
// the triggers off. Before migration 71 a direct UPDATE could hide a published decision and
// verify did not notice (this test failed: no refusal, no mismatch).
func TestReleaseHeldFrozenOnceSigned(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if err := db.st.SetSeriesReleaseMode(ctx, store.System(now), "PCD", store.ReleaseConfirm, 14); err != nil {
		t.Fatal(err)
	}
	published := db.awaiting(9311)
	db.signAll(t, published, now, now, store.SignInput{Outcome: "approved", Interests: "none"})
	held := db.awaiting(9312)
	db.signAll(t, held, now, now.Add(48*time.Hour), store.SignInput{Outcome: "approved", Interests: "none",
		DeferralReason: "Market sensitive.", DeferralGround: &store.WithholdingInput{Ground: "foi-s43", PublicInterest: "Prices."}})
	var isHeld bool
	if err := db.pool.QueryRow(ctx, `SELECT release_held FROM decisions WHERE slug = $1`, held).Scan(&isHeld); err != nil || !isHeld {
		t.Fatalf("the deferral in a confirm series: release_held = %v, %v; want held", isHeld, err)
	}
	verifyClean := func(when string) {
		t.Helper()
		if rep, err := db.st.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 {
			t.Fatalf("VerifySignatures %s = %+v, %v; want every signature to hold", when, rep, err)
		}
	}
	verifyClean("before tampering")

	// A decision held and signed before signing records said whether it was held (their entries
	// have no release_held) is not named for it: nothing recorded, nothing to compare.
	err := db.st.InTx(ctx, func(tx *store.Store) error {
		for _, q := range []string{`ALTER TABLE audit_log DISABLE TRIGGER USER`,
			`UPDATE audit_log SET detail = (detail::jsonb - 'release_held')::text
			 WHERE decision_id = (SELECT id FROM decisions WHERE slug = '` + held + `')`,
			`ALTER TABLE audit_log ENABLE TRIGGER USER`} {
			if err := tx.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if rep, err := tx.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 {
			t.Errorf("VerifySignatures of a hold signed before holds were recorded = %+v, %v; want no mismatch", rep, err)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}

	// As the application's own role, triggers on: both are refused.
	for _, c := range []struct{ slug, set string }{
		{published, `release_held = true`},
		{held, `release_held = false`},
	} {
		_, err := db.pool.Exec(ctx, `UPDATE decisions SET `+c.set+` WHERE slug = $1`, c.slug)
		if err == nil || !strings.Contains(err.Error(), "cannot change") {
			t.Errorf("UPDATE %s SET %s: %v, want refused", c.slug, c.set, err)
		}
	}

	// With the triggers off, as whoever holds the database: verify names the decision.
	for _, c := range []struct{ slug, ref, set string }{
		{published, "PCD 9311", `release_held = true`},
		{held, "PCD 9312", `release_held = false`},
	} {
		err := db.st.InTx(ctx, func(tx *store.Store) error {
			for _, q := range []string{`ALTER TABLE decisions DISABLE TRIGGER USER`,
				`UPDATE decisions SET ` + c.set + ` WHERE slug = '` + c.slug + `'`,
				`ALTER TABLE decisions ENABLE TRIGGER USER`} {
				if err := tx.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err := tx.VerifySignatures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Mismatches != 1 || rep.BadReference != c.ref || !strings.Contains(rep.Problem, "release_held") {
				t.Errorf("VerifySignatures after SET %s on %s = %+v, want %s named for its release_held", c.set, c.slug, rep, c.ref)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	}

	// The release itself is let through, and verify holds after it.
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, held).Scan(&id); err != nil {
		t.Fatal(err)
	}
	w, err := db.st.WithholdingOf(ctx, id, store.WithheldDeferral)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.st.ReleaseHeld(ctx, db.maker.Act(now.Add(72*time.Hour)), w.ID); err != nil {
		t.Fatalf("ReleaseHeld: %v", err)
	}
	verifyClean("after the release")
}
