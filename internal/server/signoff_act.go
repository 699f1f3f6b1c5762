package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// checkMay refuses, before its form is checked, a sign-off the person may not make at all:
// their answers would not matter. The store checks again, under the decision's lock.
func (s *Server) checkMay(r *http.Request, slug string, rule func(decision.Signoff, decision.Actor) error) error {
	so, err := s.store.SignoffState(r.Context(), slug)
	if err != nil {
		return err
	}
	return refused(rule(so, userFrom(r).Actor()))
}

// The answers the sign-off forms take.
const (
	choiceApprove = "approve"
	choiceReturn  = "return"
	choiceReject  = "reject"
	publishNow    = "now"
	publishDefer  = "defer"
)

// maxApprovalComment bounds an adviser's comment on their approval: a condition, not a paper.
const maxApprovalComment = 1000

func (s *Server) handleSignoffAct(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	if err := s.checkMay(r, slug, func(so decision.Signoff, a decision.Actor) error { return so.CanAct(a, r.PostFormValue("step")) }); err != nil {
		return err
	}
	if asked, err := s.stepUp(w, r, "/decisions/"+slug+"/signoff"); asked || err != nil {
		return err
	}
	f := adviserFormFrom(r.PostForm)
	step, seen := r.PostFormValue("step"), r.PostFormValue("content_hash")
	var errs []components.FieldError
	decl := decision.Declaration{Interests: f.Interests, Nature: f.Nature.Value, Action: f.Action, DispensationBy: f.DispensationBy.Value}
	switch f.Choice {
	case choiceApprove:
		if utf8.RuneCountInString(f.ApprovalComment.Value) > maxApprovalComment {
			f.ApprovalComment.Error = fmt.Sprintf("Your comment must be %d characters or fewer", maxApprovalComment)
			errs = append(errs, components.FieldError{FieldID: "approval-comment", Message: f.ApprovalComment.Error})
		}
		fields := map[string]struct {
			id string
			at *string
		}{"interests": {"interests", &f.InterestsError}, "nature": {"interest-nature", &f.Nature.Error},
			"action": {"interest-action", &f.ActionError}, "dispensation_by": {"dispensation-by", &f.DispensationBy.Error}}
		for _, pr := range decl.Check() {
			fd := fields[pr.Field]
			*fd.at = pr.Message
			errs = append(errs, components.FieldError{FieldID: fd.id, Message: pr.Message})
		}
		if len(errs) == 0 && decl.Withdrew() {
			// The person may not approve: say so by the choice they made, and where the step goes.
			f.ActionError = strings.TrimSuffix(decision.ErrWithdrawn.Error(), ".")
			errs = append(errs, components.FieldError{FieldID: "interest-action", Message: f.ActionError})
		}
	case choiceReturn:
		if f.Comment.Value == "" {
			f.Comment.Error = "Enter why you are returning the decision"
			errs = append(errs, components.FieldError{FieldID: "comment", Message: f.Comment.Error})
		}
	default:
		f.ChoiceError = "Select whether you approve this step or return the decision"
		errs = append(errs, components.FieldError{FieldID: "decision", Message: f.ChoiceError})
	}
	if len(errs) > 0 {
		return s.renderSignoff(w, r, slug, http.StatusUnprocessableEntity, f, nil, errs)
	}
	act := s.strongAct(r)
	flash, action := "You approved this step.", store.EventApproved
	if f.Choice == choiceApprove {
		err = s.store.ApproveWithComment(r.Context(), act, slug, step, f.ApprovalComment.Value, seen, decl)
	} else {
		err = s.store.Return(r.Context(), act, slug, step, f.Comment.Value, seen)
		flash, action = "You returned the decision to its drafter.", store.EventReturned
	}
	if err != nil {
		return refused(err)
	}
	s.metrics.SignoffAction(action, 1)
	s.sessions.Put(r.Context(), signoffFlashKey, flash)
	http.Redirect(w, r, "/decisions/"+slug+"/signoff", http.StatusSeeOther)
	return nil
}

func (s *Server) handleSign(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	if err := s.checkMay(r, slug, decision.Signoff.CanSign); err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	if asked, err := s.stepUp(w, r, "/decisions/"+slug+"/signoff"); asked || err != nil {
		return err
	}
	now := s.now()
	f := signerFormFrom(r.PostForm)
	in, errs := (*signerForm)(f).validate(now)
	if len(errs) > 0 {
		return s.renderSignoff(w, r, slug, http.StatusUnprocessableEntity, nil, f, errs)
	}
	in.SeenHash = r.PostFormValue("content_hash")
	if in.Calendar, err = s.calendarNow(r.Context()); err != nil {
		return err
	}
	if err := s.store.Sign(r.Context(), s.strongAct(r), slug, in); err != nil {
		return refused(err)
	}
	s.wakeSignedPDFs()
	if in.Outcome == store.OutcomeRejected {
		s.metrics.SignoffAction(store.EventRejected, 1)
	} else {
		s.metrics.SignoffAction(store.EventSigned, 1)
	}
	// Committed: fix the chain with the signature in it, beyond the database's reach.
	s.checkpointNow(r.Context(), checkpoint.ReasonSignature)
	flash := "You signed the decision. It is published."
	switch {
	case in.Outcome == store.OutcomeRejected:
		flash = "You rejected the decision. It will not be published."
	case in.PublishAt.After(now):
		flash = "You signed the decision. It will be published on " + formatLondonDay(in.PublishAt) + "."
	}
	s.sessions.Put(r.Context(), signoffFlashKey, flash)
	http.Redirect(w, r, "/decisions/"+slug+"/signoff", http.StatusSeeOther)
	return nil
}

// signerForm is the decision maker's form, with its checks.
type signerForm pages.SignerForm

// validate checks the decision maker's answers, notes the errors on the form, and turns the
// answers into a signature.
func (f *signerForm) validate(now time.Time) (store.SignInput, []components.FieldError) {
	var errs []components.FieldError
	add := func(id string, msg string, at *string) {
		*at = msg
		errs = append(errs, components.FieldError{FieldID: id, Message: msg})
	}
	in := store.SignInput{PublishAt: now}
	switch f.Interests {
	case store.InterestsNone:
		in.Interests = store.InterestsNone
	case store.InterestsDeclared:
		in.Interests, in.InterestsDetail = store.InterestsDeclared, f.InterestsDetail.Value
		if f.InterestsDetail.Value == "" {
			add("interests-detail", "Enter the interests you declare", &f.InterestsDetail.Error)
		}
	default:
		add("interests", "Select whether you have any interests to declare", &f.InterestsError)
	}
	switch f.Outcome {
	case choiceApprove:
		in.Outcome = store.OutcomeApproved
	case choiceReject:
		in.Outcome, in.RejectionReason = store.OutcomeRejected, f.RejectionReason.Value
		if f.RejectionReason.Value == "" {
			add("rejection-reason", "Enter why you are rejecting the decision", &f.RejectionReason.Error)
		}
	default:
		add("outcome", "Select whether you approve or reject the decision", &f.OutcomeError)
	}
	if f.Outcome != choiceApprove {
		return in, errs
	}
	switch f.Publication {
	case publishNow:
	case publishDefer:
		day, err := f.date()
		switch {
		case err != "":
			add("publish-date-day", err, &f.DateError)
		case !day.After(now):
			add("publish-date-day", "The publication date must be in the future", &f.DateError)
		default:
			in.PublishAt = day
		}
		in.DeferralReason = f.DeferralReason.Value
		if f.DeferralReason.Value == "" {
			add("deferral-reason", "Enter why publication is deferred", &f.DeferralReason.Error)
		}
		g, gerrs := groundInput(url.Values{"ground": {f.Ground.Value}, "public_interest": {f.PublicInterest.Value}}, now, "")
		if m := gerrs["ground"]; m != "" {
			add("ground", strings.Replace(m, "withholding it", "deferring publication", 1), &f.Ground.Error)
		}
		if m := gerrs["public-interest"]; m != "" {
			add("public-interest", m, &f.PublicInterest.Error)
		}
		in.DeferralGround = &g
	default:
		add("publication", "Select when the decision is published", &f.PublicationError)
	}
	return in, errs
}

// date is the start, in London, of the publication day typed, or what is wrong with it.
func (f *signerForm) date() (time.Time, string) {
	if f.Day == "" && f.Month == "" && f.Year == "" {
		return time.Time{}, "Enter the date to publish on"
	}
	d, errD := strconv.Atoi(f.Day)
	m, errM := strconv.Atoi(f.Month)
	y, errY := strconv.Atoi(f.Year)
	if errD != nil || errM != nil || errY != nil || y < 2000 || y > 2200 {
		return time.Time{}, "The publication date must be a real date, such as 27 3 2027"
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, london())
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, "The publication date must be a real date, such as 27 3 2027"
	}
	return t, ""
}
