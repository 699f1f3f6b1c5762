package decision

import (
	"cmp"
	"errors"
	"slices"
	"strings"
)

// Roles a person may hold; one person may hold several.
const (
	RoleDrafter       = "drafter"
	RoleAdviser       = "adviser"
	RoleDecisionMaker = "decision_maker"
	RoleAdmin         = "admin"
)

// Roles lists every role, in the order they are shown.
var Roles = []string{RoleDrafter, RoleAdviser, RoleDecisionMaker, RoleAdmin}

// StatusRejected is a decision its decision maker refused to sign.
const StatusRejected = "rejected"

// ErrNotAllowed means the person may not do this to the decision now; its wrapped text says
// why, in words for them.
var ErrNotAllowed = errors.New("not allowed")

// ErrNotDrafter is the refusal of someone outside a decision's drafting team.
var ErrNotDrafter = notAllowed("Only this decision's drafting team can change it. Ask one of them to add you to it.")

// ErrAlreadyDone marks a refusal of what the person has already done (a form sent twice): it
// is also ErrNotAllowed, and its words say that nothing more was needed.
var ErrAlreadyDone = errors.New("already done")

func notAllowed(why string) error { return &notAllowedError{why: why} }

func alreadyDone(why string) error { return &notAllowedError{why: why, done: true} }

type notAllowedError struct {
	why  string
	done bool
}

func (e *notAllowedError) Error() string { return e.why }
func (e *notAllowedError) Is(target error) bool {
	return target == ErrNotAllowed || e.done && target == ErrAlreadyDone
}

// Actor is a signed-in person as the sign-off rules see them.
type Actor struct {
	ID        int64
	Roles     []string
	StepKinds []string // for advisers: the steps they clear
	Series    []string // for decision makers: the series they sign for
}

// Has reports whether the actor holds a role.
func (a Actor) Has(role string) bool { return slices.Contains(a.Roles, role) }

// Approval is a live adviser's approval: one not cleared by a later edit.
type Approval struct {
	StepKind string
	UserID   int64
}

// Signoff is where a decision stands in its sign-off chain.
type Signoff struct {
	Series    string
	Status    string
	Drafters  []int64  // everyone who wrote its content
	Chain     []string // the series' step kinds, in order
	Approvals []Approval
}

// NextStep is the first step of the chain still to approve, or "" when every step has.
func (s Signoff) NextStep() string {
	for _, k := range s.Chain {
		if !slices.ContainsFunc(s.Approvals, func(a Approval) bool { return a.StepKind == k }) {
			return k
		}
	}
	return ""
}

// ReadyToSign reports whether every step has approved and the decision maker can sign.
func (s Signoff) ReadyToSign() bool {
	return s.Status == StatusAwaitingSignoff && s.NextStep() == ""
}

func (s Signoff) drafted(a Actor) bool { return slices.Contains(s.Drafters, a.ID) }

func (s Signoff) approvedBy(a Actor) bool {
	return slices.ContainsFunc(s.Approvals, func(ap Approval) bool { return ap.UserID == a.ID })
}

// CanEdit says whether a may change the decision's content. Its drafting team (the drafter who
// started it, and those they added) edit drafts, and decisions awaiting sign-off (which clears
// the approvals given to the old content).
func (s Signoff) CanEdit(a Actor) error {
	switch {
	case !a.Has(RoleDrafter):
		return notAllowed("Only drafters can change a decision.")
	case !s.drafted(a):
		return ErrNotDrafter
	case s.Status != StatusDraft && s.Status != StatusAwaitingSignoff:
		return notAllowed("This decision has been signed or closed: its content can no longer change.")
	case s.approvedBy(a):
		return notAllowed("You have approved a step of this decision, so you cannot also change it.")
	}
	return nil
}

// CanDiscard says whether a may discard the draft: its drafting team may, while it is a draft
// and no adviser's approval stands on it (an approval is on the record, and stays there).
func (s Signoff) CanDiscard(a Actor) error {
	switch {
	case !a.Has(RoleDrafter):
		return notAllowed("Only drafters can discard a draft.")
	case !s.drafted(a):
		return notAllowed("Only this draft's drafting team can discard it.")
	case s.Status == StatusDiscarded:
		return notAllowed("This draft has already been discarded.")
	case s.Status == StatusAwaitingSignoff:
		return notAllowed("This decision has been submitted for sign-off, so it can no longer be discarded.")
	case s.Status != StatusDraft:
		return notAllowed("Only a draft can be discarded: this decision has been signed or closed.")
	case len(s.Approvals) > 0:
		return notAllowed("An adviser has approved a step of this draft, so it cannot be discarded: their approval stays on the record.")
	}
	return nil
}

// CanSubmit says whether a may send the draft for sign-off.
func (s Signoff) CanSubmit(a Actor) error {
	switch {
	case !a.Has(RoleDrafter):
		return notAllowed("Only drafters can submit a decision for sign-off.")
	case s.Status != StatusDraft:
		return notAllowed("Only a draft can be submitted for sign-off.")
	case len(s.Chain) == 0:
		return notAllowed("The " + s.Series + " series has no sign-off chain yet: ask an admin to set one up.")
	}
	return nil
}

// CanAct says whether a may approve or return the decision at step kind. Steps are cleared in
// the chain's order.
func (s Signoff) CanAct(a Actor, kind string) error {
	switch {
	case s.Status != StatusAwaitingSignoff:
		return notAllowed("This decision is not waiting for sign-off.")
	case !a.Has(RoleAdviser) || !slices.Contains(a.StepKinds, kind):
		return notAllowed("You are not an adviser for this step.")
	case s.drafted(a):
		return notAllowed("You wrote part of this decision, so you cannot sign it off.")
	case slices.Contains(s.Approvals, Approval{StepKind: kind, UserID: a.ID}):
		return alreadyDone("You have already approved this step: your approval is recorded, and nothing more was needed.")
	case s.approvedBy(a):
		return notAllowed("You have already cleared another step of this decision, and one person clears one step: each step needs a different adviser, so that every check is made by someone new.")
	case s.NextStep() != kind:
		return notAllowed("This step is not the next one in the chain.")
	}
	return nil
}

// CanSign says whether a may sign (or reject) the decision as its decision maker.
func (s Signoff) CanSign(a Actor) error {
	switch {
	case !a.Has(RoleDecisionMaker) || !slices.Contains(a.Series, s.Series):
		return notAllowed("You are not a decision maker for the " + s.Series + " series.")
	case s.drafted(a):
		return notAllowed("You wrote part of this decision, so you cannot sign it.")
	case s.approvedBy(a):
		return notAllowed("You approved a step of this decision, so you cannot also sign it.")
	case s.Status == StatusApproved || s.Status == StatusPublished || s.Status == StatusRejected || s.Status == StatusWithdrawn:
		return alreadyDone("This decision has already been signed: the signature is recorded, and nothing more was needed.")
	case !s.ReadyToSign():
		return notAllowed("This decision is not ready for signature: every step must approve it first.")
	}
	return nil
}

// sortLinks orders links by kind, then by the other decision's series, year and number.
func sortLinks(ls []ContentLink) {
	slices.SortFunc(ls, func(a, b ContentLink) int {
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return CompareReferences(a.Reference, b.Reference)
	})
}

// CompareReferences orders references by series, year and number ("PCD 914" before "PCD 1047"),
// falling back to text for anything that is not a reference.
func CompareReferences(a, b string) int {
	ra, errA := ParseReference(a)
	rb, errB := ParseReference(b)
	if errA != nil || errB != nil {
		return strings.Compare(a, b)
	}
	return cmp.Or(strings.Compare(ra.Series, rb.Series), cmp.Compare(ra.Year, rb.Year), cmp.Compare(ra.Number, rb.Number))
}
