package decision

// Statuses a decision moves through. The database CHECK lists the same values; the sign-off
// state machine will own the moves between them.
const (
	StatusDraft           = "draft"
	StatusAwaitingSignoff = "awaiting_signoff"
	StatusApproved        = "approved"
	StatusPublished       = "published"
	StatusWithdrawn       = "withdrawn"
	// StatusDiscarded is a draft its drafting team threw away before anyone approved it. The
	// row stays, so its reference number is never given to another decision.
	StatusDiscarded = "discarded"
)

// StatusLabel names a status for people.
func StatusLabel(s string) string {
	switch s {
	case StatusDraft:
		return "Draft"
	case StatusAwaitingSignoff:
		return "Awaiting sign-off"
	case StatusApproved:
		return "Approved"
	case StatusPublished:
		return "Published"
	case StatusWithdrawn:
		return "Withdrawn"
	case StatusRejected:
		return "Rejected"
	case StatusDiscarded:
		return "Discarded"
	}
	return s
}
