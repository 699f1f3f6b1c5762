package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestPasswordResetInBrowser is a forgotten password, by the words people read: the sign-in
// page says to ask an admin; the admin resets the password and reads the one-time password
// once; the person signs in with it and must choose their own before anything else, then
// carries on. The pages along the way go through axe-core at 1280 and 320 px and the Nu Html
// Checker.
func TestPasswordResetInBrowser(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	dana := site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	dir := t.TempDir()
	var files []string
	save := func(name, html string) {
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	pageHTML := `'<!DOCTYPE html>\n' + document.documentElement.outerHTML`

	// Dana has forgotten her password: the sign-in page says what to do.
	dr := newTab(t)
	axeAtWidths(t, dr, "sign-in", func(int64) {
		do(t, dr, "open the sign-in page", chromedp.Navigate(site.URL+"/sign-in"), chromedp.WaitVisible(labelled("Email address")))
	})
	if text := pageText(t, dr); !strings.Contains(text, "Forgotten your password? Ask your admin.") {
		t.Errorf("the sign-in page: %q", text)
	}

	// The admin resets it and reads the one-time password, once.
	admin := staffTab(t, site.URL, "admin@example.org")
	var oneTime string
	axeAtWidths(t, admin, "admin-password-reset", func(width int64) {
		do(t, admin, "ask to reset Dana's password",
			chromedp.Navigate(site.URL+"/admin/users/"+strconv.FormatInt(dana.ID, 10)),
			chromedp.Click(linkNamed("Reset password")),
			chromedp.WaitVisible(buttonNamed("Reset password")),
		)
		if text := pageText(t, admin); !strings.Contains(text, "Reset Dana Drafter’s password?") {
			t.Errorf("the reset's confirmation: %q", text)
		}
		if width == 320 {
			save("admin-password-reset", run(t, admin, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
		}
	})
	axeAtWidths(t, admin, "admin-one-time-password", func(width int64) {
		if width != 1280 {
			return // shown once: the page stays as it is, narrowed
		}
		do(t, admin, "reset it",
			chromedp.Click(buttonNamed("Reset password")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="one-time-password"]`)),
		)
		oneTime = strings.TrimSpace(run(t, admin, "the one-time password", chromedp.Evaluate[string](`document.querySelector('[data-testid="one-time-password"]').textContent`)))
	})
	if text := pageText(t, admin); !strings.Contains(text, "Password reset") || !strings.Contains(text, "This password is shown only once") {
		t.Errorf("the page after the reset: %q", text)
	}
	save("admin-one-time-password", run(t, admin, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	if len(oneTime) < 12 {
		t.Fatalf("one-time password %q", oneTime)
	}

	// Dana signs in with it and is asked for her own password first.
	do(t, dr, "sign in with the one-time password",
		chromedp.Navigate(site.URL+"/sign-in?next=%2Fdecisions%2Fnew"),
		typeText(labelled("Email address"), "drafter@example.org"),
		typeText(labelled("Password"), oneTime),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="forced-change"]`)),
	)
	do(t, dr, "try to start a decision first", chromedp.Navigate(site.URL+"/decisions/new"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="forced-change"]`)))
	axeAtWidths(t, dr, "choose-password", func(int64) {
		do(t, dr, "open the page", chromedp.Navigate(site.URL+"/account/password"), chromedp.WaitVisible(labelled("New password")))
	})
	if text := pageText(t, dr); !strings.Contains(text, "Choose your own password") || strings.Contains(text, "Current password") {
		t.Errorf("the forced change: %q", text)
	}
	save("choose-password", run(t, dr, "the page's HTML", chromedp.Evaluate[string](pageHTML)))
	const mine = "my own long password at last"
	do(t, dr, "choose her own password",
		typeText(labelled("New password"), mine),
		typeText(labelled("New password again"), mine),
		chromedp.Click(buttonNamed("Save your password")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		chromedp.Click(linkNamed("Go to your work")),
		chromedp.WaitVisible(linkNamed("Start a decision")),
	)
	checkHTML(t, files)
}
