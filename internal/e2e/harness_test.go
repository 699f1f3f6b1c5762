package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/testsite"
)

//go:embed testdata/axe.min.js
var axeSource string

// browserCtx is the one headless Chromium the package's tests share; each test opens its own
// tab. It is set up in TestMain, which is the only place a browser can outlive a test.
var browserCtx context.Context

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "e2e-html-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	htmlPages.dir, htmlPages.owner = dir, map[string]string{}
	code := runWithBrowser(m)
	if !checkCollectedHTML() {
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// htmlPages are the pages the tests collected for the Nu Html Checker, which starts a JVM
// taking seconds of both cores: TestMain runs it once over all of them when the tests end.
var htmlPages struct {
	sync.Mutex
	dir   string
	owner map[string]string // the file's name in dir → the test that collected it
}

// checkHTML has the Nu Html Checker check the pages in files, with every other test's, when
// the tests end; an error fails the package, naming the test and the page.
func checkHTML(t *testing.T, files []string) {
	t.Helper()
	htmlPages.Lock()
	defer htmlPages.Unlock()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("%03d-%s", len(htmlPages.owner), filepath.Base(f))
		if err := os.WriteFile(filepath.Join(htmlPages.dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		htmlPages.owner[name] = t.Name()
	}
}

// checkCollectedHTML runs the Nu Html Checker over the collected pages and prints each error
// with the test that collected its page. It reports whether there were none.
func checkCollectedHTML() bool {
	htmlPages.Lock()
	defer htmlPages.Unlock()
	if len(htmlPages.owner) == 0 {
		return true
	}
	var files []string
	for name := range htmlPages.owner {
		files = append(files, filepath.Join(htmlPages.dir, name))
	}
	msgs, err := vnu(files)
	if err != nil {
		fmt.Println("e2e: Nu Html Checker:", err)
		return false
	}
	for _, m := range msgs {
		name := filepath.Base(m.URL)
		_, page, _ := strings.Cut(name, "-")
		fmt.Printf("e2e: %s: Nu Html Checker %s: %s: line %d: %s (%q)\n", htmlPages.owner[name], m.Type, page, m.LastLine, m.Message, m.Extract)
	}
	fmt.Printf("e2e: Nu Html Checker: %d pages, %d errors\n", len(files), len(msgs))
	return len(msgs) == 0
}

func runWithBrowser(m *testing.M) int {
	path, err := chromiumPath()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "e2e-chromium-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.DisableGPU,
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(filepath.Join(dir, "profile")),
			chromedp.Env("TMPDIR="+dir),
			chromedp.WindowSize(1280, 900),
		)...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: start Chromium:", err)
		return 1
	}
	browserCtx = ctx
	return m.Run()
}

// chromiumPath finds the browser: $CHROMIUM_PATH, else chromium on the PATH.
func chromiumPath() (string, error) {
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Chromium not found: run the tests with `make test`, which installs it, or set CHROMIUM_PATH")
}

// site is the real server on a fresh database, served over HTTP on loopback.
type site struct {
	url  string
	pool *pgxpool.Pool
	ts   *testsite.Site
}

func newSite(t *testing.T) *site {
	t.Helper()
	s := testsite.New(t)
	return &site{url: s.URL, pool: s.Pool, ts: s}
}

// documentedSlug is the decision with documents that addSyntheticDecisions adds.
const documentedSlug = "pcd-99100"

// addSyntheticDecisions adds n plain decisions so lists run to more than one page, and a
// decision with documents (documentedSlug) for the page type that lists them.
func (s *site) addSyntheticDecisions(t *testing.T, n int) {
	t.Helper()
	pdf, err := os.ReadFile("../document/testdata/business-case.pdf")
	if err != nil {
		t.Fatal(err)
	}
	s.ts.Published(t, 99100, "A decision with supporting documents",
		testsite.Doc{Name: "Business case for Project Alpha", Body: pdf},
		testsite.Doc{Name: "Costs by London borough, 2024-25", Body: []byte("borough,amount\nHackney,1200\nCamden,900\n")})
	dbtest.PublishSQL(t, s.pool, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
		SELECT 'PCD', g, 'PCD ' || g, 'pcd-' || g, 'Synthetic grant decision ' || g,
			'A decision made up for testing lists that run to several pages.', 'published'
		FROM generate_series(3001, 3000 + $1) g`, n)
}

// tabDeadline bounds a tab for a hung browser, not a timing: the suite's own -timeout, less a
// minute for the failure to be reported. A fixed bound per tab is a race: tabs side by side on
// a loaded 2-core machine have taken over five minutes, each.
func tabDeadline(t *testing.T) time.Time {
	deadline, ok := t.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Hour)
	}
	return deadline.Add(-time.Minute)
}

// newTab opens a tab in the shared browser, closed when the test ends.
func newTab(t *testing.T) context.Context {
	t.Helper()
	// A browser context of its own, like a private window: tabs side by side would otherwise
	// share cookies, and every test's site is on 127.0.0.1, so one sign-in would replace another.
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithDeadline(ctx, tabDeadline(t))
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
	})
	// Tests run in tabs side by side: each tab behaves as the focused one, so focus styles
	// and keyboard input do not depend on which tab the browser last brought forward.
	do(t, ctx, "emulate focus", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	return ctx
}

// typeText fills the field sel finds with text as typing it would, in one step: it waits for
// the field to show, focuses it and inserts the text (Input.insertText, which fires the
// field's input event). SendKeys sends two key events a character, each a round trip to the
// browser: on a loaded machine an e-mail address and a password took seconds a sign-in.
// Tests where keys themselves matter (Tab, Enter, Escape) press them with KeyEvent.
func typeText[S chromedp.Selectable](sel S, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Focus(sel, chromedp.NodeVisible),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: text})
			return err
		}))
}

func run[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// axeViolation is what the failure message lists of each axe-core violation.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeWidths are the widths every page type is checked at: a desktop, and the 320 px that
// WCAG's reflow criterion (1.4.10) asks a page to fit.
var axeWidths = []int64{1280, 320}

// scriptsRan is true once the page has loaded and its scripts have run, as a person's browser
// shows it. app.js marks the body, runs GOV.UK Frontend's initAll, which marks each component
// it starts with data-<module>-init, and then its own code, all in one task: once every
// component carries its mark, every script of the page has run.
const scriptsRan = `document.readyState === 'complete' && document.body.classList.contains('govuk-frontend-supported') &&
	[...document.querySelectorAll('[data-module]')].every(e => e.hasAttribute('data-' + e.dataset.module + '-init'))`

// waitForScripts waits until the page open in ctx has loaded and its scripts have run. A page
// reached by a form's button may still be loading when its first elements show.
func waitForScripts(t *testing.T, ctx context.Context) {
	t.Helper()
	// A bound for scripts that never finish (a broken one fails here), not a timing.
	run(t, ctx, "wait for the page's scripts to have run", chromedp.Poll[bool](scriptsRan, chromedp.WithPollingTimeout(time.Minute)))
}

// axeTabs are the tabs (their chromedp contexts) that have axe-core installed for every page.
var axeTabs sync.Map

// injectAxe makes axe-core ready in the page open in ctx. The first time in a tab it installs
// axe-core's source as a script every new document of the tab runs before its own
// (Page.addScriptToEvaluateOnNewDocument), and in the page open too: Chromium then compiles
// the 650 kB once and takes the compiled code from its cache for every page after, where
// evaluating the source in each page compiled it each time, which took as long as axe's run.
func injectAxe(t *testing.T, ctx context.Context) {
	t.Helper()
	c := chromedp.FromContext(ctx)
	if _, done := axeTabs.LoadOrStore(c, true); !done {
		t.Cleanup(func() { axeTabs.Delete(c) })
		do(t, ctx, "install axe-core", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			now := true
			_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument,
				page.AddScriptToEvaluateOnNewDocumentParams{Source: axeSource, RunImmediately: &now})
			return err
		}))
	}
	// A page opened in the tab before it was installed has no axe: it gets the source itself.
	if !run(t, ctx, "find axe-core", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		do(t, ctx, "inject axe-core", chromedp.Evaluate[chromedp.Void](axeSource+";void 0"))
	}
}

// runAxe checks the page open in ctx with axe-core, once its scripts have run, and returns
// its violations. Every rule of axeTags runs, on the whole page: none is left out.
func runAxe(t *testing.T, ctx context.Context) []axeViolation {
	t.Helper()
	waitForScripts(t, ctx)
	tags, _ := json.Marshal(axeTags)
	injectAxe(t, ctx)
	script := fmt.Sprintf(`axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
		.then(r => JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
			nodes: v.nodes.map(n => n.target.join(' '))}))))`, tags)
	out := run(t, ctx, "run axe-core", chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	var vs []axeViolation
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		t.Fatalf("axe result %q: %v", out, err)
	}
	return vs
}

// axeAtWidths checks a page type with axe-core at each of axeWidths: it sets the width, has
// open bring the page up afresh (so that it is laid out, and its scripts run, as on a screen
// that wide), waits for the page's scripts, and fails the test for each violation.
func axeAtWidths(t *testing.T, ctx context.Context, name string, open func(width int64)) {
	t.Helper()
	for _, width := range axeWidths {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
		open(width)
		for _, v := range runAxe(t, ctx) {
			t.Errorf("%s at %d px: axe %s [%s] %s at %s", name, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		}
	}
}

// watchConsole collects the console errors and uncaught exceptions of the tab from now on,
// CSP violations and failed loads among them, except those expected says are expected. The
// returned func stops collecting and fails the test for each one.
func watchConsole(t *testing.T, ctx context.Context, expected func(chromedp.ConsoleMessage) bool) (stop func()) {
	t.Helper()
	cctx, cancel := context.WithCancel(ctx)
	messages := chromedp.Console(cctx)
	var mu sync.Mutex
	var bad []chromedp.ConsoleMessage
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if (m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException) && (expected == nil || !expected(m)) {
				mu.Lock()
				bad = append(bad, m)
				mu.Unlock()
			}
		}
	}()
	return func() {
		t.Helper()
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, m := range bad {
			t.Errorf("console %s at %s:%d: %s", m.Type, m.URL, m.Line+1, m.Text)
		}
	}
}
