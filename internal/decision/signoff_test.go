package decision

import (
	"errors"
	"testing"
)

var chain = []string{"head_of_unit", "finance", "legal"}

func TestNextStepAndReady(t *testing.T) {
	tests := []struct {
		approvals []Approval
		next      string
	}{
		{nil, "head_of_unit"},
		{[]Approval{{StepKind: "head_of_unit", UserID: 2}}, "finance"},
		{[]Approval{{StepKind: "finance", UserID: 3}}, "head_of_unit"}, // an approval out of order does not skip
		{[]Approval{{StepKind: "head_of_unit", UserID: 2}, {StepKind: "finance", UserID: 3}, {StepKind: "legal", UserID: 4}}, ""},
	}
	for _, tt := range tests {
		s := Signoff{Series: "PCD", Status: StatusAwaitingSignoff, Chain: chain, Approvals: tt.approvals}
		if got := s.NextStep(); got != tt.next {
			t.Errorf("NextStep with %v = %q, want %q", tt.approvals, got, tt.next)
		}
		if s.ReadyToSign() != (tt.next == "") {
			t.Errorf("ReadyToSign with %v = %t", tt.approvals, s.ReadyToSign())
		}
	}
}

func TestSignoffRules(t *testing.T) {
	drafter := Actor{ID: 1, Roles: []string{RoleDrafter}}
	outsider := Actor{ID: 9, Roles: []string{RoleDrafter}}
	hou := Actor{ID: 2, Roles: []string{RoleAdviser}, StepKinds: []string{"head_of_unit"}}
	fin := Actor{ID: 3, Roles: []string{RoleAdviser}, StepKinds: []string{"finance"}}
	both := Actor{ID: 5, Roles: []string{RoleAdviser, RoleDrafter}, StepKinds: []string{"head_of_unit", "finance"}}
	maker := Actor{ID: 6, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
	otherMaker := Actor{ID: 7, Roles: []string{RoleDecisionMaker}, Series: []string{"MD"}}
	awaiting := Signoff{Series: "PCD", Status: StatusAwaitingSignoff, Drafters: []int64{1}, Chain: chain}
	approvedByHoU := awaiting
	approvedByHoU.Approvals = []Approval{{StepKind: "head_of_unit", UserID: 2}}
	allApproved := awaiting
	allApproved.Approvals = []Approval{{StepKind: "head_of_unit", UserID: 2}, {StepKind: "finance", UserID: 3}, {StepKind: "legal", UserID: 4}}
	draft := awaiting
	draft.Status = StatusDraft
	signed := awaiting
	signed.Status = StatusPublished
	drafted := awaiting
	drafted.Drafters = []int64{1, 5}

	tests := []struct {
		name    string
		check   func() error
		allowed bool
	}{
		{"the drafter edits a draft", func() error { return draft.CanEdit(drafter) }, true},
		{"a drafter outside the team edits", func() error { return draft.CanEdit(outsider) }, false},
		{"an adviser edits", func() error { return draft.CanEdit(hou) }, false},
		{"the drafter edits a signed decision", func() error { return signed.CanEdit(drafter) }, false},
		{"an approver on the team edits", func() error {
			s := approvedByHoU
			s.Drafters = []int64{1, 2}
			return s.CanEdit(Actor{ID: 2, Roles: []string{RoleDrafter, RoleAdviser}})
		}, false},
		{"the drafter submits a draft", func() error { return draft.CanSubmit(drafter) }, true},
		{"the drafter submits again", func() error { return awaiting.CanSubmit(drafter) }, false},
		{"a series with no chain", func() error { d := draft; d.Chain = nil; return d.CanSubmit(drafter) }, false},
		{"head of unit acts first", func() error { return awaiting.CanAct(hou, "head_of_unit") }, true},
		{"finance acts before head of unit", func() error { return awaiting.CanAct(fin, "finance") }, false},
		{"finance acts after head of unit", func() error { return approvedByHoU.CanAct(fin, "finance") }, true},
		{"an adviser acts on another kind", func() error { return awaiting.CanAct(fin, "head_of_unit") }, false},
		{"a drafter acts as adviser", func() error { return drafted.CanAct(both, "head_of_unit") }, false},
		{"one person clears two steps", func() error {
			s := awaiting
			s.Approvals = []Approval{{StepKind: "head_of_unit", UserID: 5}}
			return s.CanAct(both, "finance")
		}, false},
		{"an adviser acts on a draft", func() error { return draft.CanAct(hou, "head_of_unit") }, false},
		{"the maker signs when all approved", func() error { return allApproved.CanSign(maker) }, true},
		{"the maker signs too early", func() error { return approvedByHoU.CanSign(maker) }, false},
		{"a maker of another series signs", func() error { return allApproved.CanSign(otherMaker) }, false},
		{"an approver signs", func() error {
			a := Actor{ID: 3, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
			return allApproved.CanSign(a)
		}, false},
		{"a drafter signs", func() error {
			s := allApproved
			s.Drafters = []int64{6}
			return s.CanSign(maker)
		}, false},
	}
	for _, tt := range tests {
		err := tt.check()
		if tt.allowed && err != nil {
			t.Errorf("%s: refused (%v), want allowed", tt.name, err)
		}
		if !tt.allowed && !errors.Is(err, ErrNotAllowed) {
			t.Errorf("%s: %v, want ErrNotAllowed", tt.name, err)
		}
	}
}
