package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// draftSite is a store on a fresh database with a drafter and an adviser.
type draftSite struct {
	pool             *pgxpool.Pool
	st               *store.Store
	drafter, adviser store.User
	now              time.Time
}

func newDraftSite(t *testing.T) draftSite {
	t.Helper()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	user := func(email, name string, g store.Grants) store.User {
		id, err := st.CreateUser(ctx, store.System(now), email, name, "$argon2id$test", g)
		if err != nil {
			t.Fatal(err)
		}
		u, err := st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	return draftSite{pool: pool, st: st, now: now,
		drafter: user("drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}}),
		adviser: user("finance@example.org", "Fin Adviser", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance"}}),
	}
}

func (s draftSite) version(t *testing.T, slug string) int {
	t.Helper()
	var v int
	if err := s.pool.QueryRow(context.Background(), `SELECT version FROM decisions WHERE slug = $1`, slug).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCreateDraftTakesNextNumber(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "  Project Beta  ")
	if err != nil {
		t.Fatal(err)
	}
	if slug != "pcd-1683" {
		t.Errorf("CreateDraft slug = %q, want pcd-1683", slug)
	}
	d, err := s.st.Draft(ctx, store.Staff(s.drafter.ID, s.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	if d.Reference != "PCD 1683" || d.Status != "draft" || d.Title == nil || *d.Title != "Project Beta" || d.Version != 1 {
		t.Errorf("draft = %s %s %v v%d, want PCD 1683 draft \"Project Beta\" v1", d.Reference, d.Status, d.Title, d.Version)
	}
	st, err := s.st.SignoffState(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if st.Series != "PCD" || st.Status != "draft" || !slices.Equal(st.Drafters, []int64{s.drafter.ID}) || len(st.Chain) != 6 {
		t.Errorf("SignoffState = %+v, want PCD draft by %d with the six-step chain", st, s.drafter.ID)
	}
	entries, err := s.st.Timeline(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Event != store.EventCreated || entries[0].ActorID == nil || *entries[0].ActorID != s.drafter.ID {
		t.Errorf("timeline = %+v, want one created entry by the drafter", entries)
	}
	// The public never sees a draft.
	if _, err := s.st.DecisionBySlug(ctx, store.Public(s.now), slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecisionBySlug(public, draft) = %v, want ErrNotFound", err)
	}
	page, err := s.st.ListDecisions(ctx, store.Public(s.now), store.ListParams{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range page.Decisions {
		if d.Slug == slug {
			t.Error("the public list shows a draft")
		}
	}
}

// TestCreateDraftConcurrently starts fifty drafts in one series at once: fifty distinct numbers,
// with no gap.
func TestCreateDraftConcurrently(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	const n = 50
	slugs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			slugs[i], errs[i] = s.st.CreateDraft(context.Background(), s.drafter.Act(s.now), "PCD", fmt.Sprintf("Draft %d", i))
		})
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("CreateDraft: %v", err)
	}
	slices.Sort(slugs)
	if got := len(slices.Compact(slices.Clone(slugs))); got != n {
		t.Fatalf("%d distinct slugs from %d drafts", got, n)
	}
	var lo, hi, count int
	err := s.pool.QueryRow(context.Background(), `
SELECT min(number), max(number), count(*) FROM decisions WHERE series = 'PCD' AND status = 'draft'`).Scan(&lo, &hi, &count)
	if err != nil {
		t.Fatal(err)
	}
	if lo != 1683 || hi != 1683+n-1 || count != n {
		t.Errorf("draft numbers %d to %d (%d drafts), want 1683 to %d", lo, hi, count, 1683+n-1)
	}
}

func TestEditRefusesStaleVersion(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetTitleSummary(ctx, s.drafter.Act(s.now), slug, store.Base{Version: 1}, "First", "One"); err != nil {
		t.Fatal(err)
	}
	if err := s.st.SetTitleSummary(ctx, s.drafter.Act(s.now), slug, store.Base{Version: 1}, "Second", "Two"); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("SetTitleSummary with a stale version = %v, want ErrConflict", err)
	}
	d, err := s.st.Draft(ctx, store.Staff(s.drafter.ID, s.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	if *d.Title != "First" || d.Version != 2 {
		t.Errorf("after a refused edit: title %q version %d, want First 2", *d.Title, d.Version)
	}
	if err := s.st.SetTitleSummary(ctx, s.drafter.Act(s.now), "pcd-1682", store.Base{Version: s.version(t, "pcd-1682")}, "Changed", ""); !errors.Is(err, store.ErrNotEditable) {
		t.Errorf("SetTitleSummary(published) = %v, want ErrNotEditable", err)
	}
}

// TestEditClearsApprovals checks that an edit after a step approved clears that approval: it
// was an approval of other content.
func TestEditClearsApprovals(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Submit(ctx, s.drafter.Act(s.now), slug, 1); err != nil {
		t.Fatal(err)
	}
	_, err = s.pool.Exec(ctx, `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at)
SELECT id, 'finance', $2, 'approved', repeat('a', 64), $3 FROM decisions WHERE slug = $1`, slug, s.adviser.ID, s.now)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.st.SignoffState(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Approvals) != 1 || st.Approvals[0] != (decision.Approval{StepKind: "finance", UserID: s.adviser.ID}) {
		t.Fatalf("approvals before the edit = %+v", st.Approvals)
	}
	// "Save and continue" with nothing changed is no edit: the approval stands, unaudited.
	version := s.version(t, slug)
	if err := s.st.SetTitleSummary(ctx, s.drafter.Act(s.now.Add(time.Minute)), slug, store.Base{Version: version}, "Project Beta", ""); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.st.SignoffState(ctx, slug); len(st.Approvals) != 1 || s.version(t, slug) != version {
		t.Errorf("after a save that changed nothing: approvals %+v, version %d; want the finance approval kept, version %d",
			st.Approvals, s.version(t, slug), version)
	}
	editAt := s.now.Add(time.Hour)
	if err := s.st.SetRecommendations(ctx, s.drafter.Act(editAt), slug, store.Base{Version: s.version(t, slug)}, []string{"Approve it."}); err != nil {
		t.Fatal(err)
	}
	var cleared *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT cleared_at FROM signoff_actions`).Scan(&cleared); err != nil {
		t.Fatal(err)
	}
	if cleared == nil || !cleared.Equal(editAt) {
		t.Errorf("cleared_at = %v, want %v", cleared, editAt)
	}
	if st, _ := s.st.SignoffState(ctx, slug); len(st.Approvals) != 0 || st.Status != decision.StatusAwaitingSignoff {
		t.Errorf("after the edit: approvals %+v status %s, want none, still awaiting sign-off", st.Approvals, st.Status)
	}
	var detail string
	if err := s.pool.QueryRow(ctx, `SELECT detail FROM audit_log WHERE event = 'edited'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if detail != `{"cleared_approvals":"finance","fields":"recommendations"}` {
		t.Errorf("edited detail = %s", detail)
	}
}

func TestEditParts(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	act := s.drafter.Act(s.now)
	slug, err := s.st.CreateDraft(ctx, act, "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	v := func() int { return s.version(t, slug) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.st.SetSection(ctx, act, slug, store.Base{Version: v()}, "legal_comments", "Legal comments", "Lawful.\r\n\r\nQuite lawful."))
	must(s.st.SetSection(ctx, act, slug, store.Base{Version: v()}, "introduction_and_background", "Introduction", "Why."))
	must(s.st.SetSection(ctx, act, slug, store.Base{Version: v()}, "legal_comments", "Legal", "Lawful."))
	must(s.st.SetPartTwo(ctx, act, slug, store.Base{Version: v()}, "Secret advice."))
	start, end := 2024, 2025
	must(s.st.AddFundingLine(ctx, act, slug, store.Base{Version: v()}, store.NewFundingLine{AmountPence: 275_500_000, FYStart: &start, FYEnd: &end,
		Basis: "total", Kind: "grant_accepted", Label: "Home Office grant", Funder: "A New Funder"}))
	must(s.st.AddLink(ctx, act, slug, store.Base{Version: v()}, "PCD 1215", "continues"))
	must(s.st.AddLink(ctx, act, slug, store.Base{Version: v()}, "PCD 1215", "continues")) // again: no change
	if err := s.st.AddLink(ctx, act, slug, store.Base{Version: v()}, "PCD 1683", "related"); !errors.Is(err, store.ErrSelfLink) {
		t.Errorf("AddLink(itself) = %v, want ErrSelfLink", err)
	}
	if err := s.st.AddLink(ctx, act, slug, store.Base{Version: v()}, "PCD 9999", "related"); !errors.Is(err, store.ErrUnknownReference) {
		t.Errorf("AddLink(unknown) = %v, want ErrUnknownReference", err)
	}
	var ce *store.CheckError
	if err := s.st.AddFundingLine(ctx, act, slug, store.Base{Version: v()}, store.NewFundingLine{AmountPence: 100, FYStart: &end, FYEnd: &start,
		Basis: "total", Kind: "grant_accepted", Label: "Backwards"}); !errors.As(err, &ce) {
		t.Errorf("AddFundingLine(years backwards) = %v, want a CheckError", err)
	}

	d, err := s.st.Draft(ctx, store.Staff(s.drafter.ID, s.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, sec := range d.Sections {
		got = append(got, fmt.Sprintf("%d.%d %s %s: %s", sec.Part, sec.Position, sec.Kind, sec.Heading, sec.Body))
	}
	want := []string{
		"1.1 introduction_and_background Introduction: Why.",
		"1.2 legal_comments Legal: Lawful.",
		"2.1 other " + store.PartTwoHeading + ": Secret advice.",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sections:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.Funding) != 1 || d.Funding[0].Funder == nil || *d.Funding[0].Funder != "A New Funder" || d.Funder == nil || *d.Funder != "A New Funder" {
		t.Errorf("funding = %+v, principal funder %v; want one line from A New Funder", d.Funding, d.Funder)
	}
	if len(d.Links) != 1 || d.Links[0].Ref != "PCD 1215" || d.Links[0].Kind != "continues" {
		t.Errorf("links = %+v, want continues PCD 1215", d.Links)
	}
	// Part II stays with those allowed to read it.
	other, err := s.st.Draft(ctx, store.Staff(s.adviser.ID+1000, s.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range other.Sections {
		if sec.Part == 2 {
			t.Error("Part II is read by someone who is not its reader")
		}
	}
	must(s.st.RemoveFundingLine(ctx, act, slug, store.Base{Version: v()}, 1))
	must(s.st.RemoveLink(ctx, act, slug, store.Base{Version: v()}, "PCD 1215", "continues"))
	must(s.st.DeleteSection(ctx, act, slug, store.Base{Version: v()}, "introduction_and_background"))
	must(s.st.SetPartTwo(ctx, act, slug, store.Base{Version: v()}, "  "))
	d, err = s.st.Draft(ctx, store.Staff(s.drafter.ID, s.now), slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Funding) != 0 || len(d.Links) != 0 || len(d.Sections) != 1 || d.Sections[0].Position != 1 || d.Funder != nil {
		t.Errorf("after removing: funding %d links %d sections %+v funder %v", len(d.Funding), len(d.Links), d.Sections, d.Funder)
	}
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Submit(ctx, s.drafter.Act(s.now), slug, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.st.Submit(ctx, s.drafter.Act(s.now), slug, 2); !errors.Is(err, store.ErrConflict) {
		t.Errorf("Submit twice = %v, want ErrConflict", err)
	}
	st, err := s.st.SignoffState(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != decision.StatusAwaitingSignoff || st.NextStep() != "head_of_unit" {
		t.Errorf("after submit: %s, next step %q", st.Status, st.NextStep())
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = 'submitted' AND actor_id = $1`, s.drafter.ID).Scan(&n); err != nil || n != 1 {
		t.Errorf("submitted audit entries = %d (%v), want 1", n, err)
	}
	if rep, err := s.st.VerifyAuditChain(ctx); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain after drafting: %+v %v", rep, err)
	}
}
