package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// planForm is the notice as typed.
type planForm struct {
	in   url.Values
	errs map[string]string
	// parts are the date boxes each date's error is about.
	fromParts, toParts []string
	// existing is the notice the decision named already has, linked from its error.
	existing *pages.PlanLink
}

// planNoticeInput reads and checks a notice form. saved is the notice being changed (nil for
// a new one): its dates may stay as they were even once past.
func (s *Server) planNoticeInput(r *http.Request, in url.Values, saved *store.PlanNoticeRow) (store.PlanNoticeInput, planForm, error) {
	f := planForm{in: in, errs: map[string]string{}}
	// Cleaned as decision text is: line breaks kept as "\n", whatever the browser sent.
	text := func(name string) string { return decision.CleanText(in.Get(name)) }
	out := store.PlanNoticeInput{Matter: text("matter"), MakerName: text("maker_name"), MakerTitle: text("maker_title"),
		Documents: text("documents"), Copies: text("copies")}
	required := []struct{ name, msg string }{
		{"matter", "Enter the matter to be decided"},
		{"maker_name", "Enter the decision maker’s name"},
		{"maker_title", "Enter the decision maker’s title"},
		{"documents", "Enter the documents to be submitted to the decision maker"},
		{"copies", "Enter where copies can be had and how to ask for them"},
	}
	for _, q := range required {
		if text(q.name) == "" {
			f.errs[q.name] = q.msg
		}
	}
	for _, q := range []struct {
		name string
		max  int
	}{{"matter", 2000}, {"maker_name", 200}, {"maker_title", 200}, {"documents", 4000}, {"copies", 2000}} {
		if n := len([]rune(text(q.name))); n > q.max {
			f.errs[q.name] = fmt.Sprintf("Use %d characters or fewer (you used %d)", q.max, n)
		}
	}
	today := utcDay(s.now().In(london()))
	from, msg, parts := dateInput(in, "expected", "Date expected")
	if msg != "" {
		f.errs["expected"], f.fromParts = msg, parts
	} else {
		from = utcDay(from)
		out.ExpectedFrom = from
		if from.Before(today) && (saved == nil || !saved.ExpectedFrom.Equal(from)) {
			f.errs["expected"] = "Date expected must be today or in the future"
		}
	}
	if in.Get("expected_to_day")+in.Get("expected_to_month")+in.Get("expected_to_year") != "" {
		to, msg, parts := dateInput(in, "expected_to", "End of the period")
		switch {
		case msg != "":
			f.errs["expected_to"], f.toParts = msg, parts
		case f.errs["expected"] == "" && utcDay(to).Before(from):
			f.errs["expected_to"] = "End of the period must be on or after the date expected"
		default:
			t := utcDay(to)
			out.ExpectedTo = &t
		}
	}
	switch in.Get("withheld") {
	case "yes":
		g := text("withheld_ground")
		if g == "" {
			f.errs["withheld_ground"] = "Enter the ground on which part is expected to be withheld"
		}
		out.WithheldGround = &g
	case "no":
	default:
		f.errs["withheld"] = "Select whether any part is expected to be withheld"
	}
	switch in.Get("key") {
	case "yes":
		out.KeyDecision = true
	case "no":
	default:
		f.errs["key"] = "Select whether it is a key decision"
	}
	if saved != nil {
		out.Series, out.DecisionID = saved.Series, saved.DecisionID
	} else {
		out.Series = in.Get("series")
		chained, err := s.store.ChainedSeries(r.Context())
		if err != nil {
			return out, f, err
		}
		if !slices.Contains(chained, out.Series) {
			f.errs["series"] = "Select the series"
		}
	}
	if ref := strings.TrimSpace(in.Get("decision")); ref != "" {
		parsed, err := decision.ParseReference(ref)
		switch {
		case err != nil:
			f.errs["decision"] = "Enter a reference like PCD 1700, or leave it blank"
		case saved != nil && saved.DecisionReference != nil && *saved.DecisionReference == parsed.String():
			// Its own decision, which may be signed by now.
		case saved != nil && saved.DecisionSigned != nil:
			f.errs["decision"] = *saved.DecisionReference + " is signed: the notice's link to it cannot change"
		default:
			id, series, err := s.store.DecisionForNotice(r.Context(), parsed.String())
			switch {
			case errors.Is(err, store.ErrNotFound):
				f.errs["decision"] = "There is no draft or decision in sign-off with the reference " + parsed.String()
			case err != nil:
				return out, f, err
			case f.errs["series"] == "" && series != out.Series:
				f.errs["decision"] = parsed.String() + " is in the " + series + " series, not " + out.Series
			default:
				out.DecisionID = &id
				switch n, err := s.store.PlanNoticeOf(r.Context(), s.access(r), id); {
				case err == nil && (saved == nil || n.ID != saved.ID):
					f.errs["decision"] = parsed.String() + " already has a notice: change that one instead"
					f.existing = &pages.PlanLink{URL: noticeURL(n.ID), Text: "Go to the notice of " + parsed.String()}
				case err != nil && !errors.Is(err, store.ErrNotFound):
					return out, f, err
				}
			}
		}
	}
	// Left blank, a notice's link stays: undoing one is its own action (handlePlanNoticeUnlink),
	// audited and kept in the notice's history.
	return out, f, nil
}

func yesNo(id, name, legend, hint, value, msg string) *components.Choice {
	return &components.Choice{ID: id, Name: name, Legend: legend, Hint: hint, Error: msg, Small: false,
		Options: []components.Option{{Value: "yes", Label: "Yes", Checked: value == "yes"}, {Value: "no", Label: "No", Checked: value == "no"}}}
}

// renderNoticeForm shows the notice form: new (saved nil) or a change, with what was typed
// (or what is saved) and the errors by field.
func (s *Server) renderNoticeForm(w http.ResponseWriter, r *http.Request, status int, saved *store.PlanNoticeRow, f planForm) error {
	in := f.in
	if in == nil {
		in = url.Values{}
		if saved != nil {
			in.Set("matter", saved.Matter)
			in.Set("maker_name", saved.MakerName)
			in.Set("maker_title", saved.MakerTitle)
			in.Set("documents", saved.Documents)
			in.Set("copies", saved.Copies)
			setDate(in, "expected", saved.ExpectedFrom)
			if saved.ExpectedTo != nil {
				setDate(in, "expected_to", *saved.ExpectedTo)
			}
			in.Set("withheld", map[bool]string{true: "yes", false: "no"}[saved.WithheldGround != nil])
			in.Set("withheld_ground", deref(saved.WithheldGround))
			in.Set("key", map[bool]string{true: "yes", false: "no"}[saved.KeyDecision])
			if saved.DecisionReference != nil {
				in.Set("decision", *saved.DecisionReference)
			}
		} else if ref := r.URL.Query().Get("decision"); ref != "" {
			in.Set("decision", ref)
		}
	}
	errs := f.errs
	heading, action, submit := "Add a notice to the forward plan", "/forward-plan/new", "Publish the notice"
	if saved != nil {
		heading, action, submit = "Change the notice", noticeURL(saved.ID)+"/edit", "Save the change"
	}
	title := heading
	if len(errs) > 0 {
		title = "Error: " + title
	}
	field := func(id, name, label, hint string, rows int) components.Field {
		return components.Field{ID: id, Name: name, Label: label, Hint: hint, Value: in.Get(name), Error: errs[name], Rows: rows}
	}
	dateF := func(name, id, legend, hint string, parts []string) *components.DateField {
		return &components.DateField{ID: id, Name: name, Legend: legend, Hint: hint, Error: errs[name], ErrorParts: parts,
			Day: in.Get(name + "_day"), Month: in.Get(name + "_month"), Year: in.Get(name + "_year")}
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	intro := "The notice is public as soon as it is published, and every change is kept in the notice's history."
	if len(modes) > 0 {
		intro = "The notice is public as soon as it is published: a key decision's 28 clear days run from then. Every change is kept in the notice's history."
	}
	p := pages.PlanFormProps{
		Page:     s.page(r, title, "forward-plan", action),
		Caption:  "Forward plan",
		Heading:  heading,
		Intro:    intro,
		Action:   action,
		Submit:   submit,
		Back:     "/forward-plan",
		Existing: f.existing,
	}
	keyHint := "No series has a key-decision rule, so no notice period applies."
	if saved != nil {
		keyHint = keyRuleSentence(modes, saved.Series)
		if keyHint == "" {
			keyHint = "The " + saved.Series + " series has no key-decision rule, so no notice period applies."
		}
	} else if len(modes) > 0 {
		keyHint = keyRulesSentences(modes)
	}
	if saved != nil {
		p.Back = noticeURL(saved.ID)
		p.Hidden = []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(saved.Version)}}
	} else {
		chained, err := s.store.ChainedSeries(r.Context())
		if err != nil {
			return err
		}
		c := &components.Choice{ID: "series", Name: "series", Legend: "Series", Error: errs["series"]}
		for _, sr := range chained {
			// The one series there is comes chosen.
			c.Options = append(c.Options, components.Option{Value: sr, Label: sr, Checked: in.Get("series") == sr || len(chained) == 1})
		}
		p.Inputs = append(p.Inputs, pages.PlanInput{Radios: c})
	}
	expected := dateF("expected", "expected", "Date expected, or the first day of the period", "For example, 27 3 2027.", f.fromParts)
	to := dateF("expected_to", "expected-to", "Last day of the period (if a period)", "Leave blank when a single date is expected.", f.toParts)
	dec := field("decision", "decision", "Decision reference (if the decision has been started)", "For example, PCD 1700. Once it is signed, the notice links to it.", 0)
	if saved != nil && saved.DecisionID != nil {
		dec.Hint = "To undo a link made by mistake, use “Unlink from its decision” on the notice’s page, before the decision is signed."
	}
	dec.Width = "10"
	p.Inputs = append(p.Inputs,
		pages.PlanInput{Text: &dec},
		pages.PlanInput{Area: ptr(field("matter", "matter", "The matter to be decided", "", 4))},
		pages.PlanInput{Text: ptr(field("maker-name", "maker_name", "Decision maker’s name", "A person, or the body that decides.", 0))},
		pages.PlanInput{Text: ptr(field("maker-title", "maker_title", "Decision maker’s title", "For example, Deputy Mayor for Policing and Crime.", 0))},
		pages.PlanInput{Date: expected},
		pages.PlanInput{Date: to},
		pages.PlanInput{Area: ptr(field("documents", "documents", "Documents to be submitted to the decision maker", "One a line.", 4))},
		pages.PlanInput{Area: ptr(field("copies", "copies", "Where copies can be had and how to ask for them", "An address, and who to ask. Other documents may be submitted too.", 3))},
		pages.PlanInput{Radios: yesNo("withheld", "withheld", "Is any part expected to be withheld from the public?", "", in.Get("withheld"), errs["withheld"])},
		pages.PlanInput{Area: ptr(field("withheld-ground", "withheld_ground", "If so, on what ground", "For example, Schedule 12A paragraph 3 (financial or business affairs), or FOI Act section 43.", 2))},
		pages.PlanInput{Radios: yesNo("key", "key", "Is it a key decision?", keyHint, in.Get("key"), errs["key"])},
	)
	// Inline errors use the fields' ids; the summary links to them in the form's order.
	for _, e := range []struct{ key, id string }{{"series", "series"}, {"decision", "decision"}, {"matter", "matter"},
		{"maker_name", "maker-name"}, {"maker_title", "maker-title"}, {"expected", expected.FirstErrorID()},
		{"expected_to", to.FirstErrorID()}, {"documents", "documents"}, {"copies", "copies"}, {"withheld", "withheld"},
		{"withheld_ground", "withheld-ground"}, {"key", "key"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func ptr[T any](v T) *T { return &v }

func setDate(in url.Values, name string, t time.Time) {
	in.Set(name+"_day", strconv.Itoa(t.Day()))
	in.Set(name+"_month", strconv.Itoa(int(t.Month())))
	in.Set(name+"_year", strconv.Itoa(t.Year()))
}

func (s *Server) handlePlanNoticeNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderNoticeForm(w, r, http.StatusOK, nil, planForm{})
}

func (s *Server) handlePlanNoticeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in, f, err := s.planNoticeInput(r, r.PostForm, nil)
	if err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	id, err := s.store.CreatePlanNotice(r.Context(), userFrom(r).Act(s.now()), in)
	if errors.Is(err, store.ErrConflict) {
		f.errs["decision"] = "That decision already has a notice: change that one instead"
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is on the forward plan.")
	http.Redirect(w, r, noticeURL(id), http.StatusSeeOther)
	return nil
}

// staffNotice is the notice named in the address, read from the primary, for a change.
func (s *Server) staffNotice(r *http.Request) (store.PlanNoticeRow, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanNoticeRow{}, errPageNotFound
	}
	n, err := s.store.PlanNotice(r.Context(), s.access(r), id)
	if err != nil {
		return n, err
	}
	if n.WithdrawnAt != nil {
		return n, &pageError{Status: http.StatusConflict, Heading: "This notice has been withdrawn",
			Message: "A withdrawn notice cannot change. Add a new notice instead.", Links: []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}}
	}
	return n, nil
}

func (s *Server) handlePlanNoticeEdit(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderNoticeForm(w, r, http.StatusOK, &n, planForm{})
}

func (s *Server) handlePlanNoticeSave(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in, f, err := s.planNoticeInput(r, r.PostForm, &n)
	if err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, &n, f)
	}
	base, _ := strconv.Atoi(r.PostForm.Get("version"))
	err = s.store.UpdatePlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, in)
	if errors.Is(err, store.ErrLocked) {
		// Its decision was signed meanwhile, or the one named was: the database keeps links to signed decisions.
		f.errs["decision"] = "That decision is signed: a notice's link to a signed decision cannot change"
		return s.renderNoticeForm(w, r, http.StatusConflict, &n, f)
	}
	if errors.Is(err, store.ErrConflict) && base == n.Version {
		f.errs["decision"] = "That decision already has a notice"
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, &n, f)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is changed. Its earlier version is kept in its history.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) renderWithdrawNotice(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, reason, msg string) error {
	title := "Withdraw the notice"
	p := pages.PlanFormProps{
		Caption: n.Matter,
		Heading: title,
		Intro:   "The notice stays readable, marked as withdrawn, with the reason. This cannot be undone.",
		Action:  noticeURL(n.ID) + "/withdraw",
		Hidden:  []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(n.Version)}},
		Inputs: []pages.PlanInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why it is withdrawn",
			Hint: "The public see this.", Value: reason, Error: msg, Rows: 3}}},
		Submit:  "Withdraw the notice",
		Warning: true,
		Back:    noticeURL(n.ID),
	}
	if msg != "" {
		title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "reason", Message: msg}}
	}
	p.Page = s.page(r, title, "forward-plan", p.Action)
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanNoticeWithdrawForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderWithdrawNotice(w, r, http.StatusOK, n, "", "")
}

func (s *Server) handlePlanNoticeWithdraw(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return s.renderWithdrawNotice(w, r, http.StatusUnprocessableEntity, n, reason, "Enter why the notice is withdrawn")
	}
	base, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := s.store.WithdrawPlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, reason); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is withdrawn.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}

// canUnlink says whether u may undo a notice's link to its decision: its drafters' role, or an
// admin.
func canUnlink(u *store.User) bool {
	return u != nil && (u.Has(decision.RoleDrafter) || u.Has(decision.RoleAdmin))
}

var errNotUnlinker = &pageError{Status: http.StatusForbidden, Heading: "You cannot unlink notices",
	Message: "Only drafters and admins can unlink a notice from its decision."}

// unlinkableNotice is the notice named in the address, for unlinking: read from the primary,
// linked to a decision not yet signed.
func (s *Server) unlinkableNotice(r *http.Request) (store.PlanNoticeRow, error) {
	if !canUnlink(userFrom(r)) {
		return store.PlanNoticeRow{}, errNotUnlinker
	}
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanNoticeRow{}, errPageNotFound
	}
	n, err := s.store.PlanNotice(r.Context(), s.access(r), id)
	if err != nil {
		return n, err
	}
	back := []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}
	switch {
	case n.DecisionID == nil:
		return n, &pageError{Status: http.StatusConflict, Heading: "This notice is not linked to a decision",
			Message: "There is nothing to unlink.", Links: back}
	case n.DecisionSigned != nil:
		return n, errNoticeLinkSigned(n.ID)
	}
	return n, nil
}

func errNoticeLinkSigned(id int64) *pageError {
	return &pageError{Status: http.StatusConflict, Heading: "The decision is signed",
		Message: "Once its decision is signed, a notice's link to it is part of the record and cannot be undone.",
		Links:   []pages.ErrorLink{{Href: noticeURL(id), Text: "Back to the notice"}}}
}

func (s *Server) renderUnlinkNotice(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, reason, msg string) error {
	title := "Unlink the notice from its decision"
	ref := "its decision"
	if n.DecisionReference != nil {
		ref = *n.DecisionReference
	}
	p := pages.PlanFormProps{
		Caption: n.Matter,
		Heading: title,
		Intro: "Do this when the notice was linked to " + ref + " by mistake. The notice stays on the plan as it is, " +
			"and its history shows it was unlinked, by whom and why. Once a decision is signed its notice's link cannot be undone.",
		Action: noticeURL(n.ID) + "/unlink",
		Hidden: []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(n.Version)}},
		Inputs: []pages.PlanInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why it is unlinked",
			Hint: "The public see this in the notice's history.", Value: reason, Error: msg, Rows: 3}}},
		Submit:  "Unlink the notice",
		Warning: true,
		Back:    noticeURL(n.ID),
	}
	if msg != "" {
		title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "reason", Message: msg}}
	}
	p.Page = s.page(r, title, "forward-plan", p.Action)
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanNoticeUnlinkForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.unlinkableNotice(r)
	if err != nil {
		return err
	}
	return s.renderUnlinkNotice(w, r, http.StatusOK, n, "", "")
}

func (s *Server) handlePlanNoticeUnlink(w http.ResponseWriter, r *http.Request) error {
	n, err := s.unlinkableNotice(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	switch l := len([]rune(reason)); {
	case l == 0:
		return s.renderUnlinkNotice(w, r, http.StatusUnprocessableEntity, n, reason, "Enter why the notice is unlinked")
	case l > 1000:
		return s.renderUnlinkNotice(w, r, http.StatusUnprocessableEntity, n, reason, fmt.Sprintf("Use 1000 characters or fewer (you used %d)", l))
	}
	base, _ := strconv.Atoi(r.PostFormValue("version"))
	err = s.store.UnlinkPlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, reason)
	switch {
	case errors.Is(err, store.ErrLocked):
		// Signed since the page was read: the database keeps the link.
		return errNoticeLinkSigned(n.ID)
	case errors.Is(err, store.ErrConflict) && n.DecisionID != nil:
		// Changed since the form was read, still linked: the form again at its version, the reason kept.
		return s.renderUnlinkNotice(w, r, http.StatusConflict, n, reason,
			"The notice changed since you opened this page. Look at it again, then unlink it")
	case errors.Is(err, store.ErrConflict):
		return &pageError{Status: http.StatusConflict, Heading: "The notice has changed since you opened this page",
			Message: "Look at the notice again before unlinking it.", Links: []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}}
	case err != nil:
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is unlinked from its decision. Its history says so.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}
