package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestForwardPlanAlertJourney, by the labels a person reads, with the register's own delivery
// to a real SMTP server: a visitor follows "Get e-mail alerts" from the forward plan, asks for
// alerts as they happen, confirms by the link mailed to them; a notice is added and its alert
// arrives with the notice's link, which opens it; a drafter unlinks the notice from the draft
// it was linked to by mistake (refused first without a reason), which the notice's history
// shows and which alerts no one; the visitor stops the alerts by the alert's link. Each new
// page goes through axe-core at 1280 and 320 px and the Nu Html Checker.
func TestForwardPlanAlertJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	dana := ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	mail := smtptest.Start(t)
	cfg, err := notice.ParseSMTPURL(mail.URL())
	if err != nil {
		t.Fatal(err)
	}
	w := &notice.Worker{Store: ts.Store, Mailer: notice.NewSMTP(cfg, 10*time.Second, nil), From: "Decision Register <register@example.org>",
		BaseURL: ts.URL, Clock: ts.Clock.Now, Log: testsite.Logger(t)}
	deliver := func(want int) []smtptest.Message {
		t.Helper()
		before := len(mail.Messages())
		for {
			sent, err := w.DeliverOne(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !sent {
				break
			}
		}
		got := mail.Messages()[before:]
		if len(got) != want {
			t.Fatalf("delivered %d messages, want %d", len(got), want)
		}
		return got
	}
	dir := t.TempDir()
	var files []string
	save := func(name, email, path string, form url.Values) {
		t.Helper()
		c := ts.Client(t, email)
		var resp *http.Response
		var err error
		if form != nil {
			resp, err = c.PostForm(ts.URL+path, form)
		} else {
			resp, err = c.Get(ts.URL + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}

	v, _ := visitor(t)
	v.step("open the forward plan", `[data-testid="plan-follow"]`, chromedp.Navigate(ts.URL+"/forward-plan"))
	save("forward-plan-follow", "", "/forward-plan", nil)
	v.step("follow the alerts link", `[data-testid="alert-form"]`, chromedp.Click(linkNamed("Get e-mail alerts")))
	if got := v.text(); !strings.Contains(got, "the forward plan: each notice of a decision to come published, changed or withdrawn") {
		t.Errorf("the form does not say it follows the forward plan: %q", got)
	}
	axeAtWidths(t, v.ctx, "plan-alert-new", func(int64) {})
	save("plan-alert-new", "", "/alerts/new?about=forward-plan", nil)
	save("plan-alert-new-errors", "", "/alerts", url.Values{"kind": {"forward_plan"}, "email": {"reader at example.net"}})
	v.step("ask for alerts as they happen", `[data-testid="alert-asked"]`,
		typeText(labelled("Email address"), "reader@example.net"),
		chromedp.Click(labelNamed("One e-mail for each, as it happens")),
		chromedp.Click(buttonNamed("Ask for alerts")))

	confirmation := deliver(1)[0]
	text, _ := confirmation.Part("text/plain")
	link := regexp.MustCompile(regexp.QuoteMeta(ts.URL) + `/alerts/confirm/[A-Za-z0-9_-]+`).FindString(text)
	if confirmation.To[0] != "reader@example.net" || link == "" || !strings.Contains(text, "the forward plan") {
		t.Fatalf("the confirmation went to %v saying %q", confirmation.To, text)
	}
	v.step("open the confirmation link", `[data-testid="alert-confirm-form"]`, chromedp.Navigate(link))
	v.step("confirm", `[data-testid="alert-confirmed"]`, chromedp.Click(buttonNamed("Confirm alerts")))
	if got := v.text(); !strings.Contains(got, "Your alerts are on") {
		t.Errorf("after confirming the page says %q", got)
	}

	// A notice is added, linked (by mistake) to a draft the public cannot read.
	slug := testsite.AwaitingDecision(t, ts.Pool, 9701, "CONFIDENTIAL", dana.ID)
	var draftID int64
	if err := ts.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&draftID); err != nil {
		t.Fatal(err)
	}
	now := ts.Clock.Now()
	id, err := ts.Store.CreatePlanNotice(context.Background(), dana.Act(now), store.PlanNoticeInput{Series: "PCD", DecisionID: &draftID,
		Matter: "Buy a river patrol boat", MakerName: "Kaya Comer-Schwartz", MakerTitle: "Deputy Mayor for Policing and Crime",
		ExpectedFrom: now.AddDate(0, 2, 0), Documents: "Report of the Director of Commissioning", Copies: "MOPAC, 169 Union Street"})
	if err != nil {
		t.Fatal(err)
	}
	noticePath := "/forward-plan/" + strconv.FormatInt(id, 10)
	alert := deliver(1)[0]
	text, _ = alert.Part("text/plain")
	if alert.Subject() != "Forward plan: new notice, Buy a river patrol boat" || !strings.Contains(text, "A notice was added to the forward plan: “Buy a river patrol boat”.") ||
		!strings.Contains(text, ts.URL+noticePath) || strings.Contains(text, "PCD 9701") {
		t.Errorf("the alert %q says %q", alert.Subject(), text)
	}
	if alert.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Error("the alert has no one-click unsubscribe")
	}
	v.step("open the notice from the alert", `[data-testid="notice-history"]`, chromedp.Navigate(ts.URL+noticePath))
	if got := v.text(); !strings.Contains(got, "Buy a river patrol boat") {
		t.Errorf("the alert's link opens %q", got)
	}

	// The drafter unlinks it from the wrong draft.
	d, _ := staff(t, ts.URL, drafterEmail)
	d.step("open the notice", `[data-testid="notice-history"]`, chromedp.Navigate(ts.URL+noticePath))
	d.step("choose to unlink it", `[data-testid="plan-form"]`, chromedp.Click(linkNamed("Unlink from its decision")))
	axeAtWidths(t, d.ctx, "plan-notice-unlink", func(int64) {})
	d.step("unlink with no reason", `[data-testid="error-summary"]`, chromedp.Click(buttonNamed("Unlink the notice")))
	if got := d.text(); !strings.Contains(got, "Enter why the notice is unlinked") {
		t.Errorf("unlinking with no reason says %q", got)
	}
	axeAtWidths(t, d.ctx, "plan-notice-unlink-errors", func(int64) {})
	save("plan-notice-unlink", drafterEmail, noticePath+"/unlink", nil)
	save("plan-notice-unlink-errors", drafterEmail, noticePath+"/unlink", url.Values{"version": {"1"}})
	d.step("unlink with a reason", `[data-testid="flash"]`,
		typeText(labelled("Why it is unlinked"), "Linked to PCD 9701 by mistake"),
		chromedp.Click(buttonNamed("Unlink the notice")))
	if got := d.text(); !strings.Contains(got, "Version 2: unlinked from its decision by Dana Drafter") || !strings.Contains(got, "Linked to PCD 9701 by mistake") {
		t.Errorf("after unlinking the notice says %q", got)
	}
	axeAtWidths(t, d.ctx, "plan-notice-unlinked", func(int64) {})
	save("plan-notice-unlinked", "", noticePath, nil)
	deliver(0)

	stop := strings.Trim(alert.Header.Get("List-Unsubscribe"), "<>")
	v.step("open the unsubscribe link", `[data-testid="alert-stop-form"]`, chromedp.Navigate(stop))
	v.step("stop the alerts", `[data-testid="alert-stopped"]`, chromedp.Click(buttonNamed("Stop alerts")))
	var left int
	if err := ts.Pool.QueryRow(context.Background(), `SELECT count(*) FROM alert_subscriptions`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d subscriptions kept after stopping (%v), want none", left, err)
	}
	checkHTML(t, files)
}
