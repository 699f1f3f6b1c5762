package server_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/testsite"
)

// alertMessages counts the messages queued for alert subscriptions.
func alertMessages(t *testing.T, site *testsite.Site) int {
	t.Helper()
	var n int
	if err := site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notices WHERE subscription_id IS NOT NULL`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAlertForm: the list, a decision and its chain link to the form, which keeps what they
// follow; a malformed address or a search the list would refuse comes back with the input
// and each error by its field.
func TestAlertForm(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	c := site.Client(t, "")
	list := get(t, c, site.URL+"/decisions?series=PCD&sort=amount")
	href := list.attr(`[data-testid=search-alerts]`, "href")
	if href != "/alerts/new?search=series%3DPCD" {
		t.Fatalf("the list's alerts link is %q, want the search without its order", href)
	}
	form := get(t, c, site.URL+href)
	if form.status != http.StatusOK || form.value(`#search`) != "/decisions?series=PCD" {
		t.Errorf("GET %s = %d, search %q", href, form.status, form.value(`#search`))
	}
	show := get(t, c, site.URL+"/decisions/pcd-1682")
	if got := show.attr(`[data-testid=decision-alerts]`, "href"); got != "/alerts/new?decision=pcd-1682" {
		t.Errorf("the decision's alerts link is %q", got)
	}
	if got := show.attr(`[data-testid=chain-alerts]`, "href"); got != "/alerts/new?chain=pcd-1682" {
		t.Errorf("the chain's alerts link is %q", got)
	}
	chain := get(t, c, site.URL+"/alerts/new?chain=pcd-1682")
	if !strings.Contains(chain.text(`[data-testid=alert-about]`), "funding chain of decision PCD 1682") || chain.value(`input[name=decision]`) != "pcd-1682" {
		t.Errorf("the chain's form says %q", chain.text(`[data-testid=alert-about]`))
	}

	tests := []struct {
		name   string
		form   url.Values
		errors map[string]string // field → part of its message
	}{
		{"nothing", url.Values{"kind": {"search"}}, map[string]string{"email": "Enter your email address", "frequency": "Select how often"}},
		{"malformed address", url.Values{"kind": {"search"}, "email": {"someone at example.net"}, "frequency": {"daily"}},
			map[string]string{"email": "correct format"}},
		{"named address", url.Values{"kind": {"search"}, "email": {"Someone <someone@example.net>"}, "frequency": {"daily"}},
			map[string]string{"email": "correct format"}},
		{"no domain", url.Values{"kind": {"search"}, "email": {"someone@localhost"}, "frequency": {"daily"}},
			map[string]string{"email": "correct format"}},
		{"bad amount", url.Values{"kind": {"search"}, "search": {"/decisions?q=grant&min=lots"}, "email": {"a@example.net"}, "frequency": {"weekly"}},
			map[string]string{"search": "The search cannot be followed: minimum amount"}},
		{"bad year", url.Values{"kind": {"search"}, "search": {"https://register.example/decisions?fy=20"}, "email": {"a@example.net"}, "frequency": {"weekly"}},
			map[string]string{"search": "financial year"}},
		{"not a search", url.Values{"kind": {"search"}, "search": {"/glossary?x=1"}, "email": {"a@example.net"}, "frequency": {"weekly"}},
			map[string]string{"search": "starts with /decisions?"}},
		{"unknown frequency", url.Values{"kind": {"search"}, "email": {"a@example.net"}, "frequency": {"hourly"}},
			map[string]string{"frequency": "Select how often"}},
	}
	for _, tt := range tests {
		p := post(t, c, site.URL+"/alerts", tt.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST /alerts = %d, want 422", tt.name, p.status)
			continue
		}
		if p.text(`title`) == "" || !strings.HasPrefix(p.text(`title`), "Error:") {
			t.Errorf("%s: title %q, want it to start Error:", tt.name, p.text(`title`))
		}
		for field, want := range tt.errors {
			if got := p.text("#" + field + "-error"); !strings.Contains(got, want) {
				t.Errorf("%s: %s error %q, want %q", tt.name, field, got, want)
			}
			if p.doc.Find(`.govuk-error-summary a[href="#`+field+`"]`).Length() != 1 {
				t.Errorf("%s: the error summary does not link to #%s", tt.name, field)
			}
		}
		if p.value(`#email`) != tt.form.Get("email") || p.value(`#search`) != tt.form.Get("search") {
			t.Errorf("%s: the input was not kept: email %q, search %q", tt.name, p.value(`#email`), p.value(`#search`))
		}
		if f := tt.form.Get("frequency"); f == "daily" || f == "weekly" {
			if got := p.value(`input[name=frequency][checked]`); got != f {
				t.Errorf("%s: frequency %q checked, want %q kept", tt.name, got, f)
			}
		}
	}
	if n := alertMessages(t, site); n != 0 {
		t.Errorf("%d messages queued by refused requests", n)
	}
}

// TestAlertRequestsLookAlike: every accepted request gets the same answer, whether the
// address is new, asked a moment ago, already confirmed, or over its day's limit; only the
// messages queued differ. The links then confirm and stop the alerts, the one-click POST
// without a cookie as a mail client sends it.
func TestAlertRequestsLookAlike(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	c := site.Client(t, "")
	ctx := context.Background()
	ask := func(search string) page {
		t.Helper()
		return post(t, c, site.URL+"/alerts", url.Values{"kind": {"search"}, "search": {search}, "email": {"reader@example.net"},
			"frequency": {"immediate"}})
	}
	var answers []page
	var queued []int
	for _, s := range []string{"grant", "grant", "violence", "/decisions?series=PCD", "/decisions?series=MD"} {
		answers = append(answers, ask(s))
		queued = append(queued, alertMessages(t, site))
	}
	for i, a := range answers {
		if a.status != http.StatusSeeOther || a.location != "/alerts/asked" || a.body != answers[0].body {
			t.Errorf("request %d answered %d %q, want the same 303 to /alerts/asked as the first", i, a.status, a.location)
		}
	}
	if want := []int{1, 1, 2, 3, 3}; !equalInts(queued, want) {
		t.Errorf("messages queued after each request %v, want %v (again at once: none; past 3 a day: none)", queued, want)
	}
	asked := get(t, c, site.URL+"/alerts/asked")
	if asked.status != http.StatusOK || asked.text(`[data-testid=alert-asked]`) != "Check your e-mail" {
		t.Errorf("GET /alerts/asked = %d %q", asked.status, asked.text(`h1`))
	}

	var id int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM alert_subscriptions WHERE search = 'q=grant'`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	token, err := site.Store.NewAlertConfirmToken(ctx, id) // as the message is sent
	if err != nil {
		t.Fatal(err)
	}
	confirm := site.URL + "/alerts/confirm/" + token
	if p := get(t, c, confirm); p.status != http.StatusOK || p.doc.Find(`[data-testid=alert-confirm-form]`).Length() != 1 {
		t.Fatalf("GET the confirmation link = %d, want its button", p.status)
	}
	if p := post(t, c, confirm, nil); p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid=alert-confirmed]`), "“grant”") {
		t.Fatalf("POST the confirmation link = %d %q", p.status, p.text(`[data-testid=alert-confirmed]`))
	}
	if p := post(t, c, confirm, nil); p.status != http.StatusNotFound || !strings.Contains(p.text(`h1`), "expired") {
		t.Errorf("the confirmation link again = %d %q, want 404 expired", p.status, p.text(`h1`))
	}
	// Asking again for what the address has, now confirmed, still looks the same.
	site.Clock.Advance(25 * time.Hour)
	if a := ask("grant"); a.status != http.StatusSeeOther || a.body != answers[0].body {
		t.Errorf("asking for a confirmed subscription answered %d", a.status)
	}

	key, err := site.Store.NoticeKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stop := site.URL + "/alerts/unsubscribe/" + notice.AlertUnsubscribeToken(key, id)
	if p := get(t, c, stop); p.status != http.StatusOK || p.doc.Find(`[data-testid=alert-stop-form]`).Length() != 1 {
		t.Fatalf("GET the unsubscribe link = %d", p.status)
	}
	req, _ := http.NewRequest(http.MethodPost, stop, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST = %d, want 200", resp.StatusCode)
	}
	if _, err := site.Store.SubscriptionByID(ctx, id); err == nil {
		t.Error("the subscription is still kept after unsubscribing")
	}
	if p := get(t, c, stop); p.status != http.StatusOK || p.doc.Find(`[data-testid=alert-stopped]`).Length() != 1 {
		t.Errorf("the unsubscribe link again = %d, want it to say the alerts are stopped", p.status)
	}
}

func equalInts(a, b []int) bool { return slices.Equal(a, b) }
