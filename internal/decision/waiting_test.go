package decision

import (
	"testing"
	"time"
)

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
