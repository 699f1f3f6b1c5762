package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestTimeoutWarningAndRecovery, by the words a person reads: the timeout warning comes before
// the session expires, "Stay signed in" keeps it; let it expire instead, the dialog says so,
// the text typed is still there, and saving it leads to the sign-in page saying why, then back
// to the form with the text kept, and saved. The warning and both pages pass axe-core.
func TestTimeoutWarningAndRecovery(t *testing.T) {
	t.Parallel()
	// Short enough to wait for, long enough for axe on a loaded machine: the warning comes at
	// half of it.
	ts := testsite.NewWith(t, testsite.Options{SessionIdle: time.Minute})
	u := ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	slug, err := ts.Store.CreateDraft(context.Background(), u.Act(ts.Clock.Now()), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		// Saving after the session expired: the form's page is answered by a redirect to sign in.
		return strings.Contains(m.Text, "401")
	})
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	legal := ts.URL + "/decisions/" + slug + "/edit/sections/legal-comments"
	dialogText := func() string {
		return run(t, ctx, "read the dialog", chromedp.Evaluate[string](`document.querySelector("[data-testid=timeout-warning]").innerText`))
	}
	do(t, ctx, "open the legal comments", chromedp.Navigate(legal), chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-form"]`)))
	do(t, ctx, "wait for the warning", chromedp.WaitVisible(chromedp.CSS(`[data-testid="timeout-warning"]`)))
	if got := dialogText(); !strings.Contains(got, "You’re about to be signed out") || !strings.Contains(got, "Stay signed in") {
		t.Errorf("the warning says %q", got)
	}
	if got := run(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.textContent.trim()`)); got != "Stay signed in" {
		t.Errorf("with the warning open, focus is on %q, want Stay signed in", got)
	}
	for _, v := range runAxe(t, ctx) {
		t.Errorf("timeout warning: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
	do(t, ctx, "stay signed in", chromedp.Click(buttonNamed("Stay signed in")),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="timeout-warning"]`)))

	text := "Lawful. The grant agreement sets the conditions."
	do(t, ctx, "type the legal comments", chromedp.SendKeys(labelled("Text"), text))
	// Left alone, the session expires: the dialog comes back and then says so.
	run(t, ctx, "wait to be signed out",
		chromedp.Poll[bool](`(document.querySelector("[data-testid=timeout-warning]").innerText || "").includes("You have been signed out")`,
			chromedp.WithPollingTimeout(5*time.Minute)))
	if got := dialogText(); !strings.Contains(got, "Anything you typed on this page is still here") {
		t.Errorf("signed out, the dialog says %q", got)
	}
	do(t, ctx, "close the dialog and save", chromedp.Click(buttonNamed("Close")),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="timeout-warning"]`)),
		chromedp.Click(buttonNamed("Save and continue")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-out"]`)))
	if got := pageText(t, ctx); !strings.Contains(got, "You were signed out after 1 minute without activity") ||
		!strings.Contains(got, "What you were saving has been kept") {
		t.Errorf("the sign-in page says %q", got)
	}
	for _, v := range runAxe(t, ctx) {
		t.Errorf("sign-in after a timeout: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
	do(t, ctx, "sign in again",
		chromedp.SendKeys(labelled("Email address"), drafterEmail),
		chromedp.SendKeys(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="restored"]`)))
	if got := run(t, ctx, "the text", chromedp.Evaluate[string](`document.getElementById("body").value`)); got != text {
		t.Errorf("back at the form, the text is %q, want %q", got, text)
	}
	for _, v := range runAxe(t, ctx) {
		t.Errorf("restored form: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
	do(t, ctx, "save it", chromedp.Click(buttonNamed("Save and continue")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="task-list"]`)))
	d, err := ts.Store.Draft(context.Background(), store.Staff(u.ID, ts.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	saved := ""
	for _, sec := range d.Sections {
		if sec.Kind == "legal_comments" {
			saved = sec.Body
		}
	}
	if saved != text {
		t.Errorf("saved legal comments %q, want %q", saved, text)
	}
}

// TestTimeoutPagesAreValidHTML checks the sign-in page after a timeout and a form given back
// with the Nu Html Checker.
func TestTimeoutPagesAreValidHTML(t *testing.T) {
	t.Parallel()
	ts, slug := newDraftSite(t)
	u, err := ts.Store.UserByEmail(context.Background(), drafterEmail)
	if err != nil {
		t.Fatal(err)
	}
	path := "/decisions/" + slug + "/edit/sections/legal-comments"
	if err := ts.Store.KeepForm(context.Background(), u.ID, path, url.Values{"version": {"2"}, "part_version": {"1"},
		"heading": {"Legal comments"}, "body": {"Kept text."}}, ts.Clock.Now(), ts.Clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var files []string
	for name, c := range map[string]*http.Client{
		"sign-in-signed-out.html": ts.Client(t, ""),
		"draft-restored.html":     ts.Client(t, drafterEmail),
	} {
		target := path
		if strings.HasPrefix(name, "sign-in") {
			target = "/sign-in?signed_out=kept&next=" + url.QueryEscape(path)
		}
		resp, err := c.Get(ts.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, %v", target, resp.StatusCode, err)
		}
		if !strings.Contains(string(body), "data-testid=\"signed-out\"") && !strings.Contains(string(body), "data-testid=\"restored\"") {
			t.Fatalf("GET %s: neither the signed-out message nor the kept form", target)
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	checkHTML(t, files)
}
