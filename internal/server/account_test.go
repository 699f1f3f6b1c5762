package server_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

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
