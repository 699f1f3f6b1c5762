package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/workday"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

func exceptionURL(id int64) string { return "/forward-plan/exceptions/" + strconv.FormatInt(id, 10) }

func exceptionName(kind string) string {
	if kind == forwardplan.SpecialUrgency {
		return "Special urgency"
	}
	return "General exception"
}

func (s *Server) renderExceptionForm(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, in url.Values, errs map[string]string, parts []string) error {
	title := "Record an exception"
	action := noticeURL(n.ID) + "/exception"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	field := func(id, name, label, hint string, rows int) components.Field {
		return components.Field{ID: id, Name: name, Label: label, Hint: hint, Value: in.Get(name), Error: errs[name], Rows: rows}
	}
	kind := &components.Choice{ID: "kind", Name: "kind", Legend: "Which exception", Error: errs["kind"], Options: []components.Option{
		{Value: forwardplan.GeneralException, Label: "General exception", Checked: in.Get("kind") == forwardplan.GeneralException,
			Hint: "28 clear days’ notice is impracticable: the chair of the scrutiny committee has been told in writing, and the decision may be signed once this record has stood 5 clear days."},
		{Value: forwardplan.SpecialUrgency, Label: "Special urgency", Checked: in.Get("kind") == forwardplan.SpecialUrgency,
			Hint: "The decision is urgent and cannot reasonably be deferred: the named chair has agreed. It may be signed once this record is published."},
	}}
	on := &components.DateField{ID: "chair-on", Name: "chair_on", Legend: "When the chair was told, or agreed", Hint: "For example, 27 3 2027.",
		Error: errs["chair_on"], ErrorParts: parts, Day: in.Get("chair_on_day"), Month: in.Get("chair_on_month"), Year: in.Get("chair_on_year")}
	p := pages.PlanFormProps{
		Page:    s.page(r, title, "forward-plan", action),
		Caption: n.Matter,
		Heading: title,
		Intro:   "The record is published with the notice as soon as it is made, and cannot be changed afterwards.",
		Action:  action,
		Inputs: []pages.PlanInput{{Radios: kind},
			{Text: ptr(field("chair-name", "chair_name", "Chair’s name", "The chair of the scrutiny committee (or, when there is none, the chair of the authority).", 0))},
			{Text: ptr(field("chair-role", "chair_role", "Chair’s role", "For example, Chair of the Police and Crime Committee.", 0))},
			{Date: on},
			{Area: ptr(field("reasons", "reasons", "Reasons", "Why the decision cannot wait for 28 clear days’ notice. The public see this.", 4))}},
		Submit: "Publish the record",
		Back:   noticeURL(n.ID),
	}
	for _, e := range []struct{ key, id string }{{"kind", "kind"}, {"chair_name", "chair-name"}, {"chair_role", "chair-role"},
		{"chair_on", on.FirstErrorID()}, {"reasons", "reasons"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanExceptionForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderExceptionForm(w, r, http.StatusOK, n, url.Values{}, nil, nil)
}

func (s *Server) handlePlanExceptionCreate(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in := r.PostForm
	errs := map[string]string{}
	e := store.PlanException{NoticeID: n.ID, Kind: in.Get("kind"), ChairName: strings.TrimSpace(in.Get("chair_name")),
		ChairRole: strings.TrimSpace(in.Get("chair_role")), Reasons: strings.TrimSpace(in.Get("reasons"))}
	if e.Kind != forwardplan.GeneralException && e.Kind != forwardplan.SpecialUrgency {
		errs["kind"] = "Select which exception"
	}
	if e.ChairName == "" {
		errs["chair_name"] = "Enter the chair’s name"
	}
	if e.ChairRole == "" {
		errs["chair_role"] = "Enter the chair’s role"
	}
	if e.Reasons == "" {
		errs["reasons"] = "Enter the reasons"
	}
	on, msg, parts := dateInput(in, "chair_on", "The date the chair was told or agreed")
	switch {
	case msg != "":
		errs["chair_on"] = msg
	case utcDay(on).After(utcDay(s.now().In(london()))):
		errs["chair_on"] = "The date the chair was told or agreed must be today or in the past"
	default:
		e.ChairOn = utcDay(on)
	}
	if len(errs) > 0 {
		return s.renderExceptionForm(w, r, http.StatusUnprocessableEntity, n, in, errs, parts)
	}
	id, err := s.store.MakeException(r.Context(), userFrom(r).Act(s.now()), e)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, exceptionName(e.Kind)+" record published.")
	http.Redirect(w, r, exceptionURL(id), http.StatusSeeOther)
	return nil
}

func (s *Server) handlePlanException(w http.ResponseWriter, r *http.Request) error {
	id, ok := idParam(r, "id")
	if !ok {
		return errPageNotFound
	}
	e, err := s.reader(r).Exception(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := s.reader(r).PlanNotice(r.Context(), s.access(r), e.NoticeID)
	if err != nil {
		return err
	}
	name := exceptionName(e.Kind)
	p := pages.PlanExceptionProps{
		Page:    s.page(r, name+": "+n.Matter, "forward-plan", exceptionURL(e.ID)),
		Heading: name + ": " + n.Matter,
		Rows: []components.SummaryRow{
			{Key: "Notice", Value: n.Matter, Href: noticeURL(n.ID)},
			{Key: "Chair", Value: e.ChairName + ", " + e.ChairRole, TestID: "exception-chair"},
			{Key: map[bool]string{true: "Agreed on", false: "Told on"}[e.Kind == forwardplan.SpecialUrgency], Value: e.ChairOn.Format(dateLayout)},
			{Key: "Reasons", Value: e.Reasons},
			{Key: "Published", Value: formatLondonTime(e.PublishedAt)},
			{Key: "Recorded by", Value: e.MadeByName},
		},
	}
	if e.Kind == forwardplan.SpecialUrgency {
		p.Intro = "The decision is urgent and cannot reasonably be deferred: the chair named below agreed that it may be made without 28 clear days’ notice."
	} else {
		cal, err := s.calendarNow(r.Context())
		if err != nil {
			return err
		}
		earliest := cal.AddDate(workday.DateOf(e.PublishedAt), forwardplan.ExceptionDays).AddDays(1)
		p.Intro = "Giving 28 clear days’ notice of this key decision is impracticable. The chair named below has been told, and the decision may be made from " +
			earliest.Words() + ", 5 clear days after this record was published."
	}
	s.render(w, r, http.StatusOK, pages.PlanException(p))
	return nil
}
