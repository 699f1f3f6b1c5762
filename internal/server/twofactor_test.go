package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// getDoc fetches a page with c and parses it.
func getDoc(t *testing.T, c *http.Client, u string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

func postCode(t *testing.T, c *http.Client, u, code string) (*http.Response, *goquery.Document) {
	t.Helper()
	resp, err := c.PostForm(u, url.Values{"code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, doc
}

// setUpTOTP sets up c's person's authenticator app through the page, as they would, and returns
// the secret as the page showed it, the recovery codes shown once, and the code used.
func setUpTOTP(t *testing.T, site *testsite.Site, c *http.Client) (secret string, codes []string, used string) {
	t.Helper()
	resp, doc := getDoc(t, c, site.URL+"/account/two-factor")
	if resp.StatusCode != http.StatusOK || doc.Find("svg.app-qr path").AttrOr("d", "") == "" {
		t.Fatalf("GET /account/two-factor = %d, want 200 with a QR code", resp.StatusCode)
	}
	secret = strings.ReplaceAll(strings.TrimSpace(doc.Find(`[data-testid="totp-secret"]`).Text()), " ", "")
	code, err := auth.TOTPCode(secret, site.Clock.Now())
	if err != nil {
		t.Fatalf("the page's key %q: %v", secret, err)
	}
	// Typed with a space in the middle, as apps show it.
	resp, _ = postCode(t, c, site.URL+"/account/two-factor", code[:3]+" "+code[3:])
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST /account/two-factor = %d, want 303", resp.StatusCode)
	}
	_, doc = getDoc(t, c, site.URL+"/account/two-factor")
	doc.Find(`[data-testid="recovery-codes"] li`).Each(func(_ int, s *goquery.Selection) { codes = append(codes, s.Text()) })
	if len(codes) != 10 {
		t.Fatalf("%d recovery codes shown, want 10", len(codes))
	}
	if _, doc = getDoc(t, c, site.URL+"/account/two-factor"); doc.Find(`[data-testid="recovery-codes"]`).Length() != 0 ||
		doc.Find(`[data-testid="second-factor-on"]`).Length() != 1 {
		t.Fatal("the recovery codes were shown twice, or the page does not say the second factor is on")
	}
	return secret, codes, code
}

// passwordStep signs in with a password on a new client, which then waits for its code.
func passwordStep(t *testing.T, site *testsite.Site, email string) *http.Client {
	t.Helper()
	c := site.Client(t, "")
	resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {email}, "password": {testsite.Password}, "next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/sign-in/code" {
		t.Fatalf("password sign-in = %d to %q, want 303 to /sign-in/code", resp.StatusCode, resp.Header.Get("Location"))
	}
	if signedIn(t, site, c) {
		t.Fatal("signed in by the password alone")
	}
	return c
}

func TestTOTPSignIn(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	secret, codes, setupCode := setUpTOTP(t, site, site.Client(t, "dm@example.org"))

	// The code that confirmed the app is used: it cannot sign in within its window.
	c := passwordStep(t, site, "dm@example.org")
	if resp, doc := postCode(t, c, site.URL+"/sign-in/code", setupCode); resp.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(doc.Find("#code-error").Text(), "This code has been used already") {
		t.Fatalf("the set-up code again = %d %q, want 422 saying it was used", resp.StatusCode, doc.Find("#code-error").Text())
	}
	site.Clock.Advance(30 * time.Second)
	code, _ := auth.TOTPCode(secret, site.Clock.Now())
	resp, _ := postCode(t, c, site.URL+"/sign-in/code", " "+code+" ")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" || !signedIn(t, site, c) {
		t.Fatalf("the next code = %d to %q, want 303 to /work and signed in", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "password+totp"); n != 1 {
		t.Errorf("%d sign-ins audited as password+totp, want 1", n)
	}
	// The same code, replayed in its window by someone else who has the password, is refused.
	c2 := passwordStep(t, site, "dm@example.org")
	if resp, _ := postCode(t, c2, site.URL+"/sign-in/code", code); resp.StatusCode != http.StatusUnprocessableEntity || signedIn(t, site, c2) {
		t.Fatalf("a replayed code = %d, want 422 and not signed in", resp.StatusCode)
	}

	// A recovery code works once, however it is typed.
	typed := strings.ToLower(strings.ReplaceAll(codes[3], "-", " "))
	if resp, _ := postCode(t, c2, site.URL+"/sign-in/code", typed); resp.StatusCode != http.StatusSeeOther || !signedIn(t, site, c2) {
		t.Fatalf("a recovery code = %d, want 303 and signed in", resp.StatusCode)
	}
	if n := auditCount(t, site, store.EventSignInSucceeded, "method", "password+recovery_code"); n != 1 {
		t.Errorf("%d sign-ins audited as password+recovery_code, want 1", n)
	}
	c3 := passwordStep(t, site, "dm@example.org")
	if resp, _ := postCode(t, c3, site.URL+"/sign-in/code", codes[3]); resp.StatusCode != http.StatusUnprocessableEntity || signedIn(t, site, c3) {
		t.Fatalf("a used recovery code = %d, want 422 and not signed in", resp.StatusCode)
	}

	// A code comes within five minutes of the password, or the password is asked again.
	site.Clock.Advance(6 * time.Minute)
	code, _ = auth.TOTPCode(secret, site.Clock.Now())
	if resp, _ := postCode(t, c3, site.URL+"/sign-in/code", code); resp.StatusCode != http.StatusSeeOther ||
		resp.Header.Get("Location") != "/sign-in" || signedIn(t, site, c3) {
		t.Fatalf("a code after 6 minutes = %d to %q, want 303 to /sign-in and not signed in", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestTOTPThrottled(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	secret, _, _ := setUpTOTP(t, site, site.Client(t, "dm@example.org"))
	site.Clock.Advance(30 * time.Second)
	c := passwordStep(t, site, "dm@example.org")
	for i := range 5 {
		if resp, _ := postCode(t, c, site.URL+"/sign-in/code", "000000"); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("wrong code %d = %d, want 422", i+1, resp.StatusCode)
		}
	}
	// Past five wrong codes in 15 minutes, even the right one is not checked.
	code, _ := auth.TOTPCode(secret, site.Clock.Now())
	if resp, doc := postCode(t, c, site.URL+"/sign-in/code", code); resp.StatusCode != http.StatusTooManyRequests ||
		!strings.Contains(doc.Find("#code-error").Text(), "Too many wrong codes") || signedIn(t, site, c) {
		t.Fatalf("the right code after 5 wrong ones = %d, want 429 and not signed in", resp.StatusCode)
	}
	site.Clock.Advance(16 * time.Minute)
	c = passwordStep(t, site, "dm@example.org")
	code, _ = auth.TOTPCode(secret, site.Clock.Now())
	if resp, _ := postCode(t, c, site.URL+"/sign-in/code", code); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the right code 16 minutes later = %d, want 303", resp.StatusCode)
	}
}

func TestSecondFactorRequiredOfSignersAndApprovers(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	if err := site.Store.SetAuthSettings(context.Background(), store.System(time.Now()), store.AuthSettings{RequireSecondFactor: true}); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, "")
	resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {"dm@example.org"}, "password": {testsite.Password}, "next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Location") != "/account/two-factor" {
		t.Fatalf("a decision maker's sign-in went to %q, want /account/two-factor", resp.Header.Get("Location"))
	}
	for _, path := range []string{"/work", "/decisions/pcd-1682/signoff", "/account/notices"} {
		resp, err := c.Get(site.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/account/two-factor" {
			t.Errorf("GET %s before setting up = %d to %q, want 303 to /account/two-factor", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if _, doc := getDoc(t, c, site.URL+"/account/two-factor"); doc.Find(`[data-testid="second-factor-required"]`).Length() != 1 {
		t.Error("the set-up page does not say the admin requires it")
	}
	setUpTOTP(t, site, c)
	if !signedIn(t, site, c) {
		t.Fatal("Your work still refused once the second factor is set up")
	}
	// A drafter neither signs nor approves: not asked.
	if !signedIn(t, site, site.Client(t, "drafter@example.org")) {
		t.Fatal("a drafter was sent to set up a second factor")
	}
}
