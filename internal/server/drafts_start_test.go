package server_test

import (
	"net/http"
	"net/url"
	"testing"
)

// TestStartFormSentTwice: the start form sent again, as a browser does when its first answer was
// lost, lands on the draft the first made instead of taking the next number; a new form makes
// a new draft.
func TestStartFormSentTwice(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	form := url.Values{"series": {"PCD"}, "title": {"Project Omega"}}
	form.Set("start_token", dc.get("/decisions/new").value(`input[name="start_token"]`))
	first := dc.post("/decisions/new", form, http.StatusSeeOther)
	again := dc.post("/decisions/new", form, http.StatusSeeOther)
	if again.location != first.location {
		t.Errorf("the same form sent twice led to %q then %q, want the same draft", first.location, again.location)
	}
	form.Set("start_token", dc.get("/decisions/new").value(`input[name="start_token"]`))
	if other := dc.post("/decisions/new", form, http.StatusSeeOther); other.location == first.location {
		t.Errorf("a new start form led to the first form's draft %q", other.location)
	}
	var n int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM decisions WHERE title = 'Project Omega'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d drafts titled Project Omega (%v), want 2", n, err)
	}
}
