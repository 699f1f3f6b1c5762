package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// provider is a real OpenID provider (oauth2-proxy/mockoidc) in the test process. It signs its
// ID tokens with its own key; a queued user can change the token's claims before it is signed,
// so each bad token the register must refuse is one the provider really issued.
type provider struct {
	*mockoidc.MockOIDC
	// endSession, when set, is added to the discovery document as end_session_endpoint.
	endSession string
}

func newProvider(t *testing.T) *provider {
	t.Helper()
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	p := &provider{MockOIDC: m}
	err = m.AddMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if p.endSession == "" || !strings.HasSuffix(r.URL.Path, "/openid-configuration") {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var doc map[string]any
			_ = json.Unmarshal(rec.Body.Bytes(), &doc)
			doc["end_session_endpoint"] = p.endSession
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(doc)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ln, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	return p
}

func (p *provider) config() *auth.OIDCConfig {
	return &auth.OIDCConfig{Issuer: p.Issuer(), ClientID: p.ClientID, ClientSecret: p.ClientSecret, Name: "Test ID"}
}

// person is someone at the provider; claims, when set, changes their ID token's claims, and
// authTime, when set, is the token's auth_time (mockoidc sends none of its own).
type person struct {
	*mockoidc.MockUser
	claims   func(*mockoidc.IDTokenClaims)
	authTime time.Time
}

func (u person) Claims(scope []string, c *mockoidc.IDTokenClaims) (jwt.Claims, error) {
	if u.claims != nil {
		u.claims(c)
	}
	cl, err := u.MockUser.Claims(scope, c)
	if err != nil || u.authTime.IsZero() {
		return cl, err
	}
	b, err := json.Marshal(cl)
	if err != nil {
		return nil, err
	}
	m := jwt.MapClaims{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	m["auth_time"] = u.authTime.Unix()
	return m, nil
}

func at(subject, email string, verified bool, groups ...string) person {
	return person{MockUser: &mockoidc.MockUser{Subject: subject, Email: email, EmailVerified: verified, Groups: groups}}
}

// ssoSignIn goes through single sign-on as a browser would: the sign-in page's button, the
// provider (which signs u in at once), and back. tamper may change the callback's address.
// It returns the register's answer to the callback, and the callback's address.
func ssoSignIn(t *testing.T, site *testsite.Site, c *http.Client, p *provider, u person, tamper func(url.Values)) (*http.Response, string) {
	t.Helper()
	resp, err := c.PostForm(site.URL+"/sign-in/sso", url.Values{"next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, p.AuthorizationEndpoint()) {
		t.Fatalf("POST /sign-in/sso = %d to %q, want 303 to the provider", resp.StatusCode, to)
	}
	q, _ := url.Parse(to)
	for _, want := range []string{"state", "nonce", "code_challenge"} {
		if q.Query().Get(want) == "" {
			t.Fatalf("the provider was sent no %s: %s", want, to)
		}
	}
	if m := q.Query().Get("code_challenge_method"); m != "S256" {
		t.Fatalf("code_challenge_method = %q, want S256", m)
	}
	p.QueueUser(u)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noFollow.Get(to)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), site.URL+"/sign-in/sso/callback?") {
		t.Fatalf("the provider sent the browser to %q", resp.Header.Get("Location"))
	}
	if tamper != nil {
		v := back.Query()
		tamper(v)
		back.RawQuery = v.Encode()
	}
	resp, err = c.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	return resp, back.String()
}

// signedIn reports whether c's session is signed in: /work answers it, or sends it to sign in.
func signedIn(t *testing.T, site *testsite.Site, c *http.Client) bool {
	t.Helper()
	resp, err := c.Get(site.URL + "/work")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func auditCount(t *testing.T, site *testsite.Site, event, key, value string) int {
	t.Helper()
	var n int
	err := site.Pool.QueryRow(context.Background(), `
SELECT count(*) FROM audit_log WHERE event = $1 AND ($2 = '' OR detail::jsonb ->> $2 = $3)`, event, key, value).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSSOSignInLinksByVerifiedEmailThenBySubject(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	ann := site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})

	c := site.Client(t, "")
	resp, err := c.Get(site.URL + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte("Sign in with Test ID")) {
		t.Fatal(`the sign-in page has no "Sign in with Test ID" button`)
	}

	resp, _ = ssoSignIn(t, site, c, p, at("ann-at-provider", "Ann@Example.org", true), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Fatalf("callback = %d to %q, want 303 to /work", resp.StatusCode, resp.Header.Get("Location"))
	}
	if !signedIn(t, site, c) {
		t.Fatal("not signed in after single sign-on")
	}
	if n := auditCount(t, site, store.EventSSOLinked, "subject", "ann-at-provider"); n != 1 {
		t.Errorf("%d sso_linked entries, want 1", n)
	}
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "sso"); n != 1 {
		t.Errorf("%d sign-ins audited with method sso, want 1", n)
	}

	// Later sign-ins match by subject, whatever e-mail the provider now gives.
	c2 := site.Client(t, "")
	resp, _ = ssoSignIn(t, site, c2, p, at("ann-at-provider", "ann.renamed@example.org", false), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !signedIn(t, site, c2) {
		t.Fatalf("second sign-in by subject = %d, want 303 and signed in", resp.StatusCode)
	}
	u, err := site.Store.UserBySubject(context.Background(), p.Issuer(), "ann-at-provider")
	if err != nil || u.ID != ann.ID {
		t.Fatalf("UserBySubject = %d, %v; want Ann (%d)", u.ID, err, ann.ID)
	}
	// A password sign-in is audited with its method too.
	site.Client(t, "ann@example.org")
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "password"); n != 1 {
		t.Errorf("%d sign-ins audited with method password, want 1", n)
	}
}

// TestSSORefusals tries each attack and each unusable answer against the real provider: each is
// refused with a plain page and an audit entry naming why, and the browser has no session.
func TestSSORefusals(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	bob := site.User(t, "bob@example.org", "Bob Disabled", store.Grants{Roles: []string{"drafter"}})
	if err := site.Store.SetUserDisabled(context.Background(), store.System(time.Now()), bob.ID, true); err != nil {
		t.Fatal(err)
	}
	claims := func(f func(*mockoidc.IDTokenClaims)) person {
		u := at("ann-at-provider", "ann@example.org", true)
		u.claims = f
		return u
	}
	for _, tc := range []struct {
		name, reason string
		user         person
		tamper       func(url.Values)
	}{
		{"forged state", auth.RefusedState, at("ann-at-provider", "ann@example.org", true),
			func(v url.Values) { v.Set("state", "forged") }},
		{"no state", auth.RefusedState, at("ann-at-provider", "ann@example.org", true),
			func(v url.Values) { v.Del("state") }},
		{"wrong nonce", auth.RefusedNonce, claims(func(c *mockoidc.IDTokenClaims) { c.Nonce = "another sign-in's nonce" }), nil},
		{"another audience", auth.RefusedAudience, claims(func(c *mockoidc.IDTokenClaims) { c.Audience = jwt.ClaimStrings{"another-client"} }), nil},
		{"another issuer", auth.RefusedIssuer, claims(func(c *mockoidc.IDTokenClaims) { c.Issuer = "https://issuer.example.net" }), nil},
		{"expired token", auth.RefusedExpired, claims(func(c *mockoidc.IDTokenClaims) {
			c.IssuedAt = jwt.NewNumericDate(time.Now().Add(-2 * time.Hour))
			c.NotBefore = c.IssuedAt
			c.ExpiresAt = jwt.NewNumericDate(time.Now().Add(-time.Hour))
		}), nil},
		{"stolen code without the verifier", auth.RefusedExchange, at("ann-at-provider", "ann@example.org", true),
			func(v url.Values) { v.Set("code", "not-the-code") }},
		{"provider error", auth.RefusedProvider, at("ann-at-provider", "ann@example.org", true),
			func(v url.Values) { v.Del("code"); v.Set("error", "access_denied") }},
		{"unlinked subject", auth.RefusedUnlinked, at("stranger", "stranger@example.org", true), nil},
		{"unverified e-mail", auth.RefusedUnlinked, at("ann-impostor", "ann@example.org", false), nil},
		{"disabled account", auth.RefusedDisabled, at("bob-at-provider", "bob@example.org", true), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := auditCount(t, site, store.EventSSORefused, "reason", tc.reason)
			succeeded := auditCount(t, site, store.EventSignInSucceeded, "", "")
			c := site.Client(t, "")
			resp, _ := ssoSignIn(t, site, c, p, tc.user, tc.tamper)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("callback = %d, want 403", resp.StatusCode)
			}
			if !bytes.Contains(body, []byte("You have not been signed in")) {
				t.Errorf("the refusal page does not say the person was not signed in:\n%s", body)
			}
			if n := auditCount(t, site, store.EventSSORefused, "reason", tc.reason); n != before+1 {
				t.Errorf("%d sso_refused entries with reason %s, want %d", n, tc.reason, before+1)
			}
			if n := auditCount(t, site, store.EventSignInSucceeded, "", ""); n != succeeded {
				t.Errorf("sign-ins audited went from %d to %d, want none", succeeded, n)
			}
			if signedIn(t, site, c) {
				t.Error("signed in after a refused single sign-on")
			}
		})
	}
	if n := auditCount(t, site, store.EventSSOLinked, "", ""); n != 0 {
		t.Errorf("%d subjects linked by refused sign-ins, want 0", n)
	}
}

// TestSSOReplayedCallback replays a callback that signed someone in: in the same browser (its
// state was used up) and in another (it never had one). Both are refused.
func TestSSOReplayedCallback(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "")
	resp, callback := ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("callback = %d, want 303", resp.StatusCode)
	}
	for name, replayer := range map[string]*http.Client{"same browser": c, "another browser": site.Client(t, "")} {
		if name == "same browser" {
			// Signed out first, so only the replay could sign the browser in.
			resp, err := c.PostForm(site.URL+"/sign-out", nil)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
		}
		resp, err := replayer.Get(callback)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden || signedIn(t, site, replayer) {
			t.Errorf("%s: replayed callback = %d, want 403 and not signed in", name, resp.StatusCode)
		}
	}
	if n := auditCount(t, site, store.EventSSORefused, "reason", auth.RefusedState); n != 2 {
		t.Errorf("%d refusals for the state, want 2", n)
	}
}

func TestSSORequiredForAllButBreakGlass(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	root := site.User(t, "root@example.org", "Break Glass", store.Grants{Roles: []string{"admin"}})
	ctx := context.Background()
	if err := site.Store.SetBreakGlass(ctx, store.System(time.Now()), root.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := site.Store.SetAuthSettings(ctx, store.System(time.Now()), store.AuthSettings{RequireSSO: true}); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, "")
	form := url.Values{"email": {"ann@example.org"}, "password": {testsite.Password}}
	resp, err := c.PostForm(site.URL+"/sign-in", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(body, []byte("Sign in with Test ID")) || signedIn(t, site, c) {
		t.Fatalf("password sign-in with SSO required = %d, want 403 pointing to the provider's button, not signed in", resp.StatusCode)
	}
	// The break-glass admin still signs in with a password (site.Client fails the test if not),
	// and Ann with the provider.
	site.Client(t, "root@example.org")
	resp, _ = ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true), nil)
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !signedIn(t, site, c) {
		t.Fatalf("single sign-on with SSO required = %d, want 303 and signed in", resp.StatusCode)
	}
}

func TestSSOSignOutAtTheProvider(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	p.endSession = p.Issuer() + "/logout"
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "")
	resp, _ := ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true), nil)
	resp.Body.Close()
	resp, err := c.PostForm(site.URL+"/sign-out", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	to, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to.String(), p.endSession+"?") ||
		to.Query().Get("id_token_hint") == "" || to.Query().Get("post_logout_redirect_uri") != testsite.BaseURL+"/" {
		t.Fatalf("sign-out = %d to %q, want 303 to the provider's end_session_endpoint with id_token_hint and post_logout_redirect_uri", resp.StatusCode, to)
	}
	if signedIn(t, site, c) {
		t.Fatal("still signed in after signing out")
	}
	// A password session signs out here only.
	pc := site.Client(t, "ann@example.org")
	resp, err = pc.PostForm(site.URL+"/sign-out", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/" {
		t.Fatalf("password sign-out went to %q, want /", resp.Header.Get("Location"))
	}
}

func TestSSOGroupsMappedToRoles(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	cfg := p.config()
	cfg.GroupRoles = map[string]string{"register-drafters": "drafter", "register-admins": "admin"}
	site := testsite.NewWith(t, testsite.Options{SSO: cfg})
	ann := site.User(t, "ann@example.org", "Ann Adviser", store.Grants{Roles: []string{"adviser", "admin"}})
	c := site.Client(t, "")
	resp, _ := ssoSignIn(t, site, c, p, at("ann-at-provider", "ann@example.org", true, "register-drafters", "unmapped"), nil)
	resp.Body.Close()
	u, err := site.Store.UserByID(context.Background(), ann.ID)
	if err != nil {
		t.Fatal(err)
	}
	// adviser is not mapped, so it stays; admin is mapped and her groups do not name it.
	if got := strings.Join(u.Roles, ","); got != "adviser,drafter" {
		t.Fatalf("roles after single sign-on = %s, want adviser,drafter", got)
	}
}

func TestAdminSignInSettings(t *testing.T) {
	t.Parallel()
	p := newProvider(t)
	site := testsite.NewWith(t, testsite.Options{SSO: p.config()})
	site.User(t, "ann@example.org", "Ann Drafter", store.Grants{Roles: []string{"drafter"}})
	root := site.User(t, "root@example.org", "Root Admin", store.Grants{Roles: []string{"admin"}})
	admin := site.Client(t, "root@example.org")
	drafter := site.Client(t, "ann@example.org")
	post := func(form url.Values) (int, string) {
		t.Helper()
		resp, err := admin.PostForm(site.URL+"/admin/sign-in", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// Only admins reach the page (asked first: requiring single sign-on ends the drafter's
	// password session).
	resp, err := drafter.Get(site.URL + "/admin/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("GET /admin/sign-in as a drafter = %d, want refused", resp.StatusCode)
	}
	// Requiring it with nobody left to sign in by password is refused, by field, input kept.
	status, body := post(url.Values{"require_sso": {"yes"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#break-glass"`) ||
		!strings.Contains(body, `name="require_sso" type="checkbox" value="yes" checked`) {
		t.Fatalf("POST /admin/sign-in without a break-glass admin = %d, want 422 with the error by the accounts and the box still ticked", status)
	}
	if a, _ := site.Store.AuthSettings(context.Background()); a.RequireSSO {
		t.Fatal("single sign-on required after a refused form")
	}
	status, _ = post(url.Values{"require_sso": {"yes"}, "break_glass": {strconv.FormatInt(root.ID, 10)}})
	if status != http.StatusSeeOther {
		t.Fatalf("POST /admin/sign-in = %d, want 303", status)
	}
	if n := auditCount(t, site, store.EventAuthSettingsChanged, "require_sso", "true"); n != 1 {
		t.Errorf("%d auth_settings_changed entries, want 1", n)
	}
	// Ann's password no longer signs her in; the break-glass admin's still does.
	c := site.Client(t, "")
	resp, err = c.PostForm(site.URL+"/sign-in", url.Values{"email": {"ann@example.org"}, "password": {testsite.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("Ann's password sign-in = %d, want 403", resp.StatusCode)
	}
	site.Client(t, "root@example.org")
}

func TestAdminSignInWithoutSSO(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "root@example.org", "Root Admin", store.Grants{Roles: []string{"admin"}})
	admin := site.Client(t, "root@example.org")
	resp, err := admin.PostForm(site.URL+"/admin/sign-in", url.Values{"require_sso": {"yes"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnprocessableEntity || !bytes.Contains(body, []byte("Single sign-on is not set up, so it cannot be required")) {
		t.Fatalf("requiring SSO with no provider = %d, want 422 saying it is not set up", resp.StatusCode)
	}
	// Without a provider the routes do not exist.
	resp, err = site.Client(t, "").PostForm(site.URL+"/sign-in/sso", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("POST /sign-in/sso with no provider = %d, want 404", resp.StatusCode)
	}
}
