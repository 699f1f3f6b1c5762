package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
)

// strongClient signs email in with a password and their app's code, now.
func strongClient(t *testing.T, ss *signoffSite, email, secret string) *http.Client {
	t.Helper()
	ss.Clock.Advance(30 * time.Second) // a step no earlier code used
	c := passwordStep(t, ss.Site, email)
	code, _ := auth.TOTPCode(secret, ss.Clock.Now())
	if resp, _ := postCode(t, c, ss.URL+"/sign-in/code", code); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("code for %s = %d, want 303", email, resp.StatusCode)
	}
	return c
}

// lastAuth is how the latest audit entry of event recorded its person's authentication.
func lastAuth(t *testing.T, ss *signoffSite, event string) string {
	t.Helper()
	var a *string
	err := ss.Pool.QueryRow(context.Background(), `SELECT detail::jsonb ->> 'auth' FROM audit_log WHERE event = $1 ORDER BY id DESC LIMIT 1`, event).Scan(&a)
	if err != nil {
		t.Fatal(err)
	}
	if a == nil {
		return ""
	}
	return *a
}

// TestStepUpMatrix is who is asked to confirm who they are before clearing a step or signing:
// people with a second factor, when they last gave it more than 15 minutes ago; never people
// with a password alone. Each act records how its person authenticated.
func TestStepUpMatrix(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 1900)
	head, dm := ss.advisers["head_of_unit"], ss.maker
	headSecret, _, _ := setUpTOTP(t, ss.Site, ss.Client(t, head.Email))
	dmSecret, _, _ := setUpTOTP(t, ss.Site, ss.Client(t, dm.Email))

	// The head of unit, with a fresh code, approves at once.
	hc := strongClient(t, ss, head.Email, headSecret)
	if p := approveStep(t, ss, hc, slug); p.status != http.StatusSeeOther || p.location != "/decisions/"+slug+"/signoff" {
		t.Fatalf("fresh head of unit approves = %d to %q, want 303 back to the sign-off page", p.status, p.location)
	}
	if a := lastAuth(t, ss, store.EventApproved); a != "password+totp" {
		t.Errorf("the approval records auth %q, want password+totp", a)
	}

	// Finance has a password alone: nothing more to ask, however long ago.
	fc := ss.Client(t, ss.advisers["finance"].Email)
	ss.Clock.Advance(20 * time.Minute)
	if p := approveStep(t, ss, fc, slug); p.status != http.StatusSeeOther || p.location != "/decisions/"+slug+"/signoff" {
		t.Fatalf("password-only finance approves = %d to %q, want 303 back", p.status, p.location)
	}
	if a := lastAuth(t, ss, store.EventApproved); a != "password" {
		t.Errorf("the approval records auth %q, want password", a)
	}
	hash := ss.hashOf(t, slug)
	for _, k := range chainSteps[2:] {
		if err := ss.Store.Approve(context.Background(), ss.advisers[k].Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatal(err)
		}
	}

	// The decision maker signed in 16 minutes ago: signing asks first, and records nothing.
	dc := strongClient(t, ss, dm.Email, dmSecret)
	ss.Clock.Advance(16 * time.Minute)
	signoff := ss.URL + "/decisions/" + slug + "/signoff"
	p := get(t, dc, signoff)
	sign := url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {p.value(`input[name=content_hash]`)}}
	p = post(t, dc, ss.URL+"/decisions/"+slug+"/sign", sign)
	want := "/account/confirm?next=" + url.QueryEscape("/decisions/"+slug+"/signoff")
	if p.status != http.StatusSeeOther || p.location != want {
		t.Fatalf("stale decision maker signs = %d to %q, want 303 to %s", p.status, p.location, want)
	}
	if n := auditCount(t, ss.Site, store.EventSigned, "", ""); n != 0 {
		t.Fatalf("%d signatures recorded before the step-up, want 0", n)
	}
	if p := get(t, dc, ss.URL+want); p.status != http.StatusOK || p.doc.Find("#code").Length() != 1 {
		t.Fatalf("GET the confirmation = %d, want 200 with a Code field", p.status)
	}
	if p := post(t, dc, ss.URL+"/account/confirm", url.Values{"code": {"000000"}, "next": {"/decisions/" + slug + "/signoff"}}); p.status != http.StatusUnprocessableEntity {
		t.Fatalf("a wrong code = %d, want 422", p.status)
	}
	code, _ := auth.TOTPCode(dmSecret, ss.Clock.Now())
	if p := post(t, dc, ss.URL+"/account/confirm", url.Values{"code": {code}, "next": {"/decisions/" + slug + "/signoff"}}); p.status != http.StatusSeeOther || p.location != "/decisions/"+slug+"/signoff" {
		t.Fatalf("the right code = %d to %q, want 303 back to the sign-off page", p.status, p.location)
	}
	if p := post(t, dc, ss.URL+"/decisions/"+slug+"/sign", sign); p.status != http.StatusSeeOther || p.location == want {
		t.Fatalf("signing after the step-up = %d to %q, want 303 onwards", p.status, p.location)
	}
	if a := lastAuth(t, ss, store.EventSigned); a != "password+totp" {
		t.Errorf("the signature records auth %q, want password+totp", a)
	}
}

// confirmWith gives the step-up page the person's current code, and expects to be sent to next.
func confirmWith(t *testing.T, ss *signoffSite, c *http.Client, secret, next string) {
	t.Helper()
	ss.Clock.Advance(30 * time.Second) // a time step no earlier code used
	code, _ := auth.TOTPCode(secret, ss.Clock.Now())
	if p := post(t, c, ss.URL+"/account/confirm", url.Values{"code": {code}, "next": {next}}); p.status != http.StatusSeeOther || p.location != next {
		t.Fatalf("the right code = %d to %q, want 303 to %s", p.status, p.location, next)
	}
}

// TestStepUpKeepsWhatWasTyped: a form the step-up interrupts comes back, after confirming, with
// its answers as they were typed, once, for its person to send again: nothing is recorded
// until they do. When the decision changed meanwhile, the answers are not put back on other text.
func TestStepUpKeepsWhatWasTyped(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 1910)
	signoff := "/decisions/" + slug + "/signoff"
	head := ss.advisers["head_of_unit"]
	secret, _, _ := setUpTOTP(t, ss.Site, ss.Client(t, head.Email))
	hc := strongClient(t, ss, head.Email, secret)
	ss.Clock.Advance(16 * time.Minute)

	p := get(t, hc, ss.URL+signoff)
	why := "Paragraph 2 does not match the funding table; see “Costs”."
	form := url.Values{"decision": {"return"}, "comment": {why}, "step": {p.value(`input[name=step]`)},
		"content_hash": {p.value(`input[name=content_hash]`)}}
	if p := post(t, hc, ss.URL+signoff, form); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/account/confirm?") {
		t.Fatalf("a stale adviser returns = %d to %q, want 303 to the step-up", p.status, p.location)
	}
	if strings.Contains(get(t, hc, ss.URL+"/account/confirm?next="+url.QueryEscape(signoff)).body, "does not match") {
		t.Error("the step-up page carries the typed comment")
	}
	confirmWith(t, ss, hc, secret, signoff)
	if n := auditCount(t, ss.Site, store.EventReturned, "", ""); n != 0 {
		t.Fatalf("%d returns recorded by confirming, want 0: the person presses the button again", n)
	}
	p = get(t, hc, ss.URL+signoff)
	if p.status != http.StatusOK || !p.has(`[data-testid="kept-answers"]`) || p.value("#comment") != why ||
		!p.has(`input[name=decision][value=return][checked]`) {
		t.Fatalf("back from the step-up = %d, banner %v, comment %q, Return checked %v; want the answers as typed",
			p.status, p.has(`[data-testid="kept-answers"]`), p.value("#comment"), p.has(`input[name=decision][value=return][checked]`))
	}
	// Given back once.
	if p := get(t, hc, ss.URL+signoff); p.has(`[data-testid="kept-answers"]`) || p.value("#comment") != "" {
		t.Error("the kept answers came back a second time")
	}
	if p := post(t, hc, ss.URL+signoff, form); p.status != http.StatusSeeOther || p.location != signoff {
		t.Fatalf("pressing the button again = %d to %q, want 303 back, recorded", p.status, p.location)
	}
	if n := auditCount(t, ss.Site, store.EventReturned, "", ""); n != 1 {
		t.Fatalf("%d returns recorded, want 1", n)
	}

	// The decision maker's rejection, interrupted; the text changes while they confirm.
	other := ss.awaitingDecision(t, 1911)
	ss.approveAll(t, other)
	dm := ss.maker
	dmSecret, _, _ := setUpTOTP(t, ss.Site, ss.Client(t, dm.Email))
	dc := strongClient(t, ss, dm.Email, dmSecret)
	ss.Clock.Advance(16 * time.Minute)
	otherSignoff := "/decisions/" + other + "/signoff"
	p = get(t, dc, ss.URL+otherSignoff)
	reject := url.Values{"interests": {"none"}, "outcome": {"reject"}, "rejection_reason": {"Not value for money."},
		"content_hash": {p.value(`input[name=content_hash]`)}}
	if p := post(t, dc, ss.URL+"/decisions/"+other+"/sign", reject); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/account/confirm?") {
		t.Fatalf("a stale decision maker rejects = %d to %q, want 303 to the step-up", p.status, p.location)
	}
	if _, err := ss.Pool.Exec(context.Background(), `UPDATE decisions SET summary = 'Changed meanwhile.' WHERE slug = $1`, other); err != nil {
		t.Fatal(err)
	}
	confirmWith(t, ss, dc, dmSecret, otherSignoff)
	p = get(t, dc, ss.URL+otherSignoff)
	if !strings.Contains(p.text(`[data-testid="kept-answers"]`), "The decision changed") || strings.Contains(p.body, "Not value for money.") {
		t.Fatalf("back after the text changed: banner %q, reason shown %v; want the change said and no answers put back",
			p.text(`[data-testid="kept-answers"]`), strings.Contains(p.body, "Not value for money."))
	}
	if n := auditCount(t, ss.Site, store.EventRejected, "", ""); n != 0 {
		t.Fatalf("%d rejections recorded, want 0", n)
	}
}

// TestStepUpKeepsAFormOnEachPage: two forms sent on two pages, each interrupted by a step-up,
// both wait for their person: the second does not replace the first.
func TestStepUpKeepsAFormOnEachPage(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	head := ss.advisers["head_of_unit"]
	secret, _, _ := setUpTOTP(t, ss.Site, ss.Client(t, head.Email))
	hc := strongClient(t, ss, head.Email, secret)
	ss.Clock.Advance(16 * time.Minute)
	comments := map[string]string{}
	var pages []string
	for i, n := range []int{1920, 1921} {
		signoff := "/decisions/" + ss.awaitingDecision(t, n) + "/signoff"
		p := get(t, hc, ss.URL+signoff)
		why := []string{"The first decision's costs do not add up.", "The second decision names the wrong funder."}[i]
		form := url.Values{"decision": {"return"}, "comment": {why}, "step": {p.value(`input[name=step]`)},
			"content_hash": {p.value(`input[name=content_hash]`)}}
		if p := post(t, hc, ss.URL+signoff, form); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/account/confirm?") {
			t.Fatalf("returning %s = %d to %q, want 303 to the step-up", signoff, p.status, p.location)
		}
		comments[signoff] = why
		pages = append(pages, signoff)
	}
	confirmWith(t, ss, hc, secret, pages[1])
	for _, signoff := range pages {
		if p := get(t, hc, ss.URL+signoff); !p.has(`[data-testid="kept-answers"]`) || p.value("#comment") != comments[signoff] {
			t.Errorf("back on %s: banner %v, comment %q; want %q kept", signoff, p.has(`[data-testid="kept-answers"]`), p.value("#comment"), comments[signoff])
		}
	}
}
