package e2e

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
)

// filterState is where the list's filters and results are on screen.
const filterState = `JSON.stringify({
	panelShown: getComputedStyle(document.getElementById('filter-panel')).display !== 'none',
	toggleShown: getComputedStyle(document.querySelector('[data-testid=filter-toggle]')).display !== 'none',
	expanded: document.querySelector('[data-testid=filter-toggle]').getAttribute('aria-expanded'),
	label: document.querySelector('[data-testid=filter-toggle]').textContent.trim(),
	countTop: document.querySelector('[data-testid=result-count]')?.getBoundingClientRect().top ?? -1,
	screen: window.innerHeight,
})`

type filterView struct {
	PanelShown, ToggleShown bool
	Expanded, Label         string
	CountTop, Screen        float64
}

func readFilters(t *testing.T, ctx context.Context, what string) filterView {
	t.Helper()
	var v filterView
	if err := json.Unmarshal([]byte(run(t, ctx, what, chromedp.Evaluate[string](filterState))), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestFiltersFoldOnPhones: on a phone the list's filters start folded behind a button, so the
// count of results is on the first screen; the button opens them and says so; on a desktop
// they sit beside the results and the button is gone; a filter in error stays open.
func TestFiltersFoldOnPhones(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "phone", chromedp.EmulateViewport(390, 844))
	do(t, ctx, "open the list", chromedp.Navigate(s.url+"/decisions?q=alpha"))
	v := readFilters(t, ctx, "folded")
	if v.PanelShown || !v.ToggleShown || v.Expanded != "false" || v.Label != "Show filters" {
		t.Errorf("on a phone: %+v, want the panel folded behind a Show filters button", v)
	}
	if v.CountTop < 0 || v.CountTop > v.Screen {
		t.Errorf("on a phone the result count is at %.0f px, want on the first screen (%.0f px)", v.CountTop, v.Screen)
	}
	do(t, ctx, "open the filters", chromedp.Click(chromedp.CSS(`[data-testid="filter-toggle"]`)))
	if v := readFilters(t, ctx, "opened"); !v.PanelShown || v.Expanded != "true" || v.Label != "Hide filters" {
		t.Errorf("after the button: %+v, want the panel open and the button saying Hide filters", v)
	}
	do(t, ctx, "a filter in error", chromedp.Navigate(s.url+"/decisions?fy=nonsense"))
	if v := readFilters(t, ctx, "in error"); !v.PanelShown {
		t.Errorf("with a filter in error: %+v, want the panel open", v)
	}
	do(t, ctx, "desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.url+"/decisions?q=alpha"))
	if v := readFilters(t, ctx, "desktop"); !v.PanelShown || v.ToggleShown {
		t.Errorf("on a desktop: %+v, want the panel shown and no button", v)
	}
}
