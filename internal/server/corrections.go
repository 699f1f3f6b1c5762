package server

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Corrections, earlier versions and withdrawal. Any drafter may draft a correction of a signed
// decision (the seeded decisions have no drafting team, and a team moves on); whoever saves
// one may not approve it. The series' decision maker approves any correction, an admin only a
// typographical one (decision.NotTypographical says which).

func correctionURL(slug string) string { return "/decisions/" + slug + "/correction" }
func versionURL(slug string, n int) string {
	return "/decisions/" + slug + "/versions/" + strconv.Itoa(n)
}

var errNoCorrection = &pageError{Status: http.StatusNotFound, Heading: "No correction in progress",
	Message: "This decision has no correction being drafted. It may have been approved since you opened it."}

// Starting a correction ----------------------------------------------------------------------

func (s *Server) handleCorrectionNew(w http.ResponseWriter, r *http.Request) error {
	d, err := s.correctable(r)
	if err != nil {
		return err
	}
	return s.renderCorrectionNew(w, r, http.StatusOK, d, "", nil)
}

// correctable reads the decision in the address for starting a correction of it.
func (s *Server) correctable(r *http.Request) (store.DecisionDetail, error) {
	slug, err := slugParam(r)
	if err != nil {
		return store.DecisionDetail{}, err
	}
	d, err := s.store.DecisionBySlug(r.Context(), s.access(r), slug)
	if err != nil {
		return d, err
	}
	if err := decision.CanCorrect(d.Status); err != nil {
		return d, refused(err)
	}
	if _, err := s.store.OpenCorrection(r.Context(), s.access(r), slug); err == nil {
		return d, &pageError{Status: http.StatusConflict, Heading: "A correction is already in progress",
			Message: "Continue the correction already being drafted: a decision has one correction at a time.",
			Hint:    "Its page is " + correctionURL(slug) + "."}
	} else if !errors.Is(err, store.ErrNotFound) {
		return d, err
	}
	return d, nil
}

func (s *Server) renderCorrectionNew(w http.ResponseWriter, r *http.Request, status int, d store.DecisionDetail, reason string, errs map[string]string) error {
	p := pages.SimpleFormProps{
		Page:    s.page(r, errorTitle("Correct "+d.Reference, errs), "", r.URL.Path),
		Caption: d.Reference, Heading: "Correct this decision",
		Intro: "A correction is a new version of the decision. You change its words or money, the decision maker " +
			"(or, for a typographical correction, an admin) approves it, and the page then says what changed, when and why.",
		Action: r.URL.Path, Submit: "Start the correction",
		Back: "/decisions/" + d.Slug, BackText: "Back to the decision",
		Inputs: []pages.DraftInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why the decision needs correcting",
			Rows: 4, Value: reason, Error: errs["reason"], Hint: "The public reads this beside the correction, for example “The amount of the first funding line was mistyped.”"}}},
	}
	if errs["reason"] != "" {
		p.Errors = []components.FieldError{{FieldID: "reason", Message: errs["reason"]}}
	}
	s.render(w, r, status, pages.SimpleForm(p))
	return nil
}

func (s *Server) handleCorrectionCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := s.correctable(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	reason := decision.CleanText(r.PostForm.Get("reason"))
	if reason == "" {
		return s.renderCorrectionNew(w, r, http.StatusUnprocessableEntity, d, r.PostForm.Get("reason"),
			map[string]string{"reason": "Enter why the decision needs correcting"})
	}
	err = s.store.StartCorrection(r.Context(), userFrom(r).Act(s.now()), d.Slug, reason)
	if errors.Is(err, store.ErrConflict) {
		return &pageError{Status: http.StatusConflict, Heading: "A correction is already in progress",
			Message: "Someone started a correction of this decision while you were writing yours: continue theirs."}
	}
	if err != nil {
		return refused(err)
	}
	http.Redirect(w, r, correctionURL(d.Slug), http.StatusSeeOther)
	return nil
}

// The correction's page ------------------------------------------------------------------------

func (s *Server) loadCorrection(r *http.Request) (store.Correction, error) {
	slug, err := slugParam(r)
	if err != nil {
		return store.Correction{}, err
	}
	c, err := s.store.OpenCorrection(r.Context(), s.access(r), slug)
	if errors.Is(err, store.ErrNotFound) {
		return c, errNoCorrection
	}
	return c, err
}

func (s *Server) handleCorrection(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	return s.renderCorrection(w, r, http.StatusOK, c, correctionForm{})
}

// correctionForm is what an approver sent that comes back to them: why their approval was
// refused, or the comment of a return with its error.
type correctionForm struct {
	refusal      string
	comment      string
	commentError string
}

// correctionFlashKey holds what the correction's page says once, after sending or returning it.
const correctionFlashKey = "correction_flash"

// correctionStatus puts where a correction is in plain words, with the colour of its tag.
func correctionStatus(c store.Correction) (string, string) {
	switch {
	case c.Sent():
		return "Sent for approval", "govuk-tag--blue"
	case c.Returned != nil:
		return "Returned to its drafters", "govuk-tag--orange"
	}
	return "Being drafted", "govuk-tag--grey"
}

func (s *Server) renderCorrection(w http.ResponseWriter, r *http.Request, status int, c store.Correction, f correctionForm) error {
	u := userFrom(r)
	names, err := s.drafterNames(r, c.Drafters)
	if err != nil {
		return err
	}
	signed := decision.CorrectedOf(c.Current)
	notTypo := c.NotTypographical()
	p := pages.CorrectionProps{
		Page:        s.page(r, "Correction of "+c.Reference, "", correctionURL(c.Slug)),
		Flash:       s.sessions.PopString(r.Context(), correctionFlashKey),
		Reference:   c.Reference,
		Title:       c.Current.Title,
		DecisionURL: "/decisions/" + c.Slug,
		Reason:      c.Reason,
		Drafters:    names,
		Diffs:       diffFields(decision.Diffs(signed, c.Draft)),
		NewHash:     decision.ContentHash(c.NewContent()),
		ApproveURL:  correctionURL(c.Slug) + "/approve",
		ReturnURL:   correctionURL(c.Slug) + "/return",
		Sent:        c.Sent(),
	}
	p.Status, p.StatusClass = correctionStatus(c)
	if c.Sent() {
		p.StatusLine = "Sent for approval by " + deref(c.SentBy) + " on " + formatLondonTime(*c.SentAt) + "."
	}
	if c.Returned != nil && c.ReturnedAt != nil {
		p.Returned = &pages.CorrectionReturn{By: deref(c.ReturnedBy), When: formatLondonTime(*c.ReturnedAt), Comment: *c.Returned}
	}
	p.Typo = correctionApprovers(c.Series, notTypo)
	if u.Has(decision.RoleDrafter) && c.Sent() {
		p.SentNote = "It is with its approvers, so it cannot change now. If an approver returns it, you can change it and send it again."
	}
	if u.Has(decision.RoleDrafter) && !c.Sent() {
		base := correctionURL(c.Slug)
		p.ReasonURL = base + "/reason"
		if len(p.Diffs) > 0 {
			p.CheckURL = base + "/check"
		}
		p.Parts = append(p.Parts,
			pages.CorrectionPart{Name: "Title and summary", Href: base + "/title", Changed: signed.Title != c.Draft.Title || signed.Summary != c.Draft.Summary},
			pages.CorrectionPart{Name: "Recommendations", Href: base + "/recommendations", Changed: !slices.Equal(signed.Recommendations, c.Draft.Recommendations)})
		for i, sec := range c.Draft.Sections {
			p.Parts = append(p.Parts, pages.CorrectionPart{Name: "Part I: " + decision.SectionKindLabel(sec.Kind),
				Href: base + "/sections/" + kindSlug(sec.Kind), Changed: sec != signed.Sections[i]})
		}
		for i, f := range c.Draft.Funding {
			p.Parts = append(p.Parts, pages.CorrectionPart{Name: "Funding line " + strconv.Itoa(i+1) + ": " + f.Label,
				Href: base + "/funding/" + strconv.Itoa(i+1), Changed: decision.FundingSentence(f) != decision.FundingSentence(signed.Funding[i])})
		}
	}
	if u.Has(decision.RoleDecisionMaker) || u.Has(decision.RoleAdmin) {
		p.Approve = true
		if err := decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, notTypo); err != nil {
			p.Refusal = err.Error()
		} else if !c.Sent() {
			p.Refusal = "Its drafters have not sent it for approval yet: it comes to you when they do."
		}
	}
	p.Comment = components.Field{ID: "comment", Name: "comment", Label: "Why you are returning it",
		Hint: "Its drafters see this with the correction, change it and send it again.", Rows: 4,
		Value: f.comment, Error: f.commentError}
	if decision.CanDiscardCorrection(u.Actor(), c.Drafters) == nil {
		p.DiscardURL = correctionURL(c.Slug) + "/discard"
	}
	if f.refusal != "" {
		p.Errors = []components.FieldError{{FieldID: "approve", Message: f.refusal}}
	}
	if f.commentError != "" {
		p.Errors = append(p.Errors, components.FieldError{FieldID: "comment", Message: f.commentError})
	}
	if len(p.Errors) > 0 {
		p.Page.Title = "Error: " + p.Page.Title
	}
	s.render(w, r, status, pages.Correction(p))
	return nil
}

// correctionApprovers says who may approve a correction, and why.
func correctionApprovers(series, notTypo string) string {
	if notTypo == "" {
		return "This correction is typographical: the decision maker for " + series + " or an admin may approve it."
	}
	return "This correction is not typographical (" + notTypo + "): only the decision maker for " + series + " may approve it."
}

// Sending for approval -------------------------------------------------------------------------

// handleCorrectionCheck is the drafter's "Check your answers" before sending the correction.
func (s *Server) handleCorrectionCheck(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	return s.renderCorrectionCheck(w, r, http.StatusOK, c, "")
}

func (s *Server) renderCorrectionCheck(w http.ResponseWriter, r *http.Request, status int, c store.Correction, problem string) error {
	if c.Sent() {
		http.Redirect(w, r, correctionURL(c.Slug), http.StatusSeeOther)
		return nil
	}
	base := correctionURL(c.Slug)
	p := pages.CorrectionCheckProps{
		Page:      s.page(r, "Check your correction of "+c.Reference, "", base+"/check"),
		Reference: c.Reference,
		Back:      base,
		Reason:    c.Reason,
		ReasonURL: base + "/reason",
		Approvers: correctionApprovers(c.Series, c.NotTypographical()),
		Diffs:     diffFields(decision.Diffs(decision.CorrectedOf(c.Current), c.Draft)),
		NewHash:   decision.ContentHash(c.NewContent()),
		SendURL:   base + "/send",
		Version:   c.Version,
	}
	if problem != "" {
		p.Page.Title = "Error: " + p.Page.Title
		p.Errors = []components.FieldError{{FieldID: "send", Message: problem}}
	}
	s.render(w, r, status, pages.CorrectionCheck(p))
	return nil
}

func (s *Server) handleCorrectionSend(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || version < 1 {
		return errBadForm
	}
	err = s.store.SendCorrection(r.Context(), userFrom(r).Act(s.now()), c.Slug, version)
	if reason, ok := store.IsRefused(err); ok {
		return s.renderCorrectionCheck(w, r, http.StatusUnprocessableEntity, c, reason)
	}
	switch {
	case errors.Is(err, store.ErrCorrectionSent):
		return &pageError{Status: http.StatusConflict, Heading: "The correction has already been sent",
			Message: "Someone sent this correction for approval after you opened it. It is with its approvers now.",
			Hint:    "Its page is " + correctionURL(c.Slug) + "."}
	case errors.Is(err, store.ErrStale):
		return &pageError{Status: http.StatusConflict, Heading: "The correction changed after you checked it",
			Message: "Nothing was sent: someone saved the correction after you opened this page.",
			Hint:    "Check the correction again, as it is now, then send it."}
	case err != nil:
		return err
	}
	who := "the decision maker for " + c.Series
	if c.NotTypographical() == "" {
		who += " or an admin"
	}
	s.sessions.Put(r.Context(), correctionFlashKey, "Sent for approval. It waits for "+who+".")
	http.Redirect(w, r, correctionURL(c.Slug), http.StatusSeeOther)
	return nil
}

// handleCorrectionReturn returns a correction sent for approval to its drafters with a comment.
func (s *Server) handleCorrectionReturn(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	u := userFrom(r)
	if err := decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, c.NotTypographical()); err != nil {
		return refused(err)
	}
	comment := decision.CleanText(r.PostForm.Get("comment"))
	if comment == "" {
		return s.renderCorrection(w, r, http.StatusUnprocessableEntity, c,
			correctionForm{comment: r.PostForm.Get("comment"), commentError: "Enter why you are returning the correction"})
	}
	err = s.store.ReturnCorrection(r.Context(), u.Act(s.now()), c.Slug, comment, r.PostForm.Get("content_hash"))
	switch {
	case errors.Is(err, store.ErrCorrectionNotSent):
		return &pageError{Status: http.StatusConflict, Heading: "The correction is not waiting for approval",
			Message: "Nothing was returned: the correction was returned to its drafters by someone else after you opened it."}
	case errors.Is(err, store.ErrStale):
		return &pageError{Status: http.StatusConflict, Heading: "The correction changed after you opened it",
			Message: "Nothing was returned: the correction changed after you read it.",
			Hint:    "Open the correction again, read it as it is now, and decide again."}
	case err != nil:
		return refused(err)
	}
	s.sessions.Put(r.Context(), correctionFlashKey, "You returned the correction to its drafters with your comment.")
	http.Redirect(w, r, correctionURL(c.Slug), http.StatusSeeOther)
	return nil
}

// addWorkCorrections puts on "Your work" the corrections in progress that wait for the
// person: those they may approve (the series' decision maker; an admin, a typographical one),
// and those they drafted, saying who must approve them.
func (s *Server) addWorkCorrections(r *http.Request, p *pages.WorkProps) error {
	u := userFrom(r)
	cs, err := s.store.OpenCorrections(r.Context(), s.access(r))
	if err != nil {
		return err
	}
	for _, c := range cs {
		item := pages.WorkItem{Reference: c.Reference, URL: correctionURL(c.Slug), Title: c.Current.Title, Reason: c.Reason}
		notTypo := c.NotTypographical()
		empty := decision.ContentHash(c.NewContent()) == c.CurrentHash
		switch {
		case slices.Contains(c.Drafters, u.ID):
			switch {
			case empty:
				item.Note = "Your correction changes nothing yet: finish it, or discard it."
			case c.Returned != nil:
				item.Note = "Returned to you by " + deref(c.ReturnedBy) + ": “" + *c.Returned + "” Change it and send it again."
			case !c.Sent():
				item.Note = "Your correction is not sent yet: check it and send it for approval."
			case notTypo == "":
				item.Note = "Your correction is waiting for approval by the decision maker for " + c.Series + " or an admin (it is typographical)."
			default:
				item.Note = "Your correction is waiting for approval by the decision maker for " + c.Series + "."
			}
			p.OwnCorrections = append(p.OwnCorrections, item)
		case c.Sent() && decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, notTypo) == nil:
			if notTypo == "" {
				item.Note = "Read the typographical correction and approve it, or return it to its drafters with a comment."
			} else {
				item.Note = "Read the correction (" + notTypo + ") and approve it, or return it to its drafters with a comment."
			}
			p.Corrections = append(p.Corrections, item)
		}
	}
	return nil
}

func (s *Server) drafterNames(r *http.Request, ids []int64) (string, error) {
	var names []string
	for _, id := range ids {
		u, err := s.store.UserByID(r.Context(), id)
		if err != nil {
			return "", err
		}
		names = append(names, u.Name)
	}
	return strings.Join(names, ", "), nil
}

func diffFields(ds []decision.FieldDiff) []pages.DiffField {
	out := make([]pages.DiffField, len(ds))
	for i, d := range ds {
		out[i].Field = d.Field
		for _, r := range d.Runs {
			out[i].Runs = append(out[i].Runs, pages.DiffRun{Op: int(r.Op), Text: r.Text})
		}
	}
	return out
}

func (s *Server) handleCorrectionApprove(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	if asked, err := s.stepUp(w, r, "/decisions/"+c.Slug+"/correction"); asked || err != nil {
		return err
	}
	_, err = s.store.ApproveCorrection(r.Context(), s.strongAct(r), c.Slug, r.PostForm.Get("content_hash"))
	if reason, ok := store.IsRefused(err); ok {
		return s.renderCorrection(w, r, http.StatusForbidden, c, correctionForm{refusal: reason})
	}
	if errors.Is(err, store.ErrCorrectionNotSent) {
		return s.renderCorrection(w, r, http.StatusConflict, c,
			correctionForm{refusal: "Its drafters have not sent it for approval yet: it can be approved once they do."})
	}
	if errors.Is(err, store.ErrStale) {
		return &pageError{Status: http.StatusConflict, Heading: "The correction changed after you opened it",
			Message: "Nothing was approved: someone changed the correction (or the decision) after you read it.",
			Hint:    "Open the correction again, read it as it is now, and decide again."}
	}
	if err != nil {
		return err
	}
	// An approved correction is a new signed version: fix the chain with it, as after a signature.
	s.checkpointNow(r.Context(), checkpoint.ReasonSignature)
	s.wakeSignedPDFs() // and its signed decision document
	http.Redirect(w, r, "/decisions/"+c.Slug+"#corrections", http.StatusSeeOther)
	return nil
}

// Discarding a correction ---------------------------------------------------------------------

// workFlashKey holds what "Your work" says once, after an act that leads there.
const workFlashKey = "work_flash"

func (s *Server) handleCorrectionDiscardForm(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	if err := decision.CanDiscardCorrection(userFrom(r).Actor(), c.Drafters); err != nil {
		return refused(err)
	}
	p := pages.SimpleFormProps{
		Page:    s.page(r, "Discard the correction of "+c.Reference, "", r.URL.Path),
		Caption: c.Reference, Heading: "Are you sure you want to discard this correction?",
		Intro: "Discarding ends the correction without approving it: “" + c.Reason + "”. Its changes are lost. " +
			"The decision stays exactly as signed, and the audit trail records that you discarded it. " +
			"Anyone may then start a new correction.",
		Action: r.URL.Path, Submit: "Discard the correction", Warning: true,
		Back: correctionURL(c.Slug), BackText: "Back to the correction",
		Hidden: []pages.HiddenField{{Name: "correction", Value: strconv.FormatInt(c.ID, 10)}, {Name: "version", Value: strconv.Itoa(c.Version)}},
	}
	s.render(w, r, http.StatusOK, pages.SimpleForm(p))
	return nil
}

func (s *Server) handleCorrectionDiscard(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	d, err := s.store.DecisionBySlug(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	id, errID := strconv.ParseInt(r.PostForm.Get("correction"), 10, 64)
	version, errV := strconv.Atoi(r.PostForm.Get("version"))
	if errID != nil || errV != nil || id < 1 || version < 1 {
		return errBadForm
	}
	err = s.store.DiscardCorrection(r.Context(), userFrom(r).Act(s.now()), d.Slug, id, version)
	switch {
	case errors.Is(err, store.ErrCorrectionApproved):
		return &pageError{Status: http.StatusConflict, Heading: "The correction was approved",
			Message: "Nothing was discarded: the correction was approved after you opened it, and is now the decision’s latest version.",
			Hint:    "The decision’s page shows what it changed. If it is wrong, start a new correction."}
	case errors.Is(err, store.ErrCorrectionEnded), errors.Is(err, store.ErrNotFound):
		return &pageError{Status: http.StatusConflict, Heading: "The correction has already ended",
			Message: "Nothing was discarded: someone else discarded this correction, or the decision was withdrawn, after you opened it."}
	case errors.Is(err, store.ErrConflict):
		return &pageError{Status: http.StatusConflict, Heading: "The correction changed after you opened it",
			Message: "Nothing was discarded: someone saved the correction after you read it.",
			Hint:    "Open the correction again, read it as it is now, and decide again."}
	case err != nil:
		return refused(err)
	}
	s.sessions.Put(r.Context(), workFlashKey, "The correction of "+d.Reference+" was discarded. The decision stays as signed.")
	http.Redirect(w, r, "/work", http.StatusSeeOther)
	return nil
}

// The parts of a correction --------------------------------------------------------------------

// Versions ---------------------------------------------------------------------------------------

// Withdrawal -----------------------------------------------------------------------------------
