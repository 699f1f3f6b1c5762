package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// phoneWidths are the narrow viewports every money check runs at.
var phoneWidths = []int64{390, 320}

// moneyPages are the decisions whose funding tables the user review read on a phone.
var moneyPages = []string{"/decisions/pcd-1532", "/decisions/pcd-1682", "/decisions/pcd-1215", "/decisions/pcd-914"}

// placed is where an element is, and whether it can be seen without scrolling sideways.
type placed struct {
	TestID string  `json:"testid"`
	Text   string  `json:"text"`
	Left   float64 `json:"left"`
	Right  float64 `json:"right"`
	Width  float64 `json:"width"`
	// Clipped is set when a scrolling ancestor hides part of the element.
	Clipped bool `json:"clipped"`
}

const moneyCells = `JSON.stringify([...document.querySelectorAll('table td.app-amount')]
	.map(e => {
		const r = e.getBoundingClientRect();
		let clipped = false;
		for (let a = e.parentElement; a; a = a.parentElement) {
			const ar = a.getBoundingClientRect();
			if (a.scrollWidth > a.clientWidth && (r.left < ar.left || r.right > ar.right)) clipped = true;
		}
		const testid = e.dataset.testid || e.closest('table').dataset.testid + ' column ' + (e.cellIndex + 1);
		return {testid, text: e.innerText.trim(), left: r.left, right: r.right, width: r.width, clipped};
	}))`

// TestMoneyVisibleOnPhones checks that at phone widths, and at a tablet's, every amount,
// running total and the decision's own total is inside the viewport, with no sideways
// scrolling needed to see it.
func TestMoneyVisibleOnPhones(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	for _, width := range append([]int64{768}, phoneWidths...) {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 800))
		for _, path := range moneyPages {
			do(t, ctx, "open "+path, chromedp.Navigate(s.url+path))
			var cells []placed
			if err := json.Unmarshal([]byte(run(t, ctx, "money cells", chromedp.Evaluate[string](moneyCells))), &cells); err != nil {
				t.Fatal(err)
			}
			if len(cells) < 3 {
				t.Fatalf("%s at %d px: %d money cells found", path, width, len(cells))
			}
			sawTotal := false
			for _, c := range cells {
				if c.TestID == "funding-total" {
					sawTotal = true
					if !strings.HasPrefix(c.Text, "£") {
						t.Errorf("%s at %d px: the decision's total shows %q, want a figure", path, width, c.Text)
					}
				}
				if c.Width <= 0 || c.Left < 0 || c.Right > float64(width) || c.Clipped {
					t.Errorf("%s at %d px: %s %q spans %.0f to %.0f px (clipped %v), want inside 0 to %d",
						path, width, c.TestID, c.Text, c.Left, c.Right, c.Clipped, width)
				}
			}
			if !sawTotal {
				t.Errorf("%s at %d px: no total accepted by this decision", path, width)
			}
			rightmost := 0.0
			for _, c := range cells {
				rightmost = max(rightmost, c.Right)
			}
			t.Logf("%s at %d px: %d money cells, rightmost edge %.0f px", path, width, len(cells), rightmost)
		}
	}
}

// chartText gives, for each text of the funding chart that is displayed, its rendered height
// in CSS pixels: its font size times the chart's scale.
const chartText = `(() => {
	const svg = document.querySelector('[data-testid=funding-chart]');
	if (!svg || getComputedStyle(svg).display === 'none') return JSON.stringify({shown: false, sizes: []});
	const scale = svg.getScreenCTM().a;
	return JSON.stringify({shown: true, sizes: [...svg.querySelectorAll('text')]
		.map(t => parseFloat(getComputedStyle(t).fontSize) * scale)});
})()`

// TestChartTextReadable checks that wherever the funding history chart is shown, its text is
// at least 12 px tall; the chart is shown on a desktop screen.
func TestChartTextReadable(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	for _, width := range append([]int64{1280}, phoneWidths...) {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
		do(t, ctx, "open PCD 1532", chromedp.Navigate(s.url+"/decisions/pcd-1532"))
		var chart struct {
			Shown bool      `json:"shown"`
			Sizes []float64 `json:"sizes"`
		}
		if err := json.Unmarshal([]byte(run(t, ctx, "chart text", chromedp.Evaluate[string](chartText))), &chart); err != nil {
			t.Fatal(err)
		}
		if width == 1280 && (!chart.Shown || len(chart.Sizes) == 0) {
			t.Fatalf("at 1280 px the funding history chart is not shown")
		}
		smallest := 0.0
		for i, size := range chart.Sizes {
			if i == 0 || size < smallest {
				smallest = size
			}
			if size < 12 {
				t.Errorf("at %d px chart text %d is %.1f px tall, want at least 12", width, i, size)
			}
		}
		t.Logf("at %d px: chart shown %v, smallest text %.1f px", width, chart.Shown, smallest)
	}
}

// splitWords finds words of the page's visible text that are broken across two lines. A financial
// year ("2025-26", "2021/22") counts as one word: broken at its hyphen it reads as two numbers.
const splitWords = `(() => {
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
		n.parentElement.closest('svg, script, style, [hidden]') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		for (const m of n.data.matchAll(/\d{4}[-\u2010-\u2013\/]\d{2}(?!\d)|[\p{L}\p{N}]{2,}/gu)) {
			const r = document.createRange();
			r.setStart(n, m.index);
			r.setEnd(n, m.index + m[0].length);
			const tops = new Set([...r.getClientRects()].filter(c => c.width > 0).map(c => Math.round(c.top)));
			if (tops.size > 1) out.push(m[0] + ' in ' + n.parentElement.tagName.toLowerCase() + '.' + n.parentElement.className);
		}
	}
	return out.slice(0, 40);
})()`

// TestNoWordSplitAcrossLines checks every page type at desktop and phone widths for a word
// broken in the middle ("Intelligenc / e", "2025- / 26"), and screenshots each page type at
// 1280 and 390 px into SCREENSHOTS_DIR (when unset, the first page type only, into a
// temporary directory).
func TestNoWordSplitAcrossLines(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.addSyntheticDecisions(t, 25)
	ctx := newTab(t)
	shots := screenshotsDir(t)
	keepShots := os.Getenv("SCREENSHOTS_DIR") != ""
	type page struct{ name, path string }
	pages := []page{{"", "/decisions/pcd-1532"}, {"", "/decisions/pcd-956"}, {"", "/decisions/pcd-867"}, {"", "/glossary"}}
	for _, p := range pageTypes {
		pages = append(pages, page{p.name, p.path})
	}
	for _, width := range []int64{1280, 390, 320} {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			do(t, ctx, "open "+p.path, chromedp.Navigate(s.url+p.path))
			for _, w := range run(t, ctx, "split words", chromedp.Evaluate[[]string](splitWords)) {
				t.Errorf("%s at %d px: %q is split across lines", p.path, width, w)
			}
			// The same walk keeps screenshots of every page type (make screenshots), rather than
			// a second walk through them all. Otherwise one a width shows the screenshots still
			// work: a whole page encoded as a PNG costs Chromium more than checking it.
			if p.name != "" && width != 320 && (keepShots || p.name == pageTypes[0].name) {
				screenshot(t, ctx, shots, fmt.Sprintf("%s-%d.png", p.name, width))
			}
		}
	}
	if keepShots {
		t.Logf("screenshots of %d page types at 1280 and 390 px in %s", len(pageTypes), shots)
	}
	// Squeezed to a few characters, every line holding a financial year breaks wherever it may:
	// a year must still not break at its hyphen.
	do(t, ctx, "set viewport", chromedp.EmulateViewport(320, 900))
	for _, path := range []string{"/decisions/pcd-1532", "/decisions/pcd-1682", "/decisions/pcd-1215"} {
		do(t, ctx, "open "+path, chromedp.Navigate(s.url+path))
		squeezed := run(t, ctx, "squeeze", chromedp.Evaluate[int](`[...document.querySelectorAll('main td, main th, main dd, main p, main li')]
			.filter(e => /\d{4}-\d{2}/.test(e.textContent)).map(e => { e.style.width = '4ch'; e.style.display = 'block'; }).length`))
		if squeezed == 0 {
			t.Fatalf("%s: no financial years found", path)
		}
		for _, w := range run(t, ctx, "split words", chromedp.Evaluate[[]string](splitWords)) {
			if financialYear.MatchString(w) {
				t.Errorf("%s squeezed: %q is split across lines", path, w)
			}
		}
	}
}

// financialYear is the start of splitWords' report of a financial year.
var financialYear = regexp.MustCompile(`^\d{4}[-\x{2010}-\x{2013}/]\d{2} in `)

// spaceBeforePunctuation is a space, of any kind, just before , . ; or : in visible text.
var (
	spaceBeforePunctuation = regexp.MustCompile(`\s+[,.;:]`)
	// noSpaceAfterPunctuation finds "inferred.The page": a sentence joined to the next one.
	noSpaceAfterPunctuation = regexp.MustCompile(`[a-z][.;:,][A-Z]`)
)

// TestNoSpaceBeforePunctuation reads the visible text of every decision page, and the other
// page types, for a space before a comma, full stop, semicolon or colon.
func TestNoSpaceBeforePunctuation(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	var paths []string
	for _, p := range pageTypes {
		paths = append(paths, p.path)
	}
	for _, slug := range []string{"pcd-867", "pcd-914", "pcd-956", "pcd-1047", "pcd-1218", "pcd-1532", "/glossary"} {
		if strings.HasPrefix(slug, "/") {
			paths = append(paths, slug)
		} else {
			paths = append(paths, "/decisions/"+slug)
		}
	}
	for _, path := range paths {
		do(t, ctx, "open "+path, chromedp.Navigate(s.url+path))
		text := run(t, ctx, "text", chromedp.Evaluate[string]("document.body.innerText"))
		for _, loc := range spaceBeforePunctuation.FindAllStringIndex(text, -1) {
			from, to := max(loc[0]-30, 0), min(loc[1]+10, len(text))
			t.Errorf("%s: space before punctuation in %q", path, text[from:to])
		}
		for _, loc := range noSpaceAfterPunctuation.FindAllStringIndex(text, -1) {
			from, to := max(loc[0]-30, 0), min(loc[1]+10, len(text))
			t.Errorf("%s: no space after punctuation in %q", path, text[from:to])
		}
	}
}

// TestPrintHeaderAndStatuses checks the printed page: the register and its owner at the top,
// the page's address and the date printed, and how sure each value is, written out in full.
func TestPrintHeaderAndStatuses(t *testing.T) {
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
	var top struct {
		Text  string  `json:"text"`
		Top   float64 `json:"top"`
		H1Top float64 `json:"h1top"`
	}
	js := `JSON.stringify({text: document.querySelector('[data-testid=print-header]').innerText,
		top: document.querySelector('[data-testid=print-header]').getBoundingClientRect().top,
		h1top: document.querySelector('h1').getBoundingClientRect().top})`
	if err := json.Unmarshal([]byte(run(t, ctx, "print header", chromedp.Evaluate[string](js))), &top); err != nil {
		t.Fatal(err)
	}
	header := strings.Join(strings.Fields(top.Text), " ")
	for _, want := range []string{"Decision Register", "Mayor’s Office for Policing and Crime", "http://localhost:8080/decisions/pcd-1682", "Printed from"} {
		if !strings.Contains(header, want) {
			t.Errorf("printed header %q lacks %q", header, want)
		}
	}
	if !regexp.MustCompile(`on \d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4}`).MatchString(header) {
		t.Errorf("printed header %q has no date printed", header)
	}
	if top.Top >= top.H1Top {
		t.Errorf("printed header at %.0f px is not above the title at %.0f px", top.Top, top.H1Top)
	}
	text := pageText(t, ctx)
	for _, want := range []string{"How sure we are of each value", "verified (the decision's own words, from its published text)"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed page lacks %q", want)
		}
	}
	if shown := run(t, ctx, "collapsed details", chromedp.Evaluate[bool](`[...document.querySelectorAll('details')].some(d => d.offsetParent !== null)`)); shown {
		t.Error("the printed page shows a collapsed toggle")
	}
	pdf := run(t, ctx, "print to PDF", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	if !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("PrintToPDF gave %d bytes that are not a PDF", len(pdf))
	}
	// A4 less the 15 mm margins is 180 mm, 680 CSS pixels: every amount must be on the paper.
	do(t, ctx, "A4 width", chromedp.EmulateViewport(a4Width, 962))
	for _, path := range moneyPages {
		do(t, ctx, "open "+path, chromedp.Navigate(s.url+path))
		var cells []placed
		if err := json.Unmarshal([]byte(run(t, ctx, "money cells", chromedp.Evaluate[string](moneyCells))), &cells); err != nil {
			t.Fatal(err)
		}
		for _, c := range cells {
			if c.Width <= 0 || c.Left < 0 || c.Right > a4Width || c.Clipped {
				t.Errorf("%s on A4: %s %q spans %.0f to %.0f px, want inside 0 to %d", path, c.TestID, c.Text, c.Left, c.Right, a4Width)
			}
		}
	}
}

// a4Width is the width of an A4 page's content, in CSS pixels, inside 15 mm margins.
const a4Width = 680

// TestScrollersFocusableOnlyWhenScrolling checks that a table wrapper is a tab stop only while
// its table is wider than it, and then shows the house focus style.
func TestScrollersFocusableOnlyWhenScrolling(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	wrappers := `JSON.stringify([...document.querySelectorAll('.app-table-wrapper')].map(w =>
		({scrolls: w.scrollWidth > w.clientWidth, tabindex: w.getAttribute('tabindex')})))`
	for _, width := range []int64{1280, 390, 320} {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
		do(t, ctx, "open PCD 1532", chromedp.Navigate(s.url+"/decisions/pcd-1532"))
		var ws []struct {
			Scrolls  bool    `json:"scrolls"`
			TabIndex *string `json:"tabindex"`
		}
		if err := json.Unmarshal([]byte(run(t, ctx, "wrappers", chromedp.Evaluate[string](wrappers))), &ws); err != nil {
			t.Fatal(err)
		}
		if len(ws) != 2 {
			t.Fatalf("at %d px: %d table wrappers, want 2", width, len(ws))
		}
		for i, w := range ws {
			if !w.Scrolls && w.TabIndex != nil {
				t.Errorf("at %d px: wrapper %d does not scroll but has tabindex %q", width, i, *w.TabIndex)
			}
		}
	}
	// Squeeze the funding table's wrapper until its table must scroll: it becomes a tab stop,
	// and focusing it shows the house focus style.
	do(t, ctx, "set viewport", chromedp.EmulateViewport(1280, 900))
	do(t, ctx, "open PCD 1532", chromedp.Navigate(s.url+"/decisions/pcd-1532"))
	do(t, ctx, "squeeze the wrapper", chromedp.Evaluate[chromedp.Void](`document.querySelector('.app-table-wrapper').style.width = '300px'; void 0`))
	do(t, ctx, "wait for the tab stop", chromedp.WaitReady(chromedp.CSS(`.app-table-wrapper[tabindex="0"]`)))
	do(t, ctx, "focus it", chromedp.Evaluate[chromedp.Void](`document.querySelector('.app-table-wrapper').focus(); void 0`))
	var f focused
	if err := json.Unmarshal([]byte(run(t, ctx, "read focus", chromedp.Evaluate[string](focusState))), &f); err != nil {
		t.Fatal(err)
	}
	shadow := run(t, ctx, "focus style", chromedp.Evaluate[string](`getComputedStyle(document.activeElement).boxShadow`))
	if f.Tag != "DIV" || !f.Visible || !strings.Contains(shadow, "rgb(255, 221, 0)") {
		t.Errorf("focused scrolling wrapper: %+v, box-shadow %q; want the yellow house focus style", f, shadow)
	}
}

// TestDecisionPageReadsForThePublic checks the wording points of the user review on the pages
// as a browser shows them.
func TestDecisionPageReadsForThePublic(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "open PCD 1682", chromedp.Navigate(s.url+"/decisions/pcd-1682"))
	links := run(t, ctx, "links in the text", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.app-section__body a')]
		.map(a => a.innerText + ' ' + a.getAttribute('href'))`))
	want := []string{"PCD references 545 /decisions/pcd-545", "867 /decisions/pcd-867", "914 /decisions/pcd-914",
		"960 /decisions/pcd-960", "1047 /decisions/pcd-1047", "1215 /decisions/pcd-1215", "PCD1532 /decisions/pcd-1532"}
	if fmt.Sprint(links) != fmt.Sprint(want) {
		t.Errorf("links in PCD 1682's text = %q, want %q", links, want)
	}
	text := pageText(t, ctx)
	for _, bad := range []string{"Summary: paraphrase", "Name not recorded", "shown as 'Past staff'", "GBP"} {
		if strings.Contains(text, bad) {
			t.Errorf("PCD 1682 shows %q", bad)
		}
	}
}
