package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

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
	return s.renderCorrection(w, r, http.StatusOK, c, "")
}

func (s *Server) renderCorrection(w http.ResponseWriter, r *http.Request, status int, c store.Correction, refusal string) error {
	u := userFrom(r)
	names, err := s.drafterNames(r, c.Drafters)
	if err != nil {
		return err
	}
	signed := decision.CorrectedOf(c.Current)
	notTypo := c.NotTypographical()
	p := pages.CorrectionProps{
		Page:        s.page(r, "Correction of "+c.Reference, "", correctionURL(c.Slug)),
		Reference:   c.Reference,
		Title:       c.Current.Title,
		DecisionURL: "/decisions/" + c.Slug,
		Reason:      c.Reason,
		Drafters:    names,
		Diffs:       diffFields(decision.Diffs(signed, c.Draft)),
		NewHash:     decision.ContentHash(c.NewContent()),
		ApproveURL:  correctionURL(c.Slug) + "/approve",
	}
	if notTypo == "" {
		p.Typo = "This correction is typographical: the decision maker for " + c.Series + " or an admin may approve it."
	} else {
		p.Typo = "This correction is not typographical (" + notTypo + "): only the decision maker for " + c.Series + " may approve it."
	}
	if u.Has(decision.RoleDrafter) {
		base := correctionURL(c.Slug)
		p.ReasonURL = base + "/reason"
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
		}
	}
	if decision.CanDiscardCorrection(u.Actor(), c.Drafters) == nil {
		p.DiscardURL = correctionURL(c.Slug) + "/discard"
	}
	if refusal != "" {
		p.Errors = []components.FieldError{{FieldID: "approve", Message: refusal}}
		p.Page.Title = "Error: " + p.Page.Title
	}
	s.render(w, r, status, pages.Correction(p))
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
			case notTypo == "":
				item.Note = "Your correction is waiting for approval by the decision maker for " + c.Series + " or an admin (it is typographical)."
			default:
				item.Note = "Your correction is waiting for approval by the decision maker for " + c.Series + "."
			}
			p.OwnCorrections = append(p.OwnCorrections, item)
		case !empty && decision.CanApproveCorrection(u.Actor(), c.Series, c.Drafters, notTypo) == nil:
			if notTypo == "" {
				item.Note = "Read the typographical correction and approve it, or leave it for its drafters to change."
			} else {
				item.Note = "Read the correction (" + notTypo + ") and approve it, or leave it for its drafters to change."
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
		return s.renderCorrection(w, r, http.StatusForbidden, c, reason)
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

func versionSigner(v store.Version) string {
	name := deref(v.SignerName)
	if role := deref(v.SignerRole); name != "" && role != "" {
		return name + ", " + role
	}
	return name
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
		Action: r.URL.Path, Submit: "Withdraw the decision", Warning: true,
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
	if err := s.store.Withdraw(r.Context(), userFrom(r).Act(s.now()), d.Slug, reason, on); err != nil {
		return refused(err)
	}
	http.Redirect(w, r, "/decisions/"+d.Slug, http.StatusSeeOther)
	return nil
}
