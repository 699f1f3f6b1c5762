package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

func londonDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// coverPeople adds, beside the sign-off DB's people, a second legal adviser to cover the first,
// and an admin who sets cover for others.
func coverPeople(t *testing.T, db *signoffDB) (bea, cal store.User) {
	t.Helper()
	ctx := context.Background()
	add := func(email, name string, g store.Grants) store.User {
		id, err := db.st.CreateUser(ctx, store.System(time.Now()), email, name, "$argon2id$not-a-real-hash", g)
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	bea = add("bea@example.org", "Bea Cover", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"legal", "finance"}})
	cal = add("cal@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	return bea, cal
}

// TestSetCoverRefusals: each cover the issue names as bad comes back by its field, and nothing
// is recorded; the database refuses an overlap and a cover of oneself whatever the application does.
func TestSetCoverRefusals(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ann := db.advisers["legal"]
	now := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	good := store.CoverInput{UserID: ann.ID, CovererID: bea.ID, Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Annual leave"}
	if _, err := db.st.SetCover(ctx, ann.Act(now), good); err != nil {
		t.Fatalf("SetCover: %v", err)
	}
	cases := []struct {
		name  string
		by    store.User
		in    store.CoverInput
		field string
		words string
	}{
		{"overlaps another", cal, store.CoverInput{UserID: ann.ID, CovererID: bea.ID, Starts: londonDate("2026-08-10"),
			Ends: londonDate("2026-08-20"), Reason: "Leave"}, "starts", "Adviser legal already has cover 1–14 August 2026"},
		{"without the role", ann, store.CoverInput{UserID: ann.ID, CovererID: db.advisers["finance"].ID, Starts: londonDate("2026-09-01"),
			Ends: londonDate("2026-09-02"), Reason: "Leave"}, "coverer", "Adviser finance cannot cover for you: they do not clear the Legal step"},
		{"the person themself", ann, store.CoverInput{UserID: ann.ID, CovererID: ann.ID, Starts: londonDate("2026-09-01"),
			Ends: londonDate("2026-09-02"), Reason: "Leave"}, "coverer", "a person cannot cover for themself"},
		{"end before start", ann, store.CoverInput{UserID: ann.ID, CovererID: bea.ID, Starts: londonDate("2026-09-05"),
			Ends: londonDate("2026-09-01"), Reason: "Leave"}, "ends", "The end date must be the same as or after the start date"},
		{"a drafter covering", ann, store.CoverInput{UserID: ann.ID, CovererID: db.drafter.ID, Starts: londonDate("2026-09-01"),
			Ends: londonDate("2026-09-02"), Reason: "Leave"}, "coverer", "Dana Drafter cannot cover for you"},
	}
	for _, c := range cases {
		_, err := db.st.SetCover(ctx, c.by.Act(now), c.in)
		var ce store.CoverErrors
		if !errors.As(err, &ce) || len(ce) != 1 || ce[0].Field != c.field || !strings.Contains(ce[0].Message, c.words) {
			t.Errorf("%s: SetCover = %v, want one error by %s saying %q", c.name, err, c.field, c.words)
		}
	}
	covers, err := db.st.CoversOf(ctx, ann.ID, now)
	if err != nil || len(covers) != 1 {
		t.Fatalf("CoversOf = %v, %v; want only the good cover", covers, err)
	}
	for name, sql := range map[string]string{
		"overlap": `INSERT INTO covers (user_id, coverer_id, starts_on, ends_on, reason, set_by, set_by_name, created_at)
			VALUES ($1, $2, '2026-08-14', '2026-08-15', 'x', $1, 'x', now())`,
		"self": `INSERT INTO covers (user_id, coverer_id, starts_on, ends_on, reason, set_by, set_by_name, created_at)
			VALUES ($1, $1, '2026-10-01', '2026-10-02', 'x', $1, 'x', now())`,
		"backwards": `INSERT INTO covers (user_id, coverer_id, starts_on, ends_on, reason, set_by, set_by_name, created_at)
			VALUES ($1, $2, '2026-10-05', '2026-10-02', 'x', $1, 'x', now())`,
	} {
		if _, err := db.pool.Exec(ctx, sql, ann.ID, bea.ID); err == nil {
			t.Errorf("the database took a cover it must refuse (%s)", name)
		}
	}
	// Ended, the cover stops counting: the same days can be covered again.
	if err := db.st.EndCover(ctx, cal.Act(now), ann.ID, covers[0].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.st.SetCover(ctx, cal.Act(now), good); err != nil {
		t.Fatalf("SetCover after the first ended: %v", err)
	}
}

// TestActsForOneHop: the coverer acts for the person only while the cover runs (London days,
// first and last included), and cover never cascades.
func TestActsForOneHop(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ann := db.advisers["legal"]
	now := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	if _, err := db.st.SetCover(ctx, cal.Act(now), store.CoverInput{UserID: ann.ID, CovererID: bea.ID,
		Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	// Bea is away too, covered by the finance adviser... for finance only, which Bea also clears.
	if err := db.st.SetGrants(ctx, store.System(now), db.advisers["finance"].ID,
		store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance", "legal"}}); err != nil {
		t.Fatal(err)
	}
	fin := db.advisers["finance"]
	if _, err := db.st.SetCover(ctx, bea.Act(now), store.CoverInput{UserID: bea.ID, CovererID: fin.ID,
		Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Time
		want []int64
	}{
		{time.Date(2026, 7, 31, 22, 59, 0, 0, time.UTC), nil},            // 23:59 on 31 July in London
		{time.Date(2026, 7, 31, 23, 0, 0, 0, time.UTC), []int64{ann.ID}}, // midnight, 1 August, in London
		{time.Date(2026, 8, 14, 22, 59, 0, 0, time.UTC), []int64{ann.ID}},
		{time.Date(2026, 8, 14, 23, 0, 0, 0, time.UTC), nil},
	} {
		got, err := db.st.ActsFor(ctx, bea.ID, c.at)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("ActsFor(Bea, %s) = %v, %v; want %v", c.at, got, err, c.want)
		}
	}
	during := time.Date(2026, 8, 5, 12, 0, 0, 0, time.UTC)
	if got, err := db.st.ActsFor(ctx, fin.ID, during); err != nil || !slices.Equal(got, []int64{bea.ID}) {
		t.Errorf("ActsFor(finance) = %v, %v; want Bea only: cover does not cascade to Ann", got, err)
	}
	if got, err := db.st.CoveredBy(ctx, ann.ID, during); err != nil || got != bea.ID {
		t.Errorf("CoveredBy(Ann) = %d, %v; want Bea", got, err)
	}
	if got, err := db.st.CoveredBy(ctx, ann.ID, now); err != nil || got != 0 {
		t.Errorf("CoveredBy(Ann) before the cover = %d, %v; want nobody", got, err)
	}
}

// TestApproveUnderCover: while the cover runs, the coverer's approval of the person's step is
// recorded for them, with the cover, in the chain, the audit trail and the content signed
// (canonical version 4); an interest requiring withdrawal refuses the approval; the separation
// of duties holds through cover.
func TestApproveUnderCover(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ann := db.advisers["legal"]
	set := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	if _, err := db.st.SetCover(ctx, cal.Act(set), store.CoverInput{UserID: ann.ID, CovererID: bea.ID,
		Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 5, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9301)
	for i, k := range []string{"head_of_unit", "finance"} {
		if err := db.st.ApproveDeclaring(ctx, db.advisers[k].Act(now.Add(time.Duration(i)*time.Minute)), slug, k, db.hash(t, slug),
			decision.Declaration{Interests: decision.DeclareNone}); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
	at := now.Add(time.Hour)
	withdrew := decision.Declaration{Interests: decision.DeclareInterest, Nature: "My partner works for the funder", Action: decision.ActionWithdrew}
	if err := db.st.ApproveDeclaring(ctx, ann.Act(at), slug, "legal", db.hash(t, slug), withdrew); !errors.Is(err, decision.ErrWithdrawn) {
		t.Fatalf("approve having withdrawn = %v, want ErrWithdrawn", err)
	}
	if err := db.st.ApproveDeclaring(ctx, bea.Act(at), slug, "legal", db.hash(t, slug),
		decision.Declaration{Interests: decision.DeclareInterest, Nature: "I hold shares in the funder", Action: decision.ActionDispensation}); err == nil {
		t.Fatal("approve with a dispensation granted by nobody was recorded")
	}
	d := decision.Declaration{Interests: decision.DeclareInterest, Nature: "I hold shares in the funder",
		Action: decision.ActionDispensation, DispensationBy: "The monitoring officer"}
	if err := db.st.ApproveDeclaring(ctx, bea.Act(at), slug, "legal", db.hash(t, slug), d); err != nil {
		t.Fatalf("Bea approves legal for Ann: %v", err)
	}
	rec, err := db.st.SignoffChain(ctx, store.Public(at.Add(time.Hour)), slug)
	if err == nil {
		t.Fatal("the public read a decision awaiting sign-off")
	}
	rec, err = db.st.SignoffChain(ctx, store.Staff(db.maker.ID, at), slug)
	if err != nil {
		t.Fatal(err)
	}
	legal := rec.Approvals[2]
	if want := "for Adviser legal (cover 1–14 August 2026, set by Cal Admin)"; legal.UserName != "Bea Cover" || legal.ForWhom() != want {
		t.Errorf("the legal approval is by %q %q, want Bea Cover %q", legal.UserName, legal.ForWhom(), want)
	}
	if want := "Declared an interest: I hold shares in the funder. Went on under a dispensation granted by The monitoring officer."; legal.Declared() != want {
		t.Errorf("Declared() = %q, want %q", legal.Declared(), want)
	}
	if got := rec.Approvals[0].Declared(); got != "No interests declared" || rec.Approvals[0].ForWhom() != "" {
		t.Errorf("head of unit: %q %q, want no interests, for themself", got, rec.Approvals[0].ForWhom())
	}
	c, err := db.st.Content(ctx, rec.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	canon := string(decision.Canonical(c))
	for _, want := range []string{`"format":"decision-register/canonical/v5"`,
		`{"step":"legal","approver":"Bea Cover","on_behalf_of":"Adviser legal","cover":{"from":"2026-08-01","to":"2026-08-14","set_by":"Cal Admin"},"interests":"declared","interest_nature":"I hold shares in the funder","dispensation_by":"The monitoring officer"}`} {
		if !strings.Contains(canon, want) {
			t.Errorf("the canonical content lacks %s:\n%s", want, canon)
		}
	}
	entries, err := db.st.Timeline(ctx, rec.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Event != store.EventApproved || !strings.Contains(last.Detail, `"on_behalf_of":"Adviser legal"`) ||
		!strings.Contains(last.Detail, `"cover":"cover 1–14 August 2026, set by Cal Admin"`) {
		t.Errorf("the audit entry of the approval is %s %s, want it for Ann under the cover", last.Event, last.Detail)
	}
	// The database refuses an approval for someone under a cover that does not run then.
	err = db.st.Exec(ctx, `INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at,
		on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
		SELECT $1, 'equalities', $2, 'approved', repeat('a', 64), '2026-09-01', $3, 'x', c.id, c.starts_on, c.ends_on, 'x'
		FROM covers c WHERE c.user_id = $3`, rec.DecisionID, bea.ID, ann.ID)
	if err == nil {
		t.Error("the database took an approval under a cover that had run out")
	}
}

// TestCoverKeepsSeparationOfDuties: an adviser who wrote part of a decision cannot clear its
// step through cover, and an approval is never recorded for a person who wrote part of it.
func TestCoverKeepsSeparationOfDuties(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ann := db.advisers["legal"]
	if _, err := db.st.SetCover(ctx, cal.Act(time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)), store.CoverInput{UserID: ann.ID,
		CovererID: bea.ID, Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 5, 10, 0, 0, 0, time.UTC)
	none := decision.Declaration{Interests: decision.DeclareNone}
	walk := func(slug string) {
		for i, k := range []string{"head_of_unit", "finance"} {
			if err := db.st.ApproveDeclaring(ctx, db.advisers[k].Act(now.Add(time.Duration(i)*time.Minute)), slug, k, db.hash(t, slug), none); err != nil {
				t.Fatalf("approve %s: %v", k, err)
			}
		}
	}
	// Bea wrote part of it: she cannot clear legal, for Ann or anyone.
	slug := db.awaiting(9302)
	db.exec(`INSERT INTO decision_drafters (decision_id, user_id) SELECT id, $1 FROM decisions WHERE slug = $2`, bea.ID, slug)
	walk(slug)
	if err := db.st.ApproveDeclaring(ctx, bea.Act(now.Add(time.Hour)), slug, "legal", db.hash(t, slug), none); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("a drafter approved through cover: %v", err)
	}
	// Ann wrote part of it: Bea's approval stands on her own account, never for Ann.
	slug = db.awaiting(9303)
	db.exec(`INSERT INTO decision_drafters (decision_id, user_id) SELECT id, $1 FROM decisions WHERE slug = $2`, ann.ID, slug)
	walk(slug)
	if err := db.st.ApproveDeclaring(ctx, bea.Act(now.Add(time.Hour)), slug, "legal", db.hash(t, slug), none); err != nil {
		t.Fatal(err)
	}
	rec, err := db.st.SignoffChain(ctx, store.Staff(db.maker.ID, now), slug)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Approvals[2].ForWhom(); got != "" {
		t.Errorf("an approval was recorded %q, for a person who wrote part of the decision", got)
	}
}

// TestNoticesGoToCover: while Ann's cover runs, the notice that the legal step waits goes to
// Bea, who covers her, and not to Ann; Bea, who clears legal steps herself, is told once.
func TestNoticesGoToCover(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	bea, cal := coverPeople(t, db)
	ann := db.advisers["legal"]
	set := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	if _, err := db.st.SetCover(ctx, cal.Act(set), store.CoverInput{UserID: ann.ID, CovererID: bea.ID,
		Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 5, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9302)
	for i, k := range []string{"head_of_unit", "finance"} {
		if err := db.st.ApproveDeclaring(ctx, db.advisers[k].Act(now.Add(time.Duration(i)*time.Minute)), slug, k, db.hash(t, slug),
			decision.Declaration{Interests: decision.DeclareNone}); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
	legal := func(u store.User) int {
		ns, err := db.st.UserNotices(ctx, u.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, x := range ns {
			if strings.Contains(x.Body, "waiting for the") && strings.Contains(x.Body, "Legal") {
				n++
			}
		}
		return n
	}
	if got := legal(ann); got != 0 {
		t.Errorf("Ann, away under cover, was sent %d notices that the legal step waits", got)
	}
	if got := legal(bea); got != 1 {
		t.Errorf("Bea, covering Ann, was sent %d notices that the legal step waits, want 1", got)
	}
}

// TestRejectUnderCover: a decision maker rejecting a decision for the one they cover is
// recorded for them (the signature's cover columns, the rejected entry), verify agrees, and
// the database refuses a signature under a cover that is not running.
func TestRejectUnderCover(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	_, cal := coverPeople(t, db)
	id, err := db.st.CreateUser(ctx, store.System(time.Now()), "ben@example.org", "Ben Cover", "$argon2id$not-a-real-hash",
		store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	if err != nil {
		t.Fatal(err)
	}
	ben, err := db.st.UserByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.st.SetCover(ctx, cal.Act(time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)), store.CoverInput{UserID: db.maker.ID,
		CovererID: ben.ID, Starts: londonDate("2026-08-01"), Ends: londonDate("2026-08-14"), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 8, 5, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9302)
	h := db.hash(t, slug)
	for _, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), slug, k, h); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.st.Sign(ctx, ben.Act(now.Add(time.Hour)), slug, store.SignInput{Outcome: store.OutcomeRejected,
		Interests: store.InterestsNone, RejectionReason: "Not value for money.", PublishAt: now.Add(time.Hour), SeenHash: h}); err != nil {
		t.Fatalf("Ben rejects for Sophie: %v", err)
	}
	rec, err := db.st.SignoffChain(ctx, store.Staff(db.maker.ID, now.Add(2*time.Hour)), slug)
	if err != nil {
		t.Fatal(err)
	}
	if want := "for Sophie Signer (cover 1–14 August 2026, set by Cal Admin)"; rec.Signature == nil || rec.Signature.ForWhom() != want ||
		*rec.Signature.SignerName != "Ben Cover" {
		t.Fatalf("the rejection is recorded as %+v, want by Ben Cover %q", rec.Signature, want)
	}
	entries, err := db.st.Timeline(ctx, rec.DecisionID)
	if err != nil {
		t.Fatal(err)
	}
	last := entries[len(entries)-1]
	if last.Event != store.EventRejected || !strings.Contains(last.Detail, `"on_behalf_of":"Sophie Signer"`) ||
		!strings.Contains(last.Detail, `"cover":"cover 1–14 August 2026, set by Cal Admin"`) {
		t.Errorf("the rejection's audit entry is %s %s, want it for Sophie under the cover", last.Event, last.Detail)
	}
	if rep, err := db.st.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 {
		t.Errorf("VerifySignatures = %+v, %v; want no mismatch", rep, err)
	}
	// A signature for someone under a cover that does not run then is refused.
	other := db.awaiting(9303)
	for _, k := range pcdChain {
		if err := db.st.Approve(ctx, db.advisers[k].Act(now), other, k, db.hash(t, other)); err != nil {
			t.Fatal(err)
		}
	}
	err = db.st.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, user_id, signer_name, interests, signed_at,
		content_hash, canonical_version, on_behalf_of, on_behalf_name, cover_id, cover_starts_on, cover_ends_on, cover_set_by)
		SELECT d.id, 'signed', 'rejected', $2, 'Ben Cover', 'none', '2026-09-01', repeat('a', 64), 4, $3, 'x', c.id, c.starts_on, c.ends_on, 'x'
		FROM decisions d, covers c WHERE d.slug = $1 AND c.user_id = $3`, other, ben.ID, db.maker.ID)
	if err == nil || !strings.Contains(err.Error(), "a signature under cover must name a cover of that person by the signer, running when it is made") {
		t.Errorf("a signature under a cover that had run out: %v, want the cover_act refusal", err)
	}
}
