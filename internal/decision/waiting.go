package decision

import "time"

// StaffTag is how staff lists show a decision's status: a label and a GOV.UK tag colour.
type StaffTag struct {
	Label  string
	Colour string
}

// StaffStatus is the tag staff see for a decision: its status in their words, telling a signed
// decision whose publication is deferred to a later date (publishAt after now) from one
// approved and waiting only for the register to publish it. publishAt may be nil when the
// list does not know it.
func StaffStatus(status string, publishAt *time.Time, now time.Time) StaffTag {
	switch status {
	case StatusDraft:
		return StaffTag{"Draft", "grey"}
	case StatusAwaitingSignoff:
		return StaffTag{"In sign-off", "yellow"}
	case StatusApproved:
		if publishAt != nil && publishAt.After(now) {
			return StaffTag{"Deferred", "purple"}
		}
		return StaffTag{"Approved – not yet published", "blue"}
	case StatusPublished:
		return StaffTag{"Published", "green"}
	case StatusRejected:
		return StaffTag{"Rejected", "red"}
	case StatusWithdrawn:
		return StaffTag{"Withdrawn", "orange"}
	case StatusDiscarded:
		return StaffTag{"Discarded", "grey"}
	}
	return StaffTag{StatusLabel(status), "grey"}
}
