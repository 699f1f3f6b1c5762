package server

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/decision-register/decisions/internal/forwardplan"
)

// keyModes are the series' key-decision modes (forwardplan.ModeStatutory or ModeVoluntary), by
// series; a series with no rule is absent. Pages say what the 28 clear days mean from these, so
// none claims a rule that /admin/key-decisions has not set.
func (s *Server) keyModes(ctx context.Context) (map[string]string, error) {
	rules, err := s.store.KeyRules(ctx)
	if err != nil {
		return nil, err
	}
	modes := map[string]string{}
	for _, k := range rules {
		modes[k.Series] = k.Mode
	}
	return modes, nil
}

// keyVerb is "must" under a statutory rule, "should" under a voluntary one, "" with none.
func keyVerb(mode string) string {
	switch mode {
	case forwardplan.ModeStatutory:
		return "must"
	case forwardplan.ModeVoluntary:
		return "should"
	}
	return ""
}

// keyRuleSentence says what notice a key decision in series needs, or "" when the series has no
// rule: "A key decision in the PCD series must have stood on the forward plan for 28 clear days
// before it is signed, …".
func keyRuleSentence(modes map[string]string, series string) string {
	verb := keyVerb(modes[series])
	if verb == "" {
		return ""
	}
	out := "A key decision in the " + series + " series " + verb + " have its notice on the forward plan for 28 clear days before it is signed"
	if modes[series] == forwardplan.ModeStatutory {
		out += ", unless a general-exception or special-urgency record is published with it"
	}
	return out + "."
}

// keyRulesSentences is keyRuleSentence for every series with a rule, in order of series: what
// the whole plan says of key decisions.
func keyRulesSentences(modes map[string]string) string {
	var out []string
	for _, series := range slices.Sorted(maps.Keys(modes)) {
		if s := keyRuleSentence(modes, series); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " ")
}
