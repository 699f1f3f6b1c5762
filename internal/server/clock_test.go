package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The chain line, on the sign-off page and on "Your work", counts working days by the
// injected clock across Christmas, the Boxing Day substitute and a weekend, and a
// must-be-signed-by date brings the due date forward and is shown to everyone in the chain.
func TestChainClock(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9501)
	london, _ := time.LoadLocation("Europe/London")
	since := time.Date(2026, 12, 24, 10, 0, 0, 0, london) // Thursday before Christmas
	if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET updated_at = $1 WHERE slug = $2`, since, slug); err != nil {
		t.Fatal(err)
	}
	site.Clock.Advance(time.Date(2026, 12, 29, 11, 0, 0, 0, london).Sub(site.Clock.Now())) // Tuesday after

	c := site.Client(t, site.advisers["head_of_unit"].Email)
	want := "Waiting on Head of unit · Adviser head_of_unit for 1 working day · due Tue 5 January 2027"
	p := get(t, c, site.URL+"/decisions/"+slug+"/signoff")
	if got := p.text(`[data-testid=chain-clock]`); got != want {
		t.Errorf("sign-off page clock = %q, want %q", got, want)
	}
	if p.doc.Find(`[data-testid=must-sign-by]`).Length() != 0 {
		t.Error("a must-be-signed-by date is shown for a decision without one")
	}
	work := get(t, c, site.URL+"/work")
	if !strings.Contains(work.body, want) {
		t.Errorf("Your work does not say %q", want)
	}

	// Signed by Friday 29 January: 23 working days shared by six steps and the signature
	// give this step 3, so it is due Thursday 31 December, before its service level.
	if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET must_sign_by = '2027-01-29' WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{site.advisers["head_of_unit"].Email, site.advisers["legal"].Email, site.drafter.Email} {
		p := get(t, site.Client(t, who), site.URL+"/decisions/"+slug+"/signoff")
		if got := strings.Join(strings.Fields(p.text(`[data-testid=must-sign-by]`)), " "); !strings.Contains(got, "Must be signed by Fri 29 January 2027") {
			t.Errorf("%s: must-sign-by = %q", who, got)
		}
		if got := p.text(`[data-testid=chain-clock]`); !strings.HasSuffix(got, "due Thu 31 December 2026") {
			t.Errorf("%s: clock with a deadline = %q", who, got)
		}
	}
}

// An admin sets a step kind's service level on the chain page: a bad one comes back by its
// field with what was typed; a good one is saved and shown again.
func TestAdminSetsServiceLevel(t *testing.T) {
	t.Parallel()
	site, _, c := adminSite(t)
	p := adminDo(t, c, "POST", site.URL+"/admin/chains/PCD", url.Values{"position-legal": {"1"}, "sla-legal": {"three"}})
	want := "Enter the service level of Legal as a whole number of working days from 1 to 60"
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-summary"]`), want) ||
		!strings.Contains(p.text(`#sla-legal-error`), want) {
		t.Errorf("bad service level: %d, summary %q", p.status, p.text(`[data-testid="error-summary"]`))
	}
	if got, _ := p.doc.Find("#sla-legal").Attr("value"); got != "three" {
		t.Errorf("the bad service level kept as %q", got)
	}
	p = adminDo(t, c, "POST", site.URL+"/admin/chains/PCD", url.Values{"position-legal": {"1"}, "sla-legal": {"3"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST = %d", p.status)
	}
	p = adminDo(t, c, "GET", site.URL+"/admin/chains/PCD", nil)
	if got, _ := p.doc.Find(`label[for="sla-legal"]`).Html(); !strings.Contains(got, "Legal service level (working days)") {
		t.Errorf("label = %q", got)
	}
	if got, _ := p.doc.Find("#sla-legal").Attr("value"); got != "3" {
		t.Errorf("saved service level shown as %q, want 3", got)
	}
}
