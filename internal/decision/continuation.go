package decision

// Continuation: the next decision of a funding chain started from the last one signed.

// CanContinue says whether a decision of this status can have the next decision of its chain
// started from it: one signed into effect (published, or approved and awaiting publication),
// and not withdrawn or rejected.
func CanContinue(status string) error {
	if status != StatusPublished && status != StatusApproved {
		return notAllowed("Only a signed decision that is published or awaiting publication can be continued.")
	}
	return nil
}

// NextYears moves a funding line's financial years on by one, as the next decision of a chain
// asks for the year after: 2024-25 becomes 2025-26, a span moves whole. An unknown year stays
// unknown; a year already at MaxYear stays there (the register holds no later one), with the
// end kept no earlier than the start.
func NextYears(start, end *int) (*int, *int) {
	next := func(y *int) *int {
		if y == nil {
			return nil
		}
		n := min(*y+1, MaxYear)
		return &n
	}
	return next(start), next(end)
}
