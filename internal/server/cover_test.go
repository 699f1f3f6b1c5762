package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// dayForm writes a London day as the date input posts it, under name.
func dayForm(form url.Values, name string, t time.Time) {
	loc, _ := time.LoadLocation("Europe/London")
	t = t.In(loc)
	form.Set(name+"_day", strconv.Itoa(t.Day()))
	form.Set(name+"_month", strconv.Itoa(int(t.Month())))
	form.Set(name+"_year", strconv.Itoa(t.Year()))
}

// TestCoverForm: a cover refused comes back with what was typed and its error by its field (the
// summary links to it); one that holds is set, listed, and can be ended; an admin sets one for
// someone else.
func TestCoverForm(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	bea := site.User(t, "bea@example.org", "Bea Cover", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"legal", "finance"}})
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	ann := site.Client(t, "legal@example.org")
	now := site.Clock.Now()
	base := site.URL + "/account/cover"
	if p := get(t, ann, base); p.status != http.StatusOK || !strings.Contains(p.text(`#coverer`), "Bea Cover") ||
		strings.Contains(p.text(`#coverer`), "Adviser finance") {
		t.Fatalf("GET /account/cover = %d, people offered %q; want Bea only (the only other who clears Legal)", p.status, p.text(`#coverer`))
	}
	form := func(coverer int64, from, to time.Time, reason string) url.Values {
		f := url.Values{"reason": {reason}}
		if coverer != 0 {
			f.Set("coverer", strconv.FormatInt(coverer, 10))
		}
		dayForm(f, "starts", from)
		dayForm(f, "ends", to)
		return f
	}
	day := 24 * time.Hour
	cases := []struct {
		name string
		form url.Values
		id   string // the field the error is by
		msg  string
	}{
		{"nobody chosen", form(0, now, now.Add(day), "Leave"), "coverer", "Select who will act for you"},
		{"themself", form(site.advisers["legal"].ID, now, now.Add(day), "Leave"), "coverer", "a person cannot cover for themself"},
		{"without the role", form(site.advisers["finance"].ID, now, now.Add(day), "Leave"), "coverer", "they do not clear the Legal step"},
		{"end before start", form(bea.ID, now.Add(3*day), now.Add(day), "Leave"), "ends-day", "The end date must be the same as or after the start date"},
		{"no reason", form(bea.ID, now, now.Add(day), ""), "reason", "Enter why cover is needed"},
		{"not a date", url.Values{"coverer": {strconv.FormatInt(bea.ID, 10)}, "reason": {"Leave"}, "starts_day": {"31"},
			"starts_month": {"2"}, "starts_year": {"2027"}, "ends_day": {"1"}, "ends_month": {"3"}, "ends_year": {"2027"}},
			"starts-day", "Start date must be a real date"},
	}
	for _, c := range cases {
		p := post(t, ann, base, c.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST = %d, want 422", c.name, p.status)
			continue
		}
		link, _ := p.doc.Find(`.govuk-error-summary a`).First().Attr("href")
		if link != "#"+c.id || !strings.Contains(p.text(`.govuk-error-summary`), c.msg) || !strings.Contains(p.text(`.govuk-error-message`), c.msg) {
			t.Errorf("%s: the summary links to %q and says %q, want #%s and %q by the field", c.name, link, p.text(`.govuk-error-summary`), c.id, c.msg)
		}
		if got := p.value(`#reason`); got != c.form.Get("reason") {
			t.Errorf("%s: the reason came back as %q, want %q", c.name, got, c.form.Get("reason"))
		}
	}
	p := post(t, ann, base, form(bea.ID, now, now.Add(13*day), "Annual leave"))
	if p.status != http.StatusSeeOther || p.location != "/account/cover" {
		t.Fatalf("POST a good cover = %d %q, want 303 to /account/cover: %s", p.status, p.location, p.text(`.govuk-error-summary`))
	}
	p = get(t, ann, base)
	if got := p.text(`[data-testid="cover"]`); !strings.Contains(got, "Bea Cover acts for you") || !strings.Contains(got, "Annual leave") ||
		!strings.Contains(p.text(`[data-testid="flash"]`), "Cover set") {
		t.Errorf("after setting cover the page lists %q, flash %q", got, p.text(`[data-testid="flash"]`))
	}
	// An overlap is refused by the start date.
	p = post(t, ann, base, form(bea.ID, now.Add(5*day), now.Add(20*day), "More leave"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`.govuk-error-summary`), "You already have cover") {
		t.Errorf("an overlapping cover = %d %q, want 422 saying so", p.status, p.text(`.govuk-error-summary`))
	}
	// Bea sees whom she acts for; the admin sees Ann's cover and may set one for her.
	if got := get(t, site.Client(t, "bea@example.org"), base).text(`[data-testid="cover"]`); !strings.Contains(got, "You act for Adviser legal") {
		t.Errorf("Bea's cover page lists %q", got)
	}
	admin := site.Client(t, "admin@example.org")
	adminBase := site.URL + "/admin/users/" + strconv.FormatInt(site.advisers["legal"].ID, 10) + "/cover"
	ap := get(t, admin, adminBase)
	if ap.status != http.StatusOK || !strings.Contains(ap.text("h1"), "Cover for Adviser legal") || !strings.Contains(ap.text(`[data-testid="cover"]`), "Bea Cover acts for Adviser legal") {
		t.Fatalf("the admin's page = %d %q %q", ap.status, ap.text("h1"), ap.text(`[data-testid="cover"]`))
	}
	if p := post(t, admin, adminBase, form(bea.ID, now.Add(30*day), now.Add(31*day), "Training")); p.status != http.StatusSeeOther {
		t.Errorf("the admin sets cover = %d, want 303", p.status)
	}
	// Ann ends her first cover.
	end, _ := get(t, ann, base).doc.Find(`[data-testid="cover"] form`).First().Attr("action")
	if p := post(t, ann, site.URL+end, url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("end the cover = %d, want 303", p.status)
	}
	if got := get(t, ann, base).text(`[data-testid="covers"]`); strings.Contains(got, "Annual leave") || !strings.Contains(got, "Training") {
		t.Errorf("after ending the first cover the page lists %q", got)
	}
	// Someone else's cover cannot be ended from one's own page.
	if p := post(t, site.Client(t, "bea@example.org"), site.URL+end, url.Values{}); p.status != http.StatusNotFound {
		t.Errorf("Bea ends Ann's cover from her own page = %d, want 404", p.status)
	}
}

// TestApproveUnderCoverByForm: the coverer finds the covered person's step on Your work, is
// told their approval is for them, must declare, and the chain (staff and public) shows "for".
func TestApproveUnderCoverByForm(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	bea := site.User(t, "bea@example.org", "Bea Cover", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"legal"}})
	now := site.Clock.Now()
	if _, err := site.Store.SetCover(t.Context(), site.advisers["legal"].Act(now), store.CoverInput{UserID: site.advisers["legal"].ID,
		CovererID: bea.ID, Starts: utcDay(now), Ends: utcDay(now.Add(72 * time.Hour)), Reason: "Leave"}); err != nil {
		t.Fatal(err)
	}
	slug := site.awaitingDecision(t, 9601)
	hash := site.hashOf(t, slug)
	for _, k := range []string{"head_of_unit", "finance"} {
		if err := site.Store.Approve(t.Context(), site.advisers[k].Act(now), slug, k, hash); err != nil {
			t.Fatal(err)
		}
	}
	c := site.Client(t, "bea@example.org")
	if got := get(t, c, site.URL+"/work").text(`[data-testid="steps"]`); !strings.Contains(got, "Waiting on Legal") || !strings.Contains(got, " · covering for Adviser legal") {
		t.Errorf("Bea's work lists %q, want the legal step, covering for Ann", got)
	}
	base := site.URL + "/decisions/" + slug
	p := get(t, c, base+"/signoff")
	if got := p.text(`[data-testid="cover-note"]`); !strings.Contains(got, "You are covering for Adviser legal") {
		t.Errorf("the form's cover note reads %q", got)
	}
	approve := url.Values{"decision": {"approve"}, "step": {"legal"}, "content_hash": {hash}}
	for _, c2 := range []struct {
		name string
		add  url.Values
		id   string
		msg  string
	}{
		{"no declaration", nil, "interests", "Select whether you have an interest to declare"},
		{"interest without its nature", url.Values{"interests": {"declared"}, "interest_action": {"dispensation"}, "dispensation_by": {"The monitoring officer"}},
			"interest-nature", "Enter the interest you declare"},
		{"dispensation by nobody", url.Values{"interests": {"declared"}, "interest_nature": {"Shares"}, "interest_action": {"dispensation"}},
			"dispensation-by", "Enter who granted the dispensation"},
		{"withdrew", url.Values{"interests": {"declared"}, "interest_nature": {"Shares"}, "interest_action": {"withdrew"}},
			"interest-action", "requires you to withdraw"},
	} {
		f := url.Values{}
		for k, v := range approve {
			f[k] = v
		}
		for k, v := range c2.add {
			f[k] = v
		}
		p := post(t, c, base+"/signoff", f)
		link, _ := p.doc.Find(`.govuk-error-summary a`).First().Attr("href")
		if p.status != http.StatusUnprocessableEntity || link != "#"+c2.id || !strings.Contains(p.text(`.govuk-error-message`), c2.msg) {
			t.Errorf("%s: POST = %d, summary links to %q, inline %q; want 422, #%s, %q", c2.name, p.status, link, p.text(`.govuk-error-message`), c2.id, c2.msg)
		}
		if got := p.value(`#interest-nature`); got != c2.add.Get("interest_nature") {
			t.Errorf("%s: the interest came back as %q", c2.name, got)
		}
	}
	f := url.Values{"interests": {"declared"}, "interest_nature": {"Shares in the funder"}, "interest_action": {"dispensation"},
		"dispensation_by": {"The monitoring officer"}}
	for k, v := range approve {
		f[k] = v
	}
	if p := post(t, c, base+"/signoff", f); p.status != http.StatusSeeOther {
		t.Fatalf("approve with a dispensation = %d, want 303: %s", p.status, p.text(`.govuk-error-summary`))
	}
	staff := get(t, c, base+"/signoff")
	wantFor := "for Adviser legal (cover " + coverDays(now, now.Add(72*time.Hour)) + ", set by Adviser legal)"
	if got := staff.text(`[data-testid="signoff-for"]`); got != wantFor {
		t.Errorf("the staff chain reads %q, want %q", got, wantFor)
	}
	if got := staff.text(`[data-testid="signoff-declared"]`); !strings.Contains(got, "Went on under a dispensation granted by The monitoring officer") {
		t.Errorf("the chain's declarations read %q", got)
	}
	for _, k := range []string{"equalities", "data_protection", "chief_executive"} {
		if err := site.Store.Approve(t.Context(), site.advisers[k].Act(now), slug, k, hash); err != nil {
			t.Fatal(err)
		}
	}
	dm := site.Client(t, "dmpc@example.org")
	if p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {hash}}); p.status != http.StatusSeeOther {
		t.Fatalf("sign = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	pub := get(t, site.Client(t, ""), base)
	if got := pub.text(`[data-testid="signoff-for"]`); got != wantFor {
		t.Errorf("the public chain reads %q, want %q", got, wantFor)
	}
	canon := get(t, site.Client(t, ""), base+"/canonical")
	if !strings.Contains(canon.body, `"on_behalf_of":"Adviser legal"`) || !strings.Contains(canon.body, `"dispensation_by":"The monitoring officer"`) {
		t.Errorf("the canonical content lacks the cover or the declaration: %s", canon.body)
	}
	if v := get(t, site.Client(t, ""), base+"/verify"); !strings.Contains(v.text(`[data-testid="verify-result"]`), "matches") {
		t.Errorf("verify says %q", v.text(`[data-testid="verify-result"]`))
	}
}

func utcDay(t time.Time) time.Time {
	loc, _ := time.LoadLocation("Europe/London")
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func coverDays(from, to time.Time) string {
	a, b := utcDay(from), utcDay(to)
	switch {
	case a.Year() != b.Year():
		return a.Format("2 January 2006") + " – " + b.Format("2 January 2006")
	case a.Month() != b.Month():
		return a.Format("2 January") + " – " + b.Format("2 January 2006")
	}
	return a.Format("2") + "–" + b.Format("2 January 2006")
}
