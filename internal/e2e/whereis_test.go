package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
)

// TestApproversSeeTheDocuments: the finance adviser reads the supporting documents on the
// sign-off page by their names, downloads one with the link they read, and the sentence above
// the button says the documents are covered by what they approve.
func TestApproversSeeTheDocuments(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9801)
	budget := []byte("line,amount\nPay,2310000\nOvertime,245000\nTotal,2755000\n")
	f.Attach(t, slug, "SMH budget breakdown 2025–26", budget)
	f.approve(t, slug, "head_of_unit")

	p, _ := staff(t, f.URL, "finance@example.org")
	p.step("open the sign-off page", `[data-testid="adviser-form"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"))
	text := p.text()
	for _, want := range []string{"Supporting documents", "SMH budget breakdown 2025–26", "CSV", "Fingerprint (SHA-256)",
		"a code of 64 letters and numbers", "This document is part of what is approved and signed",
		"You approve the text above and its supporting document, whose content hash is"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sign-off page lacks %q", want)
		}
	}
	href := run(t, p.ctx, "the document's link", chromedp.Evaluate[string](
		`[...document.querySelectorAll('a')].find(a => a.innerText.trim() === 'SMH budget breakdown 2025–26').href`))
	c := f.Client(t, "finance@example.org")
	resp, err := c.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", href, resp.StatusCode)
	}
}

// TestPartTwoOnPaper: printed with the browser's own print, a staff page leaves Part II out
// and says so; printed with Part II, every page is headed "Part II — not for publication".
func TestPartTwoOnPaper(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9811)
	// A Part II long enough to cross pages.
	long := strings.Repeat("Advice the public does not read, repeated so that Part II runs over several printed pages. ", 250)
	if _, err := f.Pool.Exec(context.Background(), `UPDATE sections SET body = $2 WHERE part = 2 AND decision_id = (SELECT id FROM decisions WHERE slug = $1)`, slug, long); err != nil {
		t.Fatal(err)
	}
	p, _ := staff(t, f.URL, drafterEmail)
	for _, path := range []string{"/decisions/" + slug, "/decisions/" + slug + "/signoff"} {
		p.step("open "+path, `[data-testid="part-two-band"]`, chromedp.Navigate(f.URL+path))
		run(t, p.ctx, "the print buttons show", chromedp.Poll[bool](
			`[...document.querySelectorAll('button')].some(b => b.innerText.trim() === 'Print with Part II' && b.offsetParent !== null)`))
		plain := pdftest.Text(t, run(t, p.ctx, "print", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize())))
		if strings.Contains(plain, "Advice the public does not read") {
			t.Errorf("%s: printed without asking, Part II is on paper", path)
		}
		if !strings.Contains(plain, "Part II (confidential) is left out of this printed copy.") {
			t.Errorf("%s: the plain print does not say Part II is left out", path)
		}
		// "Print with Part II" marks the page, then opens the print dialog. Headless Chromium
		// has no dialog, so the test counts the calls and prints the marked page itself.
		do(t, p.ctx, "choose Print with Part II",
			chromedp.Evaluate[chromedp.Void](`window.print = () => { window.printCalls = (window.printCalls || 0) + 1; }`),
			chromedp.Click(buttonNamed("Print with Part II")))
		if !run(t, p.ctx, "marked for Part II", chromedp.Evaluate[bool](`document.documentElement.classList.contains('app-print-part-two') && window.printCalls === 1`)) {
			t.Fatalf("%s: Print with Part II did not mark the page and print once", path)
		}
		pages := pdfPages(t, run(t, p.ctx, "print with Part II",
			chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize())))
		if len(pages) < 3 {
			t.Errorf("%s: printed with Part II on %d pages, want at least 3", path, len(pages))
		}
		withPartTwo := strings.Join(pages, "\n")
		if !strings.Contains(withPartTwo, "Advice the public does not read") {
			t.Errorf("%s: printed with Part II, Part II is not on paper", path)
		}
		for i, pg := range pages {
			if strings.Count(pg, "Part II — not for publication") < 2 {
				t.Errorf("%s: printed page %d of %d is not headed and footed “Part II — not for publication”", path, i+1, len(pages))
			}
		}
		do(t, p.ctx, "after printing", chromedp.Evaluate[chromedp.Void](`document.documentElement.classList.remove('app-print-part-two')`))
	}
}

// TestSignoffChainOnAPhone: on a 390 px phone the sign-off chain's steps not yet approved
// show no empty Name and Date, so the decision starts soon after the chain.
func TestSignoffChainOnAPhone(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9821)
	ctx := staffTab(t, f.URL, "head-of-unit@example.org")
	do(t, ctx, "a phone", chromedp.EmulateViewport(390, 844))
	do(t, ctx, "open the sign-off page", chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signoff-chain"]`)))
	shown := run(t, ctx, "empty cells shown", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="signoff-step"] td')]
		.filter(td => td.offsetHeight > 0 && td.innerText.replace(/^(Name|Date)\s*$/, '').trim() === '').map(td => td.innerText.trim())`))
	if len(shown) > 0 {
		t.Errorf("at 390 px %d empty chain cells take room: %v", len(shown), shown)
	}
	top := run(t, ctx, "where the decision starts", chromedp.Evaluate[float64](
		`document.getElementById('decision-text').getBoundingClientRect().top + window.scrollY`))
	chain := run(t, ctx, "the chain's height", chromedp.Evaluate[float64](
		`document.querySelector('[data-testid="signoff-chain"]').getBoundingClientRect().height`))
	t.Logf("at 390 px the decision starts %.0f px down the sign-off page; the chain takes %.0f px", top, chain)
}

// TestWhereIsPagesAccessible puts the pages this work added or changed through axe-core at
// 1280 and 320 px and the Nu Html Checker: the overview of decisions in sign-off, the
// confirmation after submitting, Your work with decisions in sign-off, and the sign-off and
// decision pages with documents and a marked Part II.
func TestWhereIsPagesAccessible(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	f.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	slug := f.awaiting(t, 9831)
	f.Attach(t, slug, "Budget", []byte("line,amount\nPay,1\n"))
	f.approve(t, slug, "head_of_unit")
	f.awaiting(t, 9832)
	pages := []struct{ name, email, path string }{
		{"in-sign-off", "admin@example.org", "/work/in-sign-off"},
		{"submitted", drafterEmail, "/decisions/" + slug + "/submitted"},
		{"work-in-sign-off", drafterEmail, "/work"},
		{"signoff-documents", "finance@example.org", "/decisions/" + slug + "/signoff"},
		{"decision-part-two", drafterEmail, "/decisions/" + slug},
		{"home-signed-out", "", "/"},
	}
	tabs := map[string]context.Context{}
	var files []string
	dir := t.TempDir()
	for _, pg := range pages {
		ctx := tabs[pg.email]
		if ctx == nil {
			if pg.email == "" {
				ctx = newTab(t)
			} else {
				ctx = staffTab(t, f.URL, pg.email)
			}
			tabs[pg.email] = ctx
		}
		axeAtWidths(t, ctx, pg.name, func(width int64) {
			do(t, ctx, "open "+pg.path, chromedp.Navigate(f.URL+pg.path))
			if width > 320 {
				return
			}
			waitForScripts(t, ctx)
			if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 320 {
				t.Errorf("%s at 320 px: scrollWidth = %d, want <= 320", pg.name, w)
			}
		})
		c := http.DefaultClient
		if pg.email != "" {
			c = f.Client(t, pg.email)
		}
		resp, err := c.Get(f.URL + pg.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: GET %s = %d, want 200", pg.name, pg.path, resp.StatusCode)
		}
		file := filepath.Join(dir, pg.name+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	checkHTML(t, files)
}

// pdfPages is the text of each page of a PDF, as pdftotext reads it.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "print.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if n := len(pages); n > 0 && strings.TrimSpace(pages[n-1]) == "" {
		pages = pages[:n-1] // pdftotext ends every page with a form feed
	}
	for i, pg := range pages {
		pages[i] = strings.Join(strings.Fields(pg), " ")
	}
	return pages
}
