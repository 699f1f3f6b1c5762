package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the register's dates are London's, wherever it runs
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/checkpoint"
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

// whyNotStep says, in plain words, why an adviser who holds the step waiting may not clear it:
// the one-step-per-adviser rule, or having written part of the decision. "" when they may.
func whyNotStep(rec store.SignoffRecord, so decision.Signoff, a decision.Actor, next string) string {
	step := chainStepName(rec, next)
	if i := slices.IndexFunc(so.Approvals, func(ap decision.Approval) bool { return ap.UserID == a.ID }); i >= 0 {
		return "You cannot clear the " + step + " step because you have already cleared the " +
			chainStepName(rec, so.Approvals[i].StepKind) + " step of this decision. Each step must be cleared by a " +
			"different person, so that every check is made by someone new: another adviser for the " + step + " step will clear it."
	}
	if slices.Contains(so.Drafters, a.ID) {
		return "You cannot clear the " + step + " step because you wrote part of this decision. Steps are cleared by " +
			"people who did not write it, so that every check is independent: another adviser for the " + step + " step will clear it."
	}
	return ""
}

// whyNotSign says why the series' decision maker may not sign this decision, when the reason is
// their own part in it. "" when there is none.
func whyNotSign(rec store.SignoffRecord, so decision.Signoff, a decision.Actor) string {
	if i := slices.IndexFunc(so.Approvals, func(ap decision.Approval) bool { return ap.UserID == a.ID }); i >= 0 {
		return "You cannot sign this decision because you cleared its " + chainStepName(rec, so.Approvals[i].StepKind) +
			" step. The decision maker must be someone who did not clear a step, so that the signature is a check of its own: another decision maker for " +
			so.Series + " will sign it."
	}
	if slices.Contains(so.Drafters, a.ID) {
		return "You cannot sign this decision because you wrote part of it: another decision maker for " + so.Series + " will sign it."
	}
	return ""
}

// changeURL is the task list of a decision, for a drafter of its team while it may change.
func changeURL(u *store.User, so decision.Signoff, slug string) string {
	if u == nil || !u.Has(decision.RoleDrafter) || !slices.Contains(so.Drafters, u.ID) ||
		(so.Status != decision.StatusDraft && so.Status != decision.StatusAwaitingSignoff) {
		return ""
	}
	return "/decisions/" + slug + "/edit"
}

// signoffParts is the text of Part I and Part II as stored.
func signoffParts(sections []store.Section) []pages.SignoffPart {
	var out []pages.SignoffPart
	last := 0
	for _, sec := range sections {
		if sec.Part != last {
			out = append(out, pages.SignoffPart{Heading: partHeading(sec.Part), Confidential: sec.Part == 2})
			last = sec.Part
		}
		blocks := textBlocks(sec.Body, components.Plain)
		cur := &out[len(out)-1]
		cur.Sections = append(cur.Sections, pages.SignoffSection{
			ID: "part-" + strconv.Itoa(sec.Part) + "-section-" + strconv.Itoa(sec.Position), Heading: sec.Heading, Blocks: blocks})
	}
	return out
}

// fromTo is "from A · to B", each part only when known.
func fromTo(funder, recipient *string) string {
	var parts []string
	if v := deref(funder); v != "" {
		parts = append(parts, "from "+v)
	}
	if v := deref(recipient); v != "" {
		parts = append(parts, "to "+v)
	}
	return strings.Join(parts, " · ")
}

func signoffFunding(fs []store.FundingLine) []pages.SignoffFunding {
	out := make([]pages.SignoffFunding, len(fs))
	for i, f := range fs {
		out[i] = pages.SignoffFunding{Kind: decision.KindLabel(f.Kind), Amount: decision.FormatPence(f.AmountPence),
			Basis: basisText(f.Basis), Label: f.Label, FromTo: fromTo(f.Funder, f.Recipient), Counts: toLine(f).Counts()}
		if f.FYStart != nil {
			end := *f.FYStart
			if f.FYEnd != nil {
				end = *f.FYEnd
			}
			out[i].Years = decision.FinancialYearRange(decision.FinancialYear(*f.FYStart), decision.FinancialYear(end))
		}
	}
	return out
}

// basisText says how an amount applies across its years, in words.
func basisText(basis string) string {
	switch basis {
	case decision.BasisPerYear:
		return "a year"
	case decision.BasisTotal:
		return "in total"
	}
	return "(the source does not say whether for each year or in total)"
}

func signoffLinks(ls []store.Link) []pages.SignoffLink {
	out := make([]pages.SignoffLink, len(ls))
	for i, l := range ls {
		out[i] = pages.SignoffLink{Relation: relation(l), Reference: l.Ref, URL: "/decisions/" + l.Slug}
	}
	return out
}

func chainStepName(rec store.SignoffRecord, code string) string {
	for _, st := range rec.Steps {
		if st.Code == code {
			return strings.ToLower(st.Name[:1]) + st.Name[1:]
		}
	}
	return code
}

// staffNote says, for staff, what became of a signed decision the public cannot read yet:
// rejected, or published on a later day. Dates are London days.
func staffNote(rec store.SignoffRecord) string {
	switch {
	case rec.Status == decision.StatusRejected && rec.Signature != nil:
		out := "Rejected on " + formatLondonDay(rec.Signature.SignedAt) + "."
		if rec.RejectionReason != nil && *rec.RejectionReason != "" {
			out += " Reason: " + strings.TrimSuffix(*rec.RejectionReason, ".") + "."
		}
		return out
	case rec.Status == decision.StatusApproved && rec.PublishAt != nil:
		out := "Publication deferred until " + formatLondonDay(*rec.PublishAt) + "."
		if rec.Deferral != nil {
			out += " Reason: " + strings.TrimSuffix(*rec.Deferral, ".") + "."
		}
		return out
	}
	return ""
}

// signoffSteps is the chain as its tables show it. For staff it is every step of the chain
// with its state; for the public, the approvals the signature rests on, in the order given,
// and the signature.
func signoffSteps(rec store.SignoffRecord, staff bool) []pages.SignoffStep {
	var out []pages.SignoffStep
	if staff {
		waiting := rec.Status == decision.StatusAwaitingSignoff
		for _, st := range rec.Steps {
			row := pages.SignoffStep{Step: st.Name, Statement: st.Statement, Role: "Adviser", State: "Not yet", Tag: "grey"}
			if a := st.Approval; a != nil {
				row.State, row.Tag, row.Name, row.Date, row.Hash = "Approved", "green", a.UserName, formatLondonTime(a.ActedAt), a.ContentHash
				row.For, row.Declared = a.ForWhom(), a.Declared()
				row.Step, row.Statement = a.StepName, a.Statement // as approved, not as the step reads now
				row.Comment = deref(a.Comment)
			} else if waiting {
				row.State, row.Tag, waiting = "Waiting", "yellow", false
			}
			out = append(out, row)
		}
	} else {
		for _, a := range rec.Approvals {
			out = append(out, pages.SignoffStep{Step: a.StepName, Statement: a.Statement, Role: "Adviser",
				Name: a.UserName, Date: formatLondonDay(a.ActedAt), Hash: a.ContentHash, For: a.ForWhom(), Declared: a.Declared()})
		}
	}
	sig := pages.SignoffStep{Step: "Signature", Role: "Decision maker", State: "Not yet", Tag: "grey"}
	if g := rec.Signature; g != nil && g.Kind == "signed" {
		sig.State, sig.Tag = "Signed", "green"
		if g.Outcome == store.OutcomeRejected {
			sig.State, sig.Tag = "Rejected", "red"
		}
		sig.Name, sig.Date, sig.Hash, sig.For = deref(g.SignerName), formatLondonDay(g.SignedAt), g.ContentHash, g.ForWhom()
		if g.SignerRole != nil {
			sig.Role = *g.SignerRole
		}
	}
	if !staff {
		sig.State = ""
	}
	return append(out, sig)
}

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

// ReleaseDeferred records, now and then every interval until ctx ends, the publication of
// deferred decisions whose date has come, by the server's clock. Any number of instances may
// run it: the store lets one release at a time.
func (s *Server) ReleaseDeferred(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.store.ReleaseDue(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "release deferred decisions", "err", err)
		case n > 0:
			s.metrics.SignoffAction(store.EventReleased, n)
			s.log.InfoContext(ctx, "released deferred decisions", "count", n)
		}
		if n, err := s.store.RemindReviews(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "remind owners of withholdings due for review", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "reminded owners of withholdings due for review", "count", n)
		}
		// Each round, so a test can count rounds ("none released again in ten") rather than sleep.
		s.log.DebugContext(ctx, "release round done")
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
