package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

var errRollback = errors.New("roll back")

// signAll clears every step of slug and signs it, publishing at publishAt.
func (db *signoffDB) signAll(t *testing.T, slug string, now, publishAt time.Time, in store.SignInput) {
	t.Helper()
	ctx := context.Background()
	h := db.hash(t, slug)
	for _, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), slug, k, h); err != nil {
			t.Fatal(err)
		}
	}
	in.SeenHash, in.PublishAt = h, publishAt
	if err := db.st.Sign(ctx, db.maker.Act(now), slug, in); err != nil {
		t.Fatal(err)
	}
}

// Who signed, in what role, when, what they declared and when the decision is published are
// part of what is signed: the database refuses to change them, and `verify` finds them changed
// by whoever turns the triggers off. Before, all of these went through unnoticed.
func TestSigningRecordLockedAndVerified(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9301)
	db.signAll(t, slug, now, now, store.SignInput{Outcome: "approved", Interests: "declared",
		InterestsDetail: "My spouse chairs the recipient."})
	deferred := db.awaiting(9302)
	db.signAll(t, deferred, now, now.Add(48*time.Hour), store.SignInput{Outcome: "approved", Interests: "none",
		DeferralReason: "Market sensitive."})
	if n, err := db.st.ReleaseDue(ctx, now.Add(72*time.Hour)); err != nil || n != 1 {
		t.Fatalf("ReleaseDue = %d, %v; want the deferred decision released", n, err)
	}
	if rep, err := db.st.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 || rep.Decisions != 12 {
		t.Fatalf("VerifySignatures before tampering = %+v, %v; want 12 that hold", rep, err)
	}

	// As the application's own role, triggers on: each is refused.
	for _, set := range []string{
		`decision_maker_name = 'Not The Signer'`,
		`decision_maker_role = 'Intern'`,
		`date_signed = '1999-01-01'`,
		`date_published = '1999-01-02'`,
		`publish_at = now() + interval '1 year'`,
		`deferral_reason = 'Another reason'`,
	} {
		for _, s := range []string{slug, deferred} {
			_, err := db.pool.Exec(ctx, `UPDATE decisions SET `+set+` WHERE slug = $1`, s)
			if err == nil || !strings.Contains(err.Error(), "cannot change") {
				t.Errorf("UPDATE %s SET %s: %v, want refused", s, set, err)
			}
		}
	}

	// With the triggers off, as whoever holds the database: verify names the decision.
	for _, tamper := range []struct{ table, set, key string }{
		{"signatures", `signer_name = 'Someone Else'`, "signer"},
		{"signatures", `signed_at = '1999-01-01'`, "signed_at"},
		{"signatures", `interests = 'none', interests_detail = NULL`, "interests"},
		{"signatures", `interests_detail = 'Nothing of note.'`, "interests_detail"},
		{"signatures", `outcome = 'rejected'`, "outcome"},
		{"decisions", `decision_maker_name = 'Not The Signer'`, "decision_maker"},
		{"decisions", `decision_maker_role = 'Intern'`, "decision_maker_role"},
		{"decisions", `date_signed = '1999-01-01'`, "date_signed"},
		{"decisions", `date_published = '2026-11-28'`, "date_published"},
		// The approver's name is also in the content signed (canonical version 4): its hash
		// no longer matches, and that is named first.
		{"signoff_actions", `approver_name = 'Someone Else'`, "content"},
		{"signoff_actions", `step_name = 'Money'`, "finance approval's step name"},
		{"signoff_actions", `statement = 'Nothing was checked.'`, "finance approval's statement"},
	} {
		err := db.st.InTx(ctx, func(tx *store.Store) error {
			for _, q := range []string{
				`ALTER TABLE ` + tamper.table + ` DISABLE TRIGGER USER`,
				`UPDATE ` + tamper.table + ` SET ` + tamper.set + ` WHERE ` + map[string]string{
					"signatures":      `decision_id = (SELECT id FROM decisions WHERE slug = 'pcd-9301')`,
					"decisions":       `slug = 'pcd-9301'`,
					"signoff_actions": `step_kind = 'finance' AND decision_id = (SELECT id FROM decisions WHERE slug = 'pcd-9301')`,
				}[tamper.table],
				`ALTER TABLE ` + tamper.table + ` ENABLE TRIGGER USER`,
			} {
				if err := tx.Exec(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			rep, err := tx.VerifySignatures(ctx)
			if err != nil {
				t.Fatal(err)
			}
			want, mismatches := "its "+tamper.key+" is", 1
			if tamper.key == "content" {
				want, mismatches = "(the content was changed)", 2 // and the approval's own record, counted apart
			}
			if rep.Mismatches != mismatches || rep.BadReference != "PCD 9301" || !strings.Contains(rep.Problem, want) {
				t.Errorf("VerifySignatures after %s SET %s = %+v, want PCD 9301 named for its %s", tamper.table, tamper.set, rep, tamper.key)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	}
}

// The public chain shows each approver's name and the step's name and statement as they were
// when the approval was given, whatever the users and step_kinds tables say later. Before,
// they were joined from those tables when read.
func TestApprovalKeepsNames(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9303)
	db.signAll(t, slug, now, now, store.SignInput{Outcome: "approved", Interests: "none"})
	db.exec(`UPDATE users SET name = 'Renamed Later' WHERE id = $1`, db.advisers["finance"].ID)
	db.exec(`UPDATE step_kinds SET name = 'Money', statement = 'Reworded later.' WHERE code = 'finance'`)
	rec, err := db.st.SignoffChain(ctx, store.Public(now.Add(time.Hour)), slug)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range rec.Approvals {
		if a.StepKind != "finance" {
			continue
		}
		found = true
		if a.UserName != "Adviser finance" || a.StepName != "Finance" || !strings.HasPrefix(a.Statement, "Financial advice has been sought") {
			t.Errorf("finance approval reads %q / %q / %q, want the name, step and statement it was given under", a.UserName, a.StepName, a.Statement)
		}
	}
	if !found {
		t.Fatalf("no finance approval in %+v", rec.Approvals)
	}
	entries, err := db.st.Timeline(ctx, rec.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Event == store.EventApproved && strings.Contains(e.Detail, `"step":"finance"`) &&
			(!strings.Contains(e.Detail, `"approver":"Adviser finance"`) || !strings.Contains(e.Detail, `"step_name":"Finance"`)) {
			t.Errorf("the approval's audit entry %s does not record the approver and step by name", e.Detail)
		}
	}
}
