package server_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestRequiringSSOEndsPasswordSessions: when an admin requires single sign-on, the password
// sessions already open of accounts that are not break-glass end at their next request, which
// goes to the sign-in page saying why; sessions signed in with the provider, and the break-glass
// admin's, go on. The settings' audit entry counts the sessions ended.
func TestRequiringSSOEndsPasswordSessions(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	site.User(t, "carl@example.org", "Carl Drafter", store.Grants{Roles: []string{"drafter"}})
	root := site.User(t, "root@example.org", "Root Admin", store.Grants{Roles: []string{"admin"}})
	admin := site.Client(t, "root@example.org")
	ann := site.Client(t, "ann@example.org")
	carl := site.Client(t, "")
	resp, _ := ssoSignIn(t, site, carl, p, at("carl-at-provider", "carl@example.org", true), nil)
	resp.Body.Close()

	pg := post(t, admin, site.URL+"/admin/sign-in", url.Values{"require_sso": {"yes"}, "break_glass": {strconv.FormatInt(root.ID, 10)}})
	if pg.status != http.StatusSeeOther {
		t.Fatalf("POST /admin/sign-in = %d, want 303", pg.status)
	}
	if n := auditCount(t, site, store.EventAuthSettingsChanged, "password_sessions_ended", "1"); n != 1 {
		t.Errorf("%d auth_settings_changed entries counting 1 password session ended, want 1", n)
	}
	pg = get(t, ann, site.URL+"/work")
	if pg.status != http.StatusSeeOther || !strings.HasPrefix(pg.location, "/sign-in?") || !strings.Contains(pg.location, "signed_out=sso") {
		t.Fatalf("Ann's next request = %d to %q, want 303 to the sign-in page saying why", pg.status, pg.location)
	}
	if pg = get(t, ann, site.URL+pg.location); !strings.Contains(pg.body, "Your organisation now signs you in with Test ID") {
		t.Errorf("the sign-in page does not say single sign-on is now required:\n%s", pg.text("main"))
	}
	if signedIn(t, site, ann) {
		t.Error("Ann's password session still signed in after single sign-on became required")
	}
	if !signedIn(t, site, carl) {
		t.Error("Carl's session with the provider ended")
	}
	if !signedIn(t, site, admin) {
		t.Error("the break-glass admin's password session ended")
	}
}

// TestRequiringASecondFactorReachesOpenSessions: when an admin requires a second factor, an
// adviser already signed in with a password alone is sent to set one up at their next request,
// and is let through once they have; a drafter is not asked. The audit entry counts them.
func TestRequiringASecondFactorReachesOpenSessions(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "root@example.org", "Root Admin", store.Grants{Roles: []string{"admin"}})
	site.User(t, "dee@example.org", "Dee Adviser", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance"}})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	admin := site.Client(t, "root@example.org")
	dee := site.Client(t, "dee@example.org")
	ann := site.Client(t, "ann@example.org")
	if pg := post(t, admin, site.URL+"/admin/sign-in", url.Values{"require_second_factor": {"yes"}}); pg.status != http.StatusSeeOther {
		t.Fatalf("POST /admin/sign-in = %d, want 303", pg.status)
	}
	if n := auditCount(t, site, store.EventAuthSettingsChanged, "sessions_sent_to_set_up_second_factor", "1"); n != 1 {
		t.Errorf("%d auth_settings_changed entries counting 1 session sent to set up a second factor, want 1", n)
	}
	if pg := get(t, dee, site.URL+"/work"); pg.status != http.StatusSeeOther || pg.location != "/account/two-factor" {
		t.Fatalf("the adviser's next request = %d to %q, want 303 to /account/two-factor", pg.status, pg.location)
	}
	if pg := get(t, ann, site.URL+"/work"); pg.status != http.StatusOK {
		t.Fatalf("the drafter's next request = %d, want 200", pg.status)
	}
	setUpTOTP(t, site, dee)
	if pg := get(t, dee, site.URL+"/work"); pg.status != http.StatusOK {
		t.Fatalf("the adviser with a second factor = %d, want 200", pg.status)
	}
}
