package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// TestCoverActNamesChecked: an approval or a signature written straight into the database under
// a real, running cover must still name the person covered and who set the cover as users and
// covers record them: a wrong name is refused (migration 69), the right ones are accepted.
func TestCoverActNamesChecked(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ben := func() store.User {
		id, err := db.st.CreateUser(ctx, store.System(time.Now()), "ben@example.org", "Ben Cover", "$argon2id$not-a-real-hash",
			store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}()
	legal := db.advisers["legal"]
	setAt := cal.Act(time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC))
	for _, in := range []store.CoverInput{
		{UserID: legal.ID, CovererID: bea.ID, Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"},
		{UserID: db.maker.ID, CovererID: ben.ID, Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"},
	} {
		if _, err := db.st.SetCover(ctx, setAt, in); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Date(2026, 8, 5, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9401)
	h := db.hash(t, slug)
	for _, k := range pcdChain[:2] {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), slug, k, h); err != nil {
			t.Fatal(err)
		}
	}
	approve := func(forName, setBy string) error {
		return db.st.Exec(ctx, `INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at,
	approver_name, step_name, statement, interests, on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
SELECT d.id, 'legal', $2, 'approved', $3, $4, 'Bea Cover', k.name, k.statement, 'none', $5, $6, c.id, c.starts_on, c.ends_on, $7
FROM decisions d, covers c, step_kinds k WHERE d.slug = $1 AND c.user_id = $5 AND k.code = 'legal'`,
			slug, bea.ID, h, now, legal.ID, forName, setBy)
	}
	for _, tc := range []struct{ name, forName, setBy string }{
		{"another person's name", "Sophie Signer", "Cal Admin"},
		{"a name made up", "Someone Else", "Cal Admin"},
		{"another setter", legal.Name, "Bea Cover"},
	} {
		if err := approve(tc.forName, tc.setBy); !refusedBy(err, "cover_names") {
			t.Errorf("an approval under cover with %s: %v, want the cover_names refusal", tc.name, err)
		}
	}
	if err := approve(legal.Name, "Cal Admin"); err != nil {
		t.Fatalf("an approval under cover with the right names: %v", err)
	}
	for _, k := range pcdChain[3:] {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), slug, k, h); err != nil {
			t.Fatal(err)
		}
	}
	sign := func(forName, setBy string) error {
		return db.st.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
	content_hash, canonical_version, on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
SELECT d.id, 'signed', 'rejected', $2, 'Ben Cover', 'none', $3, $4, 4, $5, $6, c.id, c.starts_on, c.ends_on, $7
FROM decisions d, covers c WHERE d.slug = $1 AND c.user_id = $5`, slug, ben.ID, now.Add(time.Hour), h, db.maker.ID, forName, setBy)
	}
	for _, tc := range []struct{ name, forName, setBy string }{
		{"another person's name", legal.Name, "Cal Admin"},
		{"another setter", db.maker.Name, "Ben Cover"},
	} {
		if err := sign(tc.forName, tc.setBy); !refusedBy(err, "cover_names") {
			t.Errorf("a signature under cover with %s: %v, want the cover_names refusal", tc.name, err)
		}
	}
	if err := sign(db.maker.Name, "Cal Admin"); err != nil {
		t.Fatalf("a signature under cover with the right names: %v", err)
	}
}
