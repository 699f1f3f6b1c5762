package decision

import (
	"testing"
	"time"
)

func TestWorkingDays(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name     string
		from, to string
		want     int
	}{
		{"same day", "2026-12-07 09:00", "2026-12-07 17:00", 0},
		{"Monday to Wednesday", "2026-12-07 16:00", "2026-12-09 09:00", 2},
		{"Friday to Monday skips the weekend", "2026-12-04 10:00", "2026-12-07 10:00", 1},
		{"Saturday to Sunday", "2026-12-05 10:00", "2026-12-06 10:00", 0},
		{"a whole week", "2026-11-30 10:00", "2026-12-07 10:00", 5},
		{"late evening is that day in London", "2026-12-04 23:30", "2026-12-07 00:30", 1},
		{"across the clocks going forward", "2026-03-27 12:00", "2026-03-30 12:00", 1},
		{"to before from", "2026-12-09 10:00", "2026-12-07 10:00", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WorkingDays(at(tt.from), at(tt.to), loc); got != tt.want {
				t.Errorf("WorkingDays(%s, %s) = %d, want %d", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

func TestStaffStatus(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	later, earlier := now.Add(48*time.Hour), now.Add(-time.Hour)
	tests := []struct {
		status    string
		publishAt *time.Time
		want      string
	}{
		{StatusDraft, nil, "Draft"},
		{StatusAwaitingSignoff, nil, "In sign-off"},
		{StatusApproved, &later, "Deferred"},
		{StatusApproved, &earlier, "Approved – not yet published"},
		{StatusApproved, nil, "Approved – not yet published"},
		{StatusPublished, nil, "Published"},
		{StatusRejected, nil, "Rejected"},
		{StatusWithdrawn, nil, "Withdrawn"},
		{StatusDiscarded, nil, "Discarded"},
	}
	for _, tt := range tests {
		if got := StaffStatus(tt.status, tt.publishAt, now).Label; got != tt.want {
			t.Errorf("StaffStatus(%q, %v) = %q, want %q", tt.status, tt.publishAt, got, tt.want)
		}
	}
}
