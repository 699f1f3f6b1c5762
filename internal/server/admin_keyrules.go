package server

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// handleAdminKeyRules shows each series' key-decision rule and the form that sets one.
func (s *Server) handleAdminKeyRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderKeyRules(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderKeyRules(w http.ResponseWriter, r *http.Request, status int, in url.Values, errs map[string]string) error {
	rules, err := s.store.KeyRules(r.Context())
	if err != nil {
		return err
	}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	title := "Key decisions"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	intro := "No series has a key-decision rule."
	if len(rules) > 0 {
		var parts []string
		for _, k := range rules {
			t := "no money threshold"
			if k.ThresholdPence != nil {
				t = "from " + decision.FormatPence(*k.ThresholdPence)
			}
			parts = append(parts, k.Series+": "+k.Mode+", "+t)
		}
		intro = "Rules now: " + strings.Join(parts, "; ") + "."
	}
	series := &components.Choice{ID: "series", Name: "series", Legend: "Series", Error: errs["series"]}
	for _, c := range chained {
		series.Options = append(series.Options, components.Option{Value: c, Label: c, Checked: in.Get("series") == c || len(chained) == 1})
	}
	mode := &components.Choice{ID: "mode", Name: "mode", Legend: "Notice of key decisions", Error: errs["mode"], Options: []components.Option{
		{Value: forwardplan.ModeStatutory, Label: "Statutory", Checked: in.Get("mode") == forwardplan.ModeStatutory,
			Hint: "A key decision cannot be signed until its notice has stood 28 clear days, unless a general-exception or special-urgency record is made."},
		{Value: forwardplan.ModeVoluntary, Label: "Voluntary", Checked: in.Get("mode") == forwardplan.ModeVoluntary,
			Hint: "The decision maker is warned, and may sign."},
		{Value: "none", Label: "No rule", Checked: in.Get("mode") == "none", Hint: "The series has no key decisions."},
	}}
	threshold := components.Field{ID: "threshold", Name: "threshold", Label: "Money threshold (optional)", Width: "10",
		Hint:  "A decision whose total reaches this is a key decision, as is one its drafters mark as affecting two or more areas. For example, £500,000.",
		Value: in.Get("threshold"), Error: errs["threshold"]}
	p := pages.PlanFormProps{
		Page:    s.page(r, title, "", "/admin/key-decisions"),
		Heading: "Key decisions",
		Intro:   intro,
		Action:  "/admin/key-decisions",
		Inputs:  []pages.PlanInput{{Radios: series}, {Radios: mode}, {Text: &threshold}},
		Submit:  "Save the rule",
	}
	for _, e := range []struct{ key, id string }{{"series", "series"}, {"mode", "mode"}, {"threshold", "threshold"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handleAdminKeyRulesSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in := r.PostForm
	errs := map[string]string{}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	rule := store.KeyRule{Series: in.Get("series"), Mode: in.Get("mode")}
	if !slices.Contains(chained, rule.Series) {
		errs["series"] = "Select the series"
	}
	switch rule.Mode {
	case forwardplan.ModeStatutory, forwardplan.ModeVoluntary:
	case "none":
		rule.Mode = ""
	default:
		errs["mode"] = "Select how notice of key decisions is enforced"
	}
	if t := strings.TrimSpace(in.Get("threshold")); t != "" {
		p, err := decision.ParsePence(t)
		if err != nil || p <= 0 {
			errs["threshold"] = "Enter the threshold in pounds, such as £500,000"
		} else {
			rule.ThresholdPence = &p
		}
	}
	if len(errs) > 0 {
		return s.renderKeyRules(w, r, http.StatusUnprocessableEntity, in, errs)
	}
	if err := s.store.SetKeyRule(r.Context(), userFrom(r).Act(s.now()), rule); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/key-decisions", http.StatusSeeOther)
	return nil
}
