package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

var signoffChain = []string{"head_of_unit", "finance", "legal", "equalities", "data_protection", "chief_executive"}

// signoffFixture is a site with a drafter, an adviser per PCD step, a decision maker, and
// decisions at each stage of sign-off.
type signoffFixture struct {
	*testsite.Site
	drafter, maker store.User
	advisers       map[string]store.User
}

func newSignoffFixture(t *testing.T) *signoffFixture {
	t.Helper()
	return newSignoffFixtureWith(t, testsite.Options{})
}

func newSignoffFixtureWith(t *testing.T, o testsite.Options) *signoffFixture {
	t.Helper()
	f := &signoffFixture{Site: testsite.NewWith(t, o), advisers: map[string]store.User{}}
	f.drafter = f.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, k := range signoffChain {
		f.advisers[k] = f.User(t, strings.ReplaceAll(k, "_", "-")+"@example.org", "Adviser "+strings.ReplaceAll(k, "_", " "),
			store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}})
	}
	f.maker = f.User(t, "dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return f
}

// awaiting adds a decision awaiting sign-off, drafted by the drafter, with a Part II.
func (f *signoffFixture) awaiting(t *testing.T, number int) string {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := f.Pool.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
		VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Violence reduction grant', 'To accept a grant.', 'awaiting_signoff')
		RETURNING id`, number).Scan(&id)
	if err == nil {
		_, err = f.Pool.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES
			($1, 1, 1, 'introduction_and_background', 'Introduction', 'Why the grant is needed.'),
			($1, 2, 1, 'other', 'Confidential advice', 'Advice the public does not read.')`, id)
	}
	if err == nil {
		_, err = f.Pool.Exec(ctx, `INSERT INTO decision_drafters (decision_id, user_id) VALUES ($1, $2)`, id, f.drafter.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("pcd-%d", number)
}

func (f *signoffFixture) approve(t *testing.T, slug string, steps ...string) {
	t.Helper()
	hash := f.hash(t, slug)
	for _, k := range steps {
		if err := f.Store.Approve(context.Background(), f.advisers[k].Act(f.Clock.Now()), slug, k, hash); err != nil {
			t.Fatal(err)
		}
	}
}

// staffTab opens a tab in a browser context of its own (its own cookies), signed in as email
// through the sign-in form.
func staffTab(t *testing.T, siteURL, email string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	do(t, ctx, "sign in as "+email,
		chromedp.Navigate(siteURL+"/sign-in"),
		typeText(chromedp.CSS("#email"), email),
		typeText(chromedp.CSS("#password"), testsite.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)),
	)
	run(t, ctx, "wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
	return ctx
}

// TestSignoffInBrowser is an adviser and the decision maker at work, by the labels they read:
// the return comment box is revealed by its radio with JavaScript and simply shown without.
func TestSignoffInBrowser(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9301)
	ctx := staffTab(t, f.URL, "head-of-unit@example.org")
	stopConsole := watchConsole(t, ctx, nil)
	defer stopConsole()
	do(t, ctx, "open Your work and follow the step waiting",
		chromedp.Navigate(f.URL+"/work"),
		chromedp.Click(chromedp.CSS(`[data-testid="steps"] a`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="adviser-form"]`)),
	)
	// GOV.UK Frontend's module script hides the comment box once it has run; on a loaded machine
	// that may be after the form shows, so wait for it (the poll fails if it never happens).
	run(t, ctx, "with JavaScript the comment box is hidden until Return is chosen",
		chromedp.Poll[bool](`document.querySelector('#comment').offsetParent === null`, chromedp.WithPollingTimeout(20*time.Second)))
	do(t, ctx, "choose Approve, declare no interest and record it",
		chromedp.Click(chromedp.CSS(`label[for="decision"]`)),
		chromedp.Click(chromedp.CSS(`label[for="interests"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="adviser-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if text := pageText(t, ctx); !strings.Contains(text, "You approved this step") {
		t.Errorf("after approving the page says %q", text)
	}

	// Finance returns it, with JavaScript off: the comment box is there without it.
	fin := staffTab(t, f.URL, "finance@example.org")
	do(t, fin, "disable JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	do(t, fin, "return with a comment",
		chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"),
		chromedp.Click(chromedp.CSS(`label[for="decision-2"]`)),
		typeText(chromedp.CSS("#comment"), "Paragraph 2 does not match the funding table."),
		chromedp.Click(chromedp.CSS(`[data-testid="adviser-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	drafter := staffTab(t, f.URL, "drafter@example.org")
	do(t, drafter, "open Your work", chromedp.Navigate(f.URL+"/work"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="returned-comment"]`)))
	if got := run(t, drafter, "returned comment", chromedp.Text(chromedp.CSS(`[data-testid="returned-comment"]`))); got != "Paragraph 2 does not match the funding table." {
		t.Errorf("the drafter reads %q", got)
	}

	// The decision maker declares an interest (revealed by its radio) and signs.
	signed := f.awaiting(t, 9302)
	f.approve(t, signed, signoffChain...)
	dm := staffTab(t, f.URL, "dmpc@example.org")
	do(t, dm, "declare, approve, publish now, sign",
		chromedp.Navigate(f.URL+"/decisions/"+signed+"/signoff"),
		chromedp.Click(chromedp.CSS(`label[for="interests-2"]`)),
		chromedp.WaitVisible(chromedp.CSS("#interests-detail")),
		typeText(chromedp.CSS("#interests-detail"), "A relative works for a bidder."),
		chromedp.Click(chromedp.CSS(`label[for="outcome"]`)),
		chromedp.Click(chromedp.CSS(`label[for="publication"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="signer-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if text := pageText(t, dm); !strings.Contains(text, "You signed the decision. It is published.") {
		t.Errorf("after signing the page says %q", text)
	}
}

// TestSignoffPagesAccessible puts every staff page of sign-off, forms with errors included,
// through axe-core at 1280 and 320 px with its scripts run, signed in as the person it is for,
// the 320 px checks and the Nu Html Checker. No rule is let off on any element.
func TestSignoffPagesAccessible(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	waiting := f.awaiting(t, 9401)
	ready := f.awaiting(t, 9402)
	f.approve(t, ready, signoffChain...)
	f.approve(t, waiting, "head_of_unit")
	type staffPage struct {
		name, email, path string
		form              url.Values // posted to path when set, for the page with its errors
		open              string     // the page whose form posts there
		status            int
	}
	pages := []staffPage{
		{"work-adviser", "finance@example.org", "/work", nil, "", http.StatusOK},
		{"signoff-adviser", "finance@example.org", "/decisions/" + waiting + "/signoff", nil, "", http.StatusOK},
		{"signoff-adviser-error", "finance@example.org", "/decisions/" + waiting + "/signoff", url.Values{"step": {"finance"}}, "/decisions/" + waiting + "/signoff", http.StatusUnprocessableEntity},
		{"signoff-signer", "dmpc@example.org", "/decisions/" + ready + "/signoff", nil, "", http.StatusOK},
		{"signoff-signer-error", "dmpc@example.org", "/decisions/" + ready + "/sign",
			url.Values{"interests": {"declared"}, "outcome": {"approve"}, "publication": {"defer"}, "publish_day": {"31"}, "publish_month": {"2"}, "publish_year": {"2030"}},
			"/decisions/" + ready + "/signoff", http.StatusUnprocessableEntity},
		{"signoff-waiting", "drafter@example.org", "/decisions/" + waiting + "/signoff", nil, "", http.StatusOK},
		{"decision-staff-timeline", "drafter@example.org", "/decisions/" + waiting, nil, "", http.StatusOK},
		{"verify-unsigned", "drafter@example.org", "/decisions/" + waiting + "/verify", nil, "", http.StatusOK},
		{"work-drafter", "drafter@example.org", "/work", nil, "", http.StatusOK},
		{"account-password", "drafter@example.org", "/account/password", nil, "", http.StatusOK},
		{"account-password-error", "drafter@example.org", "/account/password", url.Values{}, "/account/password", http.StatusUnprocessableEntity},
	}
	dir := t.TempDir()
	var files []string
	clients := map[string]*http.Client{}
	tabs := map[string]context.Context{}
	for _, p := range pages {
		if clients[p.email] == nil {
			clients[p.email] = f.Client(t, p.email)
			tabs[p.email] = staffTab(t, f.URL, p.email)
		}
		var resp *http.Response
		var err error
		if p.form != nil {
			resp, err = clients[p.email].PostForm(f.URL+p.path, p.form)
		} else {
			resp, err = clients[p.email].Get(f.URL + p.path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != p.status {
			t.Errorf("%s: %s = %d, want %d", p.name, p.path, resp.StatusCode, p.status)
		}
		file := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)

		// In the browser, the same page (the error pages by submitting the empty form), as the
		// person it is for sees it, at each width.
		ctx := tabs[p.email]
		axeAtWidths(t, ctx, p.name, func(width int64) {
			if p.form == nil {
				do(t, ctx, "open "+p.path, chromedp.Navigate(f.URL+p.path))
			} else {
				do(t, ctx, "submit the form empty",
					chromedp.Navigate(f.URL+p.open),
					chromedp.Click(chromedp.CSS(`[data-testid="adviser-form"] button, [data-testid="signer-form"] button, [data-testid="password-form"] button`)),
					chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)),
				)
			}
			if width > 320 {
				return
			}
			waitForScripts(t, ctx)
			if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 320 {
				t.Errorf("%s at 320 px: scrollWidth = %d, want <= 320", p.name, w)
			}
			for _, w := range run(t, ctx, "split words", chromedp.Evaluate[[]string](wordsSplitAcrossLines)) {
				t.Errorf("%s at 320 px: %q is split across lines", p.name, w)
			}
		})
	}
	checkHTML(t, files)
}

// wordsSplitAcrossLines finds words of the page's visible text broken across two lines: a
// content hash breaks only between its groups of eight, an address only after a "/".
const wordsSplitAcrossLines = `(() => {
	const out = [];
	const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, {acceptNode: n =>
		n.parentElement.closest('svg, script, style, [hidden]') ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
	for (let n = walker.nextNode(); n; n = walker.nextNode()) {
		for (const m of n.data.matchAll(/[\p{L}\p{N}]{2,}/gu)) {
			const r = document.createRange();
			r.setStart(n, m.index);
			r.setEnd(n, m.index + m[0].length);
			const tops = new Set([...r.getClientRects()].filter(c => c.width > 0).map(c => Math.round(c.top)));
			if (tops.size > 1) out.push(m[0] + ' in ' + n.parentElement.tagName.toLowerCase());
		}
	}
	return out.slice(0, 10);
})()`

// cellsOffScreen lists the body cells of the table sel that are cut off: wider than the table's
// scroll region, or out of the viewport. Column headers, hidden on narrow screens, are not
// counted.
const cellsOffScreen = `((sel) => {
	const t = document.querySelector(sel);
	if (!t) return ['no table ' + sel];
	const box = (t.closest('.app-table-wrapper') || t.parentElement).getBoundingClientRect();
	const out = [];
	if (t.scrollWidth > Math.ceil(box.width) + 1) out.push('table ' + t.scrollWidth + 'px in ' + box.width + 'px');
	for (const c of t.querySelectorAll('tbody th, tbody td')) {
		const r = c.getBoundingClientRect();
		if (r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1 || r.right > window.innerWidth + 1)) {
			out.push(c.textContent.trim().slice(0, 30) + ' at ' + Math.round(r.left) + '-' + Math.round(r.right));
		}
	}
	return out;
})`

// TestStaffTablesFitPhones opens the tables that have more columns than a phone has room for, the
// public sign-off chain, the staff sign-off chain and the admin's list of accounts, at phone
// widths: each is stacked as cards, so no column is cut off or left to scroll sideways.
func TestStaffTablesFitPhones(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	f.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	slug := f.awaiting(t, 9601)
	f.approve(t, slug, signoffChain...)
	var id int64
	if err := f.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := f.Store.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	err = f.Store.Sign(context.Background(), f.maker.Act(f.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: f.Clock.Now(), SeenHash: decision.ApprovedHash(c)})
	if err != nil {
		t.Fatal(err)
	}
	tabs := []struct {
		ctx         context.Context
		path, table string
	}{
		{newTab(t), "/decisions/" + slug, `[data-testid="signoff-chain"]`},
		{staffTab(t, f.URL, "dmpc@example.org"), "/decisions/" + slug + "/signoff", `[data-testid="signoff-chain"]`},
		{staffTab(t, f.URL, "admin@example.org"), "/admin/users", `[data-testid="users"]`},
	}
	for _, width := range phoneWidths {
		for _, tb := range tabs {
			do(t, tb.ctx, "set viewport", chromedp.EmulateViewport(width, 800))
			do(t, tb.ctx, "open "+tb.path, chromedp.Navigate(f.URL+tb.path), chromedp.WaitVisible(chromedp.CSS(tb.table)))
			for _, cut := range run(t, tb.ctx, "cells off screen", chromedp.Evaluate[[]string](cellsOffScreen+"('"+tb.table+"')")) {
				t.Errorf("%s at %d px: %s is cut off", tb.path, width, cut)
			}
		}
	}
}

// revealState is, for each question a radio reveals (it follows the radio's item), whether the
// radio is chosen, whether the question shows, and the ARIA the radio carries.
const revealState = `JSON.stringify([...document.querySelectorAll('.govuk-radios__conditional')].map(c => {
	const r = c.previousElementSibling && c.previousElementSibling.querySelector('input[type=radio]');
	return {radio: r ? r.id : '', checked: !!r && r.checked, shown: c.offsetParent !== null,
		controls: r ? r.getAttribute('aria-controls') || '' : '', expanded: r ? r.hasAttribute('aria-expanded') : false};
}))`

type reveal struct {
	Radio    string `json:"radio"`
	Checked  bool   `json:"checked"`
	Shown    bool   `json:"shown"`
	Controls string `json:"controls"`
	Expanded bool   `json:"expanded"`
}

// reveals reads revealState and checks what holds in every state: no radio carries
// aria-expanded, which ARIA does not allow on a radio, and a radio names its question in
// aria-controls only where a script shows and hides it.
func reveals(t *testing.T, ctx context.Context, scripts bool) map[string]reveal {
	t.Helper()
	var rs []reveal
	if err := json.Unmarshal([]byte(run(t, ctx, "read the reveals", chromedp.Evaluate[string](revealState))), &rs); err != nil {
		t.Fatal(err)
	}
	out := map[string]reveal{}
	for _, r := range rs {
		if r.Radio == "" {
			t.Errorf("a question is revealed by no radio: %+v", rs)
		}
		if r.Expanded {
			t.Errorf("radio #%s carries aria-expanded", r.Radio)
		}
		if want := map[bool]string{true: r.Radio + "-conditional", false: ""}[scripts]; r.Controls != want {
			t.Errorf("radio #%s: aria-controls = %q, want %q", r.Radio, r.Controls, want)
		}
		out[r.Radio] = r
	}
	return out
}

// TestConditionalRevealByKeyboard is the decision maker answering the questions that radios
// reveal with a keyboard alone, with JavaScript (each question shows while its radio is
// chosen, and axe-core passes with them shown) and without (every question is simply there).
func TestConditionalRevealByKeyboard(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9501)
	f.approve(t, slug, signoffChain...)
	path := "/decisions/" + slug + "/signoff"
	dm := staffTab(t, f.URL, "dmpc@example.org")
	stopConsole := watchConsole(t, dm, nil)
	defer stopConsole()
	do(t, dm, "open the sign-off page", chromedp.Navigate(f.URL+path))
	waitForScripts(t, dm)
	for id, r := range reveals(t, dm, true) {
		if r.Shown {
			t.Errorf("with nothing chosen, the question of #%s shows", id)
		}
	}
	shown := func(id string) bool { t.Helper(); return reveals(t, dm, true)[id].Shown }
	arrowDown, arrowUp := string(rune(0x0301)), string(rune(0x0304)) // chromedp's kb.ArrowDown, kb.ArrowUp

	tabUntil(t, dm, "the first interests radio", func(f focused) bool { return f.ID == "interests" })
	do(t, dm, "press the down arrow", chromedp.KeyEvent(arrowDown))
	if !shown("interests-2") {
		t.Fatal("choosing 'I have an interest to declare' with the arrow key did not show its question")
	}
	tabUntil(t, dm, "the interests box", func(f focused) bool { return f.ID == "interests-detail" })
	do(t, dm, "type the interest", chromedp.KeyEvent("A relative works for a bidder."))
	do(t, dm, "go back to the radio and choose no interests",
		chromedp.KeyEvent("\t", chromedp.KeyModifiers(chromedp.ModifierShift)),
		chromedp.KeyEvent(arrowUp))
	if shown("interests-2") {
		t.Error("choosing 'I have no interests to declare' left the interest box showing")
	}
	do(t, dm, "choose the interest again", chromedp.KeyEvent(arrowDown))
	if got := run(t, dm, "interest kept", chromedp.Evaluate[string](`document.querySelector('#interests-detail').value`)); got != "A relative works for a bidder." {
		t.Errorf("the interest box holds %q after hiding and showing it", got)
	}
	tabUntil(t, dm, "the first outcome radio", func(f focused) bool { return f.ID == "outcome" })
	do(t, dm, "choose Reject with the arrow key", chromedp.KeyEvent(arrowDown))
	tabUntil(t, dm, "the first publication radio", func(f focused) bool { return f.ID == "publication" })
	do(t, dm, "choose to defer with the arrow key", chromedp.KeyEvent(arrowDown))
	rs := reveals(t, dm, true)
	for _, id := range []string{"interests-2", "outcome-2", "publication-2"} {
		if !rs[id].Checked || !rs[id].Shown {
			t.Errorf("#%s chosen by keyboard: %+v, want chosen and its question shown", id, rs[id])
		}
	}
	// With every question shown, as a person who chose them sees the page.
	for _, v := range runAxe(t, dm) {
		t.Errorf("questions shown: axe %s [%s] %s at %s", v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
	}

	// Without JavaScript every question is there from the start, and the form signs.
	nojs := staffTab(t, f.URL, "dmpc@example.org")
	do(t, nojs, "disable JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	do(t, nojs, "open the sign-off page", chromedp.Navigate(f.URL+path))
	for id, r := range reveals(t, nojs, false) {
		if !r.Shown {
			t.Errorf("without JavaScript the question of #%s is hidden", id)
		}
	}
	do(t, nojs, "declare an interest, approve, publish now and sign, by keyboard",
		chromedp.Focus(chromedp.CSS("#interests-2")), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS("#interests-detail")), chromedp.KeyEvent("A relative works for a bidder."),
		chromedp.Focus(chromedp.CSS("#outcome")), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS("#publication")), chromedp.KeyEvent(" "),
		chromedp.Focus(chromedp.CSS(`[data-testid="sign-button"]`)), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if text := pageText(t, nojs); !strings.Contains(text, "You signed the decision. It is published.") {
		t.Errorf("after signing without JavaScript the page says %q", text)
	}
}
