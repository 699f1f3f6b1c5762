package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestStepUpKeepsTheAnswersInBrowser: a decision maker whose second factor is more than 15
// minutes old fills in the sign-off form (an interest declared, a rejection with its reason),
// presses the button, is asked to confirm who they are, gives their code, and comes back to the
// form with everything they typed, by its labels; nothing is recorded until they press the
// button again. The page with the kept answers goes through axe-core and the Nu Html Checker.
func TestStepUpKeepsTheAnswersInBrowser(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	slug := f.awaiting(t, 9351)
	f.approve(t, slug, signoffChain...)
	secret, _, err := auth.NewTOTPKey("Decision Register", f.maker.Email)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, hashes := auth.NewRecoveryCodes()
	if err := f.Store.SetTOTP(ctx, f.maker.Act(f.Clock.Now()), f.maker.ID, secret, 0, hashes); err != nil {
		t.Fatal(err)
	}
	dm := newTab(t)
	stopConsole := watchConsole(t, dm, nil)
	defer stopConsole()
	code, _ := auth.TOTPCode(secret, f.Clock.Now())
	do(t, dm, "sign in with a password and a code",
		chromedp.Navigate(f.URL+"/sign-in?next=%2Fwork"),
		typeText(labelled("Email address"), f.maker.Email),
		typeText(labelled("Password"), testsite.Password),
		chromedp.Click(buttonNamed("Sign in")),
		chromedp.WaitVisible(labelled("Code")),
		typeText(labelled("Code"), code),
		chromedp.Click(buttonNamed("Continue")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)),
	)
	f.Clock.Advance(16 * time.Minute)

	detail, reason := "My sister chairs one of the bidders.", "The costs in Part II are not explained."
	do(t, dm, "fill in the sign-off form and press the button",
		chromedp.Navigate(f.URL+"/decisions/"+slug+"/signoff"),
		chromedp.Click(labelNamed("I have an interest to declare")),
		chromedp.WaitVisible(labelled("The interests you declare")),
		typeText(labelled("The interests you declare"), detail),
		chromedp.Click(labelNamed("Reject")),
		chromedp.WaitVisible(labelled("Why you are rejecting it")),
		typeText(labelled("Why you are rejecting it"), reason),
		chromedp.Click(buttonNamed("Record your decision")),
		chromedp.WaitVisible(buttonNamed("Confirm")),
	)
	if text := pageText(t, dm); !strings.Contains(text, "Confirm it is you") || strings.Contains(text, reason) {
		t.Fatalf("after pressing the button the page says %q, want the step-up without the answers", text)
	}
	f.Clock.Advance(30 * time.Second)
	code, _ = auth.TOTPCode(secret, f.Clock.Now())
	do(t, dm, "give the code",
		typeText(labelled("Code"), code[:3]+" "+code[3:]),
		chromedp.Click(buttonNamed("Confirm")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="kept-answers"]`)),
	)
	var signed int
	if err := f.Pool.QueryRow(ctx, `SELECT count(*) FROM signatures s JOIN decisions d ON d.id = s.decision_id WHERE d.slug = $1`, slug).Scan(&signed); err != nil || signed != 0 {
		t.Fatalf("%d signatures after confirming (%v), want none until the button is pressed again", signed, err)
	}
	for label, want := range map[string]string{"The interests you declare": detail, "Why you are rejecting it": reason} {
		if got := run(t, dm, "read "+label, chromedp.Value(labelled(label))); got != want {
			t.Errorf("%s holds %q after the step-up, want %q", label, got, want)
		}
	}
	for _, label := range []string{"I have an interest to declare", "Reject"} {
		if !run(t, dm, "is "+label+" chosen", chromedp.Evaluate[bool](`document.evaluate(`+strconv.Quote(labelled(label))+`, document, null, 9, null).singleNodeValue.checked`)) {
			t.Errorf("%q is not chosen after the step-up", label)
		}
	}
	dir := t.TempDir()
	axeAtWidths(t, dm, "signoff-kept-answers", func(int64) {}) // given back once: the page stays, narrowed
	file := filepath.Join(dir, "signoff-kept-answers.html")
	html := run(t, dm, "the page's HTML", chromedp.Evaluate[string](`'<!DOCTYPE html>\n' + document.documentElement.outerHTML`))
	if err := os.WriteFile(file, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	do(t, dm, "press the button again", chromedp.EmulateViewport(1280, 900),
		chromedp.Click(buttonNamed("Record your decision")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
	)
	if text := pageText(t, dm); !strings.Contains(text, "You rejected the decision.") {
		t.Errorf("after pressing the button again the page says %q", text)
	}
	if rec, err := f.Store.SignoffChain(ctx, store.Staff(f.maker.ID, f.Clock.Now()), slug); err != nil || rec.Signature == nil ||
		rec.RejectionReason == nil || *rec.RejectionReason != reason {
		t.Errorf("the rejection recorded is %+v, %v; want the reason typed before the step-up", rec.Signature, err)
	}
	checkHTML(t, []string{file})
}
