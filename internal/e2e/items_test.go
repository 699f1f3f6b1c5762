package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
)

// TestChangeItemsAndPerPartSaves, by the words a person reads: a recommendation is changed
// with its own Change link; a colleague's save of another section while the legal comments
// are open does not refuse them; the page with the change form passes axe-core.
func TestChangeItemsAndPerPartSaves(t *testing.T) {
	t.Parallel()
	ts, slug := newDraftSite(t)
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, nil)
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	edit := ts.URL + "/decisions/" + slug + "/edit"
	do(t, ctx, "open the recommendations", chromedp.Navigate(edit+"/recommendations"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-list"]`)))
	do(t, ctx, "change the first",
		chromedp.Click(linkNamed("Change recommendation 1")),
		chromedp.WaitVisible(labelled("Recommendation 1")))
	for _, v := range runAxe(t, ctx) {
		t.Errorf("change form: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}
	do(t, ctx, "save the change",
		chromedp.SetValue(labelled("Recommendation 1"), "Accept the grant of £2,755,000."),
		chromedp.Click(buttonNamed("Save recommendation")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-list"]`)))
	if got := pageText(t, ctx); !strings.Contains(got, "Accept the grant of £2,755,000.") || !strings.Contains(got, "Publish the decision.") {
		t.Errorf("after the change the list reads %q", got)
	}

	do(t, ctx, "open the legal comments", chromedp.Navigate(edit+"/sections/legal-comments"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-form"]`)))
	// Meanwhile a colleague saves the equality comments.
	u, err := ts.Store.UserByEmail(context.Background(), drafterEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.SetSection(context.Background(), u.Act(ts.Clock.Now()), slug, store.Base{Version: atoi(t, currentVersion(t, ts, slug))},
		"equality_comments", "Equality comments", "No impact."); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, "save the legal comments",
		chromedp.SendKeys(labelled("Text"), "Lawful.\n\nThe grant agreement sets the conditions, which the legal team has read in full and finds sound."),
		chromedp.Click(buttonNamed("Save and continue")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="task-list"]`)))

	// Check your answers is for proofreading: long text is not squeezed into a narrow column.
	do(t, ctx, "check the answers at 1280 px", chromedp.EmulateViewport(1280, 900),
		chromedp.Click(linkNamed("Check your answers")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="submit-form"]`)))
	width := run(t, ctx, "the legal comments' width", chromedp.Evaluate[float64](
		`[...document.querySelectorAll(".app-summary-list__row--long .govuk-summary-list__value")].find(e => e.textContent.includes("grant agreement")).getBoundingClientRect().width`))
	if width < 550 {
		t.Errorf("the legal comments are proofread in a column %.0f px wide, want the page's reading width", width)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
