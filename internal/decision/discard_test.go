package decision

import (
	"errors"
	"testing"
)

func TestCanDiscard(t *testing.T) {
	drafter := Actor{ID: 1, Roles: []string{RoleDrafter}}
	otherDrafter := Actor{ID: 2, Roles: []string{RoleDrafter}}
	exDrafter := Actor{ID: 3} // started it, no longer a drafter
	approved := []Approval{{StepKind: "finance", UserID: 9}}
	tests := []struct {
		name      string
		a         Actor
		status    string
		approvals []Approval
		ok        bool
	}{
		{"its drafter, a draft nobody approved", drafter, StatusDraft, nil, true},
		{"a drafter outside its team", otherDrafter, StatusDraft, nil, false},
		{"its drafter without the drafter role", exDrafter, StatusDraft, nil, false},
		{"a draft an adviser approved before it came back", drafter, StatusDraft, approved, false},
		{"awaiting sign-off", drafter, StatusAwaitingSignoff, nil, false},
		{"published", drafter, StatusPublished, nil, false},
		{"rejected", drafter, StatusRejected, nil, false},
		{"already discarded", drafter, StatusDiscarded, nil, false},
	}
	for _, tt := range tests {
		s := Signoff{Series: "PCD", Status: tt.status, Drafters: []int64{1, 3}, Approvals: tt.approvals}
		err := s.CanDiscard(tt.a)
		if (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrNotAllowed)) {
			t.Errorf("%s: CanDiscard = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
