package server_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestNewPagesAreLinked: what a new member of staff could not find is linked from where it
// belongs: the forward plan from the service navigation and the footer, /withheld from the
// footer, the calendars from the decisions list, the second factor from "Your account", the
// key-decision rules from the admin pages, and the forward plan from a drafter's work.
func TestNewPagesAreLinked(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "drafter@example.org", "Dan Drafter", store.Grants{Roles: []string{"drafter"}})
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	anon := site.Client(t, "")
	dr := site.Client(t, "drafter@example.org")
	admin := site.Client(t, "admin@example.org")
	cases := []struct {
		who  *http.Client
		path string
		sel  string
	}{
		{anon, "/", `.govuk-service-navigation a[href="/forward-plan"]`},
		{anon, "/", `.govuk-footer a[href="/forward-plan"]`},
		{anon, "/", `.govuk-footer a[href="/withheld"]`},
		{anon, "/decisions", `[data-testid=calendars] a[href="/calendars/funding-ends.ics"]`},
		{anon, "/decisions", `[data-testid=calendars] a[href="/calendars/deferred.ics"]`},
		{anon, "/withheld", `a[href="/calendars/deferred.ics"]`},
		{dr, "/work", `[data-testid=account-links] a[href="/account/two-factor"]`},
		{dr, "/work", `[data-testid=work-forward-plan] a[href="/forward-plan"]`},
		{admin, "/work", `[data-testid=account-links] a[href="/admin/key-decisions"]`},
		{admin, "/admin/users", `a[href="/admin/key-decisions"]`},
	}
	for _, c := range cases {
		if p := get(t, c.who, site.URL+c.path); p.status != http.StatusOK || !p.has(c.sel) {
			t.Errorf("GET %s = %d, without %s", c.path, p.status, c.sel)
		}
	}
}

// TestConfirmNoticeHasNoDeadLink: the admins' outbox shows an alert confirmation without a
// link to /alerts/confirm (a 404 without the key the letter adds), and says why.
func TestConfirmNoticeHasNoDeadLink(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "admin@example.org", "Cal Admin", store.Grants{Roles: []string{"admin"}})
	if p := post(t, site.Client(t, ""), site.URL+"/alerts", url.Values{"kind": {"search"}, "search": {"grant"},
		"email": {"reader@example.net"}, "frequency": {"immediate"}}); p.status != http.StatusSeeOther {
		t.Fatalf("POST /alerts = %d", p.status)
	}
	p := get(t, site.Client(t, "admin@example.org"), site.URL+"/admin/notices")
	if p.text(`[data-testid=notice-row]`) == "" {
		t.Fatal("the outbox lists no notice")
	}
	if p.has(`[data-testid=notice-row] a[href="/alerts/confirm"]`) || p.text(`[data-testid=link-note]`) == "" {
		t.Errorf("the confirmation notice links to /alerts/confirm or says nothing of its link: %q", p.text(`[data-testid=notice-row]`))
	}
	if r := get(t, site.Client(t, ""), site.URL+"/alerts/confirm"); r.status != http.StatusNotFound {
		t.Errorf("GET /alerts/confirm = %d; the test assumes the bare path leads nowhere", r.status)
	}
}
