package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// person is one member of the public or of staff at their own browser: a browser context of
// its own in the shared Chromium, so nobody's cookies reach anyone else.
type person struct {
	t   *testing.T
	ctx context.Context
}

// visitor opens a fresh browser context, signed in as nobody. It closes when the returned
// func is called or the test ends, whichever comes first.
func visitor(t *testing.T) (*person, func()) {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	// A bound for a hung browser, not a timing: the suite's own -timeout, less a minute, as a
	// tab's (newTab). Five minutes was a race: tabs side by side on a loaded 2-core machine
	// have taken longer, each.
	ctx, cancelTimeout := context.WithDeadline(ctx, tabDeadline(t))
	stop := func() { cancelTimeout(); cancel() }
	t.Cleanup(stop)
	return &person{t: t, ctx: ctx}, stop
}

// staff opens a fresh browser context and signs in through /sign-in by its labels, landing
// where the site sends a person who asked for nothing in particular.
func staff(t *testing.T, base, email string) (*person, func()) {
	t.Helper()
	p, stop := visitor(t)
	p.step("open the sign-in page", `[data-testid="sign-in-form"]`, chromedp.Navigate(base+"/sign-in"))
	p.signIn(email, `[data-testid="account"]`)
	return p, stop
}

// atWork opens a fresh browser context at "Your work", which sends a person who has not
// signed in to the sign-in page and, once they have, back to it.
func atWork(t *testing.T, base, email string) (*person, func()) {
	t.Helper()
	p, stop := visitor(t)
	p.step("ask for Your work", `[data-testid="sign-in-form"]`, chromedp.Navigate(base+"/work"))
	p.signIn(email, `[data-testid="work-counts"]`)
	return p, stop
}

// signIn fills in the sign-in form open by its labels and waits for wait.
func (p *person) signIn(email, wait string) {
	p.t.Helper()
	p.step("sign in as "+email, wait,
		typeText(labelled("Email address"), email),
		typeText(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")))
}

// step acts on the page open and waits for the page it leads to, loaded, so the next step
// finds its elements in the document that stays. Each step's time goes to the test's log, so
// a slow journey says where.
func (p *person) step(what, wait string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	start := time.Now()
	defer func() { p.t.Logf("%5dms %s", time.Since(start).Milliseconds(), what) }()
	do(p.t, p.ctx, what, append(actions, chromedp.WaitVisible(chromedp.CSS(wait)))...)
	run(p.t, p.ctx, what+": wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
}

func (p *person) text() string { p.t.Helper(); return pageText(p.t, p.ctx) }

// chainRow is one row of a sign-off chain table as a person reads it.
type chainRow struct{ Step, State, Role, Name, Date string }

// chain reads the sign-off chain table of the page open.
func (p *person) chain() []chainRow {
	p.t.Helper()
	return run(p.t, p.ctx, "read the chain", chromedp.Evaluate[[]chainRow](`[...document.querySelectorAll('[data-testid="signoff-step"]')].map(r => {
		const c = [...r.children].map(e => e.innerText.trim());
		const tag = r.querySelector('th .govuk-tag');
		return {Step: r.querySelector('th').firstChild.textContent.trim(), State: tag ? tag.innerText.trim() : '',
			Role: c[1], Name: c[2], Date: c[3]};
	})`))
}

// journeyAdvisers are the PCD chain's advisers, in order, as the journey's users.
var journeyAdvisers = []struct{ kind, email, name, step string }{
	{"head_of_unit", "hou@example.org", "Hana Head", "Head of unit"},
	{"finance", "finance@example.org", "Fin Finance", "Finance"},
	{"legal", "legal@example.org", "Lee Legal", "Legal"},
	{"equalities", "equalities@example.org", "Eve Equalities", "Equalities"},
	{"data_protection", "dp@example.org", "Dee Data", "Data protection"},
	{"chief_executive", "ceo@example.org", "Cal Chief", "Chief executive"},
}

// TestWholeSignoffJourney is the whole life of a decision by the labels a person reads: the
// drafter writes and submits it, six advisers approve it, the decision maker signs it, and an
// anonymous visitor reads its chain and checks its hash.
func TestWholeSignoffJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, a := range journeyAdvisers {
		ts.User(t, a.email, a.name, store.Grants{Roles: []string{"adviser"}, StepKinds: []string{a.kind}})
	}
	ts.User(t, "dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	const taskList, form, list = `[data-testid="task-list"]`, `[data-testid="draft-form"]`, `[data-testid="draft-list"]`

	// The drafter. Nothing links to the start page, so they type its address.
	d, closeDrafter := staff(t, ts.URL, drafterEmail)
	stopConsole := watchConsole(t, d.ctx, nil)
	d.step("open the start page", `[data-testid="draft-new-form"]`, chromedp.Navigate(ts.URL+"/decisions/new"))
	d.step("start a decision", taskList,
		typeText(labelled("Title"), "Project Delta"),
		chromedp.Click(buttonNamed("Continue")))
	if got := d.text(); !strings.Contains(got, "PCD 1683 Project Delta") {
		t.Fatalf("after starting a decision the page says %q", got)
	}
	open := func(task string) { d.step("open "+task, form, chromedp.Click(linkNamed(task))) }
	back := func() { d.step("back to the task list", taskList, chromedp.Click(linkNamed("Back to the task list"))) }
	open("Title and summary")
	d.step("write the summary", taskList,
		typeText(labelled("Summary"), "Accept the Home Office grant for Project Delta."),
		chromedp.Click(buttonNamed("Save and continue")))
	open("Recommendations")
	d.step("add a recommendation", list,
		typeText(labelled("Add a recommendation"), "Accept grant funding of £2,755,000 from the Home Office."),
		chromedp.Click(buttonNamed("Add recommendation")))
	back()
	open("Introduction and background")
	d.step("write the introduction", taskList,
		typeText(labelled("Text"), "Project Delta continues the work of PCD 1215."),
		chromedp.Click(buttonNamed("Save and continue")))
	open("Funding")
	// The funder and recipient fields become GOV.UK's autocomplete once its script has loaded.
	waitForScripts(t, d.ctx)
	d.step("add a funding line", list,
		typeText(labelled("Amount"), "£2.755m"),
		typeText(labelled("Financial year"), "2024-25"),
		chromedp.Click(labelNamed("Grant accepted")),
		typeText(labelled("What the amount is for"), "Home Office grant"),
		typeText(labelled("Funder (optional)"), "Home Office"),
		chromedp.Click(buttonNamed("Add funding line")))
	back()
	open("Links to other decisions")
	d.step("link to PCD 1215", list,
		typeText(labelled("Decision reference"), "PCD 1215"),
		chromedp.Click(labelNamed("Continues")),
		chromedp.Click(buttonNamed("Add link")))
	back()
	open("Confidential facts and advice")
	d.step("write Part II", taskList,
		typeText(labelled("Confidential facts and advice"), "The supplier's prices."),
		typeText(labelled("Ground for withholding Part II"), "s.43"),
		typeText(labelled("Public interest note"), "Publishing the prices would harm the next tender."),
		typeText(inFieldset("Review date", "Day"), "1"),
		typeText(inFieldset("Review date", "Month"), "4"),
		typeText(inFieldset("Review date", "Year"), "2030"),
		chromedp.Click(buttonNamed("Save and continue")))
	d.step("check the answers", `[data-testid="submit-form"]`, chromedp.Click(linkNamed("Check your answers")))
	answers := d.text()
	for _, want := range []string{"£2,755,000 – Home Office grant (Grant accepted · 2024-25 · from Home Office)", "Continues PCD 1215"} {
		if !strings.Contains(answers, want) {
			t.Errorf("check your answers lacks %q", want)
		}
	}
	d.step("submit", `[data-testid="submitted-panel"]`, chromedp.Click(buttonNamed("Submit for sign-off")))
	// The confirmation names who has it next; Your work keeps it, saying where it is.
	if got := d.text(); !strings.Contains(got, "PCD 1683 sent for sign-off") || !strings.Contains(got, "It is now with the head of unit step: Hana Head.") {
		t.Errorf("after submitting the page says %q", got)
	}
	d.step("back to Your work", `[data-testid="work-counts"]`, chromedp.Click(linkNamed("Back to your work")))
	if got := d.text(); !strings.Contains(got, "Your decisions in sign-off") || !strings.Contains(got, "With the head of unit step — Hana Head — since ") {
		t.Errorf("the drafter's Your work says %q", got)
	}
	stopConsole()
	closeDrafter()

	// Each adviser in turn finds the step on Your work and approves it.
	for _, a := range journeyAdvisers {
		p, closeAdviser := atWork(t, ts.URL, a.email)
		p.step(a.name+" opens PCD 1683", `[data-testid="adviser-form"]`, chromedp.Click(linkNamed("PCD 1683")))
		if got := p.text(); !strings.Contains(got, "Your step: "+a.step) {
			t.Errorf("%s's form is not for the %s step: %q", a.name, a.step, got)
		}
		p.step(a.name+" approves", `[data-testid="flash"]`,
			chromedp.Click(labelNamed("Approve")),
			chromedp.Click(labelNamed("I have no interests to declare")),
			chromedp.Click(buttonNamed("Record your decision")))
		if got := p.text(); !strings.Contains(got, "You approved this step") {
			t.Errorf("after %s approves the page says %q", a.name, got)
		}
		closeAdviser()
	}

	// The decision maker declares no interest and signs, publishing now.
	dm, closeDM := atWork(t, ts.URL, "dmpc@example.org")
	dm.step("open PCD 1683", `[data-testid="signer-form"]`, chromedp.Click(linkNamed("PCD 1683")))
	dm.step("declare no interest, approve, publish now, sign", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Publish now")),
		chromedp.Click(buttonNamed("Record your decision")))
	if got := dm.text(); !strings.Contains(got, "You signed the decision. It is published.") {
		t.Errorf("after signing the page says %q", got)
	}
	closeDM()

	// Anyone: the chain with names and dates, and a hash they can check.
	v, _ := visitor(t)
	v.step("open PCD 1683", `[data-testid="signoff-chain"]`, chromedp.Navigate(ts.URL+"/decisions/pcd-1683"))
	today := formatDay(ts.Clock.Now())
	rows := v.chain()
	want := make([]chainRow, 0, 7)
	for _, a := range journeyAdvisers {
		want = append(want, chainRow{Step: a.step, Role: "Adviser", Name: a.name + "\nNo interests declared", Date: today})
	}
	want = append(want, chainRow{Step: "Signature", Role: "Deputy Mayor for Policing and Crime", Name: "Sophie Signer", Date: today})
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("the public chain reads\n%v\nwant\n%v", rows, want)
	}
	if strings.Contains(v.text(), "supplier's prices") {
		t.Error("the public page shows Part II")
	}
	shown := run(t, v.ctx, "content hash", chromedp.Text(chromedp.CSS(`[data-testid="content-hash"]`)))
	resp, err := http.Get(ts.URL + "/decisions/pcd-1683/canonical")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET canonical = %d, %v", resp.StatusCode, err)
	}
	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != shown {
		t.Errorf("sha256 of the canonical bytes = %s, the page shows %q", got, shown)
	}
	if strings.Contains(string(body), "supplier's prices") {
		t.Error("the canonical bytes carry Part II's text")
	}
	v.step("check the hash", `[data-testid="verify-result"]`, chromedp.Click(linkNamed("Check that the content matches this hash")))
	if got := v.text(); !strings.Contains(got, "Content matches") {
		t.Errorf("the verify page says %q", got)
	}
}

// inLondon is t on the register's calendar, London's.
func inLondon(t time.Time) time.Time {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return t.In(loc)
}

// formatDay is a date as the register's pages write it.
func formatDay(t time.Time) string { return inLondon(t).Format("2 January 2006") }

// TestEditAfterApprovalClearsIt has the drafter change the summary after the first adviser
// approved: that approval was of other words, so the step waits again.
func TestEditAfterApprovalClearsIt(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9501)
	f.approve(t, slug, "head_of_unit")
	d, _ := staff(t, f.URL, drafterEmail)
	// Nothing links a submitted decision to its task list, so the drafter types its address.
	d.step("open the task list", `[data-testid="task-list"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/edit"))
	d.step("open Title and summary", `[data-testid="draft-form"]`, chromedp.Click(linkNamed("Title and summary")))
	d.step("change the summary", `[data-testid="task-list"]`,
		chromedp.Clear(labelled("Summary")),
		typeText(labelled("Summary"), "To accept a larger grant."),
		chromedp.Click(buttonNamed("Save and continue")))
	d.step("open the sign-off page", `[data-testid="signoff-chain"]`, chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"))
	rows := d.chain()
	if len(rows) == 0 || rows[0].Step != "Head of unit" || rows[0].State != "Waiting" || rows[0].Name != "" {
		t.Errorf("after the edit the first step reads %+v, want Head of unit waiting with no name", rows)
	}
	if got := d.text(); !strings.Contains(got, "Cleared by an edit on") {
		t.Errorf("the history does not say the approval was cleared: %q", got)
	}
}

// TestDeferredDecisionAppearsAtItsDate signs a decision for publication tomorrow: the public
// cannot see it until the site's clock passes that day, and then can, with no restart.
func TestDeferredDecisionAppearsAtItsDate(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9502)
	f.approve(t, slug, signoffChain...)
	tomorrow := inLondon(f.Clock.Now()).AddDate(0, 0, 1)
	dm, _ := atWork(t, f.URL, "dmpc@example.org")
	dm.step("open PCD 9502", `[data-testid="signer-form"]`, chromedp.Click(linkNamed("PCD 9502")))
	dm.step("sign, publishing tomorrow", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Defer publication until a date")),
		typeText(labelled("Day"), tomorrow.Format("2")),
		typeText(labelled("Month"), tomorrow.Format("1")),
		typeText(labelled("Year"), tomorrow.Format("2006")),
		typeText(labelled("Why publication is deferred"), "The grant is announced tomorrow."),
		typeText(labelled("Ground for deferring publication"), "s.22"),
		typeText(labelled("Public interest note"), "The funder announces the grant first."),
		chromedp.Click(buttonNamed("Record your decision")))
	got := dm.text()
	for _, want := range []string{"It will be published on " + formatDay(tomorrow), "Publication deferred until"} {
		if !strings.Contains(got, want) {
			t.Errorf("after signing the page lacks %q: %q", want, got)
		}
	}

	v, _ := visitor(t)
	v.step("open the decision", "h1", chromedp.Navigate(f.URL+"/decisions/"+slug))
	if h := run(t, v.ctx, "heading", chromedp.Text(chromedp.CSS("h1"))); h != "Decision not found" {
		t.Errorf("before its date the public read %q, want Decision not found", h)
	}
	f.Clock.Advance(48 * time.Hour)
	// Reload waits for the new page to load, so a 404 fails at once rather than at a timeout.
	v.step("open the decision again", "h1", chromedp.Reload())
	if got := v.text(); !strings.Contains(got, "Violence reduction grant") || !strings.Contains(got, "Sophie Signer") {
		t.Errorf("after its date the public page says %q", got)
	}
}
