package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// pageClock replaces the clock the page's scripts read, before they run (a test's tool, added
// to each document by Page.addScriptToEvaluateOnNewDocument): Date.now stands still, and
// timers of a second or more wait on it, until the test moves it on with
// window.__testClock.advance(ms), which fires them in order as it passes their times and
// returns how many fired. Shorter timers run as the browser schedules them: axe-core and
// GOV.UK Frontend defer work with them, and wait for nothing a test need move.
const pageClock = `(() => {
	const real = {setTimeout: window.setTimeout, clearTimeout: window.clearTimeout,
		setInterval: window.setInterval, clearInterval: window.clearInterval};
	let now = Date.now();
	let nextID = 1e9;
	const timers = new Map();
	Date.now = () => now;
	const add = (fn, delay, args, every) => {
		const id = nextID++;
		timers.set(id, {due: now + delay, fn, args, every});
		return id;
	};
	window.setTimeout = function (fn, delay, ...args) {
		delay = Number(delay) || 0;
		return typeof fn === "function" && delay >= 1000 ? add(fn, delay, args, 0) : real.setTimeout.call(window, fn, delay, ...args);
	};
	window.setInterval = function (fn, delay, ...args) {
		delay = Number(delay) || 0;
		return typeof fn === "function" && delay >= 1000 ? add(fn, delay, args, delay) : real.setInterval.call(window, fn, delay, ...args);
	};
	window.clearTimeout = (id) => timers.delete(id) || real.clearTimeout.call(window, id);
	window.clearInterval = (id) => timers.delete(id) || real.clearInterval.call(window, id);
	window.__testClock = {
		advance(ms) {
			const end = now + ms;
			let fired = 0;
			for (;;) {
				let id = 0, next = null;
				for (const [i, t] of timers) {
					if (t.due <= end && (next === null || t.due < next.due)) {
						id = i;
						next = t;
					}
				}
				if (next === null) {
					break;
				}
				now = Math.max(now, next.due);
				if (next.every > 0) {
					next.due += next.every;
				} else {
					timers.delete(id);
				}
				fired++;
				next.fn(...next.args);
			}
			now = end;
			return fired;
		},
	};
})();`

// usePageClock puts pageClock in place in every page the tab opens from now on.
func usePageClock(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "replace the page's clock", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: pageClock})
		return err
	}))
}

// TestTimeoutWarningAndRecovery, by the words a person reads: the timeout warning comes before
// the session expires, "Stay signed in" keeps it; let it expire instead, the dialog says so,
// the text typed is still there, and saving it leads to the sign-in page saying why, then back
// to the form with the text kept, and saved. The warning and both pages pass axe-core.
//
// No time passes for real: the page's clock (pageClock) is moved on by the test, as far as the
// page's own data attributes say the warning and the expiry are, and the session expires on
// the server by its expiry in the sessions table, which scs compares with PostgreSQL's clock,
// moved to the past as an hour without a request would (the site's clock moves with it).
func TestTimeoutWarningAndRecovery(t *testing.T) {
	t.Parallel()
	// An hour: longer than the test, so neither the page's real timers nor the server's expiry
	// come before the test moves them on, however slow a loaded machine is.
	const idle = time.Hour
	ts := testsite.NewWith(t, testsite.Options{SessionIdle: idle})
	u := ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	slug, err := ts.Store.CreateDraft(context.Background(), u.Act(ts.Clock.Now()), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	usePageClock(t, ctx)
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
	// advance moves the page's clock on by the dialog's own times: idle seconds less warn
	// seconds times untilWarning, plus warn seconds times untilExpiry.
	advance := func(what string, untilWarning, untilExpiry int) {
		t.Helper()
		fired := run(t, ctx, what, chromedp.Evaluate[int](fmt.Sprintf(`(() => {
			const d = document.querySelector("dialog[data-app-timeout]").dataset;
			const idle = Number(d.idleSeconds), warn = Number(d.warnSeconds);
			return window.__testClock.advance(((idle - warn) * %d + warn * %d) * 1000);
		})()`, untilWarning, untilExpiry)))
		if fired == 0 {
			t.Fatalf("%s: no timer of the page's was due", what)
		}
	}
	do(t, ctx, "open the legal comments", chromedp.Navigate(legal), chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-form"]`)))
	waitForScripts(t, ctx)
	advance("move the page's clock to the warning", 1, 0)
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
	do(t, ctx, "type the legal comments", typeText(labelled("Text"), text))
	// Left alone, the session expires: the dialog comes back and then says so.
	advance("move the page's clock past the expiry", 1, 1)
	run(t, ctx, "wait to be signed out",
		chromedp.Poll[bool](`(document.querySelector("[data-testid=timeout-warning]").innerText || "").includes("You have been signed out")`,
			chromedp.WithPollingTimeout(time.Minute)))
	if got := dialogText(); !strings.Contains(got, "Anything you typed on this page is still here") {
		t.Errorf("signed out, the dialog says %q", got)
	}
	ts.Clock.Advance(idle)
	expired, err := ts.Pool.Exec(context.Background(), `UPDATE sessions SET expiry = now() - interval '1 second'`)
	if err != nil || expired.RowsAffected() == 0 {
		t.Fatalf("expire the session: %d sessions, %v", expired.RowsAffected(), err)
	}
	do(t, ctx, "close the dialog and save", chromedp.Click(buttonNamed("Close")),
		chromedp.WaitNotVisible(chromedp.CSS(`[data-testid="timeout-warning"]`)),
		chromedp.Click(buttonNamed("Save and continue")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signed-out"]`)))
	if got := pageText(t, ctx); !strings.Contains(got, "You were signed out after 60 minutes without activity") ||
		!strings.Contains(got, "What you were saving has been kept") {
		t.Errorf("the sign-in page says %q", got)
	}
	for _, v := range runAxe(t, ctx) {
		t.Errorf("sign-in after a timeout: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
	do(t, ctx, "sign in again",
		typeText(labelled("Email address"), drafterEmail),
		typeText(labelled("Password"), testsite.Password),
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
