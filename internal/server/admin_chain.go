package server

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// adminSeries is the series the address names, when the register knows it.
func (s *Server) adminSeries(r *http.Request) (string, error) {
	series, ok := seriesParam(r)
	if !ok {
		return "", errPageNotFound
	}
	known, err := s.store.KnownSeries(r.Context())
	if err != nil {
		return "", err
	}
	if !slices.Contains(known, series) {
		return "", errPageNotFound
	}
	return series, nil
}

const maxChainPosition = 99

func (s *Server) handleAdminChain(w http.ResponseWriter, r *http.Request) error {
	series, err := s.adminSeries(r)
	if err != nil {
		return err
	}
	chain, err := s.store.SeriesChain(r.Context(), series)
	if err != nil {
		return err
	}
	positions := map[string]string{}
	for i, k := range chain {
		positions[k.Code] = strconv.Itoa(i + 1)
	}
	settings, err := s.store.StepKindSettings(r.Context())
	if err != nil {
		return err
	}
	for _, k := range settings {
		positions["sla-"+k.Code] = strconv.Itoa(k.SLADays)
		if k.Escalation != nil {
			positions["escalation-"+k.Code] = strconv.FormatInt(*k.Escalation, 10)
		}
	}
	return s.renderAdminChain(w, r, http.StatusOK, series, chain, positions, nil)
}

func (s *Server) renderAdminChain(w http.ResponseWriter, r *http.Request, status int, series string, chain []store.StepKind,
	positions, errs map[string]string) error {
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return err
	}
	// The chain's steps first, in order, then the rest by name.
	rank := func(code string) int {
		if i := slices.IndexFunc(chain, func(k store.StepKind) bool { return k.Code == code }); i >= 0 {
			return i
		}
		return len(chain)
	}
	slices.SortStableFunc(kinds, func(a, b store.StepKind) int { return cmp.Compare(rank(a.Code), rank(b.Code)) })
	path := "/admin/chains/" + series
	p := pages.AdminChainProps{Flash: s.popAdminFlash(r), Series: series, Action: path}
	for _, k := range chain {
		p.Current, p.CurrentCodes = append(p.Current, k.Name), append(p.CurrentCodes, k.Code)
	}
	for _, k := range kinds {
		id := "position-" + k.Code
		p.Positions = append(p.Positions, components.Field{ID: id, Name: id, Label: k.Name + " position", Hint: k.Statement,
			Value: positions[k.Code], Error: errs[k.Code], Width: "2", Autocomplete: "off"})
		if errs[k.Code] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[k.Code]})
		}
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	settings, err := s.store.StepKindSettings(r.Context())
	if err != nil {
		return err
	}
	for _, k := range kinds {
		id := "sla-" + k.Code
		p.SLAs = append(p.SLAs, components.Field{ID: id, Name: id, Label: k.Name + " service level (working days)",
			Value: positions[id], Error: errs[id], Width: "2", Autocomplete: "off"})
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
		id = "escalation-" + k.Code
		sel := pages.EscalationSelect{ID: id, Label: k.Name + " escalation contact", Value: positions[id], Error: errs[id],
			Hint: "Who a late " + k.Name + " step goes to: someone who clears " + k.Name + " steps, or an admin"}
		for _, u := range escalationCandidates(users, k.Code) {
			sel.Options = append(sel.Options, components.Option{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
		}
		// A contact since disabled, or who no longer clears the step nor is an admin, stays
		// shown as the one set (late steps go to the admins meanwhile) until it is changed.
		if i := slices.IndexFunc(settings, func(st store.StepKindSetting) bool { return st.Code == k.Code }); i >= 0 {
			if st := settings[i]; st.Escalation != nil && !slices.ContainsFunc(sel.Options, func(o components.Option) bool {
				return o.Value == strconv.FormatInt(*st.Escalation, 10)
			}) {
				sel.Options = append(sel.Options, components.Option{Value: strconv.FormatInt(*st.Escalation, 10),
					Label: st.EscalationName + " (can no longer be chosen: late steps go to the admins)"})
			}
		}
		p.Escalations = append(p.Escalations, sel)
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	title := series + " sign-off chain"
	if len(p.Errors) > 0 {
		title = "Error: " + title
	}
	p.Page = s.page(r, title, "admin", path)
	s.render(w, r, status, pages.AdminChain(p))
	return nil
}

func (s *Server) handleAdminChainSave(w http.ResponseWriter, r *http.Request) error {
	series, err := s.adminSeries(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return &pageError{Status: http.StatusBadRequest, Heading: "The form could not be read", Message: "Go back, reload the page and try again."}
	}
	if move := r.PostForm.Get("move"); move != "" {
		return s.moveChainStep(w, r, series, move)
	}
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return err
	}
	type step struct {
		kind store.StepKind
		pos  int
	}
	var steps []step
	positions, errs := map[string]string{}, map[string]string{}
	taken := map[int]string{}
	for _, k := range kinds {
		v := strings.TrimSpace(r.PostForm.Get("position-" + k.Code))
		positions[k.Code] = v
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxChainPosition {
			errs[k.Code] = fmt.Sprintf("Enter the position of %s as a whole number from 1 to %d, or leave it blank", k.Name, maxChainPosition)
			continue
		}
		if other, ok := taken[n]; ok {
			errs[k.Code] = fmt.Sprintf("%s and %s cannot both be in position %d", other, k.Name, n)
			continue
		}
		taken[n] = k.Name
		steps = append(steps, step{k, n})
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	settings, err := s.store.StepKindSettings(r.Context())
	if err != nil {
		return err
	}
	current := map[string]string{}
	for _, st := range settings {
		if st.Escalation != nil {
			current[st.Code] = strconv.FormatInt(*st.Escalation, 10)
		}
	}
	changes := map[string]store.StepKindChange{}
	for _, k := range kinds {
		var ch store.StepKindChange
		id := "sla-" + k.Code
		v := strings.TrimSpace(r.PostForm.Get(id))
		positions[id] = v
		if v != "" { // blank: unchanged
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 60 {
				errs[id] = fmt.Sprintf("Enter the service level of %s as a whole number of working days from 1 to 60", k.Name)
			} else {
				ch.SLADays = &n
			}
		}
		id = "escalation-" + k.Code
		if _, sent := r.PostForm[id]; sent && strings.TrimSpace(r.PostForm.Get(id)) == current[k.Code] {
			positions[id] = current[k.Code] // unchanged, whether or not they could be chosen now
		} else if sent {
			v := strings.TrimSpace(r.PostForm.Get(id))
			positions[id] = v
			var to int64
			if v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || !slices.ContainsFunc(escalationCandidates(users, k.Code), func(u store.User) bool { return u.ID == n }) {
					errs[id] = "Choose someone who clears " + k.Name + " steps, or an admin, as its escalation contact"
				}
				to = n
			}
			ch.Escalation = &to
		}
		if ch.SLADays != nil || ch.Escalation != nil {
			changes[k.Code] = ch
		}
	}
	if len(steps) == 0 && len(errs) == 0 && len(kinds) > 0 {
		errs[kinds[0].Code] = "Give at least one step a position"
	}
	chain, err := s.store.SeriesChain(r.Context(), series)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderAdminChain(w, r, http.StatusUnprocessableEntity, series, chain, positions, errs)
	}
	slices.SortFunc(steps, func(a, b step) int { return cmp.Compare(a.pos, b.pos) })
	codes := make([]string, len(steps))
	for i, st := range steps {
		codes[i] = st.kind.Code
	}
	// The settings first: a contact disabled or moved since the form was read is refused there
	// (ErrConflict), and the form comes back with nothing saved rather than half of it.
	switch err := s.store.SetStepKindSettings(r.Context(), userFrom(r).Act(s.now()), changes); {
	case errors.Is(err, store.ErrConflict):
		for code, ch := range changes {
			if ch.Escalation != nil && *ch.Escalation != 0 {
				errs["escalation-"+code] = "That person can no longer be the escalation contact (disabled, or no longer clears these steps): choose again"
			}
		}
		return s.renderAdminChain(w, r, http.StatusConflict, series, chain, positions, errs)
	case err != nil:
		return err
	}
	if err := s.store.SetSeriesChain(r.Context(), userFrom(r).Act(s.now()), series, codes); err != nil {
		return err
	}
	s.adminRedirect(w, r, "/admin/chains/"+series, "The "+series+" sign-off chain has been saved")
	return nil
}

// moveChainStep moves a step of a series' chain one place up or down ("up:finance"), from its
// Move buttons. A step no longer in the chain (someone saved it meanwhile) changes nothing.
func (s *Server) moveChainStep(w http.ResponseWriter, r *http.Request, series, move string) error {
	dir, code, _ := strings.Cut(move, ":")
	chain, err := s.store.SeriesChain(r.Context(), series)
	if err != nil {
		return err
	}
	codes := make([]string, len(chain))
	for i, k := range chain {
		codes[i] = k.Code
	}
	i := slices.Index(codes, code)
	j := i + 1
	if dir == "up" {
		j = i - 1
	}
	if i < 0 || j < 0 || j >= len(codes) || (dir != "up" && dir != "down") {
		s.adminRedirect(w, r, "/admin/chains/"+series, "The chain has changed since you opened it: nothing was moved")
		return nil
	}
	codes[i], codes[j] = codes[j], codes[i]
	if err := s.store.SetSeriesChain(r.Context(), userFrom(r).Act(s.now()), series, codes); err != nil {
		return err
	}
	where := "down"
	if dir == "up" {
		where = "up"
	}
	s.adminRedirect(w, r, "/admin/chains/"+series, chain[i].Name+" moved "+where+": the "+series+" sign-off chain has been saved")
	return nil
}

// escalationCandidates are who may be a kind of step's escalation contact: the enabled users
// who clear that kind of step, and the admins.
func escalationCandidates(users []store.User, kind string) []store.User {
	var out []store.User
	for _, u := range users {
		if u.DisabledAt == nil && (u.Has("admin") || slices.Contains(u.StepKinds, kind)) {
			out = append(out, u)
		}
	}
	return out
}
