package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// coverFlashKey holds the confirmation shown after cover is set or ended.
const coverFlashKey = "cover_flash"

// coverPage is whose cover a page is about, and where it lives: /account/cover for oneself,
// /admin/users/{id}/cover for an admin setting it for someone.
type coverPage struct {
	person store.User
	self   bool
	base   string
}

func (s *Server) ownCover(r *http.Request) (coverPage, error) {
	return coverPage{person: *userFrom(r), self: true, base: "/account/cover"}, nil
}

func (s *Server) adminCover(r *http.Request) (coverPage, error) {
	u, err := s.adminTarget(r)
	if err != nil {
		return coverPage{}, err
	}
	return coverPage{person: u, self: userFrom(r).ID == u.ID, base: fmt.Sprintf("/admin/users/%d/cover", u.ID)}, nil
}

func (s *Server) handleCoverPage(who func(*http.Request) (coverPage, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		cp, err := who(r)
		if err != nil {
			return err
		}
		return s.renderCover(w, r, cp, http.StatusOK, nil, nil)
	}
}

// renderCover shows the covers that involve the person and the form, kept as typed (in) with
// its errors by field when it was refused.
func (s *Server) renderCover(w http.ResponseWriter, r *http.Request, cp coverPage, status int, in url.Values, errs map[string]string) error {
	now := s.now()
	covers, err := s.store.CoversOf(r.Context(), cp.person.ID, now)
	if err != nil {
		return err
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	heading := "Cover for " + cp.person.Name
	if cp.self {
		heading = "Your cover"
	}
	title := heading
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.CoverProps{
		Page:    s.page(r, title, "", cp.base),
		Flash:   s.sessions.PopString(r.Context(), coverFlashKey),
		Heading: heading,
		Action:  cp.base,
		Self:    cp.self,
		Coverer: pages.CoverSelect{Label: "Who will act for " + pick(cp.self, "you", cp.person.Name),
			Hint:  "People who clear the same steps, or sign for the same series.",
			Error: errs["coverer"], Value: in.Get("coverer")},
		Reason: components.Field{ID: "reason", Name: "reason", Label: "Why cover is needed",
			Hint: "For example, annual leave. Everyone in the chain sees this.", Value: in.Get("reason"), Error: errs["reason"], Rows: 3},
	}
	person := cp.person.Actor()
	for _, u := range users {
		if u.DisabledAt == nil && decision.CanCover(person, u.Actor()) {
			p.Coverer.Options = append(p.Coverer.Options, pages.CoverOption{Value: strconv.FormatInt(u.ID, 10), Label: u.Name})
		}
	}
	p.NoOneCan = len(p.Coverer.Options) == 0
	p.Nothing = len(person.StepKinds) == 0 && len(person.Series) == 0
	today := now.In(london())
	startParts, endParts := []string(nil), []string(nil)
	if errs["starts-parts"] != "" {
		startParts = strings.Split(errs["starts-parts"], ",")
	}
	if errs["ends-parts"] != "" {
		endParts = strings.Split(errs["ends-parts"], ",")
	}
	var form url.Values
	if in != nil {
		form = in
	}
	p.Starts = *dateField(form, "starts", "starts", "Start date", "The first day of cover. For example, "+today.Format("2 1 2006")+".",
		today, errs["starts"], startParts)
	p.Ends = *dateField(form, "ends", "ends", "End date", "The last day of cover, included.", today, errs["ends"], endParts)
	if in == nil {
		p.Starts.Day, p.Starts.Month, p.Starts.Year = "", "", ""
		p.Ends.Day, p.Ends.Month, p.Ends.Year = "", "", ""
	}
	for _, f := range []struct{ key, id string }{{"coverer", "coverer"}, {"starts", p.Starts.FirstErrorID()},
		{"ends", p.Ends.FirstErrorID()}, {"reason", "reason"}} {
		if errs[f.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: f.id, Message: errs[f.key]})
		}
	}
	me := userFrom(r)
	for _, c := range covers {
		row := pages.CoverRow{Days: c.Days(), Reason: c.Reason, SetBy: c.SetByName}
		if c.UserID == cp.person.ID {
			row.Who = c.CovererName + " acts for " + pick(cp.self, "you", c.UserName)
			if cp.self || me.Has(decision.RoleAdmin) {
				row.EndURL = fmt.Sprintf("%s/%d/end", cp.base, c.ID)
			}
			p.Of = append(p.Of, row)
		} else {
			row.Who = pick(cp.self, "You act", c.CovererName+" acts") + " for " + c.UserName
			p.By = append(p.By, row)
		}
	}
	s.render(w, r, status, pages.Cover(p))
	return nil
}

func pick(self bool, yes, no string) string {
	if self {
		return yes
	}
	return no
}

// utcDay is a London day as the store keeps dates: that date at midnight UTC.
func utcDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (s *Server) handleCoverSet(who func(*http.Request) (coverPage, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		cp, err := who(r)
		if err != nil {
			return err
		}
		if err := r.ParseForm(); err != nil {
			return err
		}
		in := r.PostForm
		errs := map[string]string{}
		starts, msg, parts := dateInput(in, "starts", "Start date")
		if msg != "" {
			errs["starts"], errs["starts-parts"] = msg, strings.Join(parts, ",")
		}
		ends, msg, parts := dateInput(in, "ends", "End date")
		if msg != "" {
			errs["ends"], errs["ends-parts"] = msg, strings.Join(parts, ",")
		}
		ci := store.CoverInput{UserID: cp.person.ID, Reason: strings.TrimSpace(in.Get("reason"))}
		if v := in.Get("coverer"); v != "" {
			if ci.CovererID, err = strconv.ParseInt(v, 10, 64); err != nil || ci.CovererID <= 0 {
				errs["coverer"] = "Select who will act for " + pick(cp.self, "you", cp.person.Name) + " from the list"
			}
		}
		if !starts.IsZero() {
			ci.Starts = utcDay(starts)
		}
		if !ends.IsZero() {
			ci.Ends = utcDay(ends)
		}
		if errs["coverer"] == "" {
			_, err = s.store.SetCover(r.Context(), userFrom(r).Act(s.now()), ci)
			var ce store.CoverErrors
			switch {
			case errors.As(err, &ce):
				for _, p := range ce {
					if errs[p.Field] == "" {
						errs[p.Field] = p.Message
					}
				}
			case err != nil:
				return err
			}
		}
		if len(errs) > 0 {
			return s.renderCover(w, r, cp, http.StatusUnprocessableEntity, in, errs)
		}
		s.sessions.Put(r.Context(), coverFlashKey, "Cover set: "+decision.CoverDays(ci.Starts, ci.Ends)+".")
		http.Redirect(w, r, cp.base, http.StatusSeeOther)
		return nil
	}
}

func (s *Server) handleCoverEnd(who func(*http.Request) (coverPage, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		cp, err := who(r)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(chi.URLParam(r, "cover"), 10, 64)
		if err != nil || id <= 0 {
			return errPageNotFound
		}
		if err := s.store.EndCover(r.Context(), userFrom(r).Act(s.now()), cp.person.ID, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return errPageNotFound
			}
			return err
		}
		s.sessions.Put(r.Context(), coverFlashKey, "Cover ended.")
		http.Redirect(w, r, cp.base, http.StatusSeeOther)
		return nil
	}
}
