package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
	"github.com/go-chi/chi/v5"
)

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
	s.addOrgNames(r, &p)
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
