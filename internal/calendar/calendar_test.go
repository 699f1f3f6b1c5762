package calendar_test

import (
	"bytes"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/decision-register/decisions/internal/calendar"
	"github.com/decision-register/decisions/internal/calendar/icaltest"
)

func TestWriteParsesBack(t *testing.T) {
	updated := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
	f := calendar.Feed{Name: "Test feed", Description: "Dates ahead, with commas, semicolons; and a long description that has to be folded over several lines.",
		URL: "https://register.example/calendars/test.ics", Events: []calendar.Event{
			{UID: "deferred-publication-pcd-1700@register.example", Start: time.Date(2027, 3, 27, 0, 0, 0, 0, time.UTC), Summary: "PCD 1700 to be published",
				URL: "https://register.example/decisions/pcd-1700", Updated: updated},
			// 31 March in London, written at midnight UTC; the date must stay the 31st.
			{UID: "funding-end-pcd-1682@register.example", Start: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), AllDay: true,
				Summary: "PCD 1682 funding ends", Description: "PCD 1682: Violence reduction, social media. Funding ending: Home Office grant; “quoted”.",
				URL: "https://register.example/decisions/pcd-1682", Updated: updated},
		}}
	var b bytes.Buffer
	if err := calendar.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	cal := icaltest.CheckRFC5545(t, b.Bytes())
	evs := cal.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events parsed back, want 2", len(evs))
	}
	if evs[0].Id() != f.Events[0].UID || evs[1].Id() != f.Events[1].UID {
		t.Errorf("UIDs %q, %q", evs[0].Id(), evs[1].Id())
	}
	if s, err := evs[0].GetStartAt(); err != nil || !s.Equal(f.Events[0].Start) {
		t.Errorf("the deferred publication starts %v (%v), want %v", s, err, f.Events[0].Start)
	}
	if d, err := evs[1].GetAllDayStartAt(); err != nil || d.Format(time.DateOnly) != "2027-03-31" {
		t.Errorf("the funding end is on %v (%v), want 2027-03-31", d, err)
	}
	for i, e := range evs {
		if got := e.GetProperty(ics.ComponentPropertySummary).Value; got != f.Events[i].Summary {
			t.Errorf("SUMMARY %q, want %q", got, f.Events[i].Summary)
		}
		if got := e.GetProperty(ics.ComponentPropertyUrl).Value; got != f.Events[i].URL {
			t.Errorf("URL %q, want %q", got, f.Events[i].URL)
		}
	}
	if got := evs[1].GetProperty(ics.ComponentPropertyDescription).Value; got != f.Events[1].Description {
		t.Errorf("DESCRIPTION parsed back as %q, want %q (escaped and unescaped)", got, f.Events[1].Description)
	}
	var again bytes.Buffer
	_ = calendar.Write(&again, f)
	if again.String() != b.String() {
		t.Error("the same feed written twice differs: UIDs and stamps must be stable")
	}
}
