package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
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

// TestOwnSaveSentTwice: a save sent again after it committed is refused as stale, and the page
// says the change that overtook it was the person's own, not someone else's.
func TestOwnSaveSentTwice(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	path := "/decisions/" + s.newDraft(t, dc, "Project Beta") + "/edit/title"
	form := url.Values{"version": {dc.version(path)}, "title": {"Project Beta"}, "summary": {"A summary"}}
	dc.post(path, form, http.StatusSeeOther)
	p := dc.post(path, form, http.StatusConflict)
	if got := p.text(`[data-testid="conflict"]`); !strings.Contains(got, "by a change you saved yourself") || strings.Contains(got, "Someone else") {
		t.Errorf("the conflict banner after the person's own save says %q", got)
	}
}

// TestPartFormsWarnOfClearedApprovals: a part form reached by a "Change" link warns, as the task
// list does, that saving clears the approvals already given; before any approval it does not.
func TestPartFormsWarnOfClearedApprovals(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	path := "/decisions/" + slug + "/edit/title"
	if err := s.Store.Submit(t.Context(), s.drafter.Act(time.Now()), slug, 1); err != nil {
		t.Fatal(err)
	}
	if dc.get(path).has(`[data-testid=clears-approvals]`) {
		t.Error("the title form warns of clearing approvals before any was given")
	}
	if _, err := s.Pool.Exec(t.Context(), `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at)
SELECT id, 'finance', $2, 'approved', repeat('b', 64), now() FROM decisions WHERE slug = $1`, slug, s.adviser.ID); err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{"/title", "/funding", "/sections/legal-comments", "/documents"} {
		if p := dc.get("/decisions/" + slug + "/edit" + part); !strings.Contains(p.text(`[data-testid=clears-approvals]`), "Saving a change here clears them") {
			t.Errorf("GET %s after an approval: no warning that saving clears it", part)
		}
	}
}
