package decision

import (
	"regexp"
	"strings"
)

// ParseRole reads a role as a person types it ("decision-maker", "Decision maker",
// "decision_maker") and returns its stored name, or false when there is no such role.
func ParseRole(s string) (string, bool) {
	r := strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
	for _, role := range Roles {
		if r == role {
			return role, true
		}
	}
	return "", false
}

// RoleName is a role in words for people.
func RoleName(role string) string {
	switch role {
	case RoleDrafter:
		return "Drafter"
	case RoleAdviser:
		return "Adviser"
	case RoleDecisionMaker:
		return "Decision maker"
	case RoleAdmin:
		return "Admin"
	}
	return role
}

// RoleFlag is a role as the command line spells it ("decision-maker").
func RoleFlag(role string) string { return strings.ReplaceAll(role, "_", "-") }

// StepKindCode is a step kind's code from its short name as typed: "head-of-unit",
// "Head of unit" and "head_of_unit" are all "head_of_unit".
func StepKindCode(s string) string {
	return strings.NewReplacer("-", "_", " ", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
}

var seriesPattern = regexp.MustCompile(`^[A-Z]{1,8}$`)

// ParseSeries reads a series name ("pcd" is "PCD"), or false when it cannot be one.
func ParseSeries(s string) (string, bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	return s, seriesPattern.MatchString(s)
}

// GrantProblems says what does not fit together in a set of grants, by the part it concerns
// ("roles", "steps", "series"): an adviser clears at least one kind of step and only advisers
// clear steps; a decision maker signs for at least one series and only decision makers do.
// Names are already valid; this is only about how they fit.
func GrantProblems(roles, steps, series []string) map[string]string {
	has := func(role string) bool {
		for _, r := range roles {
			if r == role {
				return true
			}
		}
		return false
	}
	p := map[string]string{}
	switch {
	case len(roles) == 0:
		p["roles"] = "Choose at least one role"
	case has(RoleAdviser) && len(steps) == 0:
		p["steps"] = "Choose the steps this adviser clears"
	case !has(RoleAdviser) && len(steps) > 0:
		p["steps"] = "Only advisers clear steps: choose the adviser role, or no steps"
	}
	switch {
	case has(RoleDecisionMaker) && len(series) == 0:
		p["series"] = "Choose the series this decision maker signs for"
	case !has(RoleDecisionMaker) && len(series) > 0:
		p["series"] = "Only decision makers sign for a series: choose the decision maker role, or no series"
	}
	return p
}
