package decision

import (
	"maps"
	"testing"
)

func TestParseRole(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"drafter", RoleDrafter, true},
		{" Adviser ", RoleAdviser, true},
		{"decision-maker", RoleDecisionMaker, true},
		{"decision_maker", RoleDecisionMaker, true},
		{"Decision maker", RoleDecisionMaker, true},
		{"ADMIN", RoleAdmin, true},
		{"superuser", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := ParseRole(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRole(%q) = %q, %t; want %q, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestStepKindCodeAndSeries(t *testing.T) {
	for in, want := range map[string]string{"head-of-unit": "head_of_unit", "Head of unit": "head_of_unit",
		"head_of_unit": "head_of_unit", " Finance ": "finance", "data-protection": "data_protection"} {
		if got := StepKindCode(in); got != want {
			t.Errorf("StepKindCode(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{"PCD": true, "pcd": true, " dmpcd ": true, "PCD1": false, "": false, "ABCDEFGHI": false} {
		if _, ok := ParseSeries(in); ok != want {
			t.Errorf("ParseSeries(%q) ok = %t, want %t", in, ok, want)
		}
	}
}

func TestGrantProblems(t *testing.T) {
	tests := []struct {
		name                 string
		roles, steps, series []string
		want                 map[string]string
	}{
		{"drafter", []string{RoleDrafter}, nil, nil, map[string]string{}},
		{"no role", nil, nil, nil, map[string]string{"roles": "Choose at least one role"}},
		{"adviser with steps", []string{RoleAdviser}, []string{"legal"}, nil, map[string]string{}},
		{"adviser without steps", []string{RoleAdviser}, nil, nil, map[string]string{"steps": "Choose the steps this adviser clears"}},
		{"steps without adviser", []string{RoleDrafter}, []string{"legal"}, nil,
			map[string]string{"steps": "Only advisers clear steps: choose the adviser role, or no steps"}},
		{"decision maker without series", []string{RoleDecisionMaker}, nil, nil,
			map[string]string{"series": "Choose the series this decision maker signs for"}},
		{"series without decision maker", []string{RoleAdmin}, nil, []string{"PCD"},
			map[string]string{"series": "Only decision makers sign for a series: choose the decision maker role, or no series"}},
		{"everything", Roles, []string{"finance"}, []string{"PCD"}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GrantProblems(tt.roles, tt.steps, tt.series); !maps.Equal(got, tt.want) {
				t.Errorf("GrantProblems = %v, want %v", got, tt.want)
			}
		})
	}
}
