package decision

import "testing"

func TestNextYears(t *testing.T) {
	y := func(n int) *int { return &n }
	show := func(p *int) any {
		if p == nil {
			return nil
		}
		return *p
	}
	tests := []struct {
		start, end         *int
		wantStart, wantEnd *int
	}{
		{y(2024), y(2024), y(2025), y(2025)},
		{y(2022), y(2023), y(2023), y(2024)},
		{y(2024), nil, y(2025), nil},
		{nil, nil, nil, nil},
		{y(MaxYear - 1), y(MaxYear), y(MaxYear), y(MaxYear)},
		{y(MaxYear), y(MaxYear), y(MaxYear), y(MaxYear)},
	}
	for _, tt := range tests {
		s, e := NextYears(tt.start, tt.end)
		if show(s) != show(tt.wantStart) || show(e) != show(tt.wantEnd) {
			t.Errorf("NextYears(%v, %v) = %v, %v, want %v, %v", show(tt.start), show(tt.end), show(s), show(e), show(tt.wantStart), show(tt.wantEnd))
		}
	}
}

func TestCanContinue(t *testing.T) {
	for status, ok := range map[string]bool{StatusPublished: true, StatusApproved: true, StatusDraft: false,
		StatusAwaitingSignoff: false, StatusWithdrawn: false, StatusRejected: false, StatusDiscarded: false} {
		if err := CanContinue(status); (err == nil) != ok {
			t.Errorf("CanContinue(%s) = %v, want allowed %v", status, err, ok)
		}
	}
}
