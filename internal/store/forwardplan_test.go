package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

func planInput(matter string, decisionID *int64) store.PlanNoticeInput {
	return store.PlanNoticeInput{Series: "PCD", DecisionID: decisionID, Matter: matter, MakerName: "Kaya Comer-Schwartz",
		MakerTitle: "Deputy Mayor for Policing and Crime", ExpectedFrom: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		Documents: "A report", Copies: "Ask MOPAC"}
}

// The schedule publishes a month's plan once its day has come, once however often it runs,
// and passes while another instance holds the schedule (SKIP LOCKED) instead of waiting.
func TestPublishScheduledPlan(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	if _, err := st.CreatePlanNotice(ctx, store.System(time.Date(2027, 1, 20, 9, 0, 0, 0, london)), planInput("Buy boats", nil)); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM forward_plan_snapshots`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// Day 3: not yet on 2 February (London), though it is 3 February somewhere east.
	if ok, err := st.PublishScheduledPlan(ctx, time.Date(2027, 2, 2, 23, 30, 0, 0, london), 3); err != nil || ok || count() != 0 {
		t.Fatalf("PublishScheduledPlan before its day = %v, %v, %d plans; want nothing published", ok, err, count())
	}
	// Another instance holds the schedule: this one passes at once.
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM forward_plan_schedule FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.PublishScheduledPlan(ctx, time.Date(2027, 2, 3, 8, 0, 0, 0, london), 3); err != nil || ok {
		t.Errorf("PublishScheduledPlan while another instance holds the schedule = %v, %v; want it to pass", ok, err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ok, err := st.PublishScheduledPlan(ctx, time.Date(2027, 2, 3+i, 8, 0, 0, 0, london), 3)
		if err != nil || ok != (i == 0) {
			t.Errorf("PublishScheduledPlan run %d = %v, %v; want only the first to publish", i+1, ok, err)
		}
	}
	if count() != 1 {
		t.Errorf("%d plans after three runs in February, want 1", count())
	}
	plan, err := st.LatestPlan(ctx)
	if err != nil || plan.ScheduledFor == nil || plan.ScheduledFor.Format(time.DateOnly) != "2027-02-01" || plan.Notices != 1 {
		t.Errorf("the scheduled plan = %+v, %v; want February's, with the notice", plan, err)
	}
	if ok, err := st.PublishScheduledPlan(ctx, time.Date(2027, 3, 3, 8, 0, 0, 0, london), 3); err != nil || !ok || count() != 2 {
		t.Errorf("PublishScheduledPlan in March = %v, %v, %d plans; want March's published", ok, err, count())
	}
}

// The public read a notice without its draft: the reference comes back only once the decision
// is one they may see. Each version is kept, and kept as it was.
func TestPlanNoticeHidesDraft(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	now := time.Now()
	var draftID int64
	if err := pool.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title) VALUES ('PCD', 9801, 'PCD 9801', 'pcd-9801', 'SECRET-DRAFT') RETURNING id`).Scan(&draftID); err != nil {
		t.Fatal(err)
	}
	id, err := st.CreatePlanNotice(ctx, store.System(now), planInput("Buy boats", &draftID))
	if err != nil {
		t.Fatal(err)
	}
	pub, err := st.PlanNotices(ctx, store.Public(now), store.PlanFilter{})
	if err != nil || len(pub) != 1 || pub[0].DecisionReference != nil || pub[0].DecisionSlug != nil {
		t.Fatalf("PlanNotices for the public = %+v, %v; want the notice without its draft", pub, err)
	}
	if n, err := st.PlanNotice(ctx, store.Public(now), id); err != nil || n.DecisionReference != nil {
		t.Errorf("PlanNotice for the public = %+v, %v; want no draft", n, err)
	}
	if _, err := st.PlanNoticeOf(ctx, store.Public(now), draftID); err != nil {
		t.Errorf("PlanNoticeOf(draft) = %v; the notice itself is public", err)
	}
	staff, err := st.PlanNotice(ctx, store.Staff(1, now), id)
	if err != nil || staff.DecisionReference == nil || *staff.DecisionReference != "PCD 9801" {
		t.Errorf("PlanNotice for staff = %+v, %v; want the draft's reference", staff, err)
	}
	if _, err := st.CreatePlanNotice(ctx, store.System(now), planInput("Buy oars", &draftID)); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second notice of one decision = %v, want ErrConflict", err)
	}
	in := planInput("Buy lifeboats", &draftID)
	if err := st.UpdatePlanNotice(ctx, store.System(now.Add(time.Hour)), id, 1, in); err != nil {
		t.Fatal(err)
	}
	if err := st.UpdatePlanNotice(ctx, store.System(now.Add(time.Hour)), id, 1, in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a change from a stale version = %v, want ErrConflict", err)
	}
	vs, err := st.PlanNoticeVersions(ctx, store.Public(now), id)
	if err != nil || len(vs) != 2 || vs[0].Matter != "Buy boats" || vs[1].Matter != "Buy lifeboats" {
		t.Errorf("PlanNoticeVersions = %+v, %v; want both wordings", vs, err)
	}
	// Each version names its decision to staff; the public are told only that it names one.
	if len(vs) == 2 && (!vs[1].Linked || vs[1].DecisionReference != nil) {
		t.Errorf("PlanNoticeVersions for the public = %+v; want the draft linked but not named", vs[1])
	}
	if vs, err := st.PlanNoticeVersions(ctx, store.Staff(1, now), id); err != nil || len(vs) != 2 ||
		vs[1].DecisionReference == nil || *vs[1].DecisionReference != "PCD 9801" {
		t.Errorf("PlanNoticeVersions for staff = %+v, %v; want the draft's reference in each version", vs, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE forward_plan_notice_versions SET matter = 'x'`); err == nil {
		t.Error("a kept version of a notice could be changed")
	}
	var clock time.Time
	if err := pool.QueryRow(ctx, `SELECT noticed_at FROM forward_plan_notices WHERE id = $1`, id).Scan(&clock); err != nil || !clock.Equal(now.Truncate(time.Microsecond)) {
		t.Errorf("noticed_at after a change = %v, %v; want the first publication, %v", clock, err, now)
	}
}
