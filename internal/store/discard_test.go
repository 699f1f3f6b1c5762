package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

func TestDiscardDraft(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "Started twice")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.DiscardDraft(ctx, s.adviser.Act(s.now), slug); !errors.Is(err, decision.ErrNotAllowed) {
		t.Errorf("discard by someone outside the team = %v, want refused", err)
	}
	if err := s.st.DiscardDraft(ctx, s.drafter.Act(s.now), slug); err != nil {
		t.Fatal(err)
	}
	st, err := s.st.SignoffState(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != decision.StatusDiscarded {
		t.Errorf("status after discard = %s, want discarded", st.Status)
	}
	err = s.st.DiscardDraft(ctx, s.drafter.Act(s.now), slug)
	if reason, ok := store.IsRefused(err); !ok || reason != "This draft has already been discarded." {
		t.Errorf("discard twice = %v, want refused as already discarded", err)
	}
	var actor, detail string
	err = s.pool.QueryRow(ctx, `SELECT l.actor, l.detail FROM audit_log l JOIN decisions d ON d.id = l.decision_id
WHERE d.slug = $1 AND l.event = 'draft_discarded'`, slug).Scan(&actor, &detail)
	if err != nil {
		t.Fatalf("audit entry of the discard: %v", err)
	}
	if actor != s.drafter.Name || detail != `{"reference":"PCD 1683","title":"Started twice"}` {
		t.Errorf("audit entry = %s %s", actor, detail)
	}
	if rep, err := s.st.VerifyAuditChain(ctx); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain after the discard: %+v %v", rep, err)
	}
	// The number stays taken: the next draft in the series is not given PCD 1683 again.
	next, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "The one meant")
	if err != nil {
		t.Fatal(err)
	}
	if next != "pcd-1684" {
		t.Errorf("next draft after discarding pcd-1683 = %s, want pcd-1684", next)
	}
	// The public never reads it; staff still find it, marked discarded.
	if _, err := s.st.DecisionBySlug(ctx, store.Public(s.now), slug); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("public read of a discarded draft = %v, want ErrNotFound", err)
	}
	if d, err := s.st.DecisionBySlug(ctx, store.Staff(s.drafter.ID, s.now), slug); err != nil || d.Status != decision.StatusDiscarded {
		t.Errorf("staff read of a discarded draft = %s %v", d.Status, err)
	}
	// Nothing moves out of discarded, whatever the application does.
	if _, err := s.pool.Exec(ctx, `UPDATE decisions SET status = 'draft' WHERE slug = $1`, slug); err == nil {
		t.Error("the database let a discarded draft back to draft")
	}
}

func TestDiscardDraftRefusedAfterApproval(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	slug, err := s.st.CreateDraft(ctx, s.drafter.Act(s.now), "PCD", "Approved once")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Submit(ctx, s.drafter.Act(s.now), slug, 1); err != nil {
		t.Fatal(err)
	}
	err = s.st.DiscardDraft(ctx, s.drafter.Act(s.now), slug)
	if reason, ok := store.IsRefused(err); !ok || reason != "This decision has been submitted for sign-off, so it can no longer be discarded." {
		t.Errorf("discard of a decision awaiting sign-off = %v, want refused", err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE decisions SET status = 'discarded' WHERE slug = $1`, slug); err == nil {
		t.Error("the database let a decision awaiting sign-off be discarded")
	}
	// An adviser approves a step, then the decision goes back to draft (as a return does):
	// the approval still stands, so the draft is no longer the team's alone to throw away.
	_, err = s.pool.Exec(ctx, `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at)
SELECT id, 'finance', $2, 'approved', repeat('a', 64), $3 FROM decisions WHERE slug = $1`, slug, s.adviser.ID, s.now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `UPDATE decisions SET status = 'draft' WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	err = s.st.DiscardDraft(ctx, s.drafter.Act(s.now), slug)
	if reason, ok := store.IsRefused(err); !ok || reason != "An adviser has approved a step of this draft, so it cannot be discarded: their approval stays on the record." {
		t.Errorf("discard after an approval = %v, want refused", err)
	}
	var status string
	var n int
	err = s.pool.QueryRow(ctx, `SELECT d.status, (SELECT count(*) FROM audit_log l WHERE l.decision_id = d.id AND l.event = 'draft_discarded')
FROM decisions d WHERE d.slug = $1`, slug).Scan(&status, &n)
	if err != nil || status != decision.StatusDraft || n != 0 {
		t.Errorf("after the refusals: %s, %d discard entries (%v), want draft and none", status, n, err)
	}
}
