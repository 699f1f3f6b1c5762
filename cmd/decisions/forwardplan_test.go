package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// A published plan's bytes do not change when its notices are edited or withdrawn later, and
// `decisions verify` checks them against the hash the audit trail recorded at publication:
// changed behind the database's triggers, the plan fails verification.
func TestPublishedPlanVerified(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	at := time.Date(2027, 1, 4, 10, 0, 0, 0, time.UTC)
	in := store.PlanNoticeInput{Series: "PCD", Matter: "Commission a new victims' service", MakerName: "Kaya Comer-Schwartz",
		MakerTitle: "Deputy Mayor for Policing and Crime", ExpectedFrom: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC),
		Documents: "Report of the Director of Commissioning", Copies: "Ask MOPAC, 169 Union Street, London SE1 0LL"}
	id, err := st.CreatePlanNotice(ctx, store.System(at), in)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := st.PublishPlan(ctx, store.System(at.Add(time.Hour)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(plan.Body, []byte("Commission a new victims' service")) {
		t.Fatalf("the published plan does not hold the notice:\n%s", plan.Body)
	}
	in.Matter = "Commission a new victims' service for London"
	if err := st.UpdatePlanNotice(ctx, store.System(at.Add(2*time.Hour)), id, 1, in); err != nil {
		t.Fatal(err)
	}
	if err := st.WithdrawPlanNotice(ctx, store.System(at.Add(3*time.Hour)), id, 2, "Decided by the Mayor instead"); err != nil {
		t.Fatal(err)
	}
	again, err := st.Plan(ctx, plan.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.Body, plan.Body) || again.SHA256 != plan.SHA256 {
		t.Errorf("the published plan changed after its notice was edited and withdrawn:\n%s\nwas\n%s", again.Body, plan.Body)
	}
	out, err := runCmd(t, dbURL, nil, "verify")
	if err != nil || !strings.Contains(out, "checked 1 published plan of the forward plan: all match the audit trail") {
		t.Fatalf("verify = %v\n%s\nwant the published plan checked", err, out)
	}
	if _, err := pool.Exec(ctx, `UPDATE forward_plan_snapshots SET body = 'x'`); err == nil {
		t.Error("a published plan's bytes could be updated")
	}
	tamperTables(t, dbURL, []string{"forward_plan_snapshots"},
		`UPDATE forward_plan_snapshots SET body = convert_to(replace(convert_from(body, 'UTF8'), 'victims', 'witnesses'), 'UTF8')`)
	out, err = runCmd(t, dbURL, nil, "verify")
	if err == nil || !strings.Contains(err.Error(), "published plan") || !strings.Contains(out, "the plan was changed") {
		t.Errorf("verify after the plan's bytes were changed = %v\n%s\nwant the plan named", err, out)
	}
	// Its hash rewritten to match: the audit trail still holds the one published.
	tamperTables(t, dbURL, []string{"forward_plan_snapshots"},
		`UPDATE forward_plan_snapshots SET sha256 = encode(sha256(body), 'hex')`)
	out, err = runCmd(t, dbURL, nil, "verify")
	if err == nil || !strings.Contains(out, "not the one the audit trail recorded") {
		t.Errorf("verify after the plan and its hash were changed = %v\n%s\nwant the audit trail's hash to differ", err, out)
	}
}
