package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// Releasing Part II later is a signed version: releasing one of two sections records the
// content as signed as version 1 (its hash still the signature's) and the release as version
// 2, under canonical version 5 with the released text, ground, day and who; the rest stays
// withheld with a new review date; releasing the second makes version 3 and ends the
// withholding. verify holds throughout, and names a release changed with the triggers off.
func TestReleasePartTwoIsASignedVersion(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9321)
	db.exec(`INSERT INTO sections (decision_id, part, position, kind, heading, body)
		SELECT id, 2, 2, 'other', 'Terms', 'STILL-SECRET-TERMS' FROM decisions WHERE slug = $1`, slug)
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	review := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	if err := db.st.SetPartTwoWithholding(ctx, id, &store.WithholdingInput{Ground: "foi-s43", PublicInterest: "Prices.",
		ReviewOn: review}, now); err != nil {
		t.Fatal(err)
	}
	db.signAll(t, slug, now, now, store.SignInput{Outcome: "approved", Interests: "none"})
	var signedHash string
	if err := db.pool.QueryRow(ctx, `SELECT content_hash FROM signatures WHERE decision_id = $1`, id).Scan(&signedHash); err != nil {
		t.Fatal(err)
	}
	w, err := db.st.WithholdingOf(ctx, id, store.WithheldPartTwo)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(10 * 24 * time.Hour)
	for _, c := range []struct {
		name string
		by   store.User
		in   store.PartTwoRelease
		want string
	}{
		{"a drafter", db.drafter, store.PartTwoRelease{Positions: []int{1}, ReviewOn: review.AddDate(0, 6, 0), Reason: "Terms."}, "Only the decision makers"},
		{"nothing chosen", db.maker, store.PartTwoRelease{ReviewOn: review.AddDate(0, 6, 0), Reason: "Terms."}, "Select the sections"},
		{"no later date", db.maker, store.PartTwoRelease{Positions: []int{1}, ReviewOn: review, Reason: "Terms."}, "must be after 1 June 2027"},
		{"no reason", db.maker, store.PartTwoRelease{Positions: []int{1}, ReviewOn: review.AddDate(0, 6, 0)}, "stays withheld"},
	} {
		if _, err := db.st.ReleasePartTwo(ctx, c.by.Act(later), w.ID, c.in); !errors.Is(err, decision.ErrNotAllowed) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReleasePartTwo by %s = %v, want refused with %q", c.name, err, c.want)
		}
	}

	n, err := db.st.ReleasePartTwo(ctx, db.maker.Act(later), w.ID, store.PartTwoRelease{Positions: []int{1},
		ReviewOn: review.AddDate(0, 6, 0), Reason: "The terms are still being negotiated."})
	if err != nil || n != 2 {
		t.Fatalf("ReleasePartTwo of section 1 = %d, %v; want version 2", n, err)
	}
	vs, err := db.st.Versions(ctx, store.Public(later), slug)
	if err != nil || len(vs) != 2 {
		t.Fatalf("Versions = %d, %v; want 2", len(vs), err)
	}
	if vs[0].ContentHash != signedHash || vs[0].CanonicalVersion != decision.CanonicalVersion {
		t.Errorf("version 1 = %s under v%d, want the signature's hash %s", vs[0].ContentHash, vs[0].CanonicalVersion, signedHash)
	}
	v2 := string(vs[1].Canonical)
	for _, want := range []string{`"released":[{"section":1,"kind":"other","heading":"Confidential","body":"` + partTwoSecret + `"`,
		`"ground":"foi-s43","released_on":"2026-12-07","released_by":"Sophie Signer"}]`} {
		if !strings.Contains(v2, want) {
			t.Errorf("version 2's bytes %s lack %s", v2, want)
		}
	}
	if strings.Contains(v2, "STILL-SECRET-TERMS") {
		t.Error("version 2's bytes hold the section still withheld")
	}
	if vs[1].SignerName == nil || *vs[1].SignerName != "Sophie Signer" || vs[1].Reason == nil ||
		*vs[1].Reason != "Part II released: “Confidential” (withheld under FOI Act s.43 until then)." {
		t.Errorf("version 2 signed by %v for %q", deref(vs[1].SignerName), deref(vs[1].Reason))
	}
	w, _ = db.st.WithholdingOf(ctx, id, store.WithheldPartTwo)
	if w.ReleasedAt != nil || !w.ReviewOn.Equal(review.AddDate(0, 6, 0)) || len(w.Extensions) != 1 {
		t.Errorf("the rest's withholding = %+v, want still withheld to 1 December 2027 with one extension", w)
	}
	verify := func(when string, versions int) {
		t.Helper()
		rep, err := db.st.VerifyRegister(ctx)
		if err != nil || rep.Signatures.Mismatches != 0 || rep.Versions.Problem != "" || rep.Versions.Versions != versions || rep.Chain.Problem != "" {
			t.Fatalf("VerifyRegister %s = %+v, %v", when, rep, err)
		}
	}
	verify("after releasing section 1", 2)

	if _, err := db.st.ReleasePartTwo(ctx, db.maker.Act(later), w.ID, store.PartTwoRelease{Positions: []int{1, 2}}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("releasing section 1 again = %v, want ErrConflict", err)
	}
	admin, err := db.st.CreateUser(ctx, store.System(now), "admin@example.org", "Alex Admin", "$argon2id$not-a-real-hash", store.Grants{Roles: []string{"admin"}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := db.st.ReleasePartTwo(ctx, store.Act{UserID: admin, Name: "Alex Admin", At: later.Add(time.Hour)}, w.ID,
		store.PartTwoRelease{Positions: []int{2}}); err != nil || n != 3 {
		t.Fatalf("ReleasePartTwo of the rest by an admin = %d, %v; want version 3", n, err)
	}
	w, _ = db.st.WithholdingOf(ctx, id, store.WithheldPartTwo)
	if w.ReleasedAt == nil {
		t.Error("the withholding is not released with its last section")
	}
	verify("after releasing the rest", 3)

	// A release cannot be written but beside its version, nor changed once written; verify
	// names one changed with the triggers off.
	if _, err := db.pool.Exec(ctx, `UPDATE part_two_releases SET released_name = 'Someone Else' WHERE decision_id = $1`, id); err == nil {
		t.Error("a release was changed")
	}
	err = db.st.InTx(ctx, func(tx *store.Store) error {
		for _, q := range []string{`ALTER TABLE part_two_releases DISABLE TRIGGER USER`,
			`UPDATE part_two_releases SET released_name = 'Someone Else' WHERE position = 2`,
			`ALTER TABLE part_two_releases ENABLE TRIGGER USER`} {
			if err := tx.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		rep, err := tx.VerifySignatures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Mismatches != 1 || rep.BadReference != "PCD 9321" || !strings.Contains(rep.Problem, "content was changed") {
			t.Errorf("VerifySignatures after changing a release = %+v, want PCD 9321 named", rep)
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}
