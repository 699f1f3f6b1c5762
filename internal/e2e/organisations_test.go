package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// optionNamed is an autocomplete's suggestion, by its words.
func optionNamed(words string) string {
	return fmt.Sprintf(`//li[@role="option" and normalize-space(.)=%q]`, words)
}

// TestOrganisationPicker adds a funding line by visible labels, choosing the funder from the
// register's organisations as you type and naming a recipient it does not know, which the
// picker says will be added; without JavaScript the same fields are plain text fields and the
// same line is saved. Either way the known funder is the Home Office the register holds, and
// the new recipient is added once, audited under the drafter's name.
func TestOrganisationPicker(t *testing.T) {
	t.Parallel()
	for _, js := range []bool{true, false} {
		name := "with JavaScript"
		if !js {
			name = "without JavaScript"
		}
		t.Run(name, func(t *testing.T) {
			ts, slug := newDraftSite(t)
			ctx := newTab(t)
			stopConsole := watchConsole(t, ctx, nil)
			defer stopConsole()
			signInDrafter(t, ctx, ts.URL, drafterEmail)
			if !js {
				do(t, ctx, "disable JavaScript", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
			}
			do(t, ctx, "open the funding form", chromedp.Navigate(ts.URL+"/decisions/"+slug+"/edit/funding"),
				chromedp.WaitVisible(labelled("Funder (optional)")))
			role := `document.getElementById('funder').getAttribute('role') || ''`
			if js {
				waitForScripts(t, ctx)
				if got := run(t, ctx, "funder's role", chromedp.Evaluate[string](role)); got != "combobox" {
					t.Fatalf("with JavaScript the funder field's role is %q, want combobox", got)
				}
				do(t, ctx, "type part of a known funder and choose it",
					chromedp.SendKeys(labelled("Funder (optional)"), "home"),
					chromedp.WaitVisible(optionNamed("Home Office")),
					chromedp.Click(optionNamed("Home Office")))
				if got := run(t, ctx, "funder", chromedp.Evaluate[string](`document.getElementById('funder').value`)); got != "Home Office" {
					t.Errorf("after choosing, the funder field holds %q", got)
				}
				do(t, ctx, "type a recipient the register does not know",
					chromedp.SendKeys(labelled("Recipient (optional)"), "Gamma Trust"),
					chromedp.WaitVisible(optionNamed("Not in the register: it will be added as a new organisation when you save")),
					chromedp.KeyEvent("\x1b")) // Escape closes the list
			} else {
				if got := run(t, ctx, "funder's role", chromedp.Evaluate[string](role)); got != "" {
					t.Errorf("without JavaScript the funder field's role is %q, want a plain text field", got)
				}
				do(t, ctx, "type the funder and recipient",
					chromedp.SendKeys(labelled("Funder (optional)"), "home office"),
					chromedp.SendKeys(labelled("Recipient (optional)"), "Gamma Trust"))
			}
			hint := run(t, ctx, "recipient's hint", chromedp.Evaluate[string](`document.getElementById('recipient-hint').textContent`))
			if !strings.Contains(hint, "A name it does not know is added as a new organisation when you save, recorded in the audit trail under your name") {
				t.Errorf("the recipient's hint does not say what becomes of a new name: %q", hint)
			}
			if got := run(t, ctx, "recipient described by", chromedp.Evaluate[string](`document.getElementById('recipient').getAttribute('aria-describedby') || ''`)); !strings.Contains(got, "recipient-hint") {
				t.Errorf("the recipient field is described by %q, want its hint", got)
			}
			do(t, ctx, "fill in and add the funding line",
				chromedp.SendKeys(labelled("Amount"), "£50,000"),
				chromedp.SendKeys(labelled("Financial year"), "2025-26"),
				chromedp.Click(labelNamed("Grant accepted")),
				chromedp.SendKeys(labelled("What the amount is for"), "Gamma grant"),
				chromedp.Click(buttonNamed("Add funding line")),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="draft-list"]`)))
			if got := pageText(t, ctx); !strings.Contains(got, "from Home Office · to Gamma Trust") {
				t.Errorf("the funding lines say %q", got)
			}
			var funder, recipient string
			var orgs, audits int
			err := ts.Pool.QueryRow(context.Background(), `
SELECT fo.name, ro.name, (SELECT count(*) FROM organisations),
	(SELECT count(*) FROM audit_log WHERE event = 'organisation_added' AND actor = 'Dana Drafter' AND detail::jsonb->>'organisation' = 'Gamma Trust')
FROM funding_lines f JOIN decisions d ON d.id = f.decision_id
JOIN organisations fo ON fo.id = f.funder_id JOIN organisations ro ON ro.id = f.recipient_id WHERE d.slug = $1`, slug).
				Scan(&funder, &recipient, &orgs, &audits)
			if err != nil {
				t.Fatal(err)
			}
			if funder != "Home Office" || recipient != "Gamma Trust" || orgs != 3 || audits != 1 {
				t.Errorf("saved funder %q, recipient %q, %d organisations, %d audit entries; want Home Office, Gamma Trust, 3, 1",
					funder, recipient, orgs, audits)
			}
		})
	}
}
