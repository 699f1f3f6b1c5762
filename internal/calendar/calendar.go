// Package calendar writes the register's iCalendar feeds (RFC 5545) with arran4/golang-ical:
// deferred publication dates, funding end dates, and whatever else gives dates ahead (the
// forward plan's expected dates are one more list of Events). It does no I/O but the writing.
package calendar

import (
	"io"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Event is one date in a feed.
type Event struct {
	// UID names the event for good (RFC 5545 3.8.4.7): a calendar that subscribes replaces
	// an event whose UID it knows, so it must stay the same while the event is the same
	// thing (a decision's deferred publication, say), whatever its date becomes.
	UID string
	// Start is when it happens; AllDay makes it a date (London's), not a moment.
	Start  time.Time
	AllDay bool
	// LastDay, for an all-day event of more than one day (a period), is its last day; zero
	// for one day.
	LastDay time.Time
	// Summary starts with the decision's reference; Description says more.
	Summary     string
	Description string
	// URL is the permanent link to the decision (or notice) it is about.
	URL string
	// Updated is when what the event says last changed: its DTSTAMP and LAST-MODIFIED.
	Updated time.Time
	// Sequence counts the event's revisions (SEQUENCE, RFC 5545 3.8.7.4), when it has any.
	Sequence int
	// Cancelled marks an event that will not happen (STATUS:CANCELLED), kept so that a
	// calendar that has it is told rather than left to guess.
	Cancelled bool
}

// Feed is one calendar: its name, what it holds, and its events.
type Feed struct {
	Name, Description string
	URL               string // the feed's own address
	Events            []Event
}

// ProductID names the program that made a feed (PRODID, RFC 5545 3.7.3).
const ProductID = "-//Decision Register//Decision Register calendars//EN"

// london is the zone an all-day event's date is taken in.
func london() *time.Location {
	if l, err := time.LoadLocation("Europe/London"); err == nil {
		return l
	}
	return time.UTC
}

// Write writes f as an iCalendar object: VERSION 2.0, PRODID, CALSCALE GREGORIAN and
// METHOD PUBLISH, and each event with UID, DTSTAMP, DTSTART (and for a date DTEND, the day
// after its last), SUMMARY, DESCRIPTION and URL, and SEQUENCE and STATUS when it has them.
// Lines are folded at 75
// octets and end in CRLF, as the RFC asks.
func Write(w io.Writer, f Feed) error {
	cal := ics.NewCalendarFor("Decision Register")
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	cal.SetMethod(ics.MethodPublish)
	cal.SetName(f.Name)
	cal.SetXWRCalName(f.Name)
	cal.SetDescription(f.Description)
	cal.SetXWRCalDesc(f.Description)
	if f.URL != "" {
		cal.SetUrl(f.URL)
	}
	cal.SetRefreshInterval("PT6H")
	cal.SetXPublishedTTL("PT6H")
	for _, e := range f.Events {
		ev := cal.AddEvent(e.UID)
		ev.SetDtStampTime(e.Updated)
		ev.SetModifiedAt(e.Updated)
		if e.AllDay {
			day := e.Start.In(london())
			d := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
			ev.SetAllDayStartAt(d)
			end := d
			if !e.LastDay.IsZero() {
				last := e.LastDay.In(london())
				if l := time.Date(last.Year(), last.Month(), last.Day(), 0, 0, 0, 0, time.UTC); l.After(d) {
					end = l
				}
			}
			ev.SetAllDayEndAt(end.AddDate(0, 0, 1))
		} else {
			// No DTEND: a moment, which RFC 5545 (3.6.1) reads as ending where it starts.
			ev.SetStartAt(e.Start)
		}
		ev.SetSummary(e.Summary)
		if e.Description != "" {
			ev.SetDescription(e.Description)
		}
		if e.URL != "" {
			ev.SetURL(e.URL)
		}
		if e.Sequence > 0 {
			ev.SetSequence(e.Sequence)
		}
		if e.Cancelled {
			ev.SetStatus(ics.ObjectStatusCancelled)
		}
		ev.SetProperty(ics.ComponentPropertyTransp, "TRANSPARENT")
	}
	return cal.SerializeTo(w, ics.WithNewLineWindows)
}
