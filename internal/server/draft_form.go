package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
	"github.com/go-chi/chi/v5"
)

// partFor finds the part a URL names; sections are one part per kind.
func partFor(r *http.Request) (draftPart, bool) {
	if kind := chi.URLParam(r, "kind"); kind != "" {
		kind = strings.ReplaceAll(kind, "-", "_")
		if !slices.Contains(decision.SectionKinds, kind) {
			return draftPart{}, false
		}
		return sectionPart(kind), true
	}
	p, ok := draftParts[chi.URLParam(r, "part")]
	return p, ok
}

// loadPart reads the part of a draft the URL names, and checks the person may open it.
func (s *Server) loadPart(r *http.Request) (draftPart, draftEdit, error) {
	part, ok := partFor(r)
	if !ok {
		return draftPart{}, draftEdit{}, errPageNotFound
	}
	ed, err := s.loadDraft(r)
	if err != nil {
		return draftPart{}, draftEdit{}, err
	}
	return part, ed, partAllowed(r, ed)
}

func (s *Server) handleDraftPart(w http.ResponseWriter, r *http.Request) error {
	part, ed, err := s.loadPart(r)
	if err != nil {
		return err
	}
	if chi.URLParam(r, "part") == "part-two" {
		if err := s.auditPartTwoRead(r, ed, "edit"); err != nil {
			return err
		}
	}
	ed.change = itemNumber(r.URL.Query().Get("change"))
	p := part.page(ed, nil, nil)
	p.Version, p.PartVersion = ed.d.Version, ed.partVersion(part.part)
	p.Flash = s.popDraftFlash(r)
	// A form this person posted after being signed out comes back once, unsaved, with the
	// versions it was opened on: saving it over a part changed since shows both.
	noRetry(r)
	kept, err := s.store.TakeKeptForm(r.Context(), ed.user.ID, r.URL.Path, s.now())
	switch {
	case err == nil:
		if base, berr := baseFrom(kept.Form); berr == nil {
			ed.change = itemNumber(kept.Form.Get("change"))
			p = part.page(ed, kept.Form, nil)
			p.Version, p.PartVersion = base.Version, base.Part
			p.Restored = "You were signed out after " + s.idleMinutes() + " without activity, and what you sent at " +
				formatLondonTime(kept.KeptAt) + " was kept. It is back in the form below but not saved yet: check it, then save it."
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	s.renderDraftForm(w, r, http.StatusOK, ed, p)
	return nil
}

// draftFlashKey holds what the next page of a draft says once, after a save: what pasted text
// became ("3 bullet points found: shown as a list"), or that a pasted list became several
// recommendations. Its first line is the heading, each other line a point under it.
const draftFlashKey = "draft_flash"

func (s *Server) putDraftFlash(ctx context.Context, heading string, lines ...string) {
	s.sessions.Put(ctx, draftFlashKey, strings.Join(append([]string{heading}, lines...), "\n"))
}

func (s *Server) popDraftFlash(r *http.Request) []string {
	if f := s.sessions.PopString(r.Context(), draftFlashKey); f != "" {
		return strings.Split(f, "\n")
	}
	return nil
}

// savedText tells the drafter what a section's saved text became, when it is more than plain
// paragraphs: what the parser found is what the sign-off page and the public will see.
func (s *Server) savedText(ctx context.Context, heading, body string) {
	if shape := decision.TextShape(decision.ParseText(body)); len(shape) > 0 {
		s.putDraftFlash(ctx, heading+" saved", shape...)
	}
}

// auditPartTwoRead records that someone was shown a draft's Part II, when it has one.
func (s *Server) auditPartTwoRead(r *http.Request, ed draftEdit, page string) error {
	if _, ok := ed.section(2, ""); !ok {
		return nil
	}
	return s.recordPartTwoRead(r, ed.d.ID, map[string]string{"page": page})
}

func partAllowed(r *http.Request, ed draftEdit) error {
	if chi.URLParam(r, "part") == "part-two" && !ed.readsPartTwo() {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot change this Part II",
			Message: "Only the people who drafted this decision can read and change its Part II."}
	}
	return nil
}

func (s *Server) handleDraftPartSave(w http.ResponseWriter, r *http.Request) error {
	if isMultipart(r) && chi.URLParam(r, "part") == "documents" {
		return s.handleDocumentUpload(w, r)
	}
	part, ed, err := s.loadPart(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	base, err := baseFrom(r.PostForm)
	if err != nil {
		return err
	}
	ed.change = itemNumber(r.PostForm.Get("change"))
	errs, err := part.save(r.Context(), s, ed.user.Act(s.now()), ed, base, r.PostForm)
	return s.saved(w, r, part, ed, base, r.PostForm, errs, err)
}

// baseFrom reads what a draft's form was opened on: the decision's version and, when the
// form carries it, the version of its part.
func baseFrom(in url.Values) (store.Base, error) {
	version, err := strconv.Atoi(in.Get("version"))
	if err != nil || version < 1 {
		return store.Base{}, errBadForm
	}
	base := store.Base{Version: version}
	if pv := in.Get("part_version"); pv != "" {
		if base.Part, err = strconv.Atoi(pv); err != nil || base.Part < 1 {
			return store.Base{}, errBadForm
		}
	}
	return base, nil
}

// saved answers a save of a part of a draft: the form again with each error by its field, the
// conflict page when someone else saved first, or the next page.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, part draftPart, ed draftEdit, base store.Base, in url.Values,
	errs map[string]string, err error) error {
	if name, ok := store.IsCheckViolation(err); ok {
		s.log.InfoContext(r.Context(), "draft value refused", "constraint", name, "request_id", clientid.RequestID(r.Context()))
		errs, err = map[string]string{part.checkField: "The register cannot store this value: check what you entered"}, nil
	}
	switch {
	case len(errs) > 0 && err == nil:
		p := part.page(ed, in, errs)
		p.Version, p.PartVersion = base.Version, base.Part
		s.renderDraftForm(w, r, http.StatusUnprocessableEntity, ed, p)
		return nil
	case errors.Is(err, store.ErrConflict):
		// ed was read at the start of this request: it holds what the other person saved.
		p := part.page(ed, in, nil)
		p.Version, p.PartVersion = ed.d.Version, ed.partVersion(part.part)
		if last, ok := ed.parts[part.part]; ok {
			p.ConflictBy, p.ConflictAt = last.By, formatLondonTime(last.At)
		}
		editor, lerr := s.store.LastEditor(r.Context(), ed.slug)
		if lerr != nil {
			return lerr
		}
		if last, ok := ed.parts[part.part]; ok && base.Part != 0 {
			editor = last.ByID
		}
		p.ConflictOwn = editor == ed.user.ID
		for _, c := range part.changed(ed, in) {
			p.Conflict = append(p.Conflict,
				components.SummaryRow{Key: c.what + ": saved now", Value: c.saved, TestID: "conflict-saved"},
				components.SummaryRow{Key: c.what + ": yours, not saved", Value: c.yours, TestID: "conflict-yours"})
		}
		s.renderDraftForm(w, r, http.StatusConflict, ed, p)
		return nil
	case errors.Is(err, store.ErrNotEditable):
		return errNotEditable
	case err != nil:
		return err
	}
	http.Redirect(w, r, part.next(ed), http.StatusSeeOther)
	return nil
}

func (s *Server) renderDraftForm(w http.ResponseWriter, r *http.Request, status int, ed draftEdit, p pages.DraftFormProps) {
	for _, in := range p.Inputs {
		switch {
		case in.Text != nil && in.Text.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Text.ID, Message: in.Text.Error})
		case in.Area != nil && in.Area.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Area.ID, Message: in.Area.Error})
		case in.Radios != nil && in.Radios.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Radios.ID, Message: in.Radios.Error})
		case in.File != nil && in.File.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.File.ID, Message: in.File.Error})
		case in.Date != nil && in.Date.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Date.FirstErrorID(), Message: in.Date.Error})
		}
	}
	title := p.Heading + " – " + ed.d.Reference
	switch {
	case len(p.Errors) > 0:
		title = "Error: " + title
	case len(p.Conflict) > 0:
		title = "Not saved: " + title
	}
	p.Page = s.page(r, title, "", r.URL.Path)
	s.addOrgNames(r, &p)
	p.Caption = ed.d.Reference
	p.Action = r.URL.Path
	p.Back = editURL(ed.slug)
	p.ClearsApprovals = ed.d.Status == decision.StatusAwaitingSignoff && len(ed.st.Approvals) > 0
	s.render(w, r, status, pages.DraftForm(p))
}
