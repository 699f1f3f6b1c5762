package decision

import (
	"strings"
	"testing"
)

// TestRepeatedActionsSayWhatHappened: an approval or a signature sent twice is refused with
// what happened (it is recorded), not a reason that reads as something else having gone wrong.
func TestRepeatedActionsSayWhatHappened(t *testing.T) {
	hou := Actor{ID: 2, Roles: []string{RoleAdviser}, StepKinds: []string{"head_of_unit"}}
	maker := Actor{ID: 6, Roles: []string{RoleDecisionMaker}, Series: []string{"PCD"}}
	approved := Signoff{Series: "PCD", Status: StatusAwaitingSignoff, Drafters: []int64{1}, Chain: chain,
		Approvals: []Approval{{StepKind: "head_of_unit", UserID: 2}}}
	for _, tt := range []struct {
		name string
		err  error
		want string
	}{
		{"approved twice", approved.CanAct(hou, "head_of_unit"), "You have already approved this step"},
		{"signed twice", Signoff{Series: "PCD", Status: StatusPublished, Chain: chain}.CanSign(maker), "already been signed"},
		{"deferred, signed twice", Signoff{Series: "PCD", Status: StatusApproved, Chain: chain}.CanSign(maker), "already been signed"},
		{"rejected, signed again", Signoff{Series: "PCD", Status: StatusRejected, Chain: chain}.CanSign(maker), "already been signed"},
	} {
		if tt.err == nil || !strings.Contains(tt.err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, tt.err, tt.want)
		}
	}
}
