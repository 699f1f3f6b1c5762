package server_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/calendar/icaltest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// planAlerts are the messages queued for subscription id: event, subject and link, oldest first.
func planAlerts(t *testing.T, site *testsite.Site, id int64) [][3]string {
	t.Helper()
	rows, err := site.Pool.Query(context.Background(), `SELECT event, subject || ' | ' || body, link_path FROM notices
WHERE subscription_id = $1 ORDER BY id`, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][3]string
	for rows.Next() {
		var a [3]string
		if err := rows.Scan(&a[0], &a[1], &a[2]); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// TestForwardPlanAlerts: the plan links to the form, which asks for the plan's alerts with no
// search; a bad address comes back by its field with the kind kept; every request is answered
// alike. Once confirmed, a notice published, changed and withdrawn and a plan published each
// queue one alert with its link, saying nothing of the draft the notice is linked to; an
// unlinking changes nothing the public reads and alerts no one; an unconfirmed address gets
// nothing.
func TestForwardPlanAlerts(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	c := site.Client(t, "")
	plan := get(t, c, site.URL+"/forward-plan")
	href := plan.attr(`[data-testid=plan-alerts]`, "href")
	if href != "/alerts/new?about=forward-plan" {
		t.Fatalf("the plan's alerts link is %q", href)
	}
	if got := plan.attr(`[data-testid=plan-calendar]`, "href"); got != "/calendars/forward-plan.ics" {
		t.Errorf("the plan's calendar link is %q", got)
	}
	form := get(t, c, site.URL+href)
	if form.status != http.StatusOK || !strings.Contains(form.text(`[data-testid=alert-about]`), "the forward plan") ||
		form.has(`#search`) || form.value(`input[name=kind]`) != "forward_plan" {
		t.Fatalf("GET %s = %d: about %q, search box %v, kind %q", href, form.status, form.text(`[data-testid=alert-about]`),
			form.has(`#search`), form.value(`input[name=kind]`))
	}
	bad := post(t, c, site.URL+"/alerts", url.Values{"kind": {"forward_plan"}, "email": {"reader at example.net"}, "frequency": {"immediate"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(`#email-error`), "correct format") ||
		bad.value(`input[name=kind]`) != "forward_plan" || bad.value(`#email`) != "reader at example.net" {
		t.Errorf("a malformed address = %d %q, kind %q kept", bad.status, bad.text(`#email-error`), bad.value(`input[name=kind]`))
	}
	ask := func(email string) page {
		return post(t, c, site.URL+"/alerts", url.Values{"kind": {"forward_plan"}, "email": {email}, "frequency": {"immediate"}})
	}
	first, again, other := ask("reader@example.net"), ask("reader@example.net"), ask("idle@example.net")
	for i, a := range []page{first, again, other} {
		if a.status != http.StatusSeeOther || a.location != "/alerts/asked" || a.body != first.body {
			t.Errorf("request %d = %d %q, want the same 303 to /alerts/asked", i, a.status, a.location)
		}
	}
	var id int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM alert_subscriptions WHERE email = 'reader@example.net' AND kind = 'forward_plan'
	AND decision_id IS NULL AND search = ''`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	token, err := site.Store.NewAlertConfirmToken(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if p := post(t, c, site.URL+"/alerts/confirm/"+token, nil); p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid=alert-confirmed]`), "forward plan") {
		t.Fatalf("POST the confirmation = %d %q", p.status, p.text(`main`))
	}
	before := len(planAlerts(t, site.Site, id))

	slug := site.awaitingDecision(t, 9601)
	at := site.Clock.Now()
	in := store.PlanNoticeInput{Series: "PCD", DecisionID: draftID(t, site.Site, slug), Matter: "Buy a river patrol boat",
		MakerName: "Sophie Signer", MakerTitle: "Deputy Mayor for Policing and Crime", ExpectedFrom: at.AddDate(0, 2, 0),
		Documents: "A report", Copies: "Ask MOPAC"}
	act := site.drafter.Act(at)
	nid, err := site.Store.CreatePlanNotice(ctx, act, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Matter = "Buy two river patrol boats"
	if err := site.Store.UpdatePlanNotice(ctx, act, nid, 1, in); err != nil {
		t.Fatal(err)
	}
	if err := site.Store.UnlinkPlanNotice(ctx, act, nid, 2, "Linked to the wrong draft"); err != nil {
		t.Fatal(err)
	}
	if err := site.Store.WithdrawPlanNotice(ctx, act, nid, 3, "The boats are bought by the Mayor instead"); err != nil {
		t.Fatal(err)
	}
	snap, err := site.Store.PublishPlan(ctx, act, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := planAlerts(t, site.Site, id)[before:]
	notice := "/forward-plan/" + itoa64(nid)
	want := []struct{ subject, link string }{
		{"Forward plan: new notice, Buy a river patrol boat | A notice was added to the forward plan: “Buy a river patrol boat”.", notice},
		{"Forward plan: notice changed, Buy two river patrol boats | The notice “Buy two river patrol boats” on the forward plan was changed.", notice},
		{"Forward plan: notice withdrawn, Buy two river patrol boats | The notice “Buy two river patrol boats” was withdrawn from the forward plan: The boats are bought by the Mayor instead", notice},
		{"The forward plan published on ", "/forward-plan/published/" + itoa64(snap.ID)},
	}
	if len(got) != len(want) {
		t.Fatalf("alerts queued %q, want %d (created, changed, withdrawn, published; none for the unlinking)", got, len(want))
	}
	for i, w := range want {
		if got[i][0] != "alert" || !strings.HasPrefix(got[i][1], w.subject) || got[i][2] != w.link {
			t.Errorf("alert %d = %q, want one starting %q linking to %s", i, got[i], w.subject, w.link)
		}
		if strings.Contains(got[i][1], "PCD 9601") || strings.Contains(got[i][1], "Test decision") {
			t.Errorf("alert %d names the draft: %q", i, got[i][1])
		}
	}
	if !strings.Contains(got[0][1], "expected on "+at.AddDate(0, 2, 0).Format("2 January 2006")+", by Sophie Signer") {
		t.Errorf("the new notice's alert does not say when and by whom: %q", got[0][1])
	}
	var idle int
	if err := site.Pool.QueryRow(ctx, `SELECT count(*) FROM notices n JOIN alert_subscriptions a ON a.id = n.subscription_id
WHERE a.email = 'idle@example.net' AND n.event = 'alert'`).Scan(&idle); err != nil || idle != 0 {
		t.Errorf("the unconfirmed address has %d alerts (%v), want none", idle, err)
	}
}

// TestForwardPlanCalendar: each notice's expected date or period is an all-day event with a
// stable UID, its matter and the notice's permanent link; a withdrawn notice stays,
// CANCELLED, with a higher SEQUENCE; the draft a notice is linked to is never named; the feed
// parses back and keeps RFC 5545.
func TestForwardPlanCalendar(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	at := site.Clock.Now()
	act := site.drafter.Act(at)
	slug := site.awaitingDecision(t, 9611)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	from, to := day(at.Year()+1, time.March, 1), day(at.Year()+1, time.March, 31)
	input := func(matter string, from time.Time, to *time.Time, decisionID *int64) store.PlanNoticeInput {
		return store.PlanNoticeInput{Series: "PCD", DecisionID: decisionID, Matter: matter, MakerName: "Sophie Signer",
			MakerTitle: "Deputy Mayor for Policing and Crime", ExpectedFrom: from, ExpectedTo: to, Documents: "A report", Copies: "Ask MOPAC"}
	}
	single, err := site.Store.CreatePlanNotice(ctx, act, input("Buy a river patrol boat", from, nil, draftID(t, site.Site, slug)))
	if err != nil {
		t.Fatal(err)
	}
	period, err := site.Store.CreatePlanNotice(ctx, act, input("Renew the custody contract", from, &to, nil))
	if err != nil {
		t.Fatal(err)
	}
	gone, err := site.Store.CreatePlanNotice(ctx, act, input("Close a front counter", from.AddDate(0, 1, 0), nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := site.Store.WithdrawPlanNotice(ctx, act, gone, 1, "Kept open after consultation"); err != nil {
		t.Fatal(err)
	}

	raw := getCalendar(t, site.Site, "/calendars/forward-plan.ics")
	if strings.Contains(string(raw), "PCD 9611") {
		t.Error("the feed names the draft a notice is linked to")
	}
	cal := icaltest.CheckRFC5545(t, raw)
	events := map[string]*ics.VEvent{}
	for _, e := range cal.Events() {
		events[e.Id()] = e
	}
	uid := func(id int64) string { return "forward-plan-notice-" + itoa64(id) + "@localhost" }
	tests := []struct {
		id              int64
		summary         string
		first, lastPlus string // DTSTART, and DTEND (the day after the last)
		status          string
	}{
		{single, "Decision expected: Buy a river patrol boat", from.Format(time.DateOnly), from.AddDate(0, 0, 1).Format(time.DateOnly), ""},
		{period, "Decision expected: Renew the custody contract", from.Format(time.DateOnly), to.AddDate(0, 0, 1).Format(time.DateOnly), ""},
		{gone, "Withdrawn: Decision expected: Close a front counter", from.AddDate(0, 1, 0).Format(time.DateOnly),
			from.AddDate(0, 1, 1).Format(time.DateOnly), "CANCELLED"},
	}
	for _, tt := range tests {
		e := events[uid(tt.id)]
		if e == nil {
			t.Errorf("no event %s in\n%s", uid(tt.id), raw)
			continue
		}
		if got := e.GetProperty(ics.ComponentPropertySummary).Value; got != tt.summary {
			t.Errorf("%s: SUMMARY %q, want %q", e.Id(), got, tt.summary)
		}
		s, err1 := e.GetAllDayStartAt()
		end, err2 := e.GetAllDayEndAt()
		if err1 != nil || err2 != nil || s.Format(time.DateOnly) != tt.first || end.Format(time.DateOnly) != tt.lastPlus {
			t.Errorf("%s: all day from %v to %v (%v, %v), want %s to %s", e.Id(), s, end, err1, err2, tt.first, tt.lastPlus)
		}
		if got := e.GetProperty(ics.ComponentPropertyUrl).Value; got != testsite.BaseURL+"/forward-plan/"+itoa64(tt.id) {
			t.Errorf("%s: URL %q", e.Id(), got)
		}
		status := ""
		if p := e.GetProperty(ics.ComponentPropertyStatus); p != nil {
			status = p.Value
		}
		if status != tt.status {
			t.Errorf("%s: STATUS %q, want %q", e.Id(), status, tt.status)
		}
	}
	if e := events[uid(gone)]; e != nil {
		if p := e.GetProperty(ics.ComponentPropertySequence); p == nil || p.Value != "1" {
			t.Errorf("the withdrawn notice's SEQUENCE is %v, want 1 (its second version)", p)
		}
		if got := e.GetProperty(ics.ComponentPropertyDescription).Value; !strings.Contains(got, "Kept open after consultation") {
			t.Errorf("the withdrawn notice's DESCRIPTION %q does not say why", got)
		}
	}
	// A new date for a notice is the same event, moved.
	in := input("Renew the custody contract", from.AddDate(0, 0, 7), &to, nil)
	if err := site.Store.UpdatePlanNotice(ctx, act, period, 1, in); err != nil {
		t.Fatal(err)
	}
	moved := icaltest.CheckRFC5545(t, getCalendar(t, site.Site, "/calendars/forward-plan.ics"))
	if n := len(moved.Events()); n != len(cal.Events()) {
		t.Errorf("after a date moved: %d events, want %d", n, len(cal.Events()))
	}
	for _, e := range moved.Events() {
		if e.Id() == uid(period) {
			if s, err := e.GetAllDayStartAt(); err != nil || s.Format(time.DateOnly) != from.AddDate(0, 0, 7).Format(time.DateOnly) {
				t.Errorf("the moved notice starts %v (%v)", s, err)
			}
		}
	}
}

// signNow signs the decision at slug, approved by its chain, as the site's decision maker.
func signNow(t *testing.T, site *signoffSite, slug string) {
	t.Helper()
	site.approveAll(t, slug)
	p := post(t, site.Client(t, site.maker.Email), site.URL+"/decisions/"+slug+"/sign", url.Values{"interests": {"none"},
		"outcome": {"approve"}, "publication": {"now"}, "content_hash": {site.hashOf(t, slug)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST sign = %d: %s", p.status, p.text(`main`))
	}
}

// refusedSigned reports whether err is the database refusing a change to a signed record.
func refusedSigned(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "42501"
}

// TestUnlinkNotice: a drafter unlinks a notice linked to a draft by mistake: a reason is
// needed, by its field; the notice's history says who unlinked it and why, the audit trail
// records it against the decision, and the decision may then have a notice of its own. Once
// that decision is signed the link is frozen: no button, a 409, and the database refuses a
// direct UPDATE, a store unlinking and a new notice naming the signed decision.
func TestUnlinkNotice(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	ctx := context.Background()
	dr := site.Client(t, site.drafter.Email)
	anon := site.Client(t, "")
	wrong := site.awaitingDecision(t, 9621)
	right := site.awaitingDecision(t, 9622)
	p := post(t, dr, site.URL+"/forward-plan/new", func() url.Values {
		f := noticeForm(site.Clock.Now().Add(40 * 24 * time.Hour))
		f.Set("decision", "PCD 9621")
		return f
	}())
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST a notice = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	notice := site.URL + p.location
	page := get(t, dr, notice)
	if got := page.attr(`a[href$="/unlink"]`, "href"); got != p.location+"/unlink" {
		t.Fatalf("the drafter's notice page links to unlink at %q", got)
	}
	if get(t, anon, notice).has(`a[href$="/unlink"]`) {
		t.Error("the public notice page offers to unlink")
	}
	form := get(t, dr, notice+"/unlink")
	version := form.value(`input[name=version]`)
	if form.status != http.StatusOK || version != "1" || !strings.Contains(form.text(`main`), "PCD 9621") {
		t.Fatalf("GET unlink = %d, version %q: %q", form.status, version, form.text(`main`))
	}
	empty := post(t, dr, notice+"/unlink", url.Values{"version": {version}, "reason": {"  "}})
	if empty.status != http.StatusUnprocessableEntity || !strings.Contains(empty.text(`#reason-error`), "Enter why the notice is unlinked") ||
		empty.doc.Find(`.govuk-error-summary a[href="#reason"]`).Length() != 1 {
		t.Errorf("unlink with no reason = %d %q, want 422 by the field", empty.status, empty.text(`#reason-error`))
	}
	// Read at a version since changed: the form comes back at the notice's version, the reason kept.
	stale := post(t, dr, notice+"/unlink", url.Values{"version": {"0"}, "reason": {"Kept through a conflict"}})
	if stale.status != http.StatusConflict || stale.text(`#reason`) != "Kept through a conflict" ||
		stale.value(`input[name=version]`) != version || !strings.Contains(stale.text(`#reason-error`), "changed since") {
		t.Errorf("unlink at a stale version = %d, reason %q, version %q, error %q; want 409 with the reason kept",
			stale.status, stale.text(`#reason`), stale.value(`input[name=version]`), stale.text(`#reason-error`))
	}
	done := post(t, dr, notice+"/unlink", url.Values{"version": {version}, "reason": {"Linked to PCD 9621 by mistake: it is PCD 9622"}})
	if done.status != http.StatusSeeOther || done.location != p.location {
		t.Fatalf("unlink = %d %q, want 303 to the notice: %s", done.status, done.location, done.text(`main`))
	}
	if again := post(t, dr, notice+"/unlink", url.Values{"version": {"2"}, "reason": {"Twice"}}); again.status != http.StatusConflict {
		t.Errorf("unlinking a notice with no decision = %d, want 409", again.status)
	}
	hist := get(t, anon, notice)
	if got := hist.text(`[data-testid=notice-history]`); !strings.Contains(got, "Version 2: unlinked from its decision by Dana Drafter") ||
		!strings.Contains(hist.text(`[data-testid=unlinked-reason]`), "by mistake") {
		t.Errorf("the notice's history says %q", got)
	}
	if hist.has(`[data-testid=notice-decision]`) {
		t.Error("the notice still shows a decision")
	}
	var audited int
	if err := site.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id
WHERE a.event = 'plan_notice_unlinked' AND d.slug = $1 AND a.detail::jsonb ->> 'reason' LIKE '%by mistake%'`, wrong).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("%d audit entries of the unlinking against PCD 9621 (%v), want 1", audited, err)
	}

	// Linked to the right one through the form; an admin may unlink too, but not once it is signed.
	edit := noticeForm(site.Clock.Now().Add(40 * 24 * time.Hour))
	edit.Set("decision", "PCD 9622")
	edit.Set("version", "2")
	if e := post(t, dr, notice+"/edit", edit); e.status != http.StatusSeeOther {
		t.Fatalf("POST the notice naming PCD 9622 = %d: %s", e.status, e.text(`.govuk-error-summary`))
	}
	admin := site.Client(t, "admin@example.org")
	if got := get(t, admin, notice+"/unlink"); got.status != http.StatusOK {
		t.Errorf("GET unlink as an admin = %d, want 200", got.status)
	}
	signNow(t, site, right)
	if get(t, dr, notice).has(`a[href$="/unlink"]`) {
		t.Error("the notice of a signed decision still offers to unlink")
	}
	for _, c := range []*http.Client{dr, admin} {
		if got := post(t, c, notice+"/unlink", url.Values{"version": {"3"}, "reason": {"Too late"}}); got.status != http.StatusConflict ||
			!strings.Contains(got.text(`main`), "signed") {
			t.Errorf("POST unlink after signing = %d %q, want 409", got.status, got.text(`h1`))
		}
	}
	edit.Set("decision", "PCD 9621")
	edit.Set("version", "3")
	if e := post(t, dr, notice+"/edit", edit); e.status != http.StatusUnprocessableEntity || !strings.Contains(e.text(`#decision-error`), "is signed") {
		t.Errorf("POST the notice naming another decision after signing = %d %q, want 422 by the field", e.status, e.text(`#decision-error`))
	}
	var nid int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM forward_plan_notices WHERE decision_id = (SELECT id FROM decisions WHERE slug = $1)`, right).Scan(&nid); err != nil {
		t.Fatal(err)
	}
	if err := site.Store.UnlinkPlanNotice(ctx, site.drafter.Act(site.Clock.Now()), nid, 3, "Too late"); !errors.Is(err, store.ErrLocked) {
		t.Errorf("UnlinkPlanNotice after signing = %v, want ErrLocked", err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE forward_plan_notices SET decision_id = NULL WHERE id = $1`, nid); !refusedSigned(err) {
		t.Errorf("a direct UPDATE unlinking a signed decision's notice = %v, want it refused (42501)", err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE forward_plan_notices SET decision_id = (SELECT id FROM decisions WHERE slug = $2) WHERE id = $1`, nid, wrong); !refusedSigned(err) {
		t.Errorf("a direct UPDATE moving a signed decision's notice = %v, want it refused (42501)", err)
	}
	// What the signed decision's page says of its notice (when noticed, key, standing) is frozen too.
	for _, set := range []string{`noticed_at = noticed_at - interval '30 days'`, `key_decision = NOT key_decision`, `withdrawn_at = now()`} {
		if _, err := site.Pool.Exec(ctx, `UPDATE forward_plan_notices SET `+set+` WHERE id = $1`, nid); !refusedSigned(err) {
			t.Errorf("a direct UPDATE SET %s on a signed decision's notice = %v, want it refused (42501)", set, err)
		}
	}
	if _, err := site.Pool.Exec(ctx, `DELETE FROM forward_plan_notices WHERE id = $1`, nid); !refusedSigned(err) {
		t.Errorf("deleting a signed decision's notice = %v, want it refused (42501)", err)
	}
	// A notice made afterwards for the signed decision would claim a notice it never had.
	if _, err := site.Store.CreatePlanNotice(ctx, site.drafter.Act(site.Clock.Now()), store.PlanNoticeInput{Series: "PCD",
		DecisionID: draftID(t, site.Site, right), Matter: "After the fact", MakerName: "A", MakerTitle: "B",
		ExpectedFrom: site.Clock.Now(), Documents: "C", Copies: "D"}); !errors.Is(err, store.ErrLocked) {
		t.Errorf("a new notice naming a signed decision = %v, want ErrLocked", err)
	}
}

// TestAffectsAreasFrozenOnceSigned: the "affects two or more areas" flag may change while the
// decision is a draft; once it is signed the database refuses a direct UPDATE of it, and the
// store's setter leaves it (and writes no audit entry).
func TestAffectsAreasFrozenOnceSigned(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	slug := site.awaitingDecision(t, 9631)
	id := *draftID(t, site.Site, slug)
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET affects_two_or_more_areas = true WHERE id = $1`, id); err != nil {
		t.Fatalf("setting the flag before signing: %v", err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET affects_two_or_more_areas = false WHERE id = $1`, id); err != nil {
		t.Fatalf("clearing the flag before signing: %v", err)
	}
	signNow(t, site, slug)
	for _, on := range []bool{true, false} {
		_, err := site.Pool.Exec(ctx, `UPDATE decisions SET affects_two_or_more_areas = $2 WHERE id = $1`, id, on)
		if on && !refusedSigned(err) {
			t.Errorf("a direct UPDATE of a signed decision's flag = %v, want it refused (42501)", err)
		}
		if !on && err != nil {
			t.Errorf("an UPDATE leaving the flag as it is = %v, want it let through", err)
		}
	}
	if err := site.Store.SetAffectsAreas(ctx, site.drafter.Act(site.Clock.Now()), id, true); err != nil {
		t.Errorf("SetAffectsAreas on a signed decision = %v, want a no-op", err)
	}
	on, err := site.Store.AffectsAreas(ctx, id)
	if err != nil || on {
		t.Errorf("the signed decision's flag is %v (%v), want false as signed", on, err)
	}
}
