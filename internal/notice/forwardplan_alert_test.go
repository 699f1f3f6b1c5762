package notice_test

import (
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/store"
)

// TestForwardPlanDigest: a forward-plan subscription's summary counts its changes, not
// decisions, says it is about the plan, keeps every change with its link, and can be stopped.
func TestForwardPlanDigest(t *testing.T) {
	at := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	n := func(id int64, subject, body, link string) store.OutNotice {
		return store.OutNotice{ID: id, Event: store.EventAlert, Kind: store.NoticeInfo, Reference: store.PlanAlertReference,
			Title: store.PlanAlertTitle, Subject: subject, Body: body, LinkPath: link, CreatedAt: at.Add(time.Duration(id) * time.Minute)}
	}
	d := store.Delivery{SubscriptionID: 7, Email: "reader@example.net", Digest: true, Notices: []store.OutNotice{
		n(3, "Forward plan: notice withdrawn, Buy boats", "The notice “Buy boats” was withdrawn from the forward plan: not needed", "/forward-plan/1"),
		n(2, "Forward plan: notice changed, Buy boats", "The notice “Buy boats” on the forward plan was changed.", "/forward-plan/1"),
		n(1, "Forward plan: new notice, Buy boats", "A notice was added to the forward plan: “Buy boats”.", "/forward-plan/1"),
	}}
	l := notice.NewAlertLetter(d, "https://register.example", "register.example", "https://register.example/alerts/unsubscribe/x", "")
	if l.Subject != "Your forward plan alerts: 3 changes" {
		t.Errorf("subject %q, want the changes counted", l.Subject)
	}
	text := l.Text()
	for _, want := range []string{"Here is what changed on the forward plan.", "Forward plan: notices of decisions to come",
		"was withdrawn from the forward plan: not needed", "https://register.example/forward-plan/1", "Stop these alerts: https://register.example/alerts/unsubscribe/x"} {
		if !strings.Contains(text, want) {
			t.Errorf("the summary does not say %q:\n%s", want, text)
		}
	}
	if html := l.HTML(); !strings.Contains(html, "Here is what changed on the forward plan.") || strings.Contains(html, "the decisions your alert follows") {
		t.Errorf("the HTML summary does not open as the plan's:\n%s", html)
	}
}
