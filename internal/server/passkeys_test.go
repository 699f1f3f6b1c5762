package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth/authtest"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// passkeyOptions asks the server to start a ceremony, as the page's script does, and returns
// its options (JSON).
func passkeyOptions(t *testing.T, c *http.Client, u string) []byte {
	t.Helper()
	resp, err := c.Post(u, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("POST %s = %d %s, want 200 with JSON", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return b
}

// addPasskey adds a passkey named name for c's person through the page, as its script would.
func addPasskey(t *testing.T, site *testsite.Site, c *http.Client, name string) *authtest.Authenticator {
	t.Helper()
	a := authtest.NewAuthenticator(testsite.BaseURL)
	answer, err := a.Create(passkeyOptions(t, c, site.URL+"/account/passkeys/options"))
	if err != nil {
		t.Fatal(err)
	}
	if p := post(t, c, site.URL+"/account/passkeys", url.Values{"name": {name}, "credential": {answer}}); p.status != http.StatusSeeOther ||
		p.location != "/account/passkeys" {
		t.Fatalf("add the passkey %q = %d to %q (%s), want 303 to /account/passkeys", name, p.status, p.location, p.text(".govuk-error-message"))
	}
	return a
}

// usePasskey answers the ceremony started at base+"/options" with a, posting to base.
func usePasskey(t *testing.T, c *http.Client, a *authtest.Authenticator, base string, form url.Values) page {
	t.Helper()
	answer, err := a.Get(passkeyOptions(t, c, base+"/options"))
	if err != nil {
		t.Fatal(err)
	}
	if form == nil {
		form = url.Values{}
	}
	form.Set("credential", answer)
	return post(t, c, base, form)
}

// TestPasskeyAddSignInRemove adds a passkey on its page (a name is needed, and an answer from the
// browser), signs in with a password and the passkey, audited as password+passkey with the
// counter and the last use kept, and removes it after "Are you sure?".
func TestPasskeyAddSignInRemove(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	c := site.Client(t, "dm@example.org")
	if p := get(t, c, site.URL+"/account/passkeys"); p.status != http.StatusOK || p.doc.Find(`[data-testid="no-passkeys"]`).Length() != 1 ||
		p.doc.Find(`form[data-passkey="create"][hidden]`).Length() != 1 || p.doc.Find(`[data-testid="passkeys-need-js"]`).Length() != 1 {
		t.Fatalf("GET /account/passkeys = %d, want 200 with no passkeys, the form hidden until its script runs, and why", p.status)
	}
	for _, tc := range []struct{ name, credential, want string }{
		{"", "{}", "Enter a name for your passkey"},
		{strings.Repeat("x", 101), "{}", "Name must be 100 characters or fewer"},
		{"Laptop", "", "Your browser did not make a passkey"},
	} {
		p := post(t, c, site.URL+"/account/passkeys", url.Values{"name": {tc.name}, "credential": {tc.credential}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text("#name-error"), tc.want) ||
			p.value("#name") != tc.name || !strings.Contains(p.text(`[data-testid="error-summary"]`), tc.want) {
			t.Errorf("add %q with %q = %d %q, want 422 saying %q by the field, the name kept", tc.name, tc.credential, p.status, p.text("#name-error"), tc.want)
		}
	}
	a := addPasskey(t, site, c, "Work laptop")
	p := get(t, c, site.URL+"/account/passkeys")
	if got := p.text(`[data-testid="passkeys"] tbody th`); got != "Work laptop" || !strings.Contains(p.text(`[data-testid="flash"]`), "Work laptop") {
		t.Fatalf("the list shows %q (flash %q), want the passkey Work laptop", got, p.text(`[data-testid="flash"]`))
	}
	if n := auditCount(t, site, store.EventUserChanged, "change", "passkey added"); n != 1 {
		t.Errorf("%d passkeys added in the audit trail, want 1", n)
	}
	// An answer from the browser adds its passkey once: the same answer again is refused.
	phone := authtest.NewAuthenticator(testsite.BaseURL)
	answer, err := phone.Create(passkeyOptions(t, c, site.URL+"/account/passkeys/options"))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{http.StatusSeeOther, http.StatusForbidden} {
		if p := post(t, c, site.URL+"/account/passkeys", url.Values{"name": {"Phone"}, "credential": {answer}}); p.status != want {
			t.Fatalf("the phone's answer, time %d = %d, want %d", i+1, p.status, want)
		}
	}
	if n := auditCount(t, site, store.EventPasskeyRefused, "purpose", "register"); n != 1 {
		t.Errorf("%d refused additions audited, want 1", n)
	}
	if _, doc := getDoc(t, c, site.URL+"/account/two-factor"); doc.Find(`[data-testid="passkeys-on"]`).Length() != 1 {
		t.Error("the second factor page does not say the person has a passkey")
	}
	if p := post(t, c, site.URL+"/account/passkeys/"+strconv.FormatInt(lastPasskey(t, site), 10)+"/remove", nil); p.status != http.StatusSeeOther {
		t.Fatalf("remove the phone = %d, want 303", p.status)
	}

	// Signing in now asks for the passkey after the password; with no app, no code field.
	sc := passwordStep(t, site, "dm@example.org")
	if p := get(t, sc, site.URL+"/sign-in/code"); p.doc.Find(`form[data-passkey="get"][action="/sign-in/passkey"]`).Length() != 1 || p.doc.Find("#code").Length() != 0 {
		t.Fatal("the sign-in's second step does not offer the passkey alone")
	}
	if p := post(t, sc, site.URL+"/sign-in/code", url.Values{"code": {"123456"}}); p.status != http.StatusUnprocessableEntity || signedIn(t, site, sc) {
		t.Fatalf("a code from someone with no app = %d, want 422 and not signed in", p.status)
	}
	site.Clock.Advance(time.Minute)
	if p := usePasskey(t, sc, a, site.URL+"/sign-in/passkey", nil); p.status != http.StatusSeeOther || p.location != "/work" || !signedIn(t, site, sc) {
		t.Fatalf("the passkey = %d to %q, want 303 to /work and signed in", p.status, p.location)
	}
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "password+passkey"); n != 1 {
		t.Errorf("%d sign-ins audited as password+passkey, want 1", n)
	}
	keys, err := site.Store.Passkeys(context.Background(), userID(t, site, "dm@example.org"))
	if err != nil || len(keys) != 1 || keys[0].SignCount != 1 || keys[0].LastUsedAt == nil || keys[0].Name != "Work laptop" {
		t.Fatalf("kept passkeys %+v (%v), want Work laptop with count 1 and a last use", keys, err)
	}

	// Removing asks first, says it is the only second factor, and is audited.
	remove := site.URL + "/account/passkeys/" + strconv.FormatInt(keys[0].ID, 10) + "/remove"
	// 16 minutes after the passkey, managing passkeys asks to confirm first: a borrowed session
	// cannot add its own passkey or remove the person's.
	site.Clock.Advance(16 * time.Minute)
	want := "/account/confirm?next=" + url.QueryEscape("/account/passkeys")
	for _, r := range []struct{ method, url string }{{"GET", site.URL + "/account/passkeys"}, {"POST", site.URL + "/account/passkeys/options"},
		{"POST", site.URL + "/account/passkeys"}, {"GET", remove}, {"POST", remove}} {
		var p page
		if r.method == "GET" {
			p = get(t, sc, r.url)
		} else {
			p = post(t, sc, r.url, url.Values{"name": {"Mine now"}, "credential": {"{}"}})
		}
		if p.status != http.StatusSeeOther || p.location != want {
			t.Errorf("%s %s 16 minutes on = %d to %q, want 303 to %s", r.method, r.url, p.status, p.location, want)
		}
	}
	if p := usePasskey(t, sc, a, site.URL+"/account/confirm/passkey", url.Values{"next": {"/account/passkeys"}}); p.status != http.StatusSeeOther || p.location != "/account/passkeys" {
		t.Fatalf("confirm with the passkey = %d to %q, want 303 back to /account/passkeys", p.status, p.location)
	}
	if p := get(t, sc, remove); p.status != http.StatusOK || !strings.Contains(p.text("main"), "only second factor") {
		t.Fatalf("GET the removal = %d, want 200 warning it is the only second factor", p.status)
	}
	site.User(t, "other@example.org", "Otto", store.Grants{Roles: []string{"drafter"}})
	if p := post(t, site.Client(t, "other@example.org"), remove, nil); p.status != http.StatusNotFound {
		t.Errorf("someone else removes the passkey = %d, want 404", p.status)
	}
	if p := post(t, sc, remove, nil); p.status != http.StatusSeeOther || p.location != "/account/passkeys" {
		t.Fatalf("POST the removal = %d to %q, want 303 to /account/passkeys", p.status, p.location)
	}
	if n := auditCount(t, site, store.EventUserChanged, "change", "passkey removed"); n != 2 {
		t.Errorf("%d passkeys removed in the audit trail, want 2 (the phone, then the laptop)", n)
	}
	if !signedIn(t, site, site.Client(t, "dm@example.org")) {
		t.Error("with the passkey removed, the password alone does not sign in")
	}
}

func lastPasskey(t *testing.T, site *testsite.Site) (id int64) {
	t.Helper()
	if err := site.Pool.QueryRow(context.Background(), `SELECT max(id) FROM user_passkeys`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func userID(t *testing.T, site *testsite.Site, email string) int64 {
	t.Helper()
	u, err := site.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestPasskeyRefusals tries what an attacker with the password might: each is refused with a
// plain message by the passkey button, a passkey_refused audit entry with the reason, and no
// session.
func TestPasskeyRefusals(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	cases := []struct {
		name, reason string
		try          func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page
	}{
		{"wrong origin", "invalid", func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page {
			a.Origin = "https://decisions.example.org.evil.test"
			return usePasskey(t, c, a, site.URL+"/sign-in/passkey", nil)
		}},
		{"unknown credential", "unknown", func(t *testing.T, c *http.Client, _ *authtest.Authenticator, _ string) page {
			return usePasskey(t, c, authtest.NewAuthenticator(testsite.BaseURL), site.URL+"/sign-in/passkey", nil)
		}},
		{"counter gone back", "counter", func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page {
			a.Count = 0 // the kept count is 1: the next signature says 1 again, as a clone would
			return usePasskey(t, c, a, site.URL+"/sign-in/passkey", nil)
		}},
		{"no ceremony asked for", "ceremony", func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page {
			answer, _ := a.Sign("localhost", "bm90LWEtY2hhbGxlbmdl")
			return post(t, c, site.URL+"/sign-in/passkey", url.Values{"credential": {answer}})
		}},
		{"challenge used twice", "ceremony", func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page {
			opts := passkeyOptions(t, c, site.URL+"/sign-in/passkey/options")
			good, _ := a.Get(opts)
			post(t, c, site.URL+"/sign-in/passkey", url.Values{"credential": {"{}"}}) // takes the challenge
			return post(t, c, site.URL+"/sign-in/passkey", url.Values{"credential": {good}})
		}},
		{"answer from another sign-in", "invalid", func(t *testing.T, c *http.Client, a *authtest.Authenticator, email string) page {
			other := passwordStep(t, site, email)
			stolen, _ := a.Get(passkeyOptions(t, other, site.URL+"/sign-in/passkey/options"))
			passkeyOptions(t, c, site.URL+"/sign-in/passkey/options")
			return post(t, c, site.URL+"/sign-in/passkey", url.Values{"credential": {stolen}})
		}},
		{"not WebAuthn", "malformed", func(t *testing.T, c *http.Client, _ *authtest.Authenticator, _ string) page {
			passkeyOptions(t, c, site.URL+"/sign-in/passkey/options")
			return post(t, c, site.URL+"/sign-in/passkey", url.Values{"credential": {`{"id":"x"}`}})
		}},
	}
	for i, tc := range cases {
		email := "dm" + strconv.Itoa(i) + "@example.org"
		site.User(t, email, "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
		a := addPasskey(t, site, site.Client(t, email), "Laptop")
		// One good sign-in first, so the kept counter is 1.
		if p := usePasskey(t, passwordStep(t, site, email), a, site.URL+"/sign-in/passkey", nil); p.status != http.StatusSeeOther {
			t.Fatalf("%s: the first sign-in = %d, want 303", tc.name, p.status)
		}
		t.Run(tc.name, func(t *testing.T) {
			before := auditCount(t, site, store.EventPasskeyRefused, "reason", tc.reason)
			c := passwordStep(t, site, email)
			p := tc.try(t, c, a, email)
			if p.status != http.StatusForbidden || p.text("#passkey-error") == "" || signedIn(t, site, c) {
				t.Fatalf("= %d %q, want 403 with a message by the passkey button, and not signed in", p.status, p.text("#passkey-error"))
			}
			if n := auditCount(t, site, store.EventPasskeyRefused, "reason", tc.reason); n != before+1 {
				t.Errorf("%d passkey_refused entries for %q, want %d", n, tc.reason, before+1)
			}
		})
	}
}

// TestPasskeyThrottled: wrong passkeys count with wrong codes, and past five in 15 minutes
// none is checked, not even the right one.
func TestPasskeyThrottled(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	a := addPasskey(t, site, site.Client(t, "dm@example.org"), "Laptop")
	c := passwordStep(t, site, "dm@example.org")
	stranger := authtest.NewAuthenticator(testsite.BaseURL)
	for i := range 5 {
		if p := usePasskey(t, c, stranger, site.URL+"/sign-in/passkey", nil); p.status != http.StatusForbidden {
			t.Fatalf("wrong passkey %d = %d, want 403", i+1, p.status)
		}
	}
	if p := usePasskey(t, c, a, site.URL+"/sign-in/passkey", nil); p.status != http.StatusTooManyRequests || signedIn(t, site, c) {
		t.Fatalf("the right passkey after five wrong = %d, want 429 and not signed in", p.status)
	}
}

// TestPasskeyStepUp: a decision maker who signed in with a passkey 16 minutes ago confirms with
// it before signing, and the signature records password+passkey.
func TestPasskeyStepUp(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 1901)
	hash := ss.hashOf(t, slug)
	for _, k := range chainSteps {
		if err := ss.Store.Approve(context.Background(), ss.advisers[k].Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatal(err)
		}
	}
	dm := ss.maker
	a := addPasskey(t, ss.Site, ss.Client(t, dm.Email), "Laptop")
	dc := passwordStep(t, ss.Site, dm.Email)
	if p := usePasskey(t, dc, a, ss.URL+"/sign-in/passkey", nil); p.status != http.StatusSeeOther {
		t.Fatalf("sign in with the passkey = %d, want 303", p.status)
	}
	ss.Clock.Advance(16 * time.Minute)
	signoff := "/decisions/" + slug + "/signoff"
	p := get(t, dc, ss.URL+signoff)
	sign := url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {p.value(`input[name=content_hash]`)}}
	want := "/account/confirm?next=" + url.QueryEscape(signoff)
	if p := post(t, dc, ss.URL+"/decisions/"+slug+"/sign", sign); p.status != http.StatusSeeOther || p.location != want {
		t.Fatalf("stale decision maker signs = %d to %q, want 303 to %s", p.status, p.location, want)
	}
	if p := get(t, dc, ss.URL+want); p.doc.Find(`form[data-passkey="get"][action="/account/confirm/passkey"] input[name=next]`).AttrOr("value", "") != signoff ||
		p.doc.Find("#code").Length() != 0 {
		t.Fatal("the confirmation does not offer the passkey alone, with next")
	}
	if p := usePasskey(t, dc, a, ss.URL+"/account/confirm/passkey", url.Values{"next": {signoff}}); p.status != http.StatusSeeOther || p.location != signoff {
		t.Fatalf("confirm with the passkey = %d to %q, want 303 to %s", p.status, p.location, signoff)
	}
	if p := post(t, dc, ss.URL+"/decisions/"+slug+"/sign", sign); p.status != http.StatusSeeOther || p.location == want {
		t.Fatalf("signing after the step-up = %d to %q, want 303 onwards", p.status, p.location)
	}
	if got := lastAuth(t, ss, store.EventSigned); got != "password+passkey" {
		t.Errorf("the signature records auth %q, want password+passkey", got)
	}
	// A passkey answer for the sign-in is no good for the step-up.
	ss.Clock.Advance(16 * time.Minute)
	answer, _ := a.Get(passkeyOptions(t, dc, ss.URL+"/account/confirm/passkey/options"))
	if p := post(t, dc, ss.URL+"/account/confirm/passkey", url.Values{"credential": {answer}, "next": {signoff}}); p.status != http.StatusSeeOther {
		t.Fatalf("a fresh step-up = %d, want 303", p.status)
	}
	if p := post(t, dc, ss.URL+"/account/confirm/passkey", url.Values{"credential": {answer}, "next": {signoff}}); p.status != http.StatusForbidden {
		t.Fatalf("the same answer again = %d, want 403", p.status)
	}
	if n := auditCount(t, ss.Site, store.EventPasskeyRefused, "purpose", "confirm"); n != 1 {
		t.Errorf("%d refused step-ups audited, want 1", n)
	}
}

// TestPasskeyMeetsTheSecondFactorRequirement: a decision maker sent to set up a second factor
// may add a passkey instead of an app, and is then let through.
func TestPasskeyMeetsTheSecondFactorRequirement(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	if err := site.Store.SetAuthSettings(context.Background(), store.System(time.Now()), store.AuthSettings{RequireSecondFactor: true}); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, "dm@example.org")
	if signedIn(t, site, c) {
		t.Fatal("Your work reached before setting up a second factor")
	}
	if p := get(t, c, site.URL+"/account/passkeys"); p.status != http.StatusOK || p.doc.Find(`[data-testid="second-factor-required"]`).Length() != 1 {
		t.Fatalf("GET /account/passkeys while required = %d, want 200 saying the admin requires it", p.status)
	}
	a := addPasskey(t, site, c, "Security key")
	if !signedIn(t, site, c) {
		t.Fatal("Your work still refused once a passkey is added")
	}
	// At the next sign-in the passkey is asked for, and the requirement is met.
	sc := passwordStep(t, site, "dm@example.org")
	if p := usePasskey(t, sc, a, site.URL+"/sign-in/passkey", nil); p.status != http.StatusSeeOther || p.location != "/work" || !signedIn(t, site, sc) {
		t.Fatalf("sign in with the passkey = %d to %q, want 303 to /work and signed in", p.status, p.location)
	}
}

// TestPasskeyOptionsAreRateLimited: every passkey ceremony a client can start is limited as
// signing in is (each start writes to the session and the limit bounds what a client can make the
// server do), the step-up's as well as the sign-in's.
func TestPasskeyOptionsAreRateLimited(t *testing.T) {
	t.Parallel()
	site := testsite.NewWith(t, testsite.Options{SignInRate: server.RateLimit{Requests: 3, Window: time.Hour}})
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	c := site.Client(t, "dm@example.org")
	addPasskey(t, site, c, "Laptop")
	for range 3 {
		passkeyOptions(t, c, site.URL+"/account/confirm/passkey/options")
	}
	resp, err := c.Post(site.URL+"/account/confirm/passkey/options", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a fourth step-up ceremony started = %d, want 429", resp.StatusCode)
	}
}
