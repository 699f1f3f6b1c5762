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

	"github.com/go-chi/chi/v5"

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
	_, err = s.store.ApproveCorrection(r.Context(), userFrom(r).Act(s.now()), c.Slug, r.PostForm.Get("content_hash"))
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

// correctionPart is one form of a correction; save checks the input and applies it to the
// edit, returning per-field errors.
type correctionPart struct {
	heading string
	field   string // for the audit trail
	inputs  func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput
	save    func(e *store.CorrectionEdit, in url.Values) map[string]string
}

func (s *Server) correctionPartFor(r *http.Request, c store.Correction) (correctionPart, bool) {
	if kind := chi.URLParam(r, "kind"); kind != "" {
		kind = strings.ReplaceAll(kind, "-", "_")
		i := slices.IndexFunc(c.Draft.Sections, func(sec decision.ContentSection) bool { return sec.Kind == kind })
		if i < 0 {
			return correctionPart{}, false
		}
		return sectionCorrection(i, kind), true
	}
	// Only the funding pages' addresses have {n}; a bad one there names no part below either.
	if i, ok := intParam(r, "n"); ok {
		if i > len(c.Draft.Funding) {
			return correctionPart{}, false
		}
		return fundingCorrection(i - 1), true
	}
	switch chi.URLParam(r, "part") {
	case "title":
		return titleCorrection, true
	case "recommendations":
		return recommendationsCorrection, true
	case "reason":
		return reasonCorrection, true
	}
	return correctionPart{}, false
}

func (s *Server) handleCorrectionPart(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	part, ok := s.correctionPartFor(r, c)
	if !ok {
		return errPageNotFound
	}
	if c.Sent() {
		return errCorrectionSent(c)
	}
	s.renderCorrectionPart(w, r, http.StatusOK, c, part, c.Version, nil, nil, false)
	return nil
}

func (s *Server) renderCorrectionPart(w http.ResponseWriter, r *http.Request, status int, c store.Correction, part correctionPart,
	version int, in url.Values, errs map[string]string, conflict bool) {
	e := store.CorrectionEdit{Draft: &c.Draft, Reason: c.Reason}
	p := pages.DraftFormProps{
		Caption: c.Reference + ": correction",
		Heading: part.heading,
		Intro:   "The published decision stays as signed until the correction is approved.",
		Inputs:  part.inputs(e, in, errs),
		Submit:  "Save and continue",
		Version: version,
		Action:  r.URL.Path,
		Back:    correctionURL(c.Slug),
	}
	if conflict {
		saved := part.inputs(e, nil, nil)
		for i, yours := range p.Inputs {
			sv, yv := inputValue(saved[i]), inputValue(yours)
			if sv != yv {
				p.Conflict = append(p.Conflict,
					components.SummaryRow{Key: inputLabel(yours) + ": saved now", Value: sv, TestID: "conflict-saved"},
					components.SummaryRow{Key: inputLabel(yours) + ": yours, not saved", Value: yv, TestID: "conflict-yours"})
			}
		}
		if len(p.Conflict) == 0 {
			p.Conflict = []components.SummaryRow{{Key: "This part", Value: "What is saved now is the same as what you sent.", TestID: "conflict-saved"}}
		}
	}
	for _, in := range p.Inputs {
		switch {
		case in.Text != nil && in.Text.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Text.ID, Message: in.Text.Error})
		case in.Area != nil && in.Area.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Area.ID, Message: in.Area.Error})
		case in.Radios != nil && in.Radios.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Radios.ID, Message: in.Radios.Error})
		}
	}
	title := part.heading + " – correction of " + c.Reference
	switch {
	case len(p.Errors) > 0:
		title = "Error: " + title
	case conflict:
		title = "Not saved: " + title
	}
	p.Page = s.page(r, title, "", r.URL.Path)
	s.render(w, r, status, pages.DraftForm(p))
}

func inputValue(in pages.DraftInput) string {
	switch {
	case in.Text != nil:
		return in.Text.Value
	case in.Area != nil:
		return in.Area.Value
	case in.Radios != nil:
		for _, o := range in.Radios.Options {
			if o.Checked {
				return o.Label
			}
		}
	}
	return ""
}

func inputLabel(in pages.DraftInput) string {
	switch {
	case in.Text != nil:
		return in.Text.Label
	case in.Area != nil:
		return in.Area.Label
	case in.Radios != nil:
		return in.Radios.Legend
	}
	return ""
}

func (s *Server) handleCorrectionPartSave(w http.ResponseWriter, r *http.Request) error {
	c, err := s.loadCorrection(r)
	if err != nil {
		return err
	}
	part, ok := s.correctionPartFor(r, c)
	if !ok {
		return errPageNotFound
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	version, err := strconv.Atoi(r.PostForm.Get("version"))
	if err != nil || version < 1 {
		return errBadForm
	}
	var errs map[string]string
	err = s.store.EditCorrection(r.Context(), userFrom(r).Act(s.now()), c.Slug, version, part.field, func(e *store.CorrectionEdit) error {
		if errs = part.save(e, r.PostForm); len(errs) > 0 {
			return errInvalid
		}
		return nil
	})
	switch {
	case errors.Is(err, store.ErrCorrectionSent):
		return errCorrectionSent(c)
	case errors.Is(err, errInvalid):
		s.renderCorrectionPart(w, r, http.StatusUnprocessableEntity, c, part, version, r.PostForm, errs, false)
		return nil
	case errors.Is(err, store.ErrConflict):
		// c was read at the start of this request: it holds what the other person saved.
		s.renderCorrectionPart(w, r, http.StatusConflict, c, part, c.Version, r.PostForm, nil, true)
		return nil
	case errors.Is(err, store.ErrNotFound):
		return errNoCorrection
	case err != nil:
		return err
	}
	http.Redirect(w, r, correctionURL(c.Slug), http.StatusSeeOther)
	return nil
}

// errCorrectionSent answers a change of a correction that is with its approvers.
func errCorrectionSent(c store.Correction) error {
	return &pageError{Status: http.StatusConflict, Heading: "The correction is with its approvers",
		Message: "It was sent for approval, so it cannot change now: what an approver reads is what they approve. " +
			"If an approver returns it, you can change it and send it again.",
		Hint: "Its page is " + correctionURL(c.Slug) + "."}
}

// errInvalid stops a correction's save whose input has errors: nothing is written.
var errInvalid = errors.New("the form has errors")

var reasonCorrection = correctionPart{
	heading: "Reason for the correction",
	field:   "reason",
	inputs: func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput {
		return []pages.DraftInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why the decision needs correcting", Rows: 4,
			Value: value(in, "reason", e.Reason), Error: errs["reason"], Hint: "The public reads this beside the correction."}}}
	},
	save: func(e *store.CorrectionEdit, in url.Values) map[string]string {
		reason := decision.CleanText(in.Get("reason"))
		if reason == "" {
			return map[string]string{"reason": "Enter why the decision needs correcting"}
		}
		e.Reason = reason
		return nil
	},
}

var titleCorrection = correctionPart{
	heading: "Title and summary",
	field:   "title,summary",
	inputs: func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput {
		return []pages.DraftInput{
			{Text: &components.Field{ID: "title", Name: "title", Label: "Title", Value: value(in, "title", e.Draft.Title), Error: errs["title"]}},
			{Area: &components.Field{ID: "summary", Name: "summary", Label: "Summary", Rows: 8, Value: value(in, "summary", e.Draft.Summary), Error: errs["summary"]}},
		}
	},
	save: func(e *store.CorrectionEdit, in url.Values) map[string]string {
		f := decodeTitleForm(in)
		if errs := f.Validate(); len(errs) > 0 {
			return errs
		}
		e.Draft.Title, e.Draft.Summary = f.Title, f.Summary
		return nil
	},
}

var recommendationsCorrection = correctionPart{
	heading: "Recommendations",
	field:   "recommendations",
	inputs: func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput {
		var out []pages.DraftInput
		for i, rec := range e.Draft.Recommendations {
			id := "recommendation-" + strconv.Itoa(i+1)
			out = append(out, pages.DraftInput{Area: &components.Field{ID: id, Name: id, Label: "Recommendation " + strconv.Itoa(i+1),
				Rows: 4, Value: value(in, id, rec), Error: errs[id]}})
		}
		return out
	},
	save: func(e *store.CorrectionEdit, in url.Values) map[string]string {
		errs := map[string]string{}
		recs := slices.Clone(e.Draft.Recommendations)
		for i := range recs {
			id := "recommendation-" + strconv.Itoa(i+1)
			if recs[i] = decision.CleanText(in.Get(id)); recs[i] == "" {
				errs[id] = "Enter recommendation " + strconv.Itoa(i+1)
			}
		}
		if len(errs) > 0 {
			return errs
		}
		e.Draft.Recommendations = recs
		return nil
	},
}

func sectionCorrection(i int, kind string) correctionPart {
	return correctionPart{
		heading: decision.SectionKindLabel(kind),
		field:   "part_one:" + kind,
		inputs: func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput {
			sec := e.Draft.Sections[i]
			return []pages.DraftInput{
				{Text: &components.Field{ID: "heading", Name: "heading", Label: "Heading", Value: value(in, "heading", sec.Heading), Error: errs["heading"]}},
				{Area: &components.Field{ID: "body", Name: "body", Label: "Text", Rows: 14, Value: value(in, "body", sec.Body), Error: errs["body"],
					Hint: "Separate paragraphs with a blank line. Start each line of a list with “- ”."}},
			}
		},
		save: func(e *store.CorrectionEdit, in url.Values) map[string]string {
			f := decodeSectionForm(in)
			if errs := f.Validate(); len(errs) > 0 {
				return errs
			}
			e.Draft.Sections[i].Heading, e.Draft.Sections[i].Body = f.Heading, f.Body
			return nil
		},
	}
}

func fundingCorrection(i int) correctionPart {
	return correctionPart{
		heading: "Funding line " + strconv.Itoa(i+1),
		field:   "funding:" + strconv.Itoa(i+1),
		inputs: func(e store.CorrectionEdit, in url.Values, errs map[string]string) []pages.DraftInput {
			f := e.Draft.Funding[i]
			saved := fundingForm{Amount: decision.FormatPence(f.AmountPence), Basis: f.Basis, Kind: f.Kind, Label: f.Label,
				Funder: deref(f.Funder), Recipient: deref(f.Recipient)}
			if f.FYStart != nil {
				saved.FYStart = decision.FinancialYear(*f.FYStart).String()
				if f.FYEnd != nil && *f.FYEnd != *f.FYStart {
					saved.FYEnd = decision.FinancialYear(*f.FYEnd).String()
				}
			}
			return fundingInputs(in, errs, saved)
		},
		save: func(e *store.CorrectionEdit, in url.Values) map[string]string {
			l, errs := decodeFundingForm(in).Validate()
			if len(errs) > 0 {
				return errs
			}
			f := &e.Draft.Funding[i]
			f.AmountPence, f.FYStart, f.FYEnd, f.Basis, f.Kind, f.Label = l.AmountPence, l.FYStart, l.FYEnd, l.Basis, l.Kind, l.Label
			f.Funder = nilIfEmpty(l.Funder)
			f.Recipient = nilIfEmpty(l.Recipient)
			return nil
		},
	}
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Versions ---------------------------------------------------------------------------------------

func (s *Server) versionFrom(r *http.Request) (string, int, []store.Version, error) {
	slug, err := slugParam(r)
	if err != nil {
		return "", 0, nil, err
	}
	n, ok := intParam(r, "n")
	if !ok {
		return "", 0, nil, errPageNotFound
	}
	vs, err := s.reader(r).Versions(r.Context(), s.access(r), slug)
	if err != nil {
		return "", 0, nil, err
	}
	if n > len(vs) {
		return "", 0, nil, errPageNotFound
	}
	return slug, n, vs, nil
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) error {
	slug, n, vs, err := s.versionFrom(r)
	if err != nil {
		return err
	}
	v := vs[n-1]
	c, err := decision.ParseCanonical(v.Canonical)
	if err != nil {
		return err
	}
	p := pages.VersionProps{
		Page:      s.page(r, fmt.Sprintf("%s, version %d", c.Reference, n), "decisions", versionURL(slug, n)),
		Reference: c.Reference, Title: c.Title, Number: n, Of: len(vs),
		DecisionURL: "/decisions/" + slug, CanonicalURL: versionURL(slug, n) + "/canonical",
		Hash: v.ContentHash, Matches: v.Matches, SignedOn: formatLondonDay(v.SignedAt), SignedBy: versionSigner(v),
		Reason: deref(v.Reason), Summary: c.Summary, Recommendations: c.Recommendations,
		Versions: versionLinks(slug, vs),
	}
	for _, sec := range c.Sections {
		p.Sections = append(p.Sections, pages.VersionSection{Heading: sec.Heading, Body: sec.Body})
	}
	for _, f := range c.Funding {
		p.Funding = append(p.Funding, decision.FundingSentence(f))
	}
	if n > 1 {
		prev, err := decision.ParseCanonical(vs[n-2].Canonical)
		if err != nil {
			return err
		}
		p.Diffs = diffFields(decision.Diffs(decision.CorrectedOf(prev), decision.CorrectedOf(c)))
	}
	s.render(w, r, http.StatusOK, pages.Version(p))
	return nil
}

// handleVersionCanonical serves the exact bytes a version's hash is taken over.
func (s *Server) handleVersionCanonical(w http.ResponseWriter, r *http.Request) error {
	slug, n, vs, err := s.versionFrom(r)
	if err != nil {
		return err
	}
	b := vs[n-1].Canonical
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", `inline; filename="`+slug+`.v`+strconv.Itoa(n)+`.canonical.json"`)
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// versionSigner names who signed a version: for the first, the decision maker with their
// title ("Sophie Linden, Deputy Mayor for Policing and Crime"); for a correction, the approver
// with the register's role they approved it in ("Ada Admin (admin)").
func versionSigner(v store.Version) string {
	name := deref(v.SignerName)
	role := deref(v.SignerRole)
	switch {
	case name == "" || role == "":
		return name
	case v.Number > 1 && (role == "Admin" || role == "Decision maker"):
		return name + " (" + strings.ToLower(role) + ")"
	}
	return name + ", " + role
}

func versionLinks(slug string, vs []store.Version) []pages.VersionLink {
	out := make([]pages.VersionLink, len(vs))
	for i, v := range vs {
		label := "as signed"
		switch {
		case v.Imported:
			label = "as signed, recorded on import"
		case v.Number > 1 && v.Typographical:
			label = "typographical correction"
		case v.Number > 1:
			label = "correction"
		}
		out[i] = pages.VersionLink{Number: v.Number, URL: versionURL(slug, v.Number), Hash: v.ContentHash,
			Date: formatLondonDay(v.SignedAt), Label: label, Current: i == len(vs)-1}
	}
	return out
}

// addCorrections adds to a decision's page its withdrawal, its corrections with what each
// changed, its versions, and for staff the actions they may take on it.
func (s *Server) addCorrections(r *http.Request, p *pages.ShowProps, d store.DecisionDetail) error {
	if d.Status == decision.StatusWithdrawn && d.WithdrawnAt != nil {
		p.Withdrawn = &pages.WithdrawnNotice{Date: formatLondonDay(*d.WithdrawnAt), Reason: deref(d.WithdrawalReason)}
	}
	vs, err := s.reader(r).Versions(r.Context(), s.access(r), d.Slug)
	if err != nil {
		return err
	}
	if len(vs) > 1 {
		p.Versions = versionLinks(d.Slug, vs)
		if p.Proof != nil {
			p.Proof.Hash = vs[len(vs)-1].ContentHash
		}
		for i := 1; i < len(vs); i++ {
			prev, err := decision.ParseCanonical(vs[i-1].Canonical)
			if err != nil {
				return err
			}
			cur, err := decision.ParseCanonical(vs[i].Canonical)
			if err != nil {
				return err
			}
			p.Corrections = append(p.Corrections, pages.CorrectionNote{Version: vs[i].Number, Date: formatLondonDay(vs[i].SignedAt),
				Reason: deref(vs[i].Reason), By: versionSigner(vs[i]), Typographical: vs[i].Typographical, URL: versionURL(d.Slug, vs[i].Number),
				Diffs: diffFields(decision.Diffs(decision.CorrectedOf(prev), decision.CorrectedOf(cur)))})
		}
	}
	u := userFrom(r)
	if u == nil {
		return nil
	}
	_, err = s.store.OpenCorrection(r.Context(), s.access(r), d.Slug)
	switch {
	case err == nil:
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "A correction is in progress: see it", Href: correctionURL(d.Slug), TestID: "correction-link"})
	case !errors.Is(err, store.ErrNotFound):
		return err
	case u.Has(decision.RoleDrafter) && decision.CanCorrect(d.Status) == nil:
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "Correct this decision", Href: correctionURL(d.Slug) + "/new", TestID: "correct-link"})
	}
	if decision.CanWithdraw(u.Actor(), d.Series, d.Status) == nil {
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "Withdraw this decision", Href: "/decisions/" + d.Slug + "/withdraw", TestID: "withdraw-link"})
	}
	return nil
}

// Withdrawal -----------------------------------------------------------------------------------

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
