package server_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// ssoConfirm goes through the step-up's "Sign in again" button for a person signed in with the
// provider, who signs in there as u. It returns the register's answer to the callback and the
// address the register sent the browser to at the provider.
func ssoConfirm(t *testing.T, site *testsite.Site, c *http.Client, p *provider, u person, next string) (*http.Response, *url.URL) {
	t.Helper()
	return ssoConfirmAsked(t, site, c, p, u, url.Values{"next": {next}, "fresh": {"yes"}})
}

// ssoConfirmAsked is ssoConfirm with the form posted to /sign-in/sso as given.
func ssoConfirmAsked(t *testing.T, site *testsite.Site, c *http.Client, p *provider, u person, form url.Values) (*http.Response, *url.URL) {
	t.Helper()
	resp, err := c.PostForm(site.URL+"/sign-in/sso", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to.String(), p.AuthorizationEndpoint()) {
		t.Fatalf("POST /sign-in/sso fresh=yes = %d to %q, want 303 to the provider", resp.StatusCode, to)
	}
	p.QueueUser(u)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(to.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = c.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return resp, to
}

// TestSSOStepUpNeedsAFreshSignIn: a step-up through the provider asks it for a new sign-in
// (prompt=login, max_age=0) and accepts only an ID token whose auth_time says the person signed
// in after the register asked, as the same person. A token with an old auth_time, or none, or
// someone else's, is refused with a plain page and an sso_refused entry, and nothing changes in
// the session: it is still the person's, still waiting for its step-up.
func TestSSOStepUpNeedsAFreshSignIn(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	site.User(t, "bob@example.org", "Bob Drafter", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "")
	resp, _ := ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true), nil)
	resp.Body.Close()
	if !signedIn(t, site, c) {
		t.Fatal("not signed in with the provider")
	}
	// Bob links his account, so a step-up signing in as him is someone known, but not Ann.
	resp, _ = ssoSignIn(t, site, site.Client(t, ""), p, at("bob-at-provider", "bob@example.org", true), nil)
	resp.Body.Close()
	site.Clock.Advance(20 * time.Minute)
	p.FastForward(20 * time.Minute) // its tokens last ten minutes

	ann := func(authTime time.Time) person {
		u := at("ann-at-provider", "ann@example.org", true)
		u.authTime = authTime
		return u
	}
	bob := at("bob-at-provider", "bob@example.org", true)
	bob.authTime = site.Clock.Now()
	for _, tc := range []struct {
		name, reason string
		user         person
		form         url.Values
	}{
		{"auth_time from the first sign-in", auth.RefusedNotFresh, ann(site.Clock.Now().Add(-20 * time.Minute)), nil},
		{"auth_time ten minutes ago", auth.RefusedNotFresh, ann(site.Clock.Now().Add(-10 * time.Minute)), nil},
		{"no auth_time", auth.RefusedNotFresh, at("ann-at-provider", "ann@example.org", true), nil},
		{"another person", auth.RefusedAnother, bob, nil},
		// The sign-in page's own button, posted by a signed-in session: a step-up all the same.
		{"the sign-in button, no fresh asked", auth.RefusedNotFresh, ann(site.Clock.Now().Add(-20 * time.Minute)), url.Values{"next": {"/work"}}},
		{"the sign-in button as another person", auth.RefusedAnother, bob, url.Values{"next": {"/work"}}},
	} {
		before := auditCount(t, site, store.EventSSORefused, "reason", tc.reason)
		form := tc.form
		if form == nil {
			form = url.Values{"next": {"/work"}, "fresh": {"yes"}}
		}
		resp, to := ssoConfirmAsked(t, site, c, p, tc.user, form)
		if q := to.Query(); q.Get("prompt") != "login" || q.Get("max_age") != "0" {
			t.Fatalf("%s: the provider was asked prompt=%q max_age=%q, want login and 0", tc.name, q.Get("prompt"), q.Get("max_age"))
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("Nothing has been recorded")) {
			t.Errorf("%s: callback = %d, want 403 saying nothing was recorded", tc.name, resp.StatusCode)
		}
		if n := auditCount(t, site, store.EventSSORefused, "reason", tc.reason); n != before+1 {
			t.Errorf("%s: %d sso_refused entries with reason %s, want %d", tc.name, n, tc.reason, before+1)
		}
	}
	// Still Ann's session, and nobody else's: the refusals signed nobody in or out.
	if n := auditCount(t, site, store.EventSignInSucceeded, "", ""); n != 2 {
		t.Fatalf("%d sign-ins audited, want Ann's and Bob's first ones only", n)
	}
	if !signedIn(t, site, c) {
		t.Fatal("a refused step-up signed Ann out")
	}

	// Signed in again just now (a provider's clock a little behind is fine): accepted.
	resp, _ = ssoConfirm(t, site, c, p, ann(site.Clock.Now().Add(-30*time.Second)), "/work")
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Fatalf("a fresh step-up = %d to %q, want 303 to /work", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "sso"); n != 3 {
		t.Fatalf("%d sign-ins with the provider audited, want 3", n)
	}
}

// TestSSOStepUpNotByCode: someone signed in with the provider confirms through the provider
// only: a code from an app they also set up is sent back to the confirm page, not taken.
func TestSSOStepUpNotByCode(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	c := site.Client(t, "")
	resp, _ := ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true), nil)
	resp.Body.Close()
	secret, _, _ := setUpTOTP(t, site, c)
	site.Clock.Advance(20 * time.Minute)
	code, err := auth.TOTPCode(secret, site.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err = c.PostForm(site.URL+"/account/confirm", url.Values{"code": {code}, "next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if to := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, "/account/confirm?") {
		t.Errorf("POST /account/confirm with a code, signed in with the provider = %d to %q, want 303 back to the confirm page", resp.StatusCode, to)
	}
}
