package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// TestDiscardDraft: a draft's drafting team discards it from its task list after an "Are you
// sure?" page; Your work then says so and no longer lists it, the public never finds it, staff
// see it marked Discarded, and the next draft takes the next number. Someone outside the team,
// and a draft an adviser has approved, are refused with the reason.
func TestDiscardDraft(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "other@example.org", "Olly Other", store.Grants{Roles: []string{"drafter"}})
	dc := s.client(t, "drafter@example.org")
	other := s.client(t, "other@example.org")
	public := s.client(t, "")
	slug := s.newDraft(t, dc, "Started twice")
	discard := "/decisions/" + slug + "/discard"

	if href, _ := dc.get("/decisions/" + slug + "/edit").doc.Find(`[data-testid=discard-draft-link]`).Attr("href"); href != discard {
		t.Errorf("the task list's discard link = %q, want %q", href, discard)
	}
	if p := other.get(discard); p.status != http.StatusForbidden {
		t.Errorf("GET discard by another drafter = %d, want 403", p.status)
	}
	other.post(discard, url.Values{}, http.StatusForbidden)

	p := dc.get(discard)
	if p.status != http.StatusOK || !strings.Contains(p.text("h1"), "Are you sure") {
		t.Fatalf("the confirmation = %d %q", p.status, p.text("h1"))
	}
	if main := p.text("main"); !strings.Contains(main, "cannot be undone") || !strings.Contains(main, "is not used again") {
		t.Errorf("the confirmation does not warn: %q", main)
	}
	if !p.has(`[data-testid=simple-form] button.govuk-button--warning`) {
		t.Error("the confirmation's button is not a warning button")
	}
	done := dc.post(discard, url.Values{}, http.StatusSeeOther)
	if done.location != "/work" {
		t.Errorf("after discarding: Location %q, want /work", done.location)
	}
	work := dc.get("/work")
	if got := work.text(`[data-testid=work-flash]`); !strings.Contains(got, "The draft PCD 1683 was discarded") {
		t.Errorf("Your work's banner after discarding = %q", got)
	}
	if strings.Contains(work.body, "/decisions/"+slug) {
		t.Error("Your work still lists the discarded draft")
	}
	if p := public.get("/decisions/" + slug); p.status != http.StatusNotFound {
		t.Errorf("the public GET of a discarded draft = %d, want 404", p.status)
	}
	if p := dc.get("/decisions/" + slug); !strings.Contains(p.text(`[data-testid=status]`), "Discarded") {
		t.Errorf("staff see the discarded draft's status as %q", p.text(`[data-testid=status]`))
	}
	if p := dc.get(discard); p.status != http.StatusForbidden {
		t.Errorf("GET discard of a discarded draft = %d, want 403", p.status)
	}
	if next := s.newDraft(t, dc, "The one meant"); next != "pcd-1684" {
		t.Errorf("the next draft = %s, want pcd-1684: a discarded number is not reused", next)
	}

	// An adviser approved a step of this one, then it came back to draft: not offered, refused.
	approved := s.newDraft(t, dc, "Approved once")
	if err := s.Store.Submit(t.Context(), s.drafter.Act(time.Now()), approved, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(t.Context(), `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at)
SELECT id, 'finance', $2, 'approved', repeat('b', 64), now() FROM decisions WHERE slug = $1`, approved, s.adviser.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool.Exec(t.Context(), `UPDATE decisions SET status = 'draft' WHERE slug = $1`, approved); err != nil {
		t.Fatal(err)
	}
	if dc.get("/decisions/" + approved + "/edit").has(`[data-testid=discard-draft-link]`) {
		t.Error("the task list offers to discard a draft an adviser has approved")
	}
	refused := dc.post("/decisions/"+approved+"/discard", url.Values{}, http.StatusForbidden)
	if !strings.Contains(refused.text("main"), "An adviser has approved a step") {
		t.Errorf("the refusal says %q", refused.text("main"))
	}
}
