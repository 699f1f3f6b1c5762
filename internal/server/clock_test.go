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

// The drafter sets a must-be-signed-by date with the title: a date that is not real comes back
// by its field with what was typed; a real one is saved and shown again on the form.
func TestDraftMustSignBy(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	c := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, c, "Project Clock")
	path := "/decisions/" + slug + "/edit/title"
	p := c.post(path, url.Values{"version": {c.version(path)}, "title": {"Project Clock"}, "summary": {"A summary"},
		"must_sign_by_day": {"31"}, "must_sign_by_month": {"2"}, "must_sign_by_year": {"2031"}}, http.StatusUnprocessableEntity)
	if got := p.text(`.govuk-error-summary`); !strings.Contains(got, "Must be signed by must be a real date") {
		t.Errorf("error summary = %q", got)
	}
	if p.value("#must-sign-by-day") != "31" || p.value("#title") != "Project Clock" {
		t.Errorf("the input was not kept: day %q", p.value("#must-sign-by-day"))
	}
	c.post(path, url.Values{"version": {c.version(path)}, "title": {"Project Clock"}, "summary": {"A summary"},
		"must_sign_by_day": {"27"}, "must_sign_by_month": {"3"}, "must_sign_by_year": {"2031"}}, http.StatusSeeOther)
	var by string
	if err := s.Pool.QueryRow(context.Background(), `SELECT must_sign_by::text FROM decisions WHERE slug = $1`, slug).Scan(&by); err != nil || by != "2031-03-27" {
		t.Errorf("saved must_sign_by = %q, %v", by, err)
	}
}
