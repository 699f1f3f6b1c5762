package server

import (
	"net/http"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// A series' section templates: the texts its drafts may start their Part I sections from.

func templatesURL(series string) string { return "/admin/series/" + series + "/templates" }

func (s *Server) handleAdminTemplates(w http.ResponseWriter, r *http.Request) error {
	series, err := s.adminSeries(r)
	if err != nil {
		return err
	}
	ts, err := s.store.SectionTemplates(r.Context(), series)
	if err != nil {
		return err
	}
	f := templatesForm{Bodies: map[string]string{}}
	for _, t := range ts {
		f.Bodies[t.Kind] = t.Body
	}
	return s.renderAdminTemplates(w, r, http.StatusOK, series, f, nil)
}

func (s *Server) renderAdminTemplates(w http.ResponseWriter, r *http.Request, status int, series string, f templatesForm, errs map[string]string) error {
	p := pages.AdminTemplatesProps{Page: s.page(r, errorTitle(series+" section templates", errs), "", r.URL.Path),
		Flash: s.popAdminFlash(r), Series: series, Action: templatesURL(series)}
	for _, kind := range decision.SectionKinds {
		id := templateField(kind)
		p.Fields = append(p.Fields, components.Field{ID: id, Name: id, Label: decision.SectionKindLabel(kind), Rows: 6,
			Value: f.Bodies[kind], Error: errs[id], Paste: true})
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.AdminTemplates(p))
	return nil
}

func (s *Server) handleAdminTemplatesSave(w http.ResponseWriter, r *http.Request) error {
	series, err := s.adminSeries(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	f := decodeTemplatesForm(r.PostForm)
	if errs := f.Validate(); len(errs) > 0 {
		for _, kind := range decision.SectionKinds {
			f.Bodies[kind] = r.PostForm.Get(templateField(kind)) // as typed
		}
		return s.renderAdminTemplates(w, r, http.StatusUnprocessableEntity, series, f, errs)
	}
	if err := s.store.SetSectionTemplates(r.Context(), userFrom(r).Act(s.now()), series, f.Bodies); err != nil {
		return err
	}
	s.adminRedirect(w, r, templatesURL(series), "The "+series+" section templates have been saved")
	return nil
}
