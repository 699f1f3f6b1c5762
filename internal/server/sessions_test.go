package server_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// TestSaveDoesNotWaitOnTheSession: while another request holds the person's session row (as
// a slow page of theirs in another tab does), a save that changes nothing in the session still
// gets its answer: it no longer writes the session after its own write.
func TestSaveDoesNotWaitOnTheSession(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	path := "/decisions/" + s.newDraft(t, dc, "Project Beta") + "/edit/title"
	form := url.Values{"version": {dc.version(path)}, "title": {"Project Beta"}, "summary": {"A summary"}}

	tx, err := s.Pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(t.Context())
	if _, err := tx.Exec(t.Context(), `SELECT 1 FROM sessions FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	// The timeout only keeps a failure from hanging the suite: an answer comes at once or never.
	c := *dc.c
	c.Timeout = time.Minute
	resp, err := c.PostForm(s.URL+path, form)
	if err != nil {
		t.Fatalf("POST %s while the session row is held: %v", path, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("POST %s while the session row is held = %d, want 303", path, resp.StatusCode)
	}
}
