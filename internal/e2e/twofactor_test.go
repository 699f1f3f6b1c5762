package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestSecondFactorInBrowser sets up an authenticator app by the words on the page (the key
// pasted as text, as someone who cannot scan would), keeps the recovery codes, and signs in
// again with a password and a code typed with a space. The new pages go through axe-core at
// 1280 and 320 px and the Nu Html Checker.
func TestSecondFactorInBrowser(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
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

	dm := staffTab(t, site.URL, "dm@example.org")
	axeAtWidths(t, dm, "second-factor-set-up", func(int64) {
		do(t, dm, "open the set-up page", chromedp.Navigate(site.URL+"/account/two-factor"), chromedp.WaitVisible(labelled("Code from your app")))
	})
	keep("second-factor-set-up", run(t, dm, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	secret := strings.ReplaceAll(run(t, dm, "the key as text",
		chromedp.Evaluate[string](`document.querySelector('[data-testid="totp-secret"]').textContent`)), " ", "")
	code, err := auth.TOTPCode(strings.TrimSpace(secret), site.Clock.Now())
	if err != nil {
		t.Fatalf("the key on the page %q: %v", secret, err)
	}
	axeAtWidths(t, dm, "recovery-codes", func(width int64) {
		if width != 1280 {
			return // shown once: the page stays as it is, narrowed
		}
		do(t, dm, "turn on the second factor",
			typeText(labelled("Code from your app"), code[:3]+" "+code[3:]),
			chromedp.Click(buttonNamed("Turn on the second factor")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="recovery-codes"]`)),
		)
	})
	if n := run(t, dm, "count the recovery codes", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="recovery-codes"] li').length`)); n != 10 {
		t.Errorf("%d recovery codes shown, want 10", n)
	}
	keep("recovery-codes", run(t, dm, "the page's HTML", chromedp.Evaluate[string](pageHTML)))

	// Signing in again asks for a code after the password.
	again := newTab(t)
	do(t, again, "sign in with the password",
		chromedp.Navigate(site.URL+"/sign-in?next=%2Fwork"),
		typeText(labelled("Email address"), "dm@example.org"),
		typeText(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(labelled("Code")),
	)
	axeAtWidths(t, again, "sign-in-code", func(int64) {
		do(t, again, "open the code page", chromedp.Navigate(site.URL+"/sign-in/code"), chromedp.WaitVisible(labelled("Code")))
	})
	keep("sign-in-code", run(t, again, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	site.Clock.Advance(30 * time.Second)
	code, _ = auth.TOTPCode(strings.TrimSpace(secret), site.Clock.Now())
	do(t, again, "enter the app's code",
		typeText(labelled("Code"), code[:3]+" "+code[3:]),
		chromedp.Click(buttonNamed("Continue")),
		// The code page has a heading too: wait for what only Your work shows, not any heading.
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="account-links"]`)),
	)
	if text := pageText(t, again); !strings.Contains(text, "Your work") {
		t.Errorf("after the code: %q", text)
	}
	// The step-up page, as signing asks for it after 15 minutes.
	axeAtWidths(t, again, "confirm-it-is-you", func(int64) {
		do(t, again, "open the step-up page", chromedp.Navigate(site.URL+"/account/confirm?next=%2Fwork"), chromedp.WaitVisible(buttonNamed("Confirm")))
	})
	keep("confirm-it-is-you", run(t, again, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	checkHTML(t, files)
}
