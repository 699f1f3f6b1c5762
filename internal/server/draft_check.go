package server

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

func (s *Server) handleDraftCheck(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	if ed.readsPartTwo() {
		if err := s.auditPartTwoRead(r, ed, "check"); err != nil {
			return err
		}
	}
	s.renderDraftCheck(w, r, http.StatusOK, ed, nil)
	return nil
}

func (s *Server) renderDraftCheck(w http.ResponseWriter, r *http.Request, status int, ed draftEdit, errs []components.FieldError) {
	d, base := ed.d, editURL(ed.slug)
	decisionRows := []pages.CheckRow{
		{ID: "check-title", Key: "Title", Value: deref(d.Title), Change: base + "/title", Hidden: "title"},
		{ID: "check-summary", Key: "Summary", Value: deref(d.Summary), Change: base + "/title", Hidden: "summary"},
		{ID: "check-recommendations", Key: "Recommendations", Items: d.Recommendations, Change: base + "/recommendations", Hidden: "recommendations"},
	}
	var partOne []pages.CheckRow
	for _, kind := range decision.SectionKinds {
		sec, _ := ed.section(1, kind)
		key := decision.SectionKindLabel(kind)
		if sec.Heading != "" && sec.Heading != key {
			key += " (“" + sec.Heading + "”)"
		}
		partOne = append(partOne, pages.CheckRow{ID: "check-" + kindSlug(kind), Key: key, Value: sec.Body, Blocks: textBlocks(sec.Body, components.Plain),
			Change: base + "/sections/" + kindSlug(kind), Hidden: decision.SectionKindLabel(kind)})
	}
	var funding, links []string
	for _, f := range d.Funding {
		text, hint := fundingLineText(f)
		funding = append(funding, text+" ("+hint+")")
	}
	for _, l := range d.Links {
		if l.Outgoing {
			links = append(links, linkText(l))
		}
	}
	sections := []pages.CheckSection{
		{Heading: "The decision", Rows: decisionRows},
		{Heading: "Part I", Rows: partOne},
		{Heading: "Money and related decisions", Rows: []pages.CheckRow{
			{ID: "check-funding", Key: "Funding", Items: funding, Change: base + "/funding", Hidden: "funding"},
			{ID: "check-links", Key: "Links to other decisions", Items: links, Change: base + "/links", Hidden: "links to other decisions"},
		}},
	}
	var papers []string
	for _, doc := range supportingDocuments(d.Documents) {
		papers = append(papers, doc.Name+" ("+documentHint(doc)+")")
	}
	sections = append(sections, pages.CheckSection{Heading: "Documents", Rows: []pages.CheckRow{
		{ID: "check-documents", Key: "Supporting documents", Items: papers, Change: base + "/documents", Hidden: "supporting documents"}}})
	if ed.readsPartTwo() {
		sec, _ := ed.section(2, "")
		sections = append(sections, pages.CheckSection{Heading: "Part II", Rows: []pages.CheckRow{
			{ID: "check-part-two", Key: "Confidential facts and advice", Value: sec.Body, Blocks: textBlocks(sec.Body, components.Plain), Change: base + "/part-two", Hidden: "Part II"}}})
	}
	title := "Check your answers – " + d.Reference
	if len(errs) > 0 {
		title = "Error: " + title
	}
	s.render(w, r, status, pages.DraftCheck(pages.DraftCheckProps{
		Page:      s.page(r, title, "", checkURL(ed.slug)),
		Reference: d.Reference,
		Errors:    errs,
		Sections:  sections,
		Submitted: d.Status != decision.StatusDraft,
		Action:    "/decisions/" + ed.slug + "/submit",
		Version:   d.Version,
		Back:      base,
	}))
}

func (s *Server) handleDraftSubmit(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	if err := ed.st.CanSubmit(ed.user.Actor()); err != nil {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot submit this decision", Message: err.Error()}
	}
	if !slices.Contains(ed.st.Drafters, ed.user.ID) {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot submit this decision",
			Message: "Only someone who drafted this decision can submit it for sign-off."}
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return errBadForm
	}
	var errs []components.FieldError
	if ed.d.Title == nil {
		errs = append(errs, components.FieldError{FieldID: "check-title", Message: "Add a title before you submit"})
	}
	if ed.d.Summary == nil {
		errs = append(errs, components.FieldError{FieldID: "check-summary", Message: "Add a summary before you submit"})
	}
	if len(ed.d.Recommendations) == 0 {
		errs = append(errs, components.FieldError{FieldID: "check-recommendations", Message: "Add at least one recommendation before you submit"})
	}
	if len(errs) > 0 {
		s.renderDraftCheck(w, r, http.StatusUnprocessableEntity, ed, errs)
		return nil
	}
	if err := s.store.Submit(r.Context(), ed.user.Act(s.now()), ed.slug, version); err != nil {
		return err
	}
	// The confirmation says whom it now waits for.
	http.Redirect(w, r, "/decisions/"+ed.slug+"/submitted", http.StatusSeeOther)
	return nil
}
