package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// paperBlock is one block of a paper as its author wrote it in a word processor: a paragraph,
// a numbered paragraph (its number as the word processor shows it), bullets, or a table.
type paperBlock struct {
	number string
	text   string
	items  []string
	rows   [][]string
}

// The papers the test builds, as an officer would write them.
var (
	introduction = []paperBlock{
		{text: "The Alpha Social Media Hub is an intelligence function of the MPS."},
		{number: "1.1.", text: "The hub was set up in June 2019."},
		{number: "1.2.", text: "The Home Office has funded it since, as PCD 545 records."},
		{items: []string{"monitor social media;", "disrupt gangs;", "report to the MPS."}},
		{rows: [][]string{{"Item", "Amount"}, {"Pay", "£2,310,000"}, {"Overtime", "£245,000"}, {"Total", "£2,555,000"}}},
	}
	financial = []paperBlock{
		{text: "The breakdown of the grant is below."},
		{number: "4.", text: "The proposal seeks approval to accept the grant."},
		{number: "4.1.", text: "Pay is the largest cost."},
		{items: []string{"Pay", "Overtime"}},
		{rows: [][]string{{"Pay", "£2,310,000"}, {"Training and equipment", "£200,000"}, {"Total", "£2,755,000"}}},
	}
	recommendationsPaper = []paperBlock{
		{number: "1.", text: "Approve the request to accept the HO grant of £2,755,000 for 2024-25."},
		{number: "2.", text: "Delegate authority to sign the grant agreement to the Chief Finance Officer."},
	}
)

// wordClipboard is the HTML Word for Windows puts on the clipboard for a paper (text/html): its
// Office namespaces and styles, paragraphs of class MsoNormal, list paragraphs marked mso-list
// with their number or Symbol-font bullet in a span marked mso-list:Ignore between conditional
// comments, and a MsoTableGrid table whose cells hold paragraphs.
func wordClipboard(paper []paperBlock) string {
	var b strings.Builder
	b.WriteString(`<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" ` +
		`xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" ` +
		`xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=utf-8">` +
		`<meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">` +
		`<style><!-- /* Style Definitions */ p.MsoNormal {margin:0cm; font-size:11.0pt;} ` +
		`p.MsoListParagraph {margin-left:36.0pt;} @list l0:level1 {mso-level-text:"%1\.";} --></style></head>` +
		"<body lang=EN-GB style='tab-interval:36.0pt;word-wrap:break-word'>\r\n<!--StartFragment-->")
	list := 0
	for _, p := range paper {
		switch {
		case p.rows != nil:
			b.WriteString("<table class=MsoTableGrid border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;border:none;mso-yfti-tbllook:1184'>\r\n")
			for i, r := range p.rows {
				fmt.Fprintf(&b, " <tr style='mso-yfti-irow:%d'>\r\n", i)
				for _, c := range r {
					fmt.Fprintf(&b, "  <td width=301 valign=top style='width:225.4pt;border:solid windowtext 1.0pt;padding:0cm 5.4pt 0cm 5.4pt'>\r\n"+
						"  <p class=MsoNormal><span lang=EN-GB>%s<o:p></o:p></span></p>\r\n  </td>\r\n", html.EscapeString(c))
				}
				b.WriteString(" </tr>\r\n")
			}
			b.WriteString("</table>\r\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\r\n")
		case p.items != nil:
			list++
			for _, it := range p.items {
				fmt.Fprintf(&b, "<p class=MsoListParagraphCxSpMiddle style='text-indent:-18.0pt;mso-list:l%d level1 lfo%d'><![if !supportLists]>"+
					"<span style='font-family:Symbol;mso-fareast-font-family:Symbol;mso-bidi-font-family:Symbol'><span style='mso-list:Ignore'>·"+
					"<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span><![endif]>"+
					"<span lang=EN-GB>%s<o:p></o:p></span></p>\r\n", list, list, html.EscapeString(it))
			}
		case p.number != "":
			fmt.Fprintf(&b, "<p class=MsoListParagraph style='margin-left:0cm;text-indent:0cm;mso-list:l0 level2 lfo1'><![if !supportLists]>"+
				"<span lang=EN-GB><span style='mso-list:Ignore'>%s<span style='font:7.0pt \"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp; </span></span></span>"+
				"<![endif]><span lang=EN-GB>%s<o:p></o:p></span></p>\r\n", p.number, html.EscapeString(p.text))
		default:
			fmt.Fprintf(&b, "<p class=MsoNormal><span lang=EN-GB>%s<o:p></o:p></span></p>\r\n<p class=MsoNormal><span lang=EN-GB><o:p>&nbsp;</o:p></span></p>\r\n",
				html.EscapeString(p.text))
		}
	}
	b.WriteString("<!--EndFragment-->\r\n</body>\r\n</html>")
	return b.String()
}

// libreOfficeClipboard is the HTML LibreOffice Writer puts on the clipboard for a paper: its
// HTML 4 document with paragraphs, numbering as <ol> (a sub-number as an <ol> inside the item,
// the numbers themselves not in the text), bullets as <ul>, and a table of paragraphs.
func libreOfficeClipboard(paper []paperBlock) string {
	var b strings.Builder
	b.WriteString(`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN"><html><head>` +
		`<meta http-equiv="content-type" content="text/html; charset=utf-8"/><title></title>` +
		`<meta name="generator" content="LibreOffice 24.2.7.2 (Linux)"/><style type="text/css">` +
		`@page { size: 21cm 29.7cm; margin: 2cm } p { line-height: 115%; margin-bottom: 0.25cm; background: transparent }` +
		`</style></head><body lang="en-GB" link="#000080" vlink="#800000" dir="ltr">`)
	para := func(s string) string {
		return `<p style="line-height: 100%; margin-bottom: 0cm">` + html.EscapeString(s) + "</p>\n"
	}
	for i := 0; i < len(paper); i++ {
		p := paper[i]
		switch {
		case p.rows != nil:
			b.WriteString(`<table width="100%" cellpadding="4" cellspacing="0"><col width="128*"/><col width="128*"/>` + "\n")
			for _, r := range p.rows {
				b.WriteString(`<tr valign="top">`)
				for _, c := range r {
					b.WriteString(`<td width="50%" style="border: 1px solid #000000; padding: 0.1cm">` + para(c) + "</td>")
				}
				b.WriteString("</tr>\n")
			}
			b.WriteString("</table>\n")
		case p.items != nil:
			b.WriteString("<ul>")
			for _, it := range p.items {
				b.WriteString("<li>" + para(it) + "</li>")
			}
			b.WriteString("</ul>\n")
		case p.number != "":
			// "4." then "4.1.": one item of a list starting at 4, with a list inside it.
			top := strings.TrimSuffix(p.number, ".")
			fmt.Fprintf(&b, `<ol start="%s"><li>%s`, top, para(p.text))
			if i+1 < len(paper) && strings.HasPrefix(paper[i+1].number, p.number) {
				i++
				b.WriteString("<ol><li>" + para(paper[i].text) + "</li></ol>")
			}
			b.WriteString("</li></ol>\n")
		default:
			b.WriteString(para(p.text))
		}
	}
	b.WriteString("</body></html>")
	return b.String()
}

// pasteHTML pastes clipboard HTML (and its plain text, as a word processor offers both) into
// the field labelled label, as a person's Ctrl+V does: a paste event carrying a DataTransfer.
// It returns the field's text afterwards.
func pasteHTML(t *testing.T, ctx context.Context, label, htmlText, plain string) string {
	t.Helper()
	id := run(t, ctx, "find "+label, chromedp.Evaluate[string](fmt.Sprintf(
		`[...document.querySelectorAll('label')].find(l => l.textContent.trim() === %q).htmlFor`, label)))
	script := fmt.Sprintf(`(() => {
		const area = document.getElementById(%q);
		area.focus();
		const data = new DataTransfer();
		data.setData("text/html", %q);
		data.setData("text/plain", %q);
		area.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
		return area.value;
	})()`, id, htmlText, plain)
	return run(t, ctx, "paste into "+label, chromedp.Evaluate[string](script))
}

// shape reads the blocks of the section headed heading on the page open, as a person sees
// them: "¶ text" for a paragraph (its number first when it has one), "• item" for each item of
// a list, "| cell | cell |" for each row of a table.
func shape(t *testing.T, ctx context.Context, container, heading string) []string {
	t.Helper()
	return run(t, ctx, "read "+heading, chromedp.Evaluate[[]string](fmt.Sprintf(`(() => {
		const box = [...document.querySelectorAll(%q)].find(s => %q === '' || s.querySelector('h2, h3, h4, dt')?.textContent.trim() === %q);
		if (!box) return ["no " + %q];
		const out = [];
		for (const e of box.querySelectorAll('[data-testid="text-numbered"], p.govuk-body, ul.govuk-list--bullet, table[data-testid="text-table"]')) {
			if (e.localName === 'p') out.push('¶ ' + e.innerText.trim());
			else if (e.localName === 'ul') for (const li of e.querySelectorAll('li')) out.push('• ' + li.innerText.trim());
			else for (const tr of e.querySelectorAll('tr')) out.push('| ' + [...tr.cells].map(c => c.innerText.trim()).join(' | ') + ' |');
		}
		return out;
	})()`, container, heading, heading, heading)))
}

// TestPasteFromWordKeepsItsShape is issue 17's first blocker in the browser: a paper pasted
// from Word and one from LibreOffice keep their numbered paragraphs, bullets and tables from the
// section's form through Check your answers and the sign-off page to the public page, and a
// pasted numbered list of recommendations becomes one recommendation per number.
func TestPasteFromWordKeepsItsShape(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ctx := context.Background()
	slug, err := f.Store.CreateDraft(ctx, f.drafter.Act(f.Clock.Now()), "PCD", "Alpha - Social Media Hub")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Store.SetTitleSummary(ctx, f.drafter.Act(f.Clock.Now()), slug, store.Base{Version: 1}, "Alpha - Social Media Hub", "Accept the Home Office grant."); err != nil {
		t.Fatal(err)
	}
	// The pages this test brings up are checked by the Nu Html Checker with every other test's.
	var files []string
	dir := t.TempDir()
	collect := func(ctx context.Context, name string) {
		t.Helper()
		page := run(t, ctx, "the page's HTML", chromedp.Evaluate[string](`'<!DOCTYPE html>\n' + document.documentElement.outerHTML`))
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}
	d, closeDrafter := staff(t, f.URL, "drafter@example.org")
	stopConsole := watchConsole(t, d.ctx, nil)
	edit := f.URL + "/decisions/" + slug + "/edit"
	const form, taskList = `[data-testid="draft-form"]`, `[data-testid="task-list"]`

	// Recommendations: Word's numbered list, pasted whole.
	d.step("open Recommendations", form, chromedp.Navigate(edit+"/recommendations"))
	waitForScripts(t, d.ctx)
	got := pasteHTML(t, d.ctx, "Add a recommendation", wordClipboard(recommendationsPaper), "1.\tApprove\r\n2.\tDelegate")
	if want := "1. " + recommendationsPaper[0].text + "\n2. " + recommendationsPaper[1].text; got != want {
		t.Errorf("after pasting Word's numbered list the field holds\n%q\nwant\n%q", got, want)
	}
	d.step("add the recommendations", `[data-testid="saved-banner"]`, chromedp.Click(buttonNamed("Add recommendation")))
	if items := run(t, d.ctx, "the recommendations", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="draft-list"] > li > .app-wrap')].map(e => e.innerText.trim())`)); len(items) != 2 ||
		!strings.HasPrefix(items[0], "Approve the request") || !strings.HasPrefix(items[1], "Delegate authority") {
		t.Errorf("the recommendations are %q, want two, without their numbers", items)
	}
	if got := d.text(); !strings.Contains(got, "2 recommendations added") {
		t.Errorf("after adding the pasted list the page says %q", got)
	}
	collect(d.ctx, "pasted-recommendations")

	// Part I: a section from Word and one from LibreOffice.
	sections := []struct {
		task, clip string
		paper      []paperBlock
		field      string // the text the paste leaves in the field
		banner     []string
	}{
		{"introduction-and-background", wordClipboard(introduction), introduction,
			"The Alpha Social Media Hub is an intelligence function of the MPS.\n\n1.1. The hub was set up in June 2019.\n" +
				"1.2. The Home Office has funded it since, as PCD 545 records.\n• monitor social media;\n• disrupt gangs;\n• report to the MPS.\n\n" +
				"Item\tAmount\nPay\t£2,310,000\nOvertime\t£245,000\nTotal\t£2,555,000",
			[]string{"Introduction and background saved", "2 numbered paragraphs found: numbers kept as written",
				"3 bullet points found: shown as a list", "a table of 4 rows found"}},
		{"financial-comments", libreOfficeClipboard(financial), financial,
			"The breakdown of the grant is below.\n\n4. The proposal seeks approval to accept the grant.\n4.1. Pay is the largest cost.\n" +
				"• Pay\n• Overtime\n\nPay\t£2,310,000\nTraining and equipment\t£200,000\nTotal\t£2,755,000",
			[]string{"Financial comments saved", "2 numbered paragraphs found: numbers kept as written",
				"2 bullet points found: shown as a list", "a table of 3 rows found"}},
	}
	for _, s := range sections {
		d.step("open "+s.task, form, chromedp.Navigate(edit+"/sections/"+s.task))
		waitForScripts(t, d.ctx)
		if got := pasteHTML(t, d.ctx, "Text", s.clip, "plain text the script must not use"); got != s.field {
			t.Errorf("%s: after the paste the field holds\n%q\nwant\n%q", s.task, got, s.field)
		}
		d.step("save "+s.task, taskList, chromedp.Click(buttonNamed("Save and continue")))
		banner := run(t, d.ctx, "the banner", chromedp.Evaluate[[]string](
			`[...document.querySelectorAll('[data-testid="saved-banner"] .govuk-notification-banner__heading, [data-testid="saved-banner"] li')].map(e => e.innerText.trim())`))
		if !reflect.DeepEqual(banner, s.banner) {
			t.Errorf("%s: after saving the task list says %q, want %q", s.task, banner, s.banner)
		}
		collect(d.ctx, "pasted-task-list-"+s.task)
		// The form shows the saved text as it will be signed.
		d.step("reopen "+s.task, `[data-testid="preview"]`, chromedp.Navigate(edit+"/sections/"+s.task))
		if got := shape(t, d.ctx, `[data-testid="preview"]`, ""); !reflect.DeepEqual(got, seen(s.paper)) {
			t.Errorf("%s: the preview reads\n%q\nwant\n%q", s.task, got, seen(s.paper))
		}
		collect(d.ctx, "pasted-form-"+s.task)
	}
	axeAtWidths(t, d.ctx, "a section's form with its preview", func(int64) {
		d.step("open the financial comments", `[data-testid="preview"]`, chromedp.Navigate(edit+"/sections/financial-comments"))
	})

	d.step("check the answers", `[data-testid="submit-form"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/check"))
	for _, s := range []struct {
		id    string
		paper []paperBlock
	}{{"#check-introduction-and-background", introduction}, {"#check-financial-comments", financial}} {
		if got := shape(t, d.ctx, s.id, ""); !reflect.DeepEqual(got, seen(s.paper)) {
			t.Errorf("Check your answers %s reads\n%q\nwant\n%q", s.id, got, seen(s.paper))
		}
	}
	collect(d.ctx, "pasted-check")
	d.step("submit", `[data-testid="submitted-panel"]`, chromedp.Click(buttonNamed("Submit for sign-off")))
	stopConsole()
	closeDrafter()
	f.approve(t, slug, signoffChain...)

	// The decision maker reads what they sign, then signs it.
	dm, closeDM := atWork(t, f.URL, "dmpc@example.org")
	dm.step("open the decision", `[data-testid="signer-form"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"))
	for _, s := range []struct {
		heading string
		paper   []paperBlock
	}{{"Introduction and background", introduction}, {"Financial comments", financial}} {
		if got := shape(t, dm.ctx, `[data-testid="section"]`, s.heading); !reflect.DeepEqual(got, seen(s.paper)) {
			t.Errorf("the sign-off page's %s reads\n%q\nwant\n%q", s.heading, got, seen(s.paper))
		}
	}
	axeAtWidths(t, dm.ctx, "the sign-off page of a pasted paper", func(width int64) {
		dm.step("open the sign-off page", `[data-testid="signer-form"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"))
		fits(t, dm.ctx, "the sign-off page of a pasted paper", width)
	})
	collect(dm.ctx, "pasted-signoff")
	dm.step("declare no interest, approve, publish now, sign", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Publish now")),
		chromedp.Click(buttonNamed("Record your decision")))
	closeDM()

	// The public reads the same, and the signed bytes record it.
	v, _ := visitor(t)
	v.step("open the decision", `[data-testid="signoff-chain"]`, chromedp.Navigate(f.URL+"/decisions/"+slug))
	for _, s := range []struct {
		heading string
		paper   []paperBlock
	}{{"Introduction and background", introduction}, {"Financial comments", financial}} {
		if got := shape(t, v.ctx, `[data-testid="section"]`, s.heading); !reflect.DeepEqual(got, seen(s.paper)) {
			t.Errorf("the public page's %s reads\n%q\nwant\n%q", s.heading, got, seen(s.paper))
		}
	}
	axeAtWidths(t, v.ctx, "the public page of a pasted paper", func(width int64) {
		v.step("open the decision", `[data-testid="signoff-chain"]`, chromedp.Navigate(f.URL+"/decisions/"+slug))
		fits(t, v.ctx, "the public page of a pasted paper", width)
	})
	collect(v.ctx, "pasted-public")
	checkHTML(t, files)
	resp, err := http.Get(f.URL + "/decisions/" + slug + "/canonical")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	signed, err := decision.ReadSigned(body)
	if err != nil || signed.Version != decision.CanonicalVersion {
		t.Fatalf("the canonical bytes read as version %d, %v", signed.Version, err)
	}
	for _, want := range []string{`{"type":"numbered","number":"1.1.","text":"The hub was set up in June 2019.","items":[],"rows":[]}`,
		`"rows":[["Pay","£2,310,000"],["Training and equipment","£200,000"],["Total","£2,755,000"]]`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the canonical bytes lack %s", want)
		}
	}
	v.step("check the hash", `[data-testid="verify-result"]`, chromedp.Click(linkNamed("Check that the content matches this hash")))
	if got := v.text(); !strings.Contains(got, "Content matches") {
		t.Errorf("the verify page says %q", got)
	}
}

// seen is how a person reads a paper's blocks on the register's pages (as shape writes them).
func seen(paper []paperBlock) []string {
	var out []string
	for _, p := range paper {
		switch {
		case p.rows != nil:
			for _, r := range p.rows {
				out = append(out, "| "+strings.Join(r, " | ")+" |")
			}
		case p.items != nil:
			for _, it := range p.items {
				out = append(out, "• "+it)
			}
		case p.number != "":
			out = append(out, "¶ "+p.number+" "+p.text)
		default:
			out = append(out, "¶ "+p.text)
		}
	}
	return out
}

// fits fails the test when the page open is wider than the screen: a pasted table scrolls in
// its own box, it does not push the page sideways.
func fits(t *testing.T, ctx context.Context, name string, width int64) {
	t.Helper()
	waitForScripts(t, ctx)
	if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); int64(w) > width {
		t.Errorf("%s at %d px: scrollWidth = %d", name, width, w)
	}
}
