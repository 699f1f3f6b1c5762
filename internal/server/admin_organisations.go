package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Admins rename organisations and merge two records of one (store.RenameOrganisation,
// store.MergeOrganisations): each change audited, signed decisions keeping their names.

func (s *Server) handleAdminOrganisations(w http.ResponseWriter, r *http.Request) error {
	orgs, err := s.store.OrganisationRecords(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.Slug] = o.Name
	}
	p := pages.AdminOrganisationsProps{Page: s.page(r, "Organisations", "admin", "/admin/organisations"), Flash: s.popAdminFlash(r)}
	for _, o := range orgs {
		row := pages.AdminOrgRow{Href: fmt.Sprintf("/admin/organisations/%d", o.ID), Name: o.Name}
		if o.MergedInto != nil {
			row.MergedInto = names[*o.MergedInto]
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, pages.AdminOrganisations(p))
	return nil
}

// adminOrg is the organisation the address names.
func (s *Server) adminOrg(r *http.Request) (store.OrgRecord, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.OrgRecord{}, errPageNotFound
	}
	o, err := s.store.OrganisationByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.OrgRecord{}, errPageNotFound
	}
	return o, err
}

// orgForm is what the rename and merge forms send.
type orgForm struct {
	Name string
	Into string
}

func (s *Server) renderAdminOrg(w http.ResponseWriter, r *http.Request, status int, o store.OrgRecord, f orgForm, errs map[string]string) error {
	orgs, err := s.store.OrganisationRecords(r.Context())
	if err != nil {
		return err
	}
	path := fmt.Sprintf("/admin/organisations/%d", o.ID)
	p := pages.AdminOrganisationProps{
		Page:       s.page(r, o.Name, "admin", path),
		Flash:      s.popAdminFlash(r),
		Name:       o.Name,
		PublicHref: "/organisations/" + o.Slug,
		Rename: components.Field{ID: "name", Name: "name", Label: "New name", Autocomplete: "off",
			Hint:  "As the organisation calls itself. Decisions past drafting keep the name they were written with.",
			Value: f.Name, Error: errs["name"]},
		RenameTo: path + "/rename",
		MergeTo:  path + "/merge",
		Into: pages.OrgSelect{ID: "into", Label: "Merge into", Value: f.Into, Error: errs["into"],
			Hint: "Type or choose the organisation that " + o.Name + " is another record of."},
	}
	for _, x := range orgs {
		if x.ID == o.ID && o.MergedInto != nil {
			continue
		}
		if o.MergedInto != nil && x.Slug == *o.MergedInto {
			p.MergedInto = x.Name
		}
		if x.MergedInto == nil && x.ID != o.ID {
			p.Into.Options = append(p.Into.Options, components.Option{Value: strconv.FormatInt(x.ID, 10), Label: x.Name})
		}
	}
	if p.Rename.Value == "" && errs["name"] == "" {
		p.Rename.Value = o.Name
	}
	for _, id := range []string{"name", "into"} {
		if msg := errs[id]; msg != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: msg})
		}
	}
	s.render(w, r, status, pages.AdminOrganisation(p))
	return nil
}

func (s *Server) handleAdminOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.adminOrg(r)
	if err != nil {
		return err
	}
	return s.renderAdminOrg(w, r, http.StatusOK, o, orgForm{}, nil)
}

func decodeOrgForm(r *http.Request) (orgForm, error) {
	if err := r.ParseForm(); err != nil {
		return orgForm{}, &pageError{Status: http.StatusBadRequest, Heading: "The form could not be read",
			Message: "Go back, reload the page and try again."}
	}
	return orgForm{Name: decision.CleanName(r.PostForm.Get("name")), Into: strings.TrimSpace(r.PostForm.Get("into"))}, nil
}

func (s *Server) handleAdminOrganisationRename(w http.ResponseWriter, r *http.Request) error {
	o, err := s.adminOrg(r)
	if err != nil {
		return err
	}
	f, err := decodeOrgForm(r)
	if err != nil {
		return err
	}
	errs := map[string]string{}
	switch {
	case o.MergedInto != nil:
		errs["name"] = "This organisation was merged into another: rename that one instead"
	case f.Name == "":
		errs["name"] = "Enter the organisation’s new name"
	case utf8.RuneCountInString(f.Name) > maxOrganisationRunes:
		errs["name"] = fmt.Sprintf("The name must be %d characters or fewer", maxOrganisationRunes)
	case f.Name == o.Name:
		errs["name"] = "Enter a name different from its name now"
	}
	if len(errs) == 0 {
		err := s.store.RenameOrganisation(r.Context(), userFrom(r).Act(s.now()), o.ID, f.Name)
		switch {
		case errors.Is(err, store.ErrOrgNameTaken):
			errs["name"] = "Another organisation is called " + f.Name + ": merge this one into it instead"
		case errors.Is(err, store.ErrOrgSameName):
			errs["name"] = "Enter a name different from its name now"
		case errors.Is(err, store.ErrOrgMerged):
			errs["name"] = "This organisation was merged into another: rename that one instead"
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderAdminOrg(w, r, http.StatusUnprocessableEntity, o, f, errs)
	}
	s.adminRedirect(w, r, fmt.Sprintf("/admin/organisations/%d", o.ID), o.Name+" has been renamed "+f.Name)
	return nil
}

func (s *Server) handleAdminOrganisationMerge(w http.ResponseWriter, r *http.Request) error {
	o, err := s.adminOrg(r)
	if err != nil {
		return err
	}
	f, err := decodeOrgForm(r)
	if err != nil {
		return err
	}
	f.Name = ""
	errs := map[string]string{}
	into, perr := strconv.ParseInt(f.Into, 10, 64)
	var target store.OrgRecord
	switch {
	case o.MergedInto != nil:
		errs["into"] = "This organisation was already merged into another"
	case f.Into == "":
		errs["into"] = "Choose the organisation to merge it into"
	case perr != nil:
		errs["into"] = "Choose the organisation to merge it into from the list"
	case into == o.ID:
		errs["into"] = "Choose another organisation: one cannot be merged into itself"
	default:
		target, err = s.store.OrganisationByID(r.Context(), into)
		if errors.Is(err, store.ErrNotFound) {
			errs["into"] = "Choose the organisation to merge it into from the list"
		} else if err != nil {
			return err
		}
	}
	if len(errs) == 0 {
		err := s.store.MergeOrganisations(r.Context(), userFrom(r).Act(s.now()), o.ID, into)
		switch {
		case errors.Is(err, store.ErrOrgSelfMerge):
			errs["into"] = "Choose another organisation: one cannot be merged into itself"
		case errors.Is(err, store.ErrOrgMerged):
			errs["into"] = "That organisation was merged into another: choose the one it was merged into"
		case err != nil:
			return err
		}
	}
	if len(errs) > 0 {
		return s.renderAdminOrg(w, r, http.StatusUnprocessableEntity, o, f, errs)
	}
	s.adminRedirect(w, r, fmt.Sprintf("/admin/organisations/%d", into), o.Name+" has been merged into "+target.Name)
	return nil
}
