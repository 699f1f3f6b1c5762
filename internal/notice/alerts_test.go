package notice_test

import (
	"context"
	"crypto/sha256"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/notice/smtptest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

var confirmLink = regexp.MustCompile(testsite.BaseURL + `/alerts/confirm/([A-Za-z0-9_-]{43})`)

// publish records that the published decision slug was published, as signing does: the
// audit entry whose transaction writes the alerts.
func publish(t *testing.T, site *testsite.Site, slug string, event string) {
	t.Helper()
	ctx := context.Background()
	var id int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	err := site.Store.InTx(ctx, func(tx *store.Store) error {
		return tx.Audit(ctx, store.System(site.Clock.Now()), id, event, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// confirmFrom reads the confirmation link's token out of a message's text part.
func confirmFrom(t *testing.T, m smtptest.Message) string {
	t.Helper()
	text, err := m.Part("text/plain")
	if err != nil {
		t.Fatal(err)
	}
	got := confirmLink.FindStringSubmatch(text)
	if got == nil {
		t.Fatalf("no confirmation link in %q", text)
	}
	return got[1]
}

// TestAlertJourney: a search subscription is asked for, confirmed by the link mailed (whose
// token the database keeps only hashed), alerted when a decision its search finds is
// published (with one-click unsubscribe) and not when one it does not find is, and stopped by
// the unsubscribe token, which deletes the address.
func TestAlertJourney(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	mail := smtptest.Start(t)
	cfg, err := notice.ParseSMTPURL(mail.URL())
	if err != nil {
		t.Fatal(err)
	}
	w := &notice.Worker{Store: site.Store, Mailer: notice.NewSMTP(cfg, 10*time.Second, nil), From: "Decision Register <register@example.org>",
		BaseURL: testsite.BaseURL, Clock: site.Clock.Now, Log: testsite.Logger(t)}
	ctx := context.Background()

	queued, err := site.Store.RequestAlert(ctx, site.Clock.Now(), store.AlertRequest{Email: "reader@example.net", Kind: store.AlertSearch,
		Search: "q=lighthouse", Frequency: store.AlertImmediate})
	if err != nil || !queued {
		t.Fatalf("RequestAlert = %v, %v; want a confirmation queued", queued, err)
	}
	if n := drain(t, w); n != 1 {
		t.Fatalf("sent %d messages, want the confirmation", n)
	}
	m := mail.Messages()[0]
	if m.To[0] != "reader@example.net" || m.Subject() != "Confirm your e-mail alerts" {
		t.Errorf("confirmation to %v, %q", m.To, m.Subject())
	}
	if h := m.Header.Get("List-Unsubscribe"); h != "" {
		t.Errorf("the confirmation has List-Unsubscribe %q: it answers a request, and there is nothing to stop yet", h)
	}
	token := confirmFrom(t, m)
	var kept int
	sum := sha256.Sum256([]byte(token))
	err = site.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM alert_subscriptions WHERE confirm_hash = $1)
	+ (SELECT count(*) FROM notices WHERE strpos(link_path || body, $2) > 0)`, sum[:], token).Scan(&kept)
	if err != nil || kept != 1 {
		t.Fatalf("the token's hash kept %d times (%v), and the token itself must be nowhere", kept, err)
	}
	if _, err := site.Store.ConfirmAlert(ctx, site.Clock.Now(), token); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Store.ConfirmAlert(ctx, site.Clock.Now(), token); err == nil {
		t.Error("a confirmation link confirmed twice")
	}

	found, _ := site.Published(t, 9301, "Lighthouse keepers' pay")
	other, _ := site.Published(t, 9302, "Road gritting")
	publish(t, site, other, store.EventPublished)
	publish(t, site, found, store.EventPublished)
	if n := drain(t, w); n != 1 {
		t.Fatalf("sent %d alerts, want 1 (only the decision the search finds)", n)
	}
	a := mail.Messages()[1]
	if a.Subject() != "PCD 9301 was published" || !strings.Contains(string(a.Raw), testsite.BaseURL+"/decisions/"+found) {
		t.Errorf("alert %q does not name and link PCD 9301", a.Subject())
	}
	if a.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Errorf("the alert has no one-click unsubscribe (RFC 8058)")
	}
	unsub := strings.Trim(a.Header.Get("List-Unsubscribe"), "<>")
	tok, ok := strings.CutPrefix(unsub, testsite.BaseURL+"/alerts/unsubscribe/")
	if !ok {
		t.Fatalf("List-Unsubscribe %q", unsub)
	}
	key, err := site.Store.NoticeKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id, err := notice.CheckAlertUnsubscribeToken(key, tok)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := notice.CheckUnsubscribeToken(key, tok); err == nil {
		t.Error("an alert's unsubscribe token passes for a person's")
	}
	if err := site.Store.DeleteSubscription(ctx, id); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := site.Pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM alert_subscriptions) + (SELECT count(*) FROM notices
	WHERE subscription_id IS NOT NULL)`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d rows of the subscription left after unsubscribing (%v), want none", left, err)
	}
}

// TestAlertDigestsAndFollows: a daily subscription to one decision gets its correction and
// withdrawal in one summary at 08:00, not before; a chain's follower hears of a decision
// published that continues it; a weekly summary waits for Monday.
func TestAlertDigestsAndFollows(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	mail := smtptest.Start(t)
	cfg, _ := notice.ParseSMTPURL(mail.URL())
	w := &notice.Worker{Store: site.Store, Mailer: notice.NewSMTP(cfg, 10*time.Second, nil), From: "register@example.org",
		BaseURL: testsite.BaseURL, Clock: site.Clock.Now, Log: testsite.Logger(t)}
	ctx := context.Background()
	first, later := "pcd-9311", "pcd-9312"
	dbtest.Publish(t, site.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed) VALUES
	('PCD', 9311, 'PCD 9311', 'pcd-9311', 'Ferry subsidy', 'A test.', 'published', '2026-11-02'),
	('PCD', 9312, 'PCD 9312', 'pcd-9312', 'Ferry subsidy, second year', 'A test.', 'published', '2026-11-03')`)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
SELECT l.id, e.id, 'continues' FROM decisions l, decisions e WHERE l.slug = 'pcd-9312' AND e.slug = 'pcd-9311'`)
		}
		return err
	})
	subscribe := func(email, kind, slug, freq string) {
		t.Helper()
		if _, err := site.Store.RequestAlert(ctx, site.Clock.Now(), store.AlertRequest{Email: email, Kind: kind, Slug: slug, Frequency: freq}); err != nil {
			t.Fatal(err)
		}
	}
	subscribe("daily@example.net", store.AlertDecision, first, store.AlertDaily)
	subscribe("chain@example.net", store.AlertChain, first, store.AlertImmediate)
	subscribe("weekly@example.net", store.AlertDecision, first, store.AlertWeekly)
	if n := drain(t, w); n != 3 {
		t.Fatalf("sent %d confirmations, want 3", n)
	}
	for _, m := range mail.Messages() {
		if _, err := site.Store.ConfirmAlert(ctx, site.Clock.Now(), confirmFrom(t, m)); err != nil {
			t.Fatal(err)
		}
	}
	sent := len(mail.Messages())
	publish(t, site, first, store.EventCorrected)
	publish(t, site, first, store.EventWithdrawn)
	publish(t, site, later, store.EventPublished)
	// At once: the chain's follower, three times (the correction, the withdrawal, the next decision).
	if n := drain(t, w); n != 3 {
		t.Fatalf("sent %d messages at once, want the chain follower's 3", n)
	}
	for _, m := range mail.Messages()[sent:] {
		if m.To[0] != "chain@example.net" {
			t.Errorf("%q went at once to %v", m.Subject(), m.To)
		}
	}
	sent = len(mail.Messages())
	now := site.Clock.Now().In(time.FixedZone("", 0))
	due := store.AlertDue(site.Clock.Now(), store.AlertDaily)
	if !due.After(now) || due.Sub(now) > 25*time.Hour {
		t.Fatalf("daily due %v, from %v", due, now)
	}
	site.Clock.Advance(due.Sub(now) - time.Minute)
	if n := drain(t, w); n != 0 {
		t.Fatalf("sent %d messages a minute before the daily summary", n)
	}
	site.Clock.Advance(time.Minute)
	if n := drain(t, w); n != 1 && !(n == 2 && store.AlertDue(now, store.AlertWeekly).Equal(due)) {
		t.Fatalf("sent %d messages at the daily summary's time, want 1", n)
	}
	d := mail.Messages()[sent]
	if d.To[0] != "daily@example.net" || d.Subject() != "Your alerts: 1 decision" {
		t.Errorf("summary to %v, %q", d.To, d.Subject())
	}
	text, _ := d.Part("text/plain")
	if !strings.Contains(text, "PCD 9311 was corrected.") || !strings.Contains(text, "PCD 9311 was withdrawn.") {
		t.Errorf("the summary does not tell of both events:\n%s", text)
	}
	weeklyDue := store.AlertDue(now, store.AlertWeekly)
	if l := weeklyDue.In(london()); l.Weekday() != time.Monday || l.Hour() != 8 || weeklyDue.Sub(now) > 7*24*time.Hour {
		t.Errorf("weekly due %v, want the next Monday at 08:00 in London", l)
	}
	site.Clock.Advance(8 * 24 * time.Hour)
	drain(t, w)
	var weekly int
	for _, m := range mail.Messages() {
		if m.To[0] == "weekly@example.net" && m.Subject() == "Your alerts: 1 decision" {
			weekly++
		}
	}
	if weekly != 1 {
		t.Errorf("weekly summaries %d, want 1", weekly)
	}
}

// TestAlertRequestsLimited: asking again at once sends nothing more; an address gets at most
// AlertAsksPerDay such messages a day, whatever it asks for; and an unconfirmed subscription
// is deleted 7 days on, a confirmed one kept.
func TestAlertRequestsLimited(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	ctx := context.Background()
	ask := func(email, qs string) bool {
		t.Helper()
		q, err := site.Store.RequestAlert(ctx, site.Clock.Now(), store.AlertRequest{Email: email, Kind: store.AlertSearch,
			Search: qs, Frequency: store.AlertImmediate})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if !ask("a@example.net", "q=one") || ask("A@example.net", "q=one") {
		t.Error("the same request twice at once (the address in another case) queued twice, or the first not at all")
	}
	if !ask("a@example.net", "q=two") || !ask("a@example.net", "q=three") {
		t.Error("other searches for the address were not queued within the day's limit")
	}
	if ask("a@example.net", "q=four") {
		t.Errorf("a fourth message in a day was queued (limit %d)", store.AlertAsksPerDay)
	}
	if !ask("b@example.net", "q=four") {
		t.Error("another address was limited by the first's requests")
	}
	site.Clock.Advance(24*time.Hour + time.Second)
	if !ask("a@example.net", "q=four") {
		t.Error("the address was still limited a day later")
	}
	var subs int
	_ = site.Pool.QueryRow(ctx, `SELECT count(*) FROM alert_subscriptions`).Scan(&subs)
	if subs != 5 {
		t.Errorf("%d subscriptions, want 5", subs)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE alert_subscriptions SET confirmed_at = created_at WHERE search = 'q=two'`); err != nil {
		t.Fatal(err)
	}
	site.Clock.Advance(6 * 24 * time.Hour)
	if n, err := site.Store.DeleteUnconfirmedAlerts(ctx, site.Clock.Now()); err != nil || n != 3 {
		t.Errorf("deleted %d unconfirmed (%v), want the 3 asked for 7 days ago", n, err)
	}
	site.Clock.Advance(24 * time.Hour)
	if n, err := site.Store.DeleteUnconfirmedAlerts(ctx, site.Clock.Now()); err != nil || n != 1 {
		t.Errorf("deleted %d unconfirmed (%v), want the 1 asked for a day later", n, err)
	}
	_ = site.Pool.QueryRow(ctx, `SELECT count(*) FROM alert_subscriptions`).Scan(&subs)
	if subs != 1 {
		t.Errorf("%d subscriptions left, want the confirmed one", subs)
	}
}

func london() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}
