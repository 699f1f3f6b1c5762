package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
)

// TestKeyWordingFollowsRule: with no key-decision rule no page claims 28 clear days nor tags a
// notice as key; a statutory rule says "must", a voluntary one "should", and the tag shows.
func TestKeyWordingFollowsRule(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	dr := site.Client(t, site.drafter.Email)
	anon := site.Client(t, "")
	slug := site.awaitingDecision(t, 9311)
	form := noticeForm(site.Clock.Now().Add(40 * 24 * time.Hour))
	if p := post(t, dr, site.URL+"/forward-plan/new", form); p.status != http.StatusSeeOther {
		t.Fatalf("POST a key notice = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	pages := map[string]string{"/forward-plan": "anon", "/forward-plan/new": "drafter", "/decisions/" + slug + "/edit": "drafter",
		"/decisions/" + slug + "/edit/title": "drafter"}
	read := func(path string) page {
		c := anon
		if pages[path] == "drafter" {
			c = dr
		}
		return get(t, c, site.URL+path)
	}
	for path := range pages {
		p := read(path)
		if p.status != http.StatusOK {
			t.Fatalf("GET %s = %d", path, p.status)
		}
		if txt := p.text(`main`); strings.Contains(txt, "28 clear days") {
			t.Errorf("with no key-decision rule, %s says %q", path, txt)
		}
	}
	if plan := read("/forward-plan"); plan.has(`[data-testid=plan-item] .govuk-tag--purple`) {
		t.Errorf("with no rule the plan tags the notice %q", plan.text(`[data-testid=plan-item]`))
	}
	for _, c := range []struct{ mode, verb string }{{forwardplan.ModeStatutory, "must"}, {forwardplan.ModeVoluntary, "should"}} {
		if err := site.Store.SetKeyRule(context.Background(), store.System(site.Clock.Now()), store.KeyRule{Series: "PCD", Mode: c.mode}); err != nil {
			t.Fatal(err)
		}
		want := "A key decision in the PCD series " + c.verb + " have its notice on the forward plan for 28 clear days before it is signed"
		for _, path := range []string{"/forward-plan", "/forward-plan/new", "/decisions/" + slug + "/edit"} {
			if txt := read(path).text(`main`); !strings.Contains(txt, want) {
				t.Errorf("under a %s rule %s says %q, want %q", c.mode, path, txt, want)
			}
		}
		if txt := read("/decisions/" + slug + "/edit/title").text(`main`); !strings.Contains(txt, "it is a key decision, which "+c.verb+" have 28 clear days") {
			t.Errorf("under a %s rule the title page says %q", c.mode, txt)
		}
		if plan := read("/forward-plan"); plan.text(`[data-testid=plan-item] .govuk-tag--purple`) != "Key decision" {
			t.Errorf("under a %s rule the plan does not tag the notice key: %q", c.mode, plan.text(`[data-testid=plan-item]`))
		}
	}
}

// TestPlanNoticeWalkFindings: the notice form's documents keep their lines (cleaned to "\n" as
// decision text is) on staff and public pages; the history shows the decision each version
// names; a second notice of a decision links to the first; the one series comes chosen; an
// unknown series is said by the filter; a published plan says so, with "1 notice".
func TestPlanNoticeWalkFindings(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	dr := site.Client(t, site.drafter.Email)
	admin := site.Client(t, "admin@example.org")
	anon := site.Client(t, "")
	site.awaitingDecision(t, 9321)

	if !get(t, dr, site.URL+"/forward-plan/new").has(`input[name=series][value=PCD][checked]`) {
		t.Error("the notice form's only series is not chosen")
	}
	form := noticeForm(site.Clock.Now().Add(40 * 24 * time.Hour))
	form.Set("documents", "Report to the Deputy Mayor\r\nGrant offer letter\r\n")
	p := post(t, dr, site.URL+"/forward-plan/new", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST a notice = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	noticePath := p.location
	var stored string
	if err := site.Pool.QueryRow(context.Background(), `SELECT documents FROM forward_plan_notices`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if stored != "Report to the Deputy Mayor\nGrant offer letter" {
		t.Errorf("the documents are stored as %q, want the lines joined by \\n alone", stored)
	}
	for _, c := range []struct {
		who string
		cl  *http.Client
	}{{"staff", dr}, {"public", anon}} {
		np := get(t, c.cl, site.URL+noticePath)
		html, _ := np.doc.Find(`[data-testid=notice-documents]`).Html()
		if !strings.Contains(html, "Report to the Deputy Mayor<br/>Grant offer letter") && !strings.Contains(html, "Report to the Deputy Mayor<br>Grant offer letter") {
			t.Errorf("the %s notice page shows the documents as %q, want one a line", c.who, html)
		}
	}

	// Linking the draft is a change the history shows.
	edit := get(t, dr, site.URL+noticePath+"/edit")
	change := url.Values{}
	for k, v := range form {
		change[k] = v
	}
	change.Set("decision", "pcd9321")
	change.Set("version", edit.value(`input[name=version]`))
	if p := post(t, dr, site.URL+noticePath+"/edit", change); p.status != http.StatusSeeOther {
		t.Fatalf("POST the link = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	versions := get(t, dr, site.URL+noticePath).doc.Find(`[data-testid=notice-history] [data-testid=version-decision]`)
	if versions.Length() != 2 || strings.TrimSpace(versions.Eq(0).Text()) != "PCD 9321" || strings.TrimSpace(versions.Eq(1).Text()) != "None named" {
		t.Errorf("the history names the decisions %q, want PCD 9321 in version 2 and none in version 1", versions.Text())
	}
	if got := get(t, anon, site.URL+noticePath).text(`[data-testid=notice-history]`); strings.Contains(got, "PCD 9321") ||
		!strings.Contains(got, "A decision not yet published") {
		t.Errorf("the public history says %q; want the draft linked but not named", got)
	}

	second := post(t, dr, site.URL+"/forward-plan/new", change)
	if second.status != http.StatusUnprocessableEntity || second.attr(`[data-testid=existing-notice] a`, "href") != noticePath ||
		!strings.Contains(second.text(`#decision-error`), "PCD 9321 already has a notice") {
		t.Errorf("a second notice of PCD 9321 = %d, %q linking to %q; want 422 by the field linking to %s", second.status,
			second.text(`#decision-error`), second.attr(`[data-testid=existing-notice] a`, "href"), noticePath)
	}

	bad := get(t, anon, site.URL+"/forward-plan?series=XYZ")
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.text(`[data-testid=series-error]`), "There is no series XYZ") ||
		bad.attr(`#series`, "aria-describedby") != "series-error" {
		t.Errorf("GET /forward-plan?series=XYZ = %d %q; want 400 with the error by the series filter", bad.status, bad.text(`[data-testid=series-error]`))
	}

	pub := post(t, admin, site.URL+"/forward-plan/publish", url.Values{})
	if pub.status != http.StatusSeeOther {
		t.Fatalf("POST /forward-plan/publish = %d", pub.status)
	}
	if got := get(t, admin, site.URL+pub.location).text(`[data-testid=flash]`); !strings.Contains(got, "The plan is published with 1 notice.") {
		t.Errorf("the published plan's banner says %q", got)
	}
	if got := get(t, anon, site.URL+"/forward-plan").text(`[data-testid=plans]`); !strings.Contains(got, "(1 notice)") {
		t.Errorf("the plan lists its published plans as %q, want (1 notice)", got)
	}
}
