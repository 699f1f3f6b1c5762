// Package icaltest checks iCalendar feeds in tests: parsed back by the library that writes
// them, and held to what RFC 5545 requires.
package icaltest

import (
	"bytes"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// CheckRFC5545 parses a feed back with the library and checks what RFC 5545 requires of it:
// CRLF line ends, lines folded at 75 octets, VERSION 2.0 and PRODID once on the calendar
// (3.6), and UID, DTSTAMP and DTSTART once on each event (3.6.1; DTSTART is required without
// a METHOD, and these feeds give it always), DTEND after DTSTART where there is one. It returns
// the parsed calendar.
func CheckRFC5545(t testing.TB, raw []byte) *ics.Calendar {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Error("the feed does not end in CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if strings.Contains(line, "\n") {
			t.Errorf("line %d ends in a bare LF", i+1)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, more than 75: %q", i+1, len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("the library cannot parse the feed back: %v", err)
	}
	props := map[ics.Property][]string{}
	for _, p := range cal.CalendarProperties {
		props[ics.Property(p.IANAToken)] = append(props[ics.Property(p.IANAToken)], p.Value)
	}
	if v := props[ics.PropertyVersion]; len(v) != 1 || v[0] != "2.0" {
		t.Errorf("VERSION %v, want 2.0 once", v)
	}
	if v := props[ics.PropertyProductId]; len(v) != 1 || v[0] == "" {
		t.Errorf("PRODID %v, want one", v)
	}
	uids := map[string]bool{}
	for _, e := range cal.Events() {
		for _, p := range []ics.ComponentProperty{ics.ComponentPropertyUniqueId, ics.ComponentPropertyDtstamp, ics.ComponentPropertyDtStart} {
			if n := len(e.GetProperties(p)); n != 1 {
				t.Errorf("event %q has %s %d times, want once", e.Id(), p, n)
			}
		}
		if uids[e.Id()] {
			t.Errorf("UID %q twice", e.Id())
		}
		uids[e.Id()] = true
		if _, err := e.GetDtStampTime(); err != nil {
			t.Errorf("event %q: DTSTAMP: %v", e.Id(), err)
		}
		start := e.GetProperty(ics.ComponentPropertyDtStart)
		if start != nil && len(start.ICalParameters["VALUE"]) > 0 {
			s, err := e.GetAllDayStartAt()
			if err != nil {
				t.Errorf("event %q: DTSTART: %v", e.Id(), err)
			}
			if e.HasProperty(ics.ComponentPropertyDtEnd) {
				if end, err := e.GetAllDayEndAt(); err != nil || !end.After(s) {
					t.Errorf("event %q: DTEND %v (%v) not after DTSTART %v", e.Id(), end, err, s)
				}
			}
		} else if _, err := e.GetStartAt(); err != nil {
			t.Errorf("event %q: DTSTART: %v", e.Id(), err)
		}
	}
	return cal
}
