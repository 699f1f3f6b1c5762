package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

const drafterEmail = "drafter@example.org"

// draftPage is one kind of drafting page, reached by a signed-in drafter: open it, or for a
// form with errors or a refused save, open its form and press its button.
type draftPage struct {
	name   string
	path   string
	button string // when set, pressed on the page at path; the result is checked
	want   string // a selector the page shows
	status int    // for the HTML check, which makes the same request over HTTP
	form   url.Values
}

func draftPages(slug string) []draftPage {
	edit := "/decisions/" + slug + "/edit"
	save := `[data-testid="draft-form"] button[value="save"]`
	errs := `[data-testid="error-summary"]`
	return []draftPage{
		{name: "draft-new", path: "/decisions/new", want: `[data-testid="draft-new-form"]`, status: 200},
		{name: "draft-new-error", path: "/decisions/new", button: `[data-testid="draft-new-form"] button`, want: errs,
			status: 422, form: url.Values{"series": {"PCD"}}},
		{name: "draft-task-list", path: edit, want: `[data-testid="task-list"]`, status: 200},
		{name: "draft-title", path: edit + "/title", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-recommendations", path: edit + "/recommendations", want: `[data-testid="draft-list"]`, status: 200},
		{name: "draft-recommendation-change", path: edit + "/recommendations?change=1", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-section", path: edit + "/sections/legal-comments", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-part-two", path: edit + "/part-two", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-funding-error", path: edit + "/funding", button: save, want: errs,
			status: 422, form: url.Values{"action": {"save"}, "amount": {"lots"}}},
		{name: "draft-links", path: edit + "/links", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-documents", path: edit + "/documents", want: `[data-testid="draft-form"]`, status: 200},
		{name: "draft-documents-error", path: edit + "/documents", button: save, want: errs,
			status: 422, form: url.Values{"action": {"save"}}},
		{name: "draft-check", path: "/decisions/" + slug + "/check", want: `[data-testid="submit-form"]`, status: 200},
		{name: "draft-check-error", path: "/decisions/" + slug + "/check", button: `[data-testid="submit-form"] button`, want: errs,
			status: 422},
	}
}

// newDraftSite is a site with a drafter and a draft that has a recommendation but no summary,
// so the check page has something to refuse.
func newDraftSite(t *testing.T) (*testsite.Site, string) {
	t.Helper()
	ts := testsite.New(t)
	u := ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	ctx := context.Background()
	slug, err := ts.Store.CreateDraft(ctx, u.Act(ts.Clock.Now()), "PCD", "Project Beta")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store.SetRecommendations(ctx, u.Act(ts.Clock.Now()), slug, store.Base{Version: 1}, []string{"Accept the grant.", "Publish the decision."}); err != nil {
		t.Fatal(err)
	}
	return ts, slug
}

// signInDrafter signs the tab in through the sign-in page and lands on a drafting page.
func signInDrafter(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	do(t, ctx, "sign in as "+email,
		// Straight to a drafting page: the staff home page is another piece of work.
		chromedp.Navigate(base+"/sign-in?next=/decisions/new"),
		typeText(chromedp.CSS("#email"), email),
		typeText(chromedp.CSS("#password"), testsite.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)),
	)
	run(t, ctx, "wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
}

// TestDraftPagesPassAxe checks every drafting page type with axe-core, at full width and at
// 320 px, where nothing may be wider than the screen.
func TestDraftPagesPassAxe(t *testing.T) {
	t.Parallel()
	ts, slug := newDraftSite(t)
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		return strings.HasPrefix(m.Text, "Failed to load resource") && (strings.Contains(m.Text, "422") || strings.Contains(m.Text, "409"))
	})
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	pages := append(draftPages(slug), draftPage{name: "draft-conflict", path: "/decisions/" + slug + "/edit/title"})
	for _, p := range pages {
		for _, width := range []int64{1280, 320} {
			do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 900))
			do(t, ctx, "open "+p.path, chromedp.Navigate(ts.URL+p.path))
			switch {
			case p.name == "draft-conflict":
				// Someone else saves first; this browser's save is then refused.
				v := run(t, ctx, "version", chromedp.Evaluate[string](`document.querySelector('[data-testid="draft-form"] input[name="version"]').value`))
				saveTitleElsewhere(t, ts, slug, v)
				do(t, ctx, "save a stale form",
					typeText(chromedp.CSS("#summary"), "My own summary"),
					chromedp.Click(chromedp.CSS(`[data-testid="draft-form"] button[value="save"]`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid="conflict"]`)))
			case p.button != "":
				do(t, ctx, "press "+p.button, chromedp.Click(chromedp.CSS(p.button)), chromedp.WaitVisible(chromedp.CSS(p.want)))
			default:
				do(t, ctx, "see "+p.want, chromedp.WaitVisible(chromedp.CSS(p.want)))
			}
			for _, v := range runAxe(t, ctx) {
				t.Errorf("%s at %d px: axe %s [%s] %s at %s", p.name, width, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
			}
			if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); int64(w) > width {
				t.Errorf("%s at %d px: scrollWidth = %d", p.name, width, w)
			}
		}
	}
}

// saveTitleElsewhere is a second person saving the title over the version a form holds.
func saveTitleElsewhere(t *testing.T, ts *testsite.Site, slug, version string) {
	t.Helper()
	u, err := ts.Store.UserByEmail(context.Background(), drafterEmail)
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.Atoi(version)
	if err != nil {
		t.Fatal(err)
	}
	// A summary of its own each time: a save that changes nothing is no edit, and would leave
	// the form current.
	summary := "Their summary, saved over version " + version + "."
	if err := ts.Store.SetTitleSummary(context.Background(), u.Act(ts.Clock.Now()), slug, store.Base{Version: v}, "Project Beta", summary); err != nil {
		t.Fatal(err)
	}
}

// TestDraftPagesAreValidHTML checks the HTML the server sends for every drafting page type
// with the Nu Html Checker.
func TestDraftPagesAreValidHTML(t *testing.T) {
	t.Parallel()
	ts, slug := newDraftSite(t)
	c := ts.Client(t, drafterEmail)
	dir := t.TempDir()
	var files []string
	for _, p := range draftPages(slug) {
		var resp *http.Response
		var err error
		if p.button == "" {
			resp, err = c.Get(ts.URL + p.path)
		} else {
			form := p.form
			if form == nil {
				form = url.Values{}
			}
			if !strings.HasPrefix(p.path, "/decisions/new") {
				form.Set("version", currentVersion(t, ts, slug))
			}
			target := p.path
			if strings.HasSuffix(p.path, "/check") {
				target = "/decisions/" + slug + "/submit"
			}
			resp, err = c.PostForm(ts.URL+target, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != p.status {
			t.Errorf("%s: %s = %d, want %d", p.name, p.path, resp.StatusCode, p.status)
		}
		f := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	checkHTML(t, files)
	t.Logf("Nu Html Checker: %d drafting pages", len(files))
}

func currentVersion(t *testing.T, ts *testsite.Site, slug string) string {
	t.Helper()
	var v string
	if err := ts.Pool.QueryRow(context.Background(), `SELECT version::text FROM decisions WHERE slug = $1`, slug).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// By the words a person reads: the control a label names, a button, a link.
func labelled(label string) string {
	return fmt.Sprintf(`//*[@id=//label[normalize-space(.)=%q]/@for]`, label)
}
func labelNamed(label string) string  { return fmt.Sprintf(`//label[normalize-space(.)=%q]`, label) }
func buttonNamed(words string) string { return fmt.Sprintf(`//button[normalize-space(.)=%q]`, words) }
func linkNamed(words string) string   { return fmt.Sprintf(`//a[normalize-space(.)=%q]`, words) }

// TestDraftingJourney is the drafter's half of the whole journey, by the labels a person
// reads: start a decision, fill in each part, check the answers, submit it for sign-off.
func TestDraftingJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, nil)
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	// Each step acts on one page and ends on the page it leads to, loaded, so the next step
	// finds its elements in the document that stays.
	step := func(what, wait string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		do(t, ctx, what, append(actions, chromedp.WaitVisible(chromedp.CSS(wait)))...)
		run(t, ctx, what+": wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
	}
	const taskList, form, list = `[data-testid="task-list"]`, `[data-testid="draft-form"]`, `[data-testid="draft-list"]`
	open := func(task string) { step("open "+task, form, chromedp.Click(linkNamed(task))) }
	back := func() { step("back to the task list", taskList, chromedp.Click(linkNamed("Back to the task list"))) }

	step("start a decision", taskList,
		typeText(labelled("Title"), "Project Gamma"),
		chromedp.Click(buttonNamed("Continue")))
	if got := pageText(t, ctx); !strings.Contains(got, "PCD 1683 Project Gamma") {
		t.Fatalf("after starting a decision the page says %q", got)
	}
	open("Title and summary")
	step("write the summary", taskList,
		typeText(labelled("Summary"), "Accept the Home Office grant for Project Gamma."),
		chromedp.Click(buttonNamed("Save and continue")))
	open("Recommendations")
	step("add a recommendation", list,
		typeText(labelled("Add a recommendation"), "Accept grant funding of £2,755,000 from the Home Office."),
		chromedp.Click(buttonNamed("Add recommendation")))
	back()
	open("Introduction and background")
	step("write the introduction", taskList,
		typeText(labelled("Text"), "Project Gamma continues Project Alpha."),
		chromedp.Click(buttonNamed("Save and continue")))
	open("Funding")
	// The funder and recipient fields become GOV.UK's autocomplete once its script has loaded.
	waitForScripts(t, ctx)
	step("add a funding line", list,
		typeText(labelled("Amount"), "£2.755m"),
		typeText(labelled("Financial year"), "2024-25"),
		chromedp.Click(labelNamed("Grant accepted")),
		typeText(labelled("What the amount is for"), "Home Office grant"),
		typeText(labelled("Funder (optional)"), "Home Office"),
		chromedp.Click(buttonNamed("Add funding line")))
	back()
	open("Links to other decisions")
	step("link to PCD 1682", list,
		typeText(labelled("Decision reference"), "pcd 1682"),
		chromedp.Click(labelNamed("Continues")),
		chromedp.Click(buttonNamed("Add link")))
	back()
	open("Confidential facts and advice")
	step("write Part II", taskList,
		typeText(labelled("Confidential facts and advice"), "The supplier's prices."),
		typeText(labelled("Ground for withholding Part II"), "s.43"),
		typeText(labelled("Public interest note"), "Publishing the prices would harm the next tender."),
		typeText(inFieldset("Review date", "Day"), "1"),
		typeText(inFieldset("Review date", "Month"), "4"),
		typeText(inFieldset("Review date", "Year"), "2030"),
		chromedp.Click(buttonNamed("Save and continue")))
	step("check the answers", `[data-testid="submit-form"]`, chromedp.Click(linkNamed("Check your answers")))
	answers := pageText(t, ctx)
	for _, want := range []string{"Accept the Home Office grant for Project Gamma.", "Accept grant funding of £2,755,000 from the Home Office.",
		"Project Gamma continues Project Alpha.", "£2,755,000 – Home Office grant (Grant accepted · 2024-25 · from Home Office)",
		"Continues PCD 1682: Alpha", "The supplier's prices."} {
		if !strings.Contains(answers, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	step("submit", `[data-testid="submitted-panel"]`, chromedp.Click(buttonNamed("Submit for sign-off")))
	st, err := ts.Store.SignoffState(context.Background(), "pcd-1683")
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "awaiting_signoff" {
		t.Errorf("after submitting: status %s, want awaiting_signoff", st.Status)
	}
	resp, err := http.Get(ts.URL + "/decisions/pcd-1683")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the public GET /decisions/pcd-1683 = %d, want 404", resp.StatusCode)
	}
}

// TestDraftKeyboard reaches the end of the task list and of the longest form by Tab alone,
// with focus visible at every stop.
func TestDraftKeyboard(t *testing.T) {
	t.Parallel()
	ts, slug := newDraftSite(t)
	ctx := newTab(t)
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	do(t, ctx, "open the task list", chromedp.Navigate(ts.URL+"/decisions/"+slug+"/edit"))
	tabUntil(t, ctx, "Check your answers", func(f focused) bool { return f.Href == "/decisions/"+slug+"/check" })
	do(t, ctx, "open the funding form", chromedp.Navigate(ts.URL+"/decisions/"+slug+"/edit/funding"))
	tabUntil(t, ctx, "the Add funding line button", func(f focused) bool { return f.Tag == "BUTTON" && f.Text == "Add funding line" })
}

// TestDocumentUploadJourney attaches documents as a drafter does, in the browser: a file of
// another type named .pdf, one over the limit and an empty one are each refused with a message
// by the file field, the name kept, on a page that passes axe; a real PDF is attached, listed
// and removed.
func TestDocumentUploadJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.NewWith(t, testsite.Options{DocumentMaxBytes: 64 << 10})
	u := ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	slug, err := ts.Store.CreateDraft(context.Background(), u.Act(ts.Clock.Now()), "PCD", "Project Delta")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := func(name string, body []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pdf, err := os.ReadFile("../document/testdata/business-case.pdf")
	if err != nil {
		t.Fatal(err)
	}
	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		return strings.HasPrefix(m.Text, "Failed to load resource") && strings.Contains(m.Text, "422")
	})
	defer stopConsole()
	signInDrafter(t, ctx, ts.URL, drafterEmail)
	// Each step marks the page it starts on, then waits for a page without the mark: an error
	// page follows an error page here, and its error summary is already visible on the old one.
	step := func(what, wait string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		actions = append([]chromedp.Action[chromedp.Void]{chromedp.Evaluate[chromedp.Void](`document.documentElement.dataset.left = "yes"`)}, actions...)
		do(t, ctx, what, actions...)
		// While the next page loads, evaluating fails (the document is gone): try again.
		// The tab's own bound (the suite's -timeout) stops a page that never loads.
		for ; ; time.Sleep(50 * time.Millisecond) {
			left, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && !document.documentElement.dataset.left`))
			if err == nil && left {
				break
			}
			if ctx.Err() != nil {
				t.Fatalf("%s: the next page never loaded (%v)", what, err)
			}
		}
		do(t, ctx, what+": see "+wait, chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	step("open the task list", `[data-testid="task-list"]`, chromedp.Navigate(ts.URL+"/decisions/"+slug+"/edit"))
	step("open supporting documents", `[data-testid="draft-form"]`, chromedp.Click(linkNamed("Supporting documents")))

	for _, tt := range []struct{ what, name, path, want string }{
		{"another type named .pdf", "Photo of the site", file("photo.pdf", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")),
			"The selected file’s name ends in .pdf but its content is not that type of file"},
		{"over the limit", "All the figures", file("big.csv", []byte(strings.Repeat("borough,amount\n", 5000))), "The selected file must be 64 KB or smaller"},
		{"empty", "Nothing at all", file("empty.pdf", nil), "The selected file is empty"},
	} {
		step("attach a file "+tt.what, `[data-testid="error-summary"]`,
			chromedp.Evaluate[chromedp.Void](`document.querySelector('#name').value = ''`),
			typeText(labelled("Name"), tt.name),
			chromedp.SetUploadFiles(labelled("Upload a file"), []string{tt.path}),
			chromedp.Click(buttonNamed("Attach document")))
		if got := run(t, ctx, "file error", chromedp.Evaluate[string](`document.querySelector('#file-error').innerText`)); !strings.Contains(got, tt.want) {
			t.Errorf("a file %s: error by the file field %q, want %q", tt.what, got, tt.want)
		}
		if got := run(t, ctx, "name kept", chromedp.Evaluate[string](`document.querySelector('#name').value`)); got != tt.name {
			t.Errorf("a file %s: the name field holds %q, want %q kept", tt.what, got, tt.name)
		}
		if got := run(t, ctx, "summary link", chromedp.Evaluate[string](`document.querySelector('[data-testid="error-summary"] a').getAttribute('href')`)); got != "#file" {
			t.Errorf("a file %s: the error summary links to %q, want #file", tt.what, got)
		}
		for _, v := range runAxe(t, ctx) {
			t.Errorf("a file %s: axe %s [%s] %s at %s", tt.what, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		}
	}
	step("attach the business case", `[data-testid="draft-list"]`,
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#name').value = ''`),
		typeText(labelled("Name"), "Business case for Project Delta"),
		chromedp.SetUploadFiles(labelled("Upload a file"), []string{file("scan0001.pdf", pdf)}),
		chromedp.Click(buttonNamed("Attach document")))
	if got := pageText(t, ctx); !strings.Contains(got, "Business case for Project Delta PDF, 819 bytes") {
		t.Errorf("after attaching, the page says %q", got)
	}
	docs, err := ts.Store.Documents(context.Background(), store.Staff(u.ID, ts.Clock.Now()), slug)
	if err != nil || len(docs) != 1 || docs[0].Size != int64(len(pdf)) || docs[0].MediaType != "application/pdf" {
		t.Fatalf("documents after the upload = %+v, %v", docs, err)
	}
	step("remove it", `[data-testid="draft-list-empty"]`, chromedp.Click(buttonNamed("Remove document Business case for Project Delta")))
}
