package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestAdminResetsPasswordAndForcesChange: the sign-in page says who to ask about a forgotten
// password; an admin resets it after a confirmation and is shown a one-time password once; the
// person's sessions and old password stop working; signing in with the one-time password
// leads to choosing their own, and nothing else opens until they have; then they carry on.
// A new account's password is one-time too.
func TestAdminResetsPasswordAndForcesChange(t *testing.T) {
	t.Parallel()
	site, admin, c := adminSite(t)
	ctx := context.Background()
	dana := site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	danaBefore := site.Client(t, "drafter@example.org")
	page := "/admin/users/" + itoa64(dana.ID)

	if p := adminDo(t, site.Client(t, ""), "GET", site.URL+"/sign-in", nil); !strings.Contains(p.text("main"), "Forgotten your password?") ||
		!strings.Contains(p.text(`[data-testid="forgotten-password"]`), "Ask your admin") {
		t.Errorf("the sign-in page does not say who to ask about a forgotten password: %q", p.text("main"))
	}

	if p := adminDo(t, c, "GET", site.URL+page, nil); p.doc.Find(`a[href="`+page+`/password"]`).Length() != 1 ||
		!strings.Contains(p.text(`[data-testid="password-state"]`), "Chosen by them") {
		t.Fatalf("the user page does not offer a password reset (password %q)", p.text(`[data-testid="password-state"]`))
	}
	if p := adminDo(t, c, "GET", site.URL+page+"/password", nil); p.status != http.StatusOK || p.text("h1") != "Reset Dana Drafter’s password?" {
		t.Fatalf("GET %s/password = %d %q", page, p.status, p.text("h1"))
	}
	if u, _ := site.Store.UserByID(ctx, dana.ID); u.MustChangePassword || u.SessionEpoch != dana.SessionEpoch {
		t.Fatal("asking to confirm reset the password")
	}
	if p := adminDo(t, c, "POST", site.URL+page+"/password", nil); p.status != http.StatusSeeOther || p.header.Get("Location") != page {
		t.Fatalf("POST %s/password = %d to %q", page, p.status, p.header.Get("Location"))
	}
	p := adminDo(t, c, "GET", site.URL+page, nil)
	oneTime := p.text(`[data-testid="one-time-password"]`)
	if len(oneTime) < 12 || !strings.Contains(p.text(`[data-testid="initial-password"]`), "Password reset") ||
		!strings.Contains(p.text(`[data-testid="password-state"]`), "one-time password") {
		t.Fatalf("after the reset: one-time password %q, panel %q, state %q", oneTime, p.text(`[data-testid="initial-password"]`), p.text(`[data-testid="password-state"]`))
	}
	if p := adminDo(t, c, "GET", site.URL+page, nil); p.doc.Find(`[data-testid="one-time-password"]`).Length() != 0 {
		t.Error("the one-time password is shown a second time")
	}
	if p := adminDo(t, c, "GET", site.URL+"/admin/users/"+itoa64(admin.ID)+"/password", nil); p.status != http.StatusConflict {
		t.Errorf("an admin resetting their own password = %d, want 409", p.status)
	}

	// Dana's session ended, and the old password no longer signs in.
	if p := adminDo(t, danaBefore, "GET", site.URL+"/work", nil); !strings.HasPrefix(p.header.Get("Location"), "/sign-in") {
		t.Errorf("Dana's old session after the reset: GET /work to %q, want the sign-in page", p.header.Get("Location"))
	}
	danaNow := site.Client(t, "")
	if p := adminDo(t, danaNow, "POST", site.URL+"/sign-in", url.Values{"email": {"drafter@example.org"}, "password": {testsite.Password}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("signing in with the old password = %d, want 422", p.status)
	}

	// The one-time password signs in, straight to choosing a password; nothing else opens first.
	if p := adminDo(t, danaNow, "POST", site.URL+"/sign-in", url.Values{"email": {"drafter@example.org"}, "password": {oneTime}, "next": {"/decisions/new"}}); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/account/password" {
		t.Fatalf("signing in with the one-time password = %d to %q, want 303 to /account/password", p.status, p.header.Get("Location"))
	}
	for _, path := range []string{"/work", "/decisions/new"} {
		if p := adminDo(t, danaNow, "GET", site.URL+path, nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/account/password" {
			t.Errorf("GET %s before choosing a password = %d to %q, want /account/password", path, p.status, p.header.Get("Location"))
		}
	}
	p = adminDo(t, danaNow, "GET", site.URL+"/account/password", nil)
	if p.status != http.StatusOK || p.doc.Find(`[data-testid="forced-change"]`).Length() != 1 || p.doc.Find(`#current-password`).Length() != 0 ||
		p.text("h1") != "Choose your own password" {
		t.Fatalf("the forced change page = %d, h1 %q, current password asked %v", p.status, p.text("h1"), p.doc.Find(`#current-password`).Length() != 0)
	}
	p = adminDo(t, danaNow, "POST", site.URL+"/account/password", url.Values{"new_password": {"short"}, "confirm_password": {"other"}})
	if p.status != http.StatusUnprocessableEntity || p.text(`#new-password-error`) == "" || p.doc.Find(`[data-testid="forced-change"]`).Length() != 1 {
		t.Errorf("a short new password = %d, error %q", p.status, p.text(`#new-password-error`))
	}
	const mine = "a long password of my very own"
	if p := adminDo(t, danaNow, "POST", site.URL+"/account/password", url.Values{"new_password": {mine}, "confirm_password": {mine}}); p.status != http.StatusSeeOther {
		t.Fatalf("choosing a password = %d: %s", p.status, p.text(".govuk-error-summary"))
	}
	if p := adminDo(t, danaNow, "GET", site.URL+"/work", nil); p.status != http.StatusOK {
		t.Errorf("GET /work after choosing a password = %d, want 200", p.status)
	}
	if u, _ := site.Store.UserByID(ctx, dana.ID); u.MustChangePassword {
		t.Error("the account still must change its password")
	}
	if p := adminDo(t, site.Client(t, ""), "POST", site.URL+"/sign-in", url.Values{"email": {"drafter@example.org"}, "password": {mine}}); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/work" {
		t.Errorf("signing in with the chosen password = %d to %q, want /work", p.status, p.header.Get("Location"))
	}
	if events := auditEvents(t, site, admin.ID); strings.Join(events, ",") != "user_changed" {
		t.Errorf("admin's audit entries = %v, want the reset", events)
	}

	// A new account's password is one-time too.
	if p := adminDo(t, c, "POST", site.URL+"/admin/users/new", url.Values{"email": {"new@example.org"}, "name": {"Nia New"}, "roles": {"drafter"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add an account = %d", p.status)
	}
	if u, err := site.Store.UserByEmail(ctx, "new@example.org"); err != nil || !u.MustChangePassword {
		t.Errorf("a new account: must change its password %v, %v", u.MustChangePassword, err)
	}
}

// TestDisableListsWhatWaitsOnThem: before an admin confirms disabling someone, the page lists
// the steps and series nobody else holds and the decisions waiting on them now, marking what
// nobody else can do.
func TestDisableListsWhatWaitsOnThem(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	admin := ss.Client(t, "admin@example.org")
	slug := ss.awaitingDecision(t, 9301)
	first := ss.advisers[chainSteps[0]]

	p := adminDo(t, admin, "GET", ss.URL+"/admin/users/"+itoa64(first.ID)+"/disable", nil)
	if p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid="only-them"]`), "step of sign-off") {
		t.Errorf("disable the first step's adviser = %d, only them %q", p.status, p.text(`[data-testid="only-them"]`))
	}
	waiting := p.text(`[data-testid="waiting-on-them"]`)
	if !strings.Contains(waiting, "PCD 9301") || !strings.Contains(waiting, "Nobody else can") ||
		p.doc.Find(`[data-testid="waiting-on-them"] a[href="/decisions/`+slug+`/signoff"]`).Length() != 1 {
		t.Errorf("what waits on the first step's adviser: %q", waiting)
	}
	// Another adviser for that step: it is no longer theirs alone, though the decision still waits on them.
	ss.User(t, "second@example.org", "Second Adviser", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{chainSteps[0]}})
	p = adminDo(t, admin, "GET", ss.URL+"/admin/users/"+itoa64(first.ID)+"/disable", nil)
	if p.doc.Find(`[data-testid="only-them"]`).Length() != 0 || !strings.Contains(p.text(`[data-testid="waiting-on-them"]`), "PCD 9301") ||
		strings.Contains(p.text(`[data-testid="waiting-on-them"]`), "Nobody else can") {
		t.Errorf("with a second adviser: only them %q, waiting %q", p.text(`[data-testid="only-them"]`), p.text(`[data-testid="waiting-on-them"]`))
	}
	// The decision maker signs for PCD alone; nothing waits for their signature yet.
	p = adminDo(t, admin, "GET", ss.URL+"/admin/users/"+itoa64(ss.maker.ID)+"/disable", nil)
	if !strings.Contains(p.text(`[data-testid="only-them"]`), "Signing decisions of the PCD series") || p.doc.Find(`[data-testid="nothing-waiting"]`).Length() != 1 {
		t.Errorf("disable the decision maker: only them %q, nothing waiting %v", p.text(`[data-testid="only-them"]`), p.doc.Find(`[data-testid="nothing-waiting"]`).Length() == 1)
	}
}
