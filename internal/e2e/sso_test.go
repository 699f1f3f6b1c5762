package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestSSOInBrowser is single sign-on by the words people read, against a real OpenID provider
// run in the test process (oauth2-proxy/mockoidc, which signs the queued person in at once): the
// sign-in page's button, the provider, and back to Your work; a person the register does not
// know refused with a plain page; an admin requiring single sign-on, after which a password no
// longer signs the drafter in. Each new page goes through axe-core at 1280 and 320 px and the
// Nu Html Checker.
func TestSSOInBrowser(t *testing.T) {
	t.Parallel()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.Shutdown() })
	site := testsite.NewWith(t, testsite.Options{SSO: &auth.OIDCConfig{Issuer: m.Issuer(), ClientID: m.ClientID,
		ClientSecret: m.ClientSecret, Name: "Test ID"}})
	site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	dana := &mockoidc.MockUser{Subject: "dana-at-provider", Email: "drafter@example.org", EmailVerified: true}
	stranger := &mockoidc.MockUser{Subject: "stranger", Email: "stranger@example.org", EmailVerified: true}
	dir := t.TempDir()
	var files []string
	pageHTML := `'<!DOCTYPE html>\n' + document.documentElement.outerHTML`
	keep := func(name, html string) {
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}

	// Dana signs in with the provider, from the page she was sent to sign in from.
	dr := newTab(t)
	axeAtWidths(t, dr, "sign-in-with-sso", func(int64) {
		do(t, dr, "open the sign-in page", chromedp.Navigate(site.URL+"/sign-in?next=%2Fwork"),
			chromedp.WaitVisible(buttonNamed("Sign in with Test ID")))
	})
	keep("sign-in-with-sso", run(t, dr, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	m.QueueUser(dana)
	do(t, dr, "sign in with the provider",
		chromedp.Click(buttonNamed("Sign in with Test ID")),
		chromedp.WaitVisible(linkNamed("Start a decision")),
	)

	// Someone the register does not know is refused, and not signed in.
	st := newTab(t)
	axeAtWidths(t, st, "sso-refused", func(int64) {
		m.QueueUser(stranger)
		do(t, st, "try to sign in with the provider",
			chromedp.Navigate(site.URL+"/sign-in"),
			chromedp.Click(buttonNamed("Sign in with Test ID")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-heading"]`)),
		)
	})
	if text := pageText(t, st); !strings.Contains(text, "You have not been signed in") ||
		!strings.Contains(text, "There is no account on the register for you") {
		t.Errorf("the refusal: %q", text)
	}
	keep("sso-refused", run(t, st, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	do(t, st, "try Your work", chromedp.Navigate(site.URL+"/work"), chromedp.WaitVisible(buttonNamed("Sign in with Test ID")))

	// The admin requires single sign-on, keeping their own password as the break-glass one.
	admin := staffTab(t, site.URL, "admin@example.org")
	axeAtWidths(t, admin, "admin-sign-in", func(int64) {
		do(t, admin, "open How staff sign in",
			chromedp.Navigate(site.URL+"/admin/users"),
			chromedp.Click(linkNamed("How staff sign in")),
			chromedp.WaitVisible(labelNamed("Require single sign-on")),
		)
	})
	keep("admin-sign-in", run(t, admin, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	do(t, admin, "require single sign-on without a break-glass admin",
		chromedp.Click(labelNamed("Require single sign-on")),
		chromedp.Click(buttonNamed("Save how staff sign in")),
		chromedp.WaitVisible(chromedp.CSS(`.govuk-error-summary`)),
	)
	keep("admin-sign-in-error", run(t, admin, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	// The form came back from a POST: its scripts have run before it is clicked (CI once saw the
	// tick land on the page still settling, and the form sent again without it).
	waitForScripts(t, admin)
	do(t, admin, "keep the admin's password",
		chromedp.Click(labelNamed("Alex Admin (admin@example.org)")),
		chromedp.Click(buttonNamed("Save how staff sign in")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)

	// Dana's password no longer signs her in; the page points her to the provider's button.
	pw := newTab(t)
	do(t, pw, "sign in with a password",
		chromedp.Navigate(site.URL+"/sign-in"),
		typeText(labelled("Email address"), "drafter@example.org"),
		typeText(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(chromedp.CSS(`.govuk-error-summary`)),
	)
	if text := pageText(t, pw); !strings.Contains(text, `Your organisation signs you in: use the button "Sign in with Test ID"`) {
		t.Errorf("the refused password sign-in: %q", text)
	}
	checkHTML(t, files)
}
