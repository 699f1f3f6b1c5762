package server_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
	"github.com/decision-register/decisions/internal/workday"
)

// draftID is the id of the decision at slug.
func draftID(t *testing.T, site *testsite.Site, slug string) *int64 {
	t.Helper()
	var id int64
	if err := site.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return &id
}

// noticeForm is a good notice, expected on day.
func noticeForm(day time.Time) url.Values {
	f := url.Values{"series": {"PCD"}, "matter": {"Commission a service for victims of knife crime"},
		"maker_name": {"Kaya Comer-Schwartz"}, "maker_title": {"Deputy Mayor for Policing and Crime"},
		"documents": {"Report of the Director of Commissioning"}, "copies": {"MOPAC, 169 Union Street, London SE1 0LL: ask enquiries@mopac.example"},
		"withheld": {"no"}, "key": {"yes"}}
	dayForm(f, "expected", day)
	return f
}

// TestPlanNoticeJourney: a drafter's notice refused by field keeps what was typed; a good one is
// on the public plan at once, its page and the Atom feed; an admin publishes the plan; a
// change is marked against it and kept in the notice's history; a withdrawal is marked too;
// the published plan's bytes never move.
func TestPlanNoticeJourney(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	dr := site.Client(t, site.drafter.Email)
	admin := site.Client(t, "admin@example.org")
	anon := site.Client(t, "")
	now := site.Clock.Now()
	day := 24 * time.Hour
	with := func(f url.Values, kv ...string) url.Values {
		g := url.Values{}
		for k, v := range f {
			g[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			g.Set(kv[i], kv[i+1])
		}
		return g
	}
	good := noticeForm(now.Add(40 * day))
	past := noticeForm(now.Add(-2 * day))
	period := with(good)
	dayForm(period, "expected_to", now.Add(30*day))
	cases := []struct {
		name string
		form url.Values
		id   string
		msg  string
	}{
		{"no matter", with(good, "matter", " "), "matter", "Enter the matter to be decided"},
		{"no decision maker", with(good, "maker_name", ""), "maker-name", "Enter the decision maker’s name"},
		{"date in the past", past, "expected-day", "Date expected must be today or in the future"},
		{"period ends before it starts", period, "expected-to-day", "End of the period must be on or after the date expected"},
		{"withheld without a ground", with(good, "withheld", "yes"), "withheld-ground", "Enter the ground on which part is expected to be withheld"},
		{"no answer on key", with(good, "key", ""), "key", "Select whether it is a key decision"},
		{"unknown draft", with(good, "decision", "PCD 99999"), "decision", "There is no draft or decision in sign-off with the reference PCD 99999"},
	}
	for _, c := range cases {
		p := post(t, dr, site.URL+"/forward-plan/new", c.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST = %d, want 422", c.name, p.status)
			continue
		}
		link, _ := p.doc.Find(`.govuk-error-summary a`).First().Attr("href")
		if link != "#"+c.id || !strings.Contains(p.text(`.govuk-error-summary`), c.msg) || !strings.Contains(p.text(`.govuk-error-message`), c.msg) {
			t.Errorf("%s: the summary links to %q and says %q, want #%s and %q by the field", c.name, link, p.text(`.govuk-error-summary`), c.id, c.msg)
		}
		if got := p.text(`#matter`); got != strings.TrimSpace(c.form.Get("matter")) {
			t.Errorf("%s: the matter came back as %q, want %q", c.name, got, c.form.Get("matter"))
		}
	}

	site.awaitingDecision(t, 9301)
	tasks := get(t, dr, site.URL+"/decisions/pcd-9301/edit")
	if href := tasks.attr(`[data-testid=draft-plan] a`, "href"); href != "/forward-plan/new?decision=PCD+9301" {
		t.Errorf("the task list links to %q, want the notice form for PCD 9301", href)
	}
	if got := get(t, dr, site.URL+"/forward-plan/new?decision=PCD+9301").value(`#decision`); got != "PCD 9301" {
		t.Errorf("the notice form from the task list names %q, want PCD 9301", got)
	}
	p := post(t, dr, site.URL+"/forward-plan/new", with(good, "decision", "pcd9301"))
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/forward-plan/") {
		t.Fatalf("POST a good notice = %d %q, want 303 to the notice: %s", p.status, p.location, p.text(`.govuk-error-summary`))
	}
	noticePath := p.location
	if href := get(t, dr, site.URL+"/decisions/pcd-9301/edit").attr(`[data-testid=draft-plan] a`, "href"); href != noticePath {
		t.Errorf("once noticed, the task list links to %q, want %s", href, noticePath)
	}
	again := post(t, dr, site.URL+"/forward-plan/new", with(good, "decision", "PCD 9301"))
	if again.status != http.StatusUnprocessableEntity || !strings.Contains(again.text(`#decision-error`), "already has a notice") {
		t.Errorf("a second notice of PCD 9301 = %d %q, want 422 by the decision field", again.status, again.text(`#decision-error`))
	}

	plan := get(t, anon, site.URL+"/forward-plan")
	if !strings.Contains(plan.text(`[data-testid=plan-items]`), "Commission a service for victims of knife crime") {
		t.Fatalf("the public plan does not list the notice: %q", plan.text(`main`))
	}
	if plan.has(`[data-testid=plan-mark]`) || !plan.has(`[data-testid=no-plans]`) {
		t.Errorf("before any plan is published the plan marks %q and lists plans %q; want no marks, none published",
			plan.text(`[data-testid=plan-mark]`), plan.text(`[data-testid=plans]`))
	}
	np := get(t, anon, site.URL+noticePath)
	if np.status != http.StatusOK || !strings.Contains(np.body, "Report of the Director of Commissioning") || np.has(`[data-testid=notice-decision]`) {
		t.Errorf("GET %s = %d; want the notice, without its draft for the public", noticePath, np.status)
	}
	if !get(t, dr, site.URL+noticePath).has(`[data-testid=notice-decision]`) {
		t.Errorf("staff do not see the notice's draft on %s", noticePath)
	}
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	atom := get(t, anon, site.URL+"/forward-plan.atom")
	if err := xml.Unmarshal([]byte(atom.body), &feed); err != nil || len(feed.Entries) != 1 || feed.Entries[0].Title != "Commission a service for victims of knife crime" {
		t.Errorf("GET /forward-plan.atom = %v, %+v; want the notice as its one entry", err, feed.Entries)
	}

	pub := post(t, admin, site.URL+"/forward-plan/publish", url.Values{})
	if pub.status != http.StatusSeeOther || !strings.HasPrefix(pub.location, "/forward-plan/published/") {
		t.Fatalf("POST /forward-plan/publish = %d %q, want 303 to the published plan", pub.status, pub.location)
	}
	published := get(t, anon, site.URL+pub.location)
	before := get(t, anon, site.URL+pub.location+"/plan.json").body
	if got := published.text(`[data-testid=plan-sha256]`); got != forwardplan.Hash([]byte(before)) {
		t.Errorf("the published plan shows SHA-256 %q; its bytes hash to %q", got, forwardplan.Hash([]byte(before)))
	}

	site.Clock.Advance(time.Hour)
	edit := get(t, dr, site.URL+noticePath+"/edit")
	change := with(good, "matter", "Commission a London-wide service for victims of knife crime", "version", edit.value(`input[name=version]`),
		"decision", "PCD 9301")
	if p := post(t, dr, site.URL+noticePath+"/edit", change); p.status != http.StatusSeeOther {
		t.Fatalf("POST a change = %d, want 303: %s", p.status, p.text(`.govuk-error-summary`))
	}
	if p := post(t, dr, site.URL+noticePath+"/edit", change); p.status != http.StatusConflict {
		t.Errorf("POST the same change on the old version = %d, want 409", p.status)
	}
	plan = get(t, anon, site.URL+"/forward-plan")
	if got := plan.text(`[data-testid=plan-mark]`); got != "Changed" {
		t.Errorf("after a change the plan marks %q, want Changed", got)
	}
	np = get(t, anon, site.URL+noticePath)
	if n := np.doc.Find(`[data-testid=notice-history] > li`).Length(); n != 2 || !strings.Contains(np.text(`[data-testid=notice-history]`), "Commission a service for victims of knife crime") {
		t.Errorf("the notice's history has %d versions (%q), want 2 with the first wording kept", n, np.text(`[data-testid=notice-history]`))
	}
	wd := get(t, dr, site.URL+noticePath+"/withdraw")
	if p := post(t, dr, site.URL+noticePath+"/withdraw", url.Values{"version": {wd.value(`input[name=version]`)}, "reason": {"The Mayor will decide instead"}}); p.status != http.StatusSeeOther {
		t.Fatalf("POST withdraw = %d, want 303", p.status)
	}
	plan = get(t, anon, site.URL+"/forward-plan")
	if got := plan.text(`[data-testid=plan-mark]`); got != "Withdrawn" {
		t.Errorf("after the withdrawal the plan marks %q, want Withdrawn", got)
	}
	if after := get(t, anon, site.URL+pub.location+"/plan.json").body; after != before {
		t.Errorf("the published plan's bytes changed after its notice was changed and withdrawn:\n%s\nwere\n%s", after, before)
	}
	second := post(t, admin, site.URL+"/forward-plan/publish", url.Values{})
	sp := get(t, anon, site.URL+second.location)
	// The withdrawn notice is named as the plan before held it.
	if !strings.Contains(sp.text(`main`), "Withdrawn (1)Commission a service for victims of knife crime") || !strings.Contains(sp.text(`main`), "Every notice on this plan (0)") {
		t.Errorf("the second plan does not show the notice withdrawn since the first: %q", sp.text(`main`))
	}
}

// keySite is a signoff site whose PCD series has a key-decision rule, with a decision of
// £1,000,000 awaiting its signature, noticed on the plan at the site's clock.
func keySite(t *testing.T, mode string) (*signoffSite, string) {
	t.Helper()
	site := newSignoffSite(t)
	ctx := context.Background()
	threshold := int64(50_000_000) // £500,000
	if err := site.Store.SetKeyRule(ctx, store.System(site.Clock.Now()), store.KeyRule{Series: "PCD", ThresholdPence: &threshold, Mode: mode}); err != nil {
		t.Fatal(err)
	}
	slug := site.awaitingDecision(t, 9401)
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET total_pence = 100000000 WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	site.approveAll(t, slug)
	return site, slug
}

func planNotice(t *testing.T, site *signoffSite, slug string, at time.Time) int64 {
	t.Helper()
	id, err := site.Store.CreatePlanNotice(context.Background(), site.drafter.Act(at), store.PlanNoticeInput{Series: "PCD",
		DecisionID: draftID(t, site.Site, slug), Matter: "Fund a violence reduction programme", MakerName: "Sophie Signer",
		MakerTitle: "Deputy Mayor for Policing and Crime", ExpectedFrom: at.AddDate(0, 2, 0), Documents: "A report", Copies: "Ask MOPAC"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestKeyDecisionStatutory: a key decision (its total over the series' threshold) cannot be
// signed with no notice, nor before its notice has stood 28 clear working days; the page says
// why and from when; with the clock moved past that it signs, and its page says when it was
// first noticed. A rejection is never held back.
func TestKeyDecisionStatutory(t *testing.T) {
	t.Parallel()
	site, slug := keySite(t, forwardplan.ModeStatutory)
	dm := site.Client(t, site.maker.Email)
	base := site.URL + "/decisions/" + slug
	sign := func() page {
		return post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {site.hashOf(t, slug)}})
	}
	if p := sign(); p.status != http.StatusForbidden || !strings.Contains(p.body, "no notice on the forward plan") {
		t.Fatalf("POST sign with no notice = %d %q, want 403 saying there is no notice", p.status, p.text(`main`))
	}
	noticed := site.Clock.Now()
	id := planNotice(t, site, slug, noticed)
	earliest := forwardplan.EarliestSigning(workday.Published(), noticed, 28)
	page := get(t, dm, base+"/signoff")
	if got := page.text(`[data-testid=key-decision-notice]`); !strings.Contains(got, "0 clear days of the 28 needed") ||
		!strings.Contains(got, earliest.Words()) || !strings.Contains(got, "You cannot approve it yet") {
		t.Errorf("the sign-off page says %q, want the 28 clear days, %s and that it cannot be approved yet", got, earliest.Words())
	}
	// The day before the earliest day: 27 clear days.
	site.Clock.Advance(earliest.AddDays(-1).Start().Add(12 * time.Hour).Sub(site.Clock.Now()))
	if p := sign(); p.status != http.StatusForbidden || !strings.Contains(p.body, "27 clear days") {
		t.Fatalf("POST sign on %s = %d %q, want 403 with 27 clear days", workday.DateOf(site.Clock.Now()), p.status, p.text(`main`))
	}
	site.Clock.Advance(earliest.Start().Add(time.Minute).Sub(site.Clock.Now()))
	if p := get(t, dm, base+"/signoff"); p.has(`[data-testid=key-decision-notice]`) {
		t.Errorf("on %s the page still warns: %q", earliest, p.text(`[data-testid=key-decision-notice]`))
	}
	if p := sign(); p.status != http.StatusSeeOther {
		t.Fatalf("POST sign on %s = %d %q, want 303", earliest, p.status, p.text(`main`))
	}
	// Its notice can still be changed, naming its decision, now signed.
	dr := site.Client(t, site.drafter.Email)
	edit := get(t, dr, site.URL+"/forward-plan/"+itoa64(id)+"/edit")
	form := url.Values{}
	edit.doc.Find(`[data-testid=plan-form] input, [data-testid=plan-form] textarea`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		switch typ, _ := s.Attr("type"); {
		case s.Is("textarea"):
			form.Set(name, s.Text())
		case typ == "radio":
			if _, on := s.Attr("checked"); on {
				form.Set(name, s.AttrOr("value", ""))
			}
		default:
			form.Set(name, s.AttrOr("value", ""))
		}
	})
	if form.Get("decision") != "PCD 9401" {
		t.Errorf("the notice's form names decision %q, want PCD 9401", form.Get("decision"))
	}
	if p := post(t, dr, site.URL+"/forward-plan/"+itoa64(id)+"/edit", form); p.status != http.StatusSeeOther {
		t.Errorf("POST the notice unchanged after signing = %d, want 303: %s", p.status, p.text(`.govuk-error-summary`))
	}
	pub := get(t, site.Client(t, ""), base)
	if got := pub.text(`[data-testid=first-noticed]`); !strings.Contains(got, "First noticed on "+noticed.In(workday.London()).Format("2 January 2006")) ||
		!strings.Contains(got, "28 clear days before it was signed") {
		t.Errorf("the decision page says %q, want when it was first noticed and 28 clear days", got)
	}
}

// TestKeyDecisionExceptions: a special-urgency record lets a key decision be signed at once; a
// general exception after 5 clear days, not 4; a rejection needs neither.
func TestKeyDecisionExceptions(t *testing.T) {
	t.Parallel()
	site, slug := keySite(t, forwardplan.ModeStatutory)
	dm := site.Client(t, site.maker.Email)
	dr := site.Client(t, site.drafter.Email)
	id := planNotice(t, site, slug, site.Clock.Now())
	path := site.URL + "/forward-plan/" + itoa64(id) + "/exception"
	form := url.Values{"kind": {"general_exception"}, "chair_name": {""}, "chair_role": {"Chair of the Police and Crime Committee"}, "reasons": {"The grant offer closes."}}
	dayForm(form, "chair_on", site.Clock.Now())
	if p := post(t, dr, path, form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`#chair-name-error`), "Enter the chair’s name") {
		t.Errorf("an exception without the chair's name = %d %q, want 422 by the field", p.status, p.text(`#chair-name-error`))
	}
	form.Set("chair_name", "Marina Ahmad")
	p := post(t, dr, path, form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST a general exception = %d, want 303: %s", p.status, p.text(`.govuk-error-summary`))
	}
	rec := get(t, site.Client(t, ""), site.URL+p.location)
	if !strings.Contains(rec.text(`[data-testid=exception-chair]`), "Marina Ahmad") {
		t.Errorf("the published record shows %q, want the chair", rec.text(`main`))
	}
	sign := func() page {
		return post(t, dm, site.URL+"/decisions/"+slug+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {site.hashOf(t, slug)}})
	}
	fifth := workday.Published().Add(site.Clock.Now(), 5)
	site.Clock.Advance(fifth.Start().Add(10 * time.Hour).Sub(site.Clock.Now()))
	if p := sign(); p.status != http.StatusForbidden {
		t.Errorf("POST sign on the 5th working day after the general exception (4 clear days) = %d, want 403", p.status)
	}
	site.Clock.Advance(fifth.AddDays(1).Start().Add(time.Minute).Sub(site.Clock.Now()))
	if p := sign(); p.status != http.StatusSeeOther {
		t.Errorf("POST sign after 5 clear days with a general exception = %d %q, want 303", p.status, p.text(`main`))
	}

	urgent, slug2 := keySite(t, forwardplan.ModeStatutory)
	id2 := planNotice(t, urgent, slug2, urgent.Clock.Now())
	if _, err := urgent.Store.MakeException(context.Background(), urgent.drafter.Act(urgent.Clock.Now()), store.PlanException{NoticeID: id2,
		Kind: forwardplan.SpecialUrgency, ChairName: "Marina Ahmad", ChairRole: "Chair", Reasons: "Urgent", ChairOn: urgent.Clock.Now()}); err != nil {
		t.Fatal(err)
	}
	urgent.Clock.Advance(time.Minute)
	dm2 := urgent.Client(t, urgent.maker.Email)
	if p := post(t, dm2, urgent.URL+"/decisions/"+slug2+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {urgent.hashOf(t, slug2)}}); p.status != http.StatusSeeOther {
		t.Errorf("POST sign with special urgency = %d %q, want 303", p.status, p.text(`main`))
	}

	rejected, slug3 := keySite(t, forwardplan.ModeStatutory)
	dm3 := rejected.Client(t, rejected.maker.Email)
	if p := post(t, dm3, rejected.URL+"/decisions/"+slug3+"/sign", url.Values{"interests": {"none"}, "outcome": {"reject"},
		"rejection_reason": {"Not value for money."}, "content_hash": {rejected.hashOf(t, slug3)}}); p.status != http.StatusSeeOther {
		t.Errorf("POST reject a key decision with no notice = %d, want 303", p.status)
	}
}

// TestKeyDecisionVoluntary: under a voluntary rule the decision maker is warned and signs.
func TestKeyDecisionVoluntary(t *testing.T) {
	t.Parallel()
	site, slug := keySite(t, forwardplan.ModeVoluntary)
	planNotice(t, site, slug, site.Clock.Now())
	dm := site.Client(t, site.maker.Email)
	p := get(t, dm, site.URL+"/decisions/"+slug+"/signoff")
	if got := p.text(`[data-testid=key-decision-notice]`); !strings.Contains(got, "0 clear days of the 28 needed") || strings.Contains(got, "cannot approve") {
		t.Errorf("the voluntary warning says %q, want the clear days and no refusal", got)
	}
	if p := post(t, dm, site.URL+"/decisions/"+slug+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {site.hashOf(t, slug)}}); p.status != http.StatusSeeOther {
		t.Errorf("POST sign under a voluntary rule = %d %q, want 303", p.status, p.text(`main`))
	}
}

// TestAffectsAreasMakesKey: a drafter answers "affects two or more areas" on the title page;
// with it a decision under no money threshold is a key decision.
func TestAffectsAreasMakesKey(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	if err := site.Store.SetKeyRule(ctx, store.System(site.Clock.Now()), store.KeyRule{Series: "PCD", Mode: forwardplan.ModeStatutory}); err != nil {
		t.Fatal(err)
	}
	slug, err := site.Store.CreateDraft(ctx, site.drafter.Act(site.Clock.Now()), "PCD", "Project Delta")
	if err != nil {
		t.Fatal(err)
	}
	id := draftID(t, site.Site, slug)
	key := func() bool {
		st, err := site.Store.KeyStanding(ctx, *id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Key
	}
	if key() {
		t.Fatal("a new draft is a key decision before anyone said so")
	}
	dr := site.Client(t, site.drafter.Email)
	path := site.URL + "/decisions/" + slug + "/edit/title"
	form := get(t, dr, path)
	if form.value(`#affects-areas-2`) != "no" || !form.has(`#affects-areas-2[checked]`) {
		t.Errorf("the title page does not start at No for two or more areas")
	}
	p := post(t, dr, path, url.Values{"version": {form.value(`input[name=version]`)}, "part_version": {form.value(`input[name=part_version]`)},
		"title": {"Project Delta"}, "summary": {"Across three boroughs."}, "affects_areas": {"yes"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST the title page = %d, want 303: %s", p.status, p.text(`.govuk-error-summary`))
	}
	if !key() {
		t.Error("a draft that affects two or more areas is not a key decision")
	}
	if !get(t, dr, path).has(`#affects-areas[checked]`) {
		t.Error("the title page does not show Yes once saved")
	}
}
