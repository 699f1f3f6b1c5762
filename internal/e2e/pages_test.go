package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/testsite"
)

// pageType is one kind of page the register serves, at one address that shows it.
type pageType struct {
	name   string
	path   string
	status int
}

// pageTypes are every kind of page, forms with and without errors included. New pages join
// this list, and so every check below.
var pageTypes = []pageType{
	{"home", "/", http.StatusOK},
	{"list", "/decisions", http.StatusOK},
	{"list-filtered", "/decisions?q=social+media&funder=home+office&series=pcd&min=100000&fy=2022-23&sort=amount", http.StatusOK},
	{"list-filter-errors", "/decisions?fy=nonsense&min=abc&from=2024-99-01&sort=price", http.StatusBadRequest},
	{"search-results", "/decisions?q=social+media", http.StatusOK},
	{"decision-1682", "/decisions/pcd-1682", http.StatusOK},
	{"decision-545", "/decisions/pcd-545", http.StatusOK},
	{"decision-960-inferred", "/decisions/pcd-960", http.StatusOK},
	{"decision-1215-unclear", "/decisions/pcd-1215", http.StatusOK},
	{"no-results", "/decisions?q=zebra+crossing", http.StatusOK},
	{"search-form-error", "/decisions?q=" + strings.Repeat("x", 201), http.StatusBadRequest},
	{"not-found", "/decisions/pcd-9999", http.StatusNotFound},
	{"accessibility", "/accessibility", http.StatusOK},
	{"glossary", "/glossary", http.StatusOK},
	{"decision-1532-in-principle", "/decisions/pcd-1532", http.StatusOK},
	{"verify-1682", "/decisions/pcd-1682/verify", http.StatusOK},
	{"threesixty", "/360giving", http.StatusOK},
	{"threesixty-filtered", "/360giving?q=synthetic&series=pcd", http.StatusOK},
	{"threesixty-errors", "/360giving?fy=nonsense&min=abc", http.StatusBadRequest},
	{"decision-documents", "/decisions/" + documentedSlug, http.StatusOK},
	{"sign-in", "/sign-in", http.StatusOK},
	{"alert-new-search", "/alerts/new?search=q%3Dsocial%2Bmedia", http.StatusOK},
	{"alert-new-chain", "/alerts/new?chain=pcd-1682", http.StatusOK},
	{"alert-asked", "/alerts/asked", http.StatusOK},
	{"organisations", "/organisations", http.StatusOK},
	{"organisations-filtered", "/organisations?name=police&sort=received", http.StatusOK},
	{"organisations-none", "/organisations?name=zebra", http.StatusOK},
	{"organisations-error", "/organisations?sort=cheapest", http.StatusBadRequest},
	{"organisation", "/organisations/home-office", http.StatusOK},
	{"organisation-recipient", "/organisations/metropolitan-police-service", http.StatusOK},
	{"forward-plan-empty", "/forward-plan", http.StatusOK},
}

func TestPagesPassAxe(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addSyntheticDecisions(t, 25)
	ctx := newTab(t)
	// The error pages' own status is reported as a failed load; nothing else may fail.
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		if !strings.HasPrefix(m.Text, "Failed to load resource") {
			return false
		}
		if m.URL == s.url+"/sign-in" && strings.Contains(m.Text, "422") {
			return true
		}
		for _, p := range pageTypes {
			if p.status >= 400 && m.URL == s.url+p.path {
				return true
			}
		}
		return false
	})
	defer stopConsole()
	for _, p := range pageTypes {
		axeAtWidths(t, ctx, p.name, func(int64) {
			resp := run(t, ctx, "open "+p.path, chromedp.NavigateResponse(s.url+p.path))
			if int(resp.Status) != p.status {
				t.Errorf("%s: GET %s = %d, want %d", p.name, p.path, resp.Status, p.status)
			}
		})
	}
	// The sign-in form sent empty: its errors are a page type of their own.
	axeAtWidths(t, ctx, "sign-in-errors", func(int64) {
		do(t, ctx, "send the sign-in form empty",
			chromedp.Navigate(s.url+"/sign-in"),
			chromedp.Click(chromedp.CSS(`[data-testid="sign-in-form"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
	})
	t.Logf("axe-core %v: %d page types at %v px", axeTags, len(pageTypes)+1, axeWidths)
}

// vnuMessage is one message of the Nu Html Checker's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Message  string `json:"message"`
	LastLine int    `json:"lastLine"`
	Extract  string `json:"extract"`
}

func TestPagesAreValidHTML(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addSyntheticDecisions(t, 25)
	dir := t.TempDir()
	var files []string
	for _, p := range pageTypes {
		resp, err := http.Get(s.url + p.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != p.status {
			t.Errorf("%s: GET %s = %d, want %d", p.name, p.path, resp.StatusCode, p.status)
		}
		f := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	checkHTML(t, files)
}

// runVNU checks files with the Nu Html Checker in one JVM start and returns its errors. A test
// calls checkHTML instead, which checks its pages with every other test's in one start at the end.
func runVNU(t *testing.T, files []string) []vnuMessage {
	t.Helper()
	msgs, err := vnu(files)
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// vnu runs the Nu Html Checker over files and returns its errors.
func vnu(files []string) ([]vnuMessage, error) {
	jar, err := filepath.Abs("../../web/node_modules/vnu-jar/build/dist/vnu.jar")
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("Nu Html Checker missing (%v): run the tests with `make test`, which installs it", err)
	}
	args := append([]string{"-jar", jar, "--errors-only", "--format", "json", "--stdout"}, files...)
	out, err := exec.Command("java", args...).Output()
	// vnu exits 1 when it finds errors; its JSON says which.
	var result struct {
		Messages []vnuMessage `json:"messages"`
	}
	if jerr := json.Unmarshal(out, &result); jerr != nil {
		return nil, fmt.Errorf("vnu: %v; output %q; json: %v", err, out, jerr)
	}
	return result.Messages, nil
}

// focusState describes the focused element and whether its focus is visible.
const focusState = `(() => {
	const e = document.activeElement;
	if (!e || e === document.body) return JSON.stringify({tag: 'BODY'});
	const s = getComputedStyle(e);
	const transparent = c => c === 'transparent' || /rgba\(.*,\s*0\)$/.test(c);
	const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !transparent(s.outlineColor);
	const shadow = s.boxShadow && s.boxShadow !== 'none';
	const yellow = s.backgroundColor === 'rgb(255, 221, 0)';
	const r = e.getBoundingClientRect();
	const inView = r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
	return JSON.stringify({tag: e.tagName, id: e.id, href: e.getAttribute('href') || '',
		text: (e.textContent || '').trim().slice(0, 40), visible: (outline || shadow || yellow) && inView});
})()`

type focused struct {
	Tag     string `json:"tag"`
	ID      string `json:"id"`
	Href    string `json:"href"`
	Text    string `json:"text"`
	Visible bool   `json:"visible"`
}

// tabUntil presses Tab until the focused element satisfies done, checking at every step that
// focus is visible.
func tabUntil(t *testing.T, ctx context.Context, what string, done func(focused) bool) {
	t.Helper()
	for i := 0; i < 60; i++ {
		do(t, ctx, "press Tab", chromedp.KeyEvent("\t"))
		var f focused
		if err := json.Unmarshal([]byte(run(t, ctx, "read focus", chromedp.Evaluate[string](focusState))), &f); err != nil {
			t.Fatal(err)
		}
		if f.Tag != "BODY" && !f.Visible {
			t.Errorf("tab %d: focus on %s #%s %q (%s) is not visible", i+1, f.Tag, f.ID, f.Text, f.Href)
		}
		if done(f) {
			return
		}
	}
	t.Fatalf("60 presses of Tab never reached %s", what)
}

func TestKeyboardJourney(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "open home", chromedp.Navigate(s.url+"/"))
	tabUntil(t, ctx, "the search box", func(f focused) bool { return f.ID == "search" })
	do(t, ctx, "type words and press Enter",
		chromedp.KeyEvent("social media hub"),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="result-count"]`)),
	)
	tabUntil(t, ctx, "the PCD 1682 result", func(f focused) bool { return f.Href == "/decisions/pcd-1682" })
	do(t, ctx, "press Enter on PCD 1682", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="title"]`)))
	if loc := run(t, ctx, "location", chromedp.Location()); loc != s.url+"/decisions/pcd-1682" {
		t.Errorf("keyboard journey ended at %s, want /decisions/pcd-1682", loc)
	}
	// The skip link is the first stop and takes focus past the navigation.
	do(t, ctx, "reload", chromedp.Navigate(s.url+"/"))
	tabUntil(t, ctx, "the skip link", func(f focused) bool { return f.Href == "#main-content" })
}

// TestNarrowScreenDoesNotOverflow checks that no page type scrolls sideways at 320 px (axe-core
// checks them at that width in TestPagesPassAxe).
func TestNarrowScreenDoesNotOverflow(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addSyntheticDecisions(t, 25)
	ctx := newTab(t)
	do(t, ctx, "narrow the viewport", chromedp.EmulateViewport(320, 800))
	for _, p := range pageTypes {
		do(t, ctx, "open "+p.path, chromedp.Navigate(s.url+p.path))
		w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth"))
		if w > 320 {
			wide := run(t, ctx, "widest elements", chromedp.Evaluate[string](`[...document.querySelectorAll('body *')]
				.filter(e => e.getBoundingClientRect().right > 320).slice(0, 5)
				.map(e => e.tagName + '.' + e.className).join(', ')`))
			t.Errorf("%s at 320 px: scrollWidth = %d, want <= 320 (too wide: %s)", p.name, w, wide)
		}
	}
}

// pageText is the visible text of the page, white space folded.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return strings.Join(strings.Fields(run(t, ctx, "page text", chromedp.Evaluate[string]("document.body.innerText"))), " ")
}

// screenshotsDir is where screenshots go: SCREENSHOTS_DIR, or a directory the test removes.
func screenshotsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SCREENSHOTS_DIR")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes the whole page as a PNG named name in dir, and fails if it is not one.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := run(t, ctx, "screenshot", chromedp.FullScreenshot(100))
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Errorf("%s: screenshot is not a PNG (%d bytes)", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestTooManyRequestsPagePasses checks the 429 page (it needs a limit the other page types'
// site does not have): axe-core in Chromium and the Nu Html Checker, as for every page type.
func TestTooManyRequestsPagePasses(t *testing.T) {
	t.Parallel()
	ts := testsite.NewWith(t, testsite.Options{ExportRate: server.RateLimit{Requests: 1, Window: time.Hour}})
	const path = "/decisions/pcd-1682/documents/" + "0000000000000000000000000000000000000000000000000000000000000000"
	first, err := http.Get(ts.URL + path) // the allowance spent (a document that does not exist is still a download)
	if err != nil {
		t.Fatal(err)
	}
	first.Body.Close()
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		return m.URL == ts.URL+path && strings.HasPrefix(m.Text, "Failed to load resource")
	})
	defer stopConsole()
	resp := run(t, ctx, "open "+path, chromedp.NavigateResponse(ts.URL+path))
	if resp.Status != http.StatusTooManyRequests {
		t.Fatalf("GET %s past the limit = %d, want 429", path, resp.Status)
	}
	axeAtWidths(t, ctx, "too-many-requests", func(int64) {
		// Still limited: the same page again.
		do(t, ctx, "open "+path, chromedp.Navigate(ts.URL+path))
	})
	again, err := http.Get(ts.URL + path) // still limited: the same page, for the HTML checker
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(again.Body)
	again.Body.Close()
	if err != nil || again.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("GET %s again = %d, %v; want 429", path, again.StatusCode, err)
	}
	f := filepath.Join(t.TempDir(), "too-many-requests.html")
	if err := os.WriteFile(f, body, 0o644); err != nil {
		t.Fatal(err)
	}
	checkHTML(t, []string{f})
}
