package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "drafter@example.org")
	body, resp := fetch(t, c, site.URL+"/")
	if !strings.Contains(body, "Signed in as Dana Drafter") {
		t.Errorf("GET / after sign-in does not say who is signed in")
	}
	if got := resp.Header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("GET / signed in: Cache-Control = %q, want private, no-store", got)
	}
	old := c.Jar.Cookies(mustURL(t, site.URL))
	resp, err := c.Post(site.URL+"/sign-out", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /sign-out = %d, want 303", resp.StatusCode)
	}
	// The cookie from before signing out must not work again.
	stale := site.Client(t, "")
	stale.Jar.SetCookies(mustURL(t, site.URL), old)
	if body, _ := fetch(t, stale, site.URL+"/"); strings.Contains(body, "Signed in as") {
		t.Error("a session cookie from before sign-out still signs in")
	}
}

func TestSignInRefusesWrongPasswordAlike(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "adviser@example.org", "Ada Adviser", store.Grants{Roles: []string{"adviser"}})
	c := site.Client(t, "")
	for _, email := range []string{"adviser@example.org", "nobody@example.org"} {
		resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {email}, "password": {"wrong password"}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(b), "Enter a correct email address and password") {
			t.Errorf("POST /sign-in %s with a wrong password = %d, want 422 and the one message", email, resp.StatusCode)
		}
		if !strings.Contains(string(b), `value="`+email+`"`) {
			t.Errorf("POST /sign-in %s: the email typed is not kept", email)
		}
	}
}

func fetch(t *testing.T, c *http.Client, u string) (string, *http.Response) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), resp
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignInThrottling(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "maker@example.org", "Max Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	c := site.Client(t, "")
	post := func(email, password string) (int, string) {
		resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {email}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, email := range []string{"maker@example.org", "ghost@example.org"} {
		for i := 0; i < 5; i++ {
			if status, _ := post(email, "wrong password"); status != http.StatusUnprocessableEntity {
				t.Fatalf("wrong password %d for %s = %d, want 422", i+1, email, status)
			}
		}
		status, body := post(email, testsite.Password)
		if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed attempts") {
			t.Errorf("sixth attempt for %s = %d, want 429 with the same words for real and unknown accounts", email, status)
		}
	}
	site.Clock.Advance(16 * time.Minute)
	if status, _ := post("maker@example.org", testsite.Password); status != http.StatusSeeOther {
		t.Errorf("sign-in after the throttle window = %d, want 303", status)
	}
}

func TestSignInRenewsTheSessionToken(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	site.User(t, "b@example.org", "Ben B", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "a@example.org")
	before := sessionCookies(c.Jar.Cookies(mustURL(t, site.URL)))
	resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {"b@example.org"}, "password": {testsite.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	after := sessionCookies(c.Jar.Cookies(mustURL(t, site.URL)))
	if len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
		t.Fatalf("the session token did not change on sign-in: before %v, after %v", before, after)
	}
	old := site.Client(t, "")
	old.Jar.SetCookies(mustURL(t, site.URL), before)
	if body, _ := fetch(t, old, site.URL+"/"); strings.Contains(body, "Signed in as") {
		t.Error("the token from before signing in again still works")
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	req, _ := http.NewRequest("POST", site.URL+"/sign-in", strings.NewReader(url.Values{"email": {"a@example.org"}, "password": {testsite.Password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := site.Client(t, "").Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST /sign-in = %d, want 403", resp.StatusCode)
	}
}

func TestStaffPageLeadsToSignInAndBack(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "a@example.org", "Ann A", store.Grants{Roles: []string{"drafter"}})
	c := site.Client(t, "")
	_, resp := fetch(t, c, site.URL+"/work")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in?next=%2Fwork" {
		t.Fatalf("GET /work signed out = %d %q, want 303 to /sign-in?next=%%2Fwork", resp.StatusCode, resp.Header.Get("Location"))
	}
	body, _ := fetch(t, c, site.URL+resp.Header.Get("Location"))
	if !strings.Contains(body, `name="next" value="/work"`) {
		t.Error("the sign-in page does not carry the page to return to")
	}
	resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {"a@example.org"}, "password": {testsite.Password}, "next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Errorf("sign-in with next=/work = %d %q, want 303 /work", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\t/evil.example", `/\evil.example`} {
		resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {"a@example.org"}, "password": {testsite.Password}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/work" {
			t.Errorf("sign-in with next=%q redirects to %q, want /work", next, loc)
		}
	}
}

// TestSignInThrottlingHoldsUnderABurst: simultaneous wrong guesses for one account are counted
// one at a time, so no more than the limit are ever checked.
func TestSignInThrottlingHoldsUnderABurst(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "target@example.org", "Tara Target", store.Grants{Roles: []string{"drafter"}})
	const burst = 12
	statuses := make(chan int, burst)
	for i := 0; i < burst; i++ {
		go func() {
			resp, err := site.Client(t, "").PostForm(site.URL+"/sign-in", url.Values{"email": {"target@example.org"}, "password": {"guess"}})
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	checked := 0
	for i := 0; i < burst; i++ {
		switch s := <-statuses; s {
		case http.StatusUnprocessableEntity:
			checked++
		case http.StatusTooManyRequests:
		default:
			t.Errorf("a guess in the burst answered %d", s)
		}
	}
	if checked != 5 {
		t.Errorf("%d of %d simultaneous guesses were checked, want exactly the limit of 5", checked, burst)
	}
}
