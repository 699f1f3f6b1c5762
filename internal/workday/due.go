package workday

import (
	"strconv"
	"time"
)

// Due is the date a step that started waiting at since must be cleared by.
//
// The rule: a step has its kind's service level, sla working days from the day it started
// waiting. When the decision must be signed by a date, the working days from then to that
// date are shared evenly between this step, the steps after it (after) and the decision
// maker's signature, and the step is due by the end of its share (never before the day it
// started waiting, and never after the must-be-signed-by date). The due date is the earlier
// of the two.
func (c *Calendar) Due(since time.Time, sla int, mustSignBy *Date, after int) Date {
	due := c.Add(since, sla)
	if mustSignBy == nil {
		return due
	}
	left := c.Between(since, mustSignBy.Start())
	share := c.Add(since, left/(after+2))
	if mustSignBy.Before(share) {
		share = *mustSignBy
	}
	if share.Before(due) {
		return share
	}
	return due
}

// Waited says how long something has waited in working days: "4 working days", "1 working
// day", "less than a working day". The one place the register words an age, so the chain,
// "Your work" and the reminders agree.
func (c *Calendar) Waited(since, now time.Time) string {
	switch n := c.Between(since, now); n {
	case 0:
		return "less than a working day"
	case 1:
		return "1 working day"
	default:
		return strconv.Itoa(n) + " working days"
	}
}

// Times says how many times, in words: "once", "twice", "3 times".
func Times(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	default:
		return strconv.Itoa(n) + " times"
	}
}

// Words is d as the chain shows it: "Thu 12 March 2026".
func (d Date) Words() string {
	return d.Start().Format("Mon 2 January 2006")
}
