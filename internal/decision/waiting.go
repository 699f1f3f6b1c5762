package decision

import "time"

// WorkingDays counts the working days from the day of from to the day of to, in loc: the
// working days after from's day up to and including to's day, so a decision submitted on a
// Monday has waited 2 working days on the Wednesday and 0 on the Monday itself. A working
// day is Monday to Friday.
//
// It is the one place the register counts working days: bank holidays, when they are kept,
// are taken out here and nowhere else.
func WorkingDays(from, to time.Time, loc *time.Location) int {
	from, to = from.In(loc), to.In(loc)
	d := time.Date(from.Year(), from.Month(), from.Day(), 12, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day(), 12, 0, 0, 0, loc)
	n := 0
	for d = d.AddDate(0, 0, 1); !d.After(end); d = d.AddDate(0, 0, 1) {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return n
}

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
