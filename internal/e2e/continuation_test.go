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

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestContinuationJourney is a drafter starting next year's decision from last year's, by
// the words on the pages: find PCD 1682, press "Start the next decision in this chain", read
// on the new draft's task list that the funding moved to 2025-26, and check the answers: the
// funding line in 2025-26, and the link saying it continues PCD 1682.
func TestContinuationJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, nil)
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	step := func(what, wait string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		do(t, ctx, what, append(actions, chromedp.WaitVisible(chromedp.CSS(wait)))...)
		run(t, ctx, what+": wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
	}
	step("find PCD 1682", `[data-testid="funding-total"]`,
		chromedp.Navigate(ts.URL+"/"),
		typeText(labelled("Reference or words"), "PCD 1682"),
		chromedp.Click(buttonNamed("Search")))
	step("start the next decision", `[data-testid="task-list"]`, chromedp.Click(buttonNamed("Start the next decision in this chain")))
	tasks := pageText(t, ctx)
	for _, want := range []string{"PCD 1683 Alpha - Social Media Hub", "This draft was started from PCD 1682, the decision it continues.",
		"amount kept, moved on a year from 2024-25 to 2025-26", "Part I section", "Check before you submit"} {
		if !strings.Contains(tasks, want) {
			t.Errorf("the new draft's task list lacks %q", want)
		}
	}
	step("check the answers", `[data-testid="submit-form"]`, chromedp.Click(linkNamed("Check your answers")))
	answers := pageText(t, ctx)
	for _, want := range []string{"£2,755,000 – Home Office grant, 'up to', for an additional 12 months (Grant accepted · 2025-26 · from Home Office",
		"Continues PCD 1682: Alpha - Social Media Hub"} {
		if !strings.Contains(answers, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	if strings.Contains(answers, "Grant accepted · 2024-25") {
		t.Error("check your answers still has the funding in 2024-25")
	}
}

// TestContinuationPagesAccessible checks the pages continuation adds to with axe-core at 1280
// and 320 px, and their HTML with the Nu Html Checker: a signed decision's page with the
// button (and once continued, saying so), and the continued draft's task list with its notice.
func TestContinuationPagesAccessible(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	ctx := newTab(t)
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	axeAtWidths(t, ctx, "continue button", func(int64) {
		do(t, ctx, "open PCD 1682", chromedp.Navigate(ts.URL+"/decisions/pcd-1682"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="continue-form"]`)))
	})
	c := ts.Client(t, drafterEmail)
	dir := t.TempDir()
	var files []string
	save := func(name string, resp *http.Response, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d, %v", name, resp.StatusCode, err)
		}
		f := filepath.Join(dir, name+".html")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	resp, err := c.Get(ts.URL + "/decisions/pcd-1682")
	save("continue-button", resp, err)
	resp, err = c.PostForm(ts.URL+"/decisions/pcd-1682/continue", url.Values{})
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("POST continue: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = c.Get(ts.URL + "/decisions/pcd-1683/edit")
	save("continued-task-list", resp, err)
	resp, err = c.Get(ts.URL + "/decisions/pcd-1682")
	save("continue-open", resp, err)
	checkHTML(t, files)
	axeAtWidths(t, ctx, "continued task list", func(int64) {
		do(t, ctx, "open PCD 1683's task list", chromedp.Navigate(ts.URL+"/decisions/pcd-1683/edit"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="continued"]`)))
	})
	axeAtWidths(t, ctx, "continue button once continued", func(int64) {
		do(t, ctx, "open PCD 1682", chromedp.Navigate(ts.URL+"/decisions/pcd-1682"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="continue-open"]`)))
	})
	for _, width := range []int64{320} {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
		for _, path := range []string{"/decisions/pcd-1683/edit", "/decisions/pcd-1682"} {
			do(t, ctx, "open "+path, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
			if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); int64(w) > width {
				t.Errorf("%s at %d px: scrollWidth = %d", path, width, w)
			}
		}
	}
}

// TestTemplateStartAccessible: the start form offering "Start from the series template", and
// the same form refused by that box (ticked for a series with none), through axe-core at 1280
// and 320 px and the Nu Html Checker; and a decision started from it, by its labels, holds the
// template's text.
func TestTemplateStartAccessible(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	sys := store.System(ts.Clock.Now())
	if err := ts.Store.SetSeriesChain(context.Background(), sys, "MD", []string{"finance"}); err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.SetSectionTemplates(context.Background(), sys, "PCD",
		map[string]string{"legal_comments": "The legal powers are those of the 2011 Act."}); err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		return strings.HasPrefix(m.Text, "Failed to load resource") && strings.Contains(m.Text, "422")
	})
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	axeAtWidths(t, ctx, "start form with a template", func(int64) {
		do(t, ctx, "open the start form", chromedp.Navigate(ts.URL+"/decisions/new"), chromedp.WaitVisible(labelNamed("Start from the series template")))
	})
	axeAtWidths(t, ctx, "start form refused by its template box", func(int64) {
		do(t, ctx, "tick the template for MD",
			chromedp.Navigate(ts.URL+"/decisions/new"),
			chromedp.SetValue(labelled("Series"), "MD"),
			typeText(labelled("Title"), "Project Delta"),
			chromedp.Click(labelNamed("Start from the series template")),
			chromedp.Click(buttonNamed("Continue")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
	})
	do(t, ctx, "start from the template",
		chromedp.Navigate(ts.URL+"/decisions/new"),
		typeText(labelled("Title"), "Project Delta"),
		chromedp.Click(labelNamed("Start from the series template")),
		chromedp.Click(buttonNamed("Continue")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="task-list"]`)),
		chromedp.Click(linkNamed("Check your answers")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-form"]`)))
	if got := pageText(t, ctx); !strings.Contains(got, "The legal powers are those of the 2011 Act.") {
		t.Errorf("a draft started from the template lacks its text: %q", got)
	}

	c := ts.Client(t, drafterEmail)
	dir := t.TempDir()
	var files []string
	for name, form := range map[string]url.Values{"start-with-template": nil,
		"start-template-error": {"series": {"MD"}, "title": {"Project Delta"}, "template": {"yes"}}} {
		var resp *http.Response
		var err error
		if form == nil {
			resp, err = c.Get(ts.URL + "/decisions/new")
		} else {
			resp, err = c.PostForm(ts.URL+"/decisions/new", form)
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(dir, name+".html")
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	checkHTML(t, files)
}
