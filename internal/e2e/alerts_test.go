package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestAlertJourney, by the labels a person reads, with the register's own delivery to a real
// SMTP server: a visitor searches, follows "Get e-mail alerts for this search", is refused a
// malformed address by its field, asks for a daily summary, confirms by the link mailed to
// them, gets the day's summary of two decisions published, and stops the alerts by its link.
// Each new page goes through axe-core at 1280 and 320 px and the Nu Html Checker.
func TestAlertJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
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
	save := func(name string, fetch func() (*http.Response, error)) {
		t.Helper()
		resp, err := fetch()
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
	v.step("search for social media", `[data-testid="search-alerts"]`, chromedp.Navigate(ts.URL+"/decisions?q=social+media"))
	v.step("follow the alerts link", `[data-testid="alert-form"]`, chromedp.Click(linkNamed("Get e-mail alerts for this search")))
	axeAtWidths(t, v.ctx, "alert-new", func(int64) {})
	save("alert-new", func() (*http.Response, error) { return http.Get(ts.URL + "/alerts/new?search=q%3Dsocial%2Bmedia") })
	save("alert-new-decision", func() (*http.Response, error) { return http.Get(ts.URL + "/alerts/new?decision=pcd-1682") })
	v.step("ask with a malformed address", `[data-testid="error-summary"]`,
		typeText(labelled("Email address"), "reader at example.net"),
		chromedp.Click(labelNamed("One e-mail a day, summarising them")),
		chromedp.Click(buttonNamed("Ask for alerts")))
	if got := v.text(); !strings.Contains(got, "Enter an email address in the correct format") {
		t.Errorf("the malformed address is not refused by its field: %q", got)
	}
	axeAtWidths(t, v.ctx, "alert-new-errors", func(int64) {})
	save("alert-new-errors", func() (*http.Response, error) {
		return http.PostForm(ts.URL+"/alerts", url.Values{"kind": {"search"}, "search": {"/decisions?min=lots"}, "email": {"reader at example.net"}})
	})
	v.step("ask with the address corrected", `[data-testid="alert-asked"]`,
		chromedp.SetValue(labelled("Email address"), "reader@example.net"),
		chromedp.Click(buttonNamed("Ask for alerts")))
	axeAtWidths(t, v.ctx, "alert-asked", func(int64) {})
	save("alert-asked", func() (*http.Response, error) { return http.Get(ts.URL + "/alerts/asked") })

	confirmation := deliver(1)[0]
	if confirmation.To[0] != "reader@example.net" || confirmation.Subject() != "Confirm your e-mail alerts" {
		t.Fatalf("the confirmation went to %v as %q", confirmation.To, confirmation.Subject())
	}
	text, _ := confirmation.Part("text/plain")
	link := regexp.MustCompile(regexp.QuoteMeta(ts.URL) + `/alerts/confirm/[A-Za-z0-9_-]+`).FindString(text)
	if link == "" || !strings.Contains(text, "“social media”") {
		t.Fatalf("the confirmation has no link, or does not say what it follows: %q", text)
	}
	v.step("open the confirmation link", `[data-testid="alert-confirm-form"]`, chromedp.Navigate(link))
	axeAtWidths(t, v.ctx, "alert-confirm", func(int64) {})
	save("alert-confirm", func() (*http.Response, error) { return http.Get(link) })
	v.step("confirm", `[data-testid="alert-confirmed"]`, chromedp.Click(buttonNamed("Confirm alerts")))
	axeAtWidths(t, v.ctx, "alert-confirmed", func(int64) {})
	if got := v.text(); !strings.Contains(got, "Your alerts are on") {
		t.Errorf("after confirming the page says %q", got)
	}

	// Two decisions the search finds are published; the summary comes at 08:00, not before.
	for i, title := range []string{"Social media monitoring", "Social media training for staff"} {
		slug, _ := ts.Published(t, 9801+i, title)
		var id int64
		if err := ts.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if err := ts.Store.InTx(context.Background(), func(tx *store.Store) error {
			return tx.Audit(context.Background(), store.System(ts.Clock.Now()), id, store.EventPublished, nil)
		}); err != nil {
			t.Fatal(err)
		}
	}
	deliver(0)
	ts.Clock.Advance(store.AlertDue(ts.Clock.Now(), store.AlertDaily).Sub(ts.Clock.Now()))
	digest := deliver(1)[0]
	text, _ = digest.Part("text/plain")
	if digest.Subject() != "Your alerts: 2 decisions" || !strings.Contains(text, "PCD 9801 was published.") || !strings.Contains(text, "PCD 9802 was published.") {
		t.Errorf("the summary %q says %q", digest.Subject(), text)
	}
	if digest.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Error("the summary has no one-click unsubscribe")
	}
	stop := strings.Trim(digest.Header.Get("List-Unsubscribe"), "<>")
	v.step("open the unsubscribe link", `[data-testid="alert-stop-form"]`, chromedp.Navigate(stop))
	axeAtWidths(t, v.ctx, "alert-stop", func(int64) {})
	save("alert-stop", func() (*http.Response, error) { return http.Get(stop) })
	v.step("stop the alerts", `[data-testid="alert-stopped"]`, chromedp.Click(buttonNamed("Stop alerts")))
	axeAtWidths(t, v.ctx, "alert-stopped", func(int64) {})
	save("alert-stopped", func() (*http.Response, error) { return http.Get(stop) })
	var left int
	if err := ts.Pool.QueryRow(context.Background(), `SELECT count(*) FROM alert_subscriptions`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d subscriptions kept after stopping (%v), want none", left, err)
	}
	checkHTML(t, files)
}
