package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// TestCorrectionJourneyInBrowser is a drafter correcting a published decision and the decision
// maker approving it, by the words on the pages; the public then reads both versions. Then the
// decision maker withdraws another decision, which the public sees marked, out of the list,
// and still found by a search.
func TestCorrectionJourneyInBrowser(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	const reason = "The amount of the first funding line was mistyped."
	dr := staffTab(t, f.URL, "drafter@example.org")
	stopConsole := watchConsole(t, dr, nil)
	do(t, dr, "open the decision", chromedp.Navigate(f.URL+"/decisions/pcd-1682"))
	followLink(t, dr, "Correct this decision")
	do(t, dr, "start a correction from the decision's page",
		chromedp.WaitVisible(labelled("Why the decision needs correcting")),
		typeText(labelled("Why the decision needs correcting"), reason),
		chromedp.Click(buttonNamed("Start the correction")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="correction-reason"]`)),
	)
	correctAmount := func(amount string) {
		t.Helper()
		do(t, dr, "open the first funding line",
			chromedp.Click(chromedp.CSS(`[data-testid="correction-parts"] a[href$="/funding/1"]`)),
			chromedp.WaitVisible(labelled("Amount")),
		)
		// The funder and recipient fields become GOV.UK's autocomplete once its script has
		// loaded, replacing nodes; typing before then can hold a node that is gone.
		waitForScripts(t, dr)
		do(t, dr, "correct the first funding line to "+amount,
			chromedp.SetValue(labelled("Amount"), amount),
			chromedp.Click(buttonNamed("Save and continue")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="diff-added"]`)),
		)
	}
	sendForApproval := func() {
		t.Helper()
		// Each page here comes from a redirect: its scripts have run before a node of it is
		// clicked (CI once met "Could not find node with given id" on a page still settling).
		waitForScripts(t, dr)
		do(t, dr, "check the correction",
			chromedp.Click(linkNamed("Check and send for approval")),
			chromedp.WaitVisible(buttonNamed("Send for approval")),
		)
		waitForScripts(t, dr)
		do(t, dr, "send it for approval",
			chromedp.Click(buttonNamed("Send for approval")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		)
		if text := pageText(t, dr); !strings.Contains(text, "Status: Sent for approval") || strings.Contains(text, "What to correct") {
			t.Errorf("the sent correction's page: %q", text)
		}
	}
	// A slip in the correction itself: the decision maker returns it.
	correctAmount("£2,755,010")
	sendForApproval()
	stopConsole()

	dm := staffTab(t, f.URL, "dmpc@example.org")
	const comment = "The amount should be £2,755,001, not £2,755,010."
	do(t, dm, "return the correction with a comment",
		chromedp.Navigate(f.URL+"/work"),
		chromedp.Click(chromedp.CSS(`[data-testid="corrections"] a[href="/decisions/pcd-1682/correction"]`)),
		chromedp.WaitVisible(labelled("Why you are returning it")),
		typeText(labelled("Why you are returning it"), comment),
		chromedp.Click(buttonNamed("Return with a comment")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if text := pageText(t, dm); !strings.Contains(text, "Status: Returned to its drafters") {
		t.Errorf("the returned correction, to its approver: %q", text)
	}
	do(t, dr, "read the comment from Your work",
		chromedp.Navigate(f.URL+"/work"),
		chromedp.Click(chromedp.CSS(`[data-testid="own-corrections"] a[href="/decisions/pcd-1682/correction"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="return-comment"]`)),
	)
	if text := pageText(t, dr); !strings.Contains(text, "Status: Returned to its drafters") || !strings.Contains(text, comment) {
		t.Errorf("the returned correction, to its drafter: %q", text)
	}
	stopConsole = watchConsole(t, dr, nil)
	correctAmount("£2,755,001")
	sendForApproval()
	// Read by script, not by a node id: under load CI once saw the id cached before the redirect's
	// page settled ("No node with given id found").
	if added := run(t, dr, "added words", chromedp.Evaluate[string](`[...document.querySelectorAll('[data-testid="diff-added"]')].map(e => e.textContent).join(' ')`)); !strings.Contains(added, "£2,755,001") {
		t.Errorf("the correction's difference adds %q", added)
	}
	stopConsole()

	do(t, dm, "open the decision", chromedp.Navigate(f.URL+"/decisions/pcd-1682"))
	followLink(t, dm, "A correction is in progress: see it")
	do(t, dm, "approve the correction",
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve-form"]`)),
		chromedp.Click(buttonNamed("Approve and sign the correction")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="corrected"]`)),
	)

	pub := newTab(t)
	do(t, pub, "read the corrected decision", chromedp.Navigate(f.URL+"/decisions/pcd-1682"))
	text := pageText(t, pub)
	for _, want := range []string{"Corrected on", reason, "[removed: £2,755,000", "[added: £2,755,001", "Version 1", "Version 2"} {
		if !strings.Contains(text, want) {
			t.Errorf("the corrected page lacks %q", want)
		}
	}
	resp := run(t, pub, "open version 1", chromedp.NavigateResponse(f.URL+"/decisions/pcd-1682/versions/1"))
	if resp.Status != http.StatusOK || !strings.Contains(pageText(t, pub), "This is an earlier version of PCD 1682") {
		t.Errorf("version 1 = %d: %q", resp.Status, pageText(t, pub))
	}
	if !strings.Contains(pageText(t, pub), "The exact bytes that were signed hash to this value") {
		t.Error("version 1 does not check")
	}
	do(t, pub, "check the decision", chromedp.Navigate(f.URL+"/decisions/pcd-1682/verify"))
	if text := pageText(t, pub); !strings.Contains(text, "matches") {
		t.Errorf("verify after the correction: %q", text)
	}
	sigs, err := f.Store.VerifySignatures(context.Background())
	if err != nil || sigs.BadID != 0 {
		t.Errorf("VerifySignatures = %+v, %v", sigs, err)
	}
	vers, err := f.Store.VerifyVersions(context.Background())
	if err != nil || vers.Problem != "" || vers.Versions != 2 {
		t.Errorf("VerifyVersions = %+v, %v", vers, err)
	}

	do(t, dm, "withdraw PCD 1532",
		chromedp.Navigate(f.URL+"/decisions/pcd-1532"),
		chromedp.Click(linkNamed("Withdraw this decision")),
		chromedp.WaitVisible(labelled("Why the decision is withdrawn")),
		typeText(labelled("Why the decision is withdrawn"), "Replaced by a later decision."),
		chromedp.Click(buttonNamed("Continue")),
		chromedp.WaitVisible(buttonNamed("Yes, withdraw the decision")),
	)
	if text := pageText(t, dm); !strings.Contains(text, "Are you sure you want to withdraw PCD 1532?") || !strings.Contains(text, "Replaced by a later decision.") {
		t.Errorf("the withdrawal's confirmation: %q", text)
	}
	do(t, dm, "confirm the withdrawal",
		chromedp.Click(buttonNamed("Yes, withdraw the decision")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="withdrawn"]`)),
	)
	do(t, pub, "read it", chromedp.Navigate(f.URL+"/decisions/pcd-1532"))
	if text := pageText(t, pub); !strings.Contains(text, "This decision was withdrawn on") || !strings.Contains(text, "Replaced by a later decision.") {
		t.Errorf("withdrawn page: %q", text)
	}
	do(t, pub, "the list", chromedp.Navigate(f.URL+"/decisions"))
	if n := run(t, pub, "links to it", chromedp.Evaluate[int](`document.querySelectorAll('a[href="/decisions/pcd-1532"]').length`)); n != 0 {
		t.Error("the withdrawn decision is in the default list")
	}
	do(t, pub, "search", chromedp.Navigate(f.URL+"/decisions?q=county+lines"))
	if n := run(t, pub, "withdrawn tags", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="withdrawn-tag"]').length`)); n != 1 {
		t.Errorf("%d results marked withdrawn, want 1", n)
	}
}

// TestCorrectionPagesAccessible puts every page type of corrections and withdrawal, forms with
// errors included, through axe-core at 320 px and the Nu Html Checker. (The correction's part
// pages are the drafting form, and the short forms one template: one of each, with its errors.)
func TestCorrectionPagesAccessible(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ctx := context.Background()
	at := f.Clock.Now()
	// PCD 1682: corrected and then withdrawn. PCD 1532: a correction in progress.
	// mode says how far each goes: "approve", "return" (sent, then returned with a comment) or
	// "send" (waiting for approval).
	correct := func(slug string, mode string) {
		t.Helper()
		if err := f.Store.StartCorrection(ctx, f.drafter.Act(at), slug, "A figure was mistyped."); err != nil {
			t.Fatal(err)
		}
		c, err := f.Store.OpenCorrection(ctx, store.Staff(f.drafter.ID, at), slug)
		if err != nil {
			t.Fatal(err)
		}
		err = f.Store.EditCorrection(ctx, f.drafter.Act(at), slug, c.Version, "funding", func(e *store.CorrectionEdit) error {
			e.Draft.Funding[0].AmountPence += 100
			e.Draft.Summary += " Corrected."
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Store.SendCorrection(ctx, f.drafter.Act(at), slug, c.Version+1); err != nil {
			t.Fatal(err)
		}
		if mode == "return" {
			c, _ = f.Store.OpenCorrection(ctx, store.Staff(f.drafter.ID, at), slug)
			if err := f.Store.ReturnCorrection(ctx, f.maker.Act(at), slug, "Say which figure in the reason.", decision.ContentHash(c.NewContent())); err != nil {
				t.Fatal(err)
			}
		}
		if mode == "approve" {
			c, _ = f.Store.OpenCorrection(ctx, store.Staff(f.drafter.ID, at), slug)
			if _, err := f.Store.ApproveCorrection(ctx, f.maker.Act(at), slug, decision.ContentHash(c.NewContent())); err != nil {
				t.Fatal(err)
			}
		}
	}
	correct("pcd-1682", "approve")
	correct("pcd-1532", "return")
	correct("pcd-1047", "send")
	if err := f.Store.Withdraw(ctx, f.maker.Act(at), "pcd-1682", "Replaced by a later decision.", at); err != nil {
		t.Fatal(err)
	}
	// An adviser who cleared the head of unit step of PCD 9301 meets the one-step rule at finance.
	two := f.User(t, "two@example.org", "Tu Steps", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"head_of_unit", "finance"}})
	rule := f.awaiting(t, 9301)
	if err := f.Store.Approve(ctx, two.Act(at), rule, "head_of_unit", f.hash(t, rule)); err != nil {
		t.Fatal(err)
	}
	type corrPage struct {
		name, email, path string
		errors            bool // submit the form with its text cleared, for the page with its errors
		status            int
		submit            bool // fill in the withdrawal's reason and submit it, for the confirmation that follows
	}
	const c = "/decisions/pcd-1532/correction"
	pages := []corrPage{
		{"decision-corrected-withdrawn", "", "/decisions/pcd-1682", false, http.StatusOK, false},
		{"version-2", "", "/decisions/pcd-1682/versions/2", false, http.StatusOK, false},
		{"verify-corrected", "", "/decisions/pcd-1682/verify", false, http.StatusOK, false},
		{"search-withdrawn", "", "/decisions?q=social+media+hub", false, http.StatusOK, false},
		{"correction-drafter", "drafter@example.org", c, false, http.StatusOK, false},
		{"correction-funding", "drafter@example.org", c + "/funding/1", false, http.StatusOK, false},
		{"correction-check", "drafter@example.org", c + "/check", false, http.StatusOK, false},
		{"correction-approver", "dmpc@example.org", "/decisions/pcd-1047/correction", false, http.StatusOK, false},
		{"correction-return-error", "dmpc@example.org", "/decisions/pcd-1047/correction", true, http.StatusUnprocessableEntity, false},
		{"withdraw-confirm", "dmpc@example.org", "/decisions/pcd-1215/withdraw", false, http.StatusOK, true},
		{"correction-funding-error", "drafter@example.org", c + "/funding/1", true, http.StatusUnprocessableEntity, false},
		{"correction-new", "drafter@example.org", "/decisions/pcd-1215/correction/new", false, http.StatusOK, false},
		{"withdraw", "dmpc@example.org", "/decisions/pcd-1215/withdraw", false, http.StatusOK, false},
		{"withdraw-error", "dmpc@example.org", "/decisions/pcd-1215/withdraw", true, http.StatusUnprocessableEntity, false},
		{"correction-discard", "drafter@example.org", c + "/discard", false, http.StatusOK, false},
		{"work-corrections-to-approve", "dmpc@example.org", "/work", false, http.StatusOK, false},
		{"work-own-corrections", "drafter@example.org", "/work", false, http.StatusOK, false},
		{"signoff-one-step-rule", "two@example.org", "/decisions/pcd-9301/signoff", false, http.StatusOK, false},
	}
	dir := t.TempDir()
	var files []string
	tabs := map[string]context.Context{}
	clients := map[string]*http.Client{}
	for _, p := range pages {
		tab := tabs[p.email]
		if tab == nil {
			if p.email == "" {
				tab = newTab(t)
			} else {
				tab = staffTab(t, f.URL, p.email)
			}
			tabs[p.email] = tab
		}
		// At 320 px last, so the page left open for its HTML is the narrow one checked here.
		axeAtWidths(t, tab, p.name, func(width int64) {
			do(t, tab, "open "+p.path, chromedp.Navigate(f.URL+p.path))
			if p.errors {
				do(t, tab, "submit the form with its text cleared",
					chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('main form input[type=text], main form textarea').forEach(e => e.value = ''); void 0`),
					chromedp.Click(chromedp.CSS(`[data-testid="simple-form"] button[type=submit], [data-testid="draft-form"] button[value=save], [data-testid="return-form"] button[type=submit]`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)),
				)
			}
			if p.submit {
				do(t, tab, "fill in the reason and submit the form",
					chromedp.SetValue(labelled("Why the decision is withdrawn"), "Replaced by a later decision."),
					chromedp.Click(chromedp.CSS(`[data-testid="simple-form"] button[type=submit]`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid="withdraw-confirm"]`)),
				)
			}
			if width > 320 {
				return
			}
			waitForScripts(t, tab)
			if w := run(t, tab, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 320 {
				t.Errorf("%s at 320 px: scrollWidth = %d, want <= 320", p.name, w)
			}
		})
		html := run(t, tab, "the page's HTML", chromedp.Evaluate[string](`'<!DOCTYPE html>\n' + document.documentElement.outerHTML`))
		file := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		// The status, over plain HTTP (an error page's status is the form's post).
		if !p.errors && !p.submit {
			if clients[p.email] == nil {
				clients[p.email] = f.Client(t, p.email)
			}
			resp, err := clients[p.email].Get(f.URL + p.path)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != p.status {
				t.Errorf("%s: GET %s = %d, want %d", p.name, p.path, resp.StatusCode, p.status)
			}
		}
	}
	checkHTML(t, files)
}

// TestCorrectionDiscardInBrowser: the decision maker finds a correction waiting on Your work
// and follows it; its drafter finds it there too, waiting, opens it and discards it after the
// confirmation, and lands on Your work told so, with the decision as signed.
func TestCorrectionDiscardInBrowser(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ctx := context.Background()
	at := f.Clock.Now()
	const slug = "pcd-1532"
	if err := f.Store.StartCorrection(ctx, f.drafter.Act(at), slug, "A figure was mistyped."); err != nil {
		t.Fatal(err)
	}
	c, err := f.Store.OpenCorrection(ctx, store.Staff(f.drafter.ID, at), slug)
	if err != nil {
		t.Fatal(err)
	}
	signed := c.CurrentHash
	err = f.Store.EditCorrection(ctx, f.drafter.Act(at), slug, c.Version, "funding", func(e *store.CorrectionEdit) error {
		e.Draft.Funding[0].AmountPence += 100
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Store.SendCorrection(ctx, f.drafter.Act(at), slug, c.Version+1); err != nil {
		t.Fatal(err)
	}

	dm := staffTab(t, f.URL, "dmpc@example.org")
	do(t, dm, "follow the correction waiting on Your work",
		chromedp.Navigate(f.URL+"/work"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="corrections"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="corrections"] a[href="/decisions/pcd-1532/correction"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="approve-form"]`)),
	)

	dr := staffTab(t, f.URL, "drafter@example.org")
	stopConsole := watchConsole(t, dr, nil)
	do(t, dr, "open the correction from Your work",
		chromedp.Navigate(f.URL+"/work"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="own-corrections"]`)),
	)
	if text := pageText(t, dr); !strings.Contains(text, "Your correction is waiting for approval by the decision maker for PCD.") {
		t.Errorf("the drafter's Your work: %q", text)
	}
	do(t, dr, "discard it, confirming",
		chromedp.Click(chromedp.CSS(`[data-testid="own-corrections"] a[href="/decisions/pcd-1532/correction"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="discard-link"]`)),
		chromedp.Click(linkNamed("Discard the correction")),
		chromedp.WaitVisible(buttonNamed("Discard the correction")),
	)
	if text := pageText(t, dr); !strings.Contains(text, "Are you sure you want to discard this correction?") || !strings.Contains(text, "stays exactly as signed") {
		t.Errorf("the confirmation: %q", text)
	}
	do(t, dr, "confirm",
		chromedp.Click(buttonNamed("Discard the correction")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="work-flash"]`)),
	)
	if text := pageText(t, dr); !strings.Contains(text, "The correction of PCD 1532 was discarded.") || strings.Contains(text, "Your corrections in progress") {
		t.Errorf("Your work after discarding: %q", text)
	}
	stopConsole()
	var id int64
	if err := f.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	now, err := f.Store.Content(ctx, id)
	if err != nil || decision.ContentHash(now) != signed {
		t.Errorf("after discarding, the decision hashes to %s (%v), want the signed %s", decision.ContentHash(now), err, signed)
	}
}

// hash is the decision's content hash now.
func (f *signoffFixture) hash(t *testing.T, slug string) string {
	t.Helper()
	var id int64
	if err := f.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := f.Store.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return decision.ApprovedHash(c) // what the sign-off forms carry
}

// followLink goes where the link named words leads, as a click would. Clicked through the
// protocol, the link's node id was twice stale under load in CI ("No node with given id
// found"): the page had settled after the id was taken. Its address is read by script and
// navigated to, which waits for the new page as a click does not.
func followLink(t *testing.T, ctx context.Context, words string) {
	t.Helper()
	href := run(t, ctx, "find the link "+words, chromedp.Evaluate[string](fmt.Sprintf(`(() => {
		const a = document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		return a ? a.href : '';
	})()`, linkNamed(words))))
	if href == "" {
		t.Fatalf("no link named %q", words)
	}
	do(t, ctx, "follow "+words, chromedp.Navigate(href))
}
