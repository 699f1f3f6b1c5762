package server_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// logBuffer collects a site's JSON log lines, written from the handlers' goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines are the log lines whose message is msg, as maps.
func (b *logBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(b.String()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

// behindProxy is a site that believes loopback's X-Forwarded-For, so a test can play clients at
// any address.
func behindProxy(t *testing.T, o testsite.Options) *testsite.Site {
	t.Helper()
	o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	return testsite.NewWith(t, o)
}

// signInFrom posts the sign-in form as a client at address, and returns the status and body.
func signInFrom(t *testing.T, site *testsite.Site, address, email, password string) (int, string) {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, site.URL+"/sign-in", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", address)
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatalf("POST /sign-in from %s: %v", address, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestSignInCannotLockSomeoneOut: wrong guesses at a named person's account, from one client or
// from many addresses of one IPv6 /64, throttle those clients, never the person: from a client
// of their own the right password still signs them in.
func TestSignInCannotLockSomeoneOut(t *testing.T) {
	t.Parallel()
	site := behindProxy(t, testsite.Options{})
	site.User(t, "maker@example.org", "Max Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	for i := range 8 {
		want := http.StatusUnprocessableEntity
		if i >= 5 {
			want = http.StatusTooManyRequests
		}
		if status, _ := signInFrom(t, site, "203.0.113.7", "maker@example.org", "wrong password"); status != want {
			t.Fatalf("wrong guess %d from the attacker = %d, want %d", i+1, status, want)
		}
	}
	if status, _ := signInFrom(t, site, "203.0.113.7", "maker@example.org", testsite.Password); status != http.StatusTooManyRequests {
		t.Errorf("the right password from the throttled client = %d, want 429", status)
	}
	if status, _ := signInFrom(t, site, "198.51.100.20", "maker@example.org", testsite.Password); status != http.StatusSeeOther {
		t.Errorf("the person, from their own client, after the attacker's guesses = %d, want 303: an attacker must not lock them out", status)
	}

	// An IPv6 client rotating through its /64 is one client.
	for i, host := range []string{"1", "2", "3", "4", "5"} {
		if status, _ := signInFrom(t, site, "2001:db8:1:2::"+host, "maker@example.org", "wrong password"); status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong guess %d from the /64 = %d, want 422", i+1, status)
		}
	}
	if status, _ := signInFrom(t, site, "2001:db8:1:2:ffff::99", "maker@example.org", testsite.Password); status != http.StatusTooManyRequests {
		t.Errorf("a sixth try from a new address in the same /64 = %d, want 429: a /64 is one client", status)
	}
	if status, _ := signInFrom(t, site, "2001:db8:1:3::1", "maker@example.org", testsite.Password); status != http.StatusSeeOther {
		t.Errorf("the right password from the next /64 = %d, want 303", status)
	}
}

// TestSignInUnderAttackSlowsEachClient: once an account has had many failures from anywhere,
// each client gets only two tries at it, so a guesser with many addresses is slowed; the
// person's own first try still goes through.
func TestSignInUnderAttackSlowsEachClient(t *testing.T) {
	t.Parallel()
	site := behindProxy(t, testsite.Options{})
	site.User(t, "maker@example.org", "Max Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	for i, addr := range []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6"} {
		if status, _ := signInFrom(t, site, addr, "maker@example.org", "wrong password"); status != http.StatusUnprocessableEntity {
			t.Fatalf("guess %d, the first from %s = %d, want 422", i+1, addr, status)
		}
	}
	if status, _ := signInFrom(t, site, "192.0.2.6", "maker@example.org", "wrong password"); status != http.StatusUnprocessableEntity {
		t.Errorf("a second guess from one client at an account under attack = %d, want 422 (a person may mistype once)", status)
	}
	if status, _ := signInFrom(t, site, "192.0.2.6", "maker@example.org", testsite.Password); status != http.StatusTooManyRequests {
		t.Errorf("a third try from one client at an account under attack = %d, want 429", status)
	}
	if status, _ := signInFrom(t, site, "198.51.100.20", "maker@example.org", testsite.Password); status != http.StatusSeeOther {
		t.Errorf("the person's first try at an account under attack = %d, want 303", status)
	}
}

// TestFailedSignInIsLoggedNotAudited: what someone types into the sign-in form (here a password
// in the email box) and where from never reach the permanent audit trail, nor the throttle's
// table; the failure is logged, naming the client and, for a real account, only its id.
func TestFailedSignInIsLoggedNotAudited(t *testing.T) {
	t.Parallel()
	var log logBuffer
	site := behindProxy(t, testsite.Options{Log: &log})
	u := site.User(t, "adviser@example.org", "Ada Adviser", store.Grants{Roles: []string{"adviser"}})
	const typed, typedPassword = "my-secret-password-1", "another-secret-2"
	if status, _ := signInFrom(t, site, "203.0.113.9", typed, typedPassword); status != http.StatusUnprocessableEntity {
		t.Fatalf("sign-in with a password in the email box = %d, want 422", status)
	}
	if status, _ := signInFrom(t, site, "203.0.113.9", "adviser@example.org", typedPassword); status != http.StatusUnprocessableEntity {
		t.Fatalf("sign-in with a wrong password = %d, want 422", status)
	}
	ctx := context.Background()
	var entries int
	err := site.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log
		WHERE event = 'sign_in_failed' OR detail::text LIKE '%secret%' OR detail::text LIKE '%203.0.113.9%'`).Scan(&entries)
	if err != nil {
		t.Fatal(err)
	}
	if entries != 0 {
		t.Errorf("the audit trail holds %d entries of failed sign-ins or what was typed, want none", entries)
	}
	var kept int
	err = site.Pool.QueryRow(ctx, `SELECT count(*) FROM sign_in_failures WHERE key LIKE '%secret%' OR key LIKE '%adviser@%'`).Scan(&kept)
	if err != nil {
		t.Fatal(err)
	}
	if kept != 0 {
		t.Errorf("the throttle's table holds %d keys with what was typed, want none", kept)
	}
	if strings.Contains(log.String(), "secret") {
		t.Errorf("the log holds what was typed:\n%s", log.String())
	}
	failed := log.lines(t, "sign-in failed")
	if len(failed) != 2 {
		t.Fatalf("%d \"sign-in failed\" log lines, want 2:\n%s", len(failed), log.String())
	}
	if failed[0]["client"] != "203.0.113.9" || failed[0]["user_id"] != nil {
		t.Errorf("log of a failure for no account = %v, want the client and no user", failed[0])
	}
	if failed[1]["user_id"] != float64(u.ID) {
		t.Errorf("log of a failure for a real account = %v, want its user_id %d", failed[1], u.ID)
	}
}

// TestSignInRouteIsRateLimited: a client's POSTs to /sign-in, right or wrong, are limited
// before any is checked; the form still shows, and other clients carry on. An IPv6 /64 counts
// as one client.
func TestSignInRouteIsRateLimited(t *testing.T) {
	t.Parallel()
	site := behindProxy(t, testsite.Options{SignInRate: server.RateLimit{Requests: 3, Window: time.Hour}})
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	for _, tc := range []struct{ name, first, later, other string }{
		{"IPv4", "203.0.113.5", "203.0.113.5", "203.0.113.6"},
		{"IPv6", "2001:db8:9:9::1", "2001:db8:9:9:abcd::7", "2001:db8:9:a::1"},
	} {
		// An empty password costs no check: only the limit is under test.
		for i := range 3 {
			if status, _ := signInFrom(t, site, tc.first, "a@example.org", ""); status != http.StatusUnprocessableEntity {
				t.Fatalf("%s: attempt %d = %d, want 422", tc.name, i+1, status)
			}
		}
		status, body := signInFrom(t, site, tc.later, "a@example.org", testsite.Password)
		doc, _ := goquery.NewDocumentFromReader(strings.NewReader(body))
		if status != http.StatusTooManyRequests || !strings.Contains(doc.Find("#email-error").Text(), "Too many attempts to sign in") ||
			doc.Find(`input[name="password"]`).Length() != 1 {
			t.Errorf("%s: a fourth attempt = %d, error %q; want 429 and the form saying why", tc.name, status, doc.Find("#email-error").Text())
		}
		if status, _ := signInFrom(t, site, tc.other, "a@example.org", testsite.Password); status != http.StatusSeeOther {
			t.Errorf("%s: another client's sign-in = %d, want 303", tc.name, status)
		}
	}
}

// TestWrongCurrentPasswordsThrottled: someone at a signed-in person's desk cannot guess their
// password through the change-password form: past five wrong tries nothing is checked, not even
// the right password, and the password stays as it was.
func TestWrongCurrentPasswordsThrottled(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "a@example.org")
	change := func(current string) int {
		resp, err := c.PostForm(site.URL+"/account/password", url.Values{"current_password": {current},
			"new_password": {"a brand new passphrase"}, "confirm_password": {"a brand new passphrase"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 5 {
		if status := change("a wrong guess"); status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong current password %d = %d, want 422", i+1, status)
		}
	}
	if status := change(testsite.Password); status != http.StatusTooManyRequests {
		t.Errorf("the right current password after five wrong = %d, want 429", status)
	}
	if status, _ := signInFrom(t, site, "127.0.0.1", "a@example.org", testsite.Password); status != http.StatusSeeOther {
		t.Errorf("sign-in with the old password = %d, want 303: it must not have changed", status)
	}
	site.Clock.Advance(16 * time.Minute)
	if status := change(testsite.Password); status != http.StatusSeeOther {
		t.Errorf("the right current password after the window = %d, want 303", status)
	}
}

// sessionCookies are the session's cookies among cookies (not the one naming who signed in
// last, which lets a form sent after the session expired be kept for them).
func sessionCookies(cookies []*http.Cookie) []*http.Cookie {
	var out []*http.Cookie
	for _, c := range cookies {
		if strings.HasSuffix(c.Name, "register_session") {
			out = append(out, c)
		}
	}
	return out
}

// TestSessionTokensStoredHashed: the sessions table holds the SHA-256 of each token, never the
// token the cookie carries, so reading the table signs no one in.
func TestSessionTokensStoredHashed(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "a@example.org")
	cookies := sessionCookies(c.Jar.Cookies(mustURL(t, site.URL)))
	if len(cookies) != 1 {
		t.Fatalf("session cookies after sign-in: %v", cookies)
	}
	token := cookies[0].Value
	sum := sha256.Sum256([]byte(token))
	var bare, hashed int
	err := site.Pool.QueryRow(context.Background(),
		`SELECT count(*) FILTER (WHERE token = $1), count(*) FILTER (WHERE token = $2) FROM sessions`,
		token, hex.EncodeToString(sum[:])).Scan(&bare, &hashed)
	if err != nil {
		t.Fatal(err)
	}
	if bare != 0 || hashed != 1 {
		t.Errorf("sessions under the bare token: %d, under its SHA-256: %d; want 0 and 1", bare, hashed)
	}
	if body, _ := fetch(t, c, site.URL+"/"); !strings.Contains(body, "Signed in as Ann A") {
		t.Error("the session does not work once stored hashed")
	}
	// A row copied from the table is no cookie.
	thief := site.Client(t, "")
	thief.Jar.SetCookies(mustURL(t, site.URL), []*http.Cookie{{Name: cookies[0].Name, Value: hex.EncodeToString(sum[:])}})
	if body, _ := fetch(t, thief, site.URL+"/"); strings.Contains(body, "Signed in as") {
		t.Error("the token as the table holds it signs in")
	}
}
