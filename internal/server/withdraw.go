package server

import (
	"net/http"
	"net/url"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

func (s *Server) withdrawable(r *http.Request) (store.DecisionDetail, error) {
	slug, err := slugParam(r)
	if err != nil {
		return store.DecisionDetail{}, err
	}
	d, err := s.store.DecisionBySlug(r.Context(), s.access(r), slug)
	if err != nil {
		return d, err
	}
	return d, refused(decision.CanWithdraw(userFrom(r).Actor(), d.Series, d.Status))
}

func (s *Server) handleWithdrawForm(w http.ResponseWriter, r *http.Request) error {
	d, err := s.withdrawable(r)
	if err != nil {
		return err
	}
	return s.renderWithdraw(w, r, http.StatusOK, d, nil, withdrawErrors{})
}

// withdrawErrors are the withdrawal form's errors: the reason's, and the date's with the boxes
// it is about.
type withdrawErrors struct {
	Reason    string
	Date      string
	DateParts []string
}

func (e withdrawErrors) any() bool { return e.Reason != "" || e.Date != "" }

func (s *Server) renderWithdraw(w http.ResponseWriter, r *http.Request, status int, d store.DecisionDetail, in url.Values, errs withdrawErrors) error {
	today := s.now().In(london())
	date := dateField(in, "withdrawn", "withdrawn", "Date withdrawn",
		"Today or earlier, not before the decision was signed. For example, "+today.Format("2 1 2006"), today, errs.Date, errs.DateParts)
	title := "Withdraw " + d.Reference
	if errs.any() {
		title = "Error: " + title
	}
	p := pages.SimpleFormProps{
		Page:    s.page(r, title, "", r.URL.Path),
		Caption: d.Reference, Heading: "Withdraw this decision",
		Intro: "A withdrawn decision keeps its page, marked withdrawn with your reason and date. It leaves the list of " +
			"decisions and the totals, but searches still find it. This cannot be undone.",
		Action: r.URL.Path, Submit: "Continue",
		Back: "/decisions/" + d.Slug, BackText: "Back to the decision",
		Inputs: []pages.DraftInput{
			{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why the decision is withdrawn", Rows: 4,
				Value: in.Get("reason"), Error: errs.Reason, Hint: "The public reads this on the decision’s page."}},
			{Date: date},
		},
	}
	if errs.Reason != "" {
		p.Errors = append(p.Errors, components.FieldError{FieldID: "reason", Message: errs.Reason})
	}
	if errs.Date != "" {
		p.Errors = append(p.Errors, components.FieldError{FieldID: date.FirstErrorID(), Message: errs.Date})
	}
	s.render(w, r, status, pages.SimpleForm(p))
	return nil
}

// renderWithdrawConfirm asks "Are you sure?" before a withdrawal, which cannot be undone,
// showing the reason and date the public will read. The form carries them back as they were
// typed; they are checked again when it comes back.
func (s *Server) renderWithdrawConfirm(w http.ResponseWriter, r *http.Request, d store.DecisionDetail, reason string, on time.Time) error {
	in := r.PostForm
	title := d.Reference
	if d.Title != nil && *d.Title != "" {
		title += ": " + *d.Title
	}
	p := pages.SimpleFormProps{
		Page:    s.page(r, "Are you sure you want to withdraw "+d.Reference+"?", "", r.URL.Path),
		Caption: d.Reference, Heading: "Are you sure you want to withdraw " + d.Reference + "?", TestID: "withdraw-confirm",
		Intro: "Its page will be marked withdrawn with this reason and date, and it will leave the list of decisions and the totals. " +
			"A withdrawal cannot be undone.",
		Summary: []components.SummaryRow{
			{Key: "Decision", Value: title},
			{Key: "Why it is withdrawn", Value: reason, TestID: "confirm-reason"},
			{Key: "Date withdrawn", Value: formatDate(&on), TestID: "confirm-date"},
		},
		Action: r.URL.Path, Submit: "Yes, withdraw the decision", Warning: true,
		Back: "/decisions/" + d.Slug, BackText: "Back to the decision",
		Hidden: []pages.HiddenField{{Name: "reason", Value: in.Get("reason")}, {Name: "withdrawn_day", Value: in.Get("withdrawn_day")},
			{Name: "withdrawn_month", Value: in.Get("withdrawn_month")}, {Name: "withdrawn_year", Value: in.Get("withdrawn_year")},
			{Name: "confirm", Value: "yes"}},
	}
	s.render(w, r, http.StatusOK, pages.SimpleForm(p))
	return nil
}

func (s *Server) handleWithdraw(w http.ResponseWriter, r *http.Request) error {
	d, err := s.withdrawable(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	var errs withdrawErrors
	reason := decision.CleanText(r.PostForm.Get("reason"))
	if reason == "" {
		errs.Reason = "Enter why the decision is withdrawn"
	}
	today := s.now().In(london())
	on, msg, parts := dateInput(r.PostForm, "withdrawn", "Date withdrawn")
	switch {
	case msg != "":
		errs.Date, errs.DateParts = msg, parts
	case on.After(today):
		errs.Date = "Date withdrawn must be today or in the past"
	case d.DateSigned != nil && on.Before(*d.DateSigned):
		errs.Date = "Date withdrawn must be on or after the date signed, " + formatDate(d.DateSigned)
	}
	if errs.any() {
		return s.renderWithdraw(w, r, http.StatusUnprocessableEntity, d, r.PostForm, errs)
	}
	if r.PostForm.Get("confirm") != "yes" {
		return s.renderWithdrawConfirm(w, r, d, reason, on)
	}
	if err := s.store.Withdraw(r.Context(), userFrom(r).Act(s.now()), d.Slug, reason, on); err != nil {
		return refused(err)
	}
	http.Redirect(w, r, "/decisions/"+d.Slug, http.StatusSeeOther)
	return nil
}
