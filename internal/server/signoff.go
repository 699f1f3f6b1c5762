package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the register's dates are London's, wherever it runs

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// signoffFlashKey holds a one-time message for the next page, after a post.
const signoffFlashKey = "signoff_flash"

// london tells the register's dates and times. Loaded once: time/tzdata is embedded, so it
// cannot fail.
var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
})

func formatLondonTime(t time.Time) string {
	t = t.In(london())
	return t.Format(dateLayout) + " at " + strings.ToLower(t.Format("3:04PM"))
}

func formatLondonDay(t time.Time) string { return t.In(london()).Format(dateLayout) }

// refused turns a sign-off the rules refuse into a 403 page with their reason, a stale
// content hash into a 409 page, and leaves other errors as they are.
func refused(err error) error {
	if reason, ok := store.IsRefused(err); ok {
		heading := "You cannot do this"
		if errors.Is(err, decision.ErrAlreadyDone) {
			heading = "This is already recorded"
		}
		return &pageError{Status: http.StatusForbidden, Heading: heading, Message: reason}
	}
	if errors.Is(err, store.ErrStale) {
		return &pageError{Status: http.StatusConflict, Heading: "The decision changed after you opened it",
			Message: "Nothing was recorded: someone changed the decision after you opened it, so you would have approved other text than it now holds.",
			Hint:    "Open its sign-off page again, read it as it is now, and decide again."}
	}
	return err
}

func (s *Server) handleSignoff(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	var adviser *pages.AdviserForm
	var signer *pages.SignerForm
	if form, action, ok := s.takeStepUpForm(r); ok {
		// Back from confirming who they are: their answers as they left them, to send again.
		switch action {
		case r.URL.Path:
			adviser = adviserFormFrom(form)
			adviser.Kept, adviser.KeptHash = true, form.Get("content_hash")
		case "/decisions/" + slug + "/sign":
			signer = signerFormFrom(form)
			signer.Kept, signer.KeptHash = true, form.Get("content_hash")
		}
	}
	return s.renderSignoff(w, r, slug, http.StatusOK, adviser, signer, nil)
}

// adviserFormFrom is an adviser's answers as sent.
func adviserFormFrom(v url.Values) *pages.AdviserForm {
	return &pages.AdviserForm{Choice: v.Get("decision"),
		Comment:         components.Field{Value: strings.TrimSpace(v.Get("comment"))},
		ApprovalComment: components.Field{Value: strings.TrimSpace(v.Get("approval_comment"))},
		Interests:       v.Get("interests"),
		Nature:          components.Field{Value: strings.TrimSpace(v.Get("interest_nature"))},
		Action:          v.Get("interest_action"),
		DispensationBy:  components.Field{Value: strings.TrimSpace(v.Get("dispensation_by"))}}
}

// signerFormFrom is a decision maker's answers as sent.
func signerFormFrom(v url.Values) *pages.SignerForm {
	return &pages.SignerForm{
		Interests:       v.Get("interests"),
		InterestsDetail: components.Field{Value: strings.TrimSpace(v.Get("interests_detail"))},
		Outcome:         v.Get("outcome"),
		Publication:     v.Get("publication"),
		Day:             strings.TrimSpace(v.Get("publish_day")),
		Month:           strings.TrimSpace(v.Get("publish_month")),
		Year:            strings.TrimSpace(v.Get("publish_year")),
		DeferralReason:  components.Field{Value: strings.TrimSpace(v.Get("deferral_reason"))},
		Ground:          components.Field{Value: strings.TrimSpace(v.Get("ground"))},
		PublicInterest:  components.Field{Value: strings.TrimSpace(v.Get("public_interest"))},
		RejectionReason: components.Field{Value: strings.TrimSpace(v.Get("rejection_reason"))},
	}
}

// renderSignoff shows the sign-off page, with a form kept as typed (and its errors) when one
// is given. Reading it with Part II in it is audited.
func (s *Server) renderSignoff(w http.ResponseWriter, r *http.Request, slug string, status int,
	adviser *pages.AdviserForm, signer *pages.SignerForm, errs []components.FieldError) error {
	u := userFrom(r)
	v, err := s.store.SignoffView(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	if v.PartTwo {
		err := s.recordPartTwoRead(r, v.Detail.ID, map[string]string{"reference": v.Detail.Reference, "page": "sign-off"})
		if err != nil {
			return err
		}
	}
	// Answers kept across a step-up were given on what the person read then: not on other text.
	keptChanged := false
	if adviser != nil && adviser.Kept && adviser.KeptHash != v.ContentHash {
		adviser, keptChanged = nil, true
	}
	if signer != nil && signer.Kept && signer.KeptHash != v.ContentHash {
		signer, keptChanged = nil, true
	}
	d := v.Detail
	title := "Sign-off: " + d.Reference
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.SignoffProps{
		Page:            s.page(r, title, "work", "/decisions/"+slug+"/signoff"),
		Flash:           s.popFlash(r, signoffFlashKey),
		Errors:          errs,
		Slug:            slug,
		Reference:       d.Reference,
		Title:           deref(d.Title),
		Status:          decision.StatusLabel(d.Status),
		StatusTag:       statusColour(d.Status),
		StaffNote:       staffNote(v.Record),
		Steps:           signoffSteps(v.Record, true),
		ContentHash:     v.ContentHash,
		Summary:         deref(d.Summary),
		Recommendations: d.Recommendations,
		Parts:           signoffParts(d.Sections),
		Funding:         signoffFunding(d.Funding),
		Links:           signoffLinks(d.Links),
		ChangeURL:       changeURL(u, v.State, slug),
		KeptChanged:     keptChanged,
	}
	_, p.Supporting = attachments(d)
	if v.State.Status == decision.StatusAwaitingSignoff {
		wa, err := s.whereabouts(r)
		if err != nil {
			return err
		}
		p.WhereNow = wa.line(v.State, v.Record.WaitingSince)
	}
	if d.Status == decision.StatusPublished {
		p.PublicURL = "/decisions/" + slug
	}
	if p.Continue, err = s.continueButton(r, d); err != nil {
		return err
	}
	for _, a := range v.Record.Actions {
		e := pages.SignoffEvent{What: "Approved (" + a.StepName + ")", Name: strings.TrimSpace(a.UserName + " " + a.ForWhom()),
			When: formatLondonTime(a.ActedAt), Comment: deref(a.Comment), Approval: true}
		if a.Action == "returned" {
			e.Approval = false
			e.What, e.Comment = "Returned at "+a.StepName, deref(a.Comment)
		}
		if a.ClearedAt != nil {
			e.Cleared = formatLondonTime(*a.ClearedAt)
		}
		p.History = append(p.History, e)
	}
	actor := u.Actor()
	next := v.State.NextStep()
	switch {
	case v.State.Status != decision.StatusAwaitingSignoff:
	case next != "" && v.State.CanAct(actor, next) == nil:
		if adviser == nil {
			adviser = &pages.AdviserForm{}
		}
		for _, st := range v.Record.Steps {
			if st.Code == next {
				adviser.Step, adviser.StepName, adviser.Statement = st.Code, st.Name, st.Statement
			}
		}
		adviser.Comment = components.Field{ID: "comment", Name: "comment", Label: "Why you are returning it",
			Hint: "The drafter sees this with the decision.", Value: adviser.Comment.Value, Error: adviser.Comment.Error}
		adviser.ApprovalComment = components.Field{ID: "approval-comment", Name: "approval_comment", Label: "Comment (optional)",
			Hint:  "For example, “subject to the grant agreement”. It is kept with your approval and shown in the sign-off chain.",
			Value: adviser.ApprovalComment.Value, Error: adviser.ApprovalComment.Error, Rows: 3}
		adviser.Nature = components.Field{ID: "interest-nature", Name: "interest_nature", Label: "The interest you declare",
			Value: adviser.Nature.Value, Error: adviser.Nature.Error, Rows: 3}
		adviser.DispensationBy = components.Field{ID: "dispensation-by", Name: "dispensation_by",
			Label: "Who granted the dispensation", Hint: "If you went on under a dispensation. For example, the monitoring officer.",
			Value: adviser.DispensationBy.Value, Error: adviser.DispensationBy.Error}
		note, err := s.coverNote(r, func(people []decision.Actor) (decision.Actor, bool) { return v.State.ActingFor(next, people) },
			"your approval or return is recorded as given for them")
		if err != nil {
			return err
		}
		adviser.CoverNote = note
		p.Adviser = adviser
	case next == "" && v.State.CanSign(actor) == nil:
		if signer == nil {
			signer = &pages.SignerForm{}
		}
		signer.InterestsDetail = components.Field{ID: "interests-detail", Name: "interests_detail",
			Label: "The interests you declare", Value: signer.InterestsDetail.Value, Error: signer.InterestsDetail.Error}
		signer.RejectionReason = components.Field{ID: "rejection-reason", Name: "rejection_reason",
			Label: "Why you are rejecting it", Hint: "Its drafting team sees this.",
			Value: signer.RejectionReason.Value, Error: signer.RejectionReason.Error}
		signer.DeferralReason = components.Field{ID: "deferral-reason", Name: "deferral_reason",
			Label: "Why publication is deferred", Hint: "Staff see this; the public see the decision from its date.",
			Value: signer.DeferralReason.Value, Error: signer.DeferralReason.Error}
		note, err := s.coverNote(r, v.State.SigningFor, "your signature or rejection is recorded as made for them")
		if err != nil {
			return err
		}
		signer.CoverNote = note
		signer.Ground = components.Field{ID: "ground", Name: "ground", Label: "Ground for deferring publication", Hint: groundHint,
			Value: signer.Ground.Value, Error: signer.Ground.Error, Width: "20"}
		signer.PublicInterest = components.Field{ID: "public-interest", Name: "public_interest", Label: "Public interest note", Rows: 3,
			Hint:  "Why the public interest in waiting outweighs publishing now. The public reads it with the date.",
			Value: signer.PublicInterest.Value, Error: signer.PublicInterest.Error, MaxLength: maxPublicInterestRunes}
		p.Signer = signer
		st, err := s.store.KeyStanding(r.Context(), d.ID)
		if err != nil {
			return err
		}
		cal, err := s.calendarNow(r.Context())
		if err != nil {
			return err
		}
		if v := forwardplan.Check(cal, st, s.now()); v.Problem != "" {
			p.KeyNotice, p.KeyBlocked = v.Problem, !v.Allowed
		}
	case next != "":
		p.Waiting = "This decision is waiting for the " + chainStepName(v.Record, next) + " step."
		if actor.Has(decision.RoleAdviser) && slices.Contains(actor.StepKinds, next) {
			p.WhyNot = whyNotStep(v.Record, v.State, actor, next)
		}
	default:
		p.Waiting = "Every step has approved this decision: it is waiting for its decision maker’s signature."
		if actor.Has(decision.RoleDecisionMaker) && slices.Contains(actor.Series, v.State.Series) {
			p.WhyNot = whyNotSign(v.Record, v.State, actor)
		}
	}
	if err := s.addClock(r, v.Detail.ID, &p); err != nil {
		return err
	}
	s.render(w, r, status, pages.Signoff(p))
	return nil
}

// covering is the covers the signed-in person runs now, the people they cover and their names.
func (s *Server) covering(r *http.Request) ([]store.Cover, []decision.Actor, map[int64]string, error) {
	cs, people, err := s.store.RunningCovers(r.Context(), userFrom(r).ID, s.now())
	names := map[int64]string{}
	for _, c := range cs {
		names[c.UserID] = c.UserName
	}
	return cs, people, names, err
}

// coverNote tells an adviser or decision maker about to act that what they do is recorded for
// the person they cover (whom pick chooses), and under which cover; "" when it is their own.
func (s *Server) coverNote(r *http.Request, pick func([]decision.Actor) (decision.Actor, bool), recorded string) (string, error) {
	cs, people, _, err := s.covering(r)
	if err != nil {
		return "", err
	}
	p, ok := pick(people)
	if !ok {
		return "", nil
	}
	for _, c := range cs {
		if c.UserID == p.ID {
			return "You are covering for " + c.UserName + " (cover " + c.Days() + ", set by " + c.SetByName +
				"): " + recorded + ".", nil
		}
	}
	return "", nil
}
