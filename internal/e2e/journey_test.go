package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestReferenceJourney is the staff journey: type a reference as they write it, land on the
// decision, read it, follow its funding chain back. It runs with and without JavaScript.
func TestReferenceJourney(t *testing.T) {
	t.Parallel()
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			s := newSite(t)
			ctx := newTab(t)
			stopConsole := watchConsole(t, ctx, nil)
			defer stopConsole()
			if !js {
				do(t, ctx, "disable JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
			}
			do(t, ctx, "search for pcd1682",
				chromedp.Navigate(s.url+"/"),
				chromedp.SendKeys(chromedp.CSS("#search"), "pcd1682"),
				chromedp.Click(chromedp.CSS(`[data-testid="search-form"] button`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="funding-total"]`)),
			)
			if loc := run(t, ctx, "location", chromedp.Location()); loc != s.url+"/decisions/pcd-1682" {
				t.Fatalf("landed on %s, want /decisions/pcd-1682", loc)
			}
			text := pageText(t, ctx)
			for _, want := range []string{"£2,755,000", "Sophie Linden", "Legal Comments", "Alpha - Social Media Hub"} {
				if !strings.Contains(text, want) {
					t.Errorf("PCD 1682 page lacks %q", want)
				}
			}
			do(t, ctx, "follow the link to PCD 1215",
				chromedp.Click(chromedp.CSS(`[data-testid="chain-table"] a[href="/decisions/pcd-1215"]`)),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="reference"]`)),
			)
			if ref := run(t, ctx, "reference", chromedp.Text(chromedp.CSS(`[data-testid="reference"]`))); ref != "PCD 1215" {
				t.Errorf("after following the chain link the page is %q, want PCD 1215", ref)
			}
		})
	}
}

// TestPrint checks a decision on paper: no navigation or search, every section, the funding
// table and the page's address, on A4.
func TestPrint(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "open PCD 1682 as print",
		chromedp.Navigate(s.url+"/decisions/pcd-1682"),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
	)
	hidden := run(t, ctx, "hidden on paper", chromedp.Evaluate[[]string](`['.app-header', '.govuk-service-navigation',
		'.govuk-skip-link', '.govuk-footer', '[data-testid=search-form]', 'nav[aria-labelledby=contents-heading]']
		.filter(sel => { const e = document.querySelector(sel); return e && e.offsetParent !== null; })`))
	if len(hidden) > 0 {
		t.Errorf("printed page shows %v", hidden)
	}
	text := pageText(t, ctx)
	for _, want := range []string{"PCD 1682", "Alpha - Social Media Hub", "Date signed", "Sophie Linden",
		"Introduction and background", "GDPR and Data Privacy", "Background/supporting papers", "Total accepted by this decision",
		"£2,755,000", "http://localhost:8080/decisions/pcd-1682"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed page lacks %q", want)
		}
	}
	pdf := run(t, ctx, "print to PDF", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("PrintToPDF gave %d bytes that are not a PDF", len(pdf))
	}
	pages := len(pdfPage.FindAll(pdf, -1))
	t.Logf("PCD 1682 prints as a %d-byte A4 PDF of %d pages", len(pdf), pages)
	// Seven pages when measured; fewer than four means content went missing on paper, more than
	// twelve a layout that wastes paper. Wide enough for restyling, narrow enough to catch both.
	if pages < 4 || pages > 12 {
		t.Errorf("PCD 1682 prints on %d A4 pages, want 4 to 12", pages)
	}
}

// pdfPage matches a page object of a PDF, and not the /Pages tree above them.
var pdfPage = regexp.MustCompile(`/Type\s*/Page[^s]`)

// TestPrintButtonIsAnEnhancement checks the print button appears only with JavaScript.
func TestPrintButtonIsAnEnhancement(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "open PCD 1682", chromedp.Navigate(s.url+"/decisions/pcd-1682"),
		chromedp.WaitVisible(chromedp.CSS(`[data-app-print]`)))
	ctx = newTab(t)
	do(t, ctx, "open PCD 1682 without JavaScript",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}),
		chromedp.Navigate(s.url+"/decisions/pcd-1682"))
	if shown := run(t, ctx, "button shown", chromedp.Evaluate[bool](`document.querySelector('[data-app-print]').offsetParent !== null`)); shown {
		t.Error("the print button shows without JavaScript, where it cannot work")
	}
}
