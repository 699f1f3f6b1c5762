package server

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// maxPublicInterestRunes bounds a public-interest note (the database's bound too).
const maxPublicInterestRunes = 1000

const groundHint = "An FOI Act section, like s.43 (commercial interests) or s.22 (intended for future publication), " +
	"or a paragraph of Schedule 12A, like para 3. The public reads it."

// groundInputs are the fields a Part II's ground is recorded in: the ground, the
// public-interest note and the review date, filled from the form or from what is recorded.
func groundInputs(w *store.Withholding, in url.Values, errs map[string]string) []pages.DraftInput {
	ground, note := "", ""
	var day, month, year string
	if w != nil {
		if g, ok := decision.GroundByCode(w.Ground); ok {
			ground = g.Cite
		}
		note = w.PublicInterest
		day, month, year = strconv.Itoa(w.ReviewOn.Day()), strconv.Itoa(int(w.ReviewOn.Month())), strconv.Itoa(w.ReviewOn.Year())
	}
	if in != nil {
		ground, note = in.Get("ground"), in.Get("public_interest")
		day, month, year = in.Get("review_on_day"), in.Get("review_on_month"), in.Get("review_on_year")
	}
	return []pages.DraftInput{
		{Text: &components.Field{ID: "ground", Name: "ground", Label: "Ground for withholding Part II", Hint: groundHint,
			Value: ground, Error: errs["ground"], Width: "20"}},
		{Area: &components.Field{ID: "public-interest", Name: "public_interest", Label: "Public interest note", Rows: 4,
			Hint:  "In a sentence or two, why the public interest in withholding it outweighs the interest in publishing it. The public reads this.",
			Value: note, Error: errs["public-interest"], MaxLength: maxPublicInterestRunes}},
		{Date: &components.DateField{ID: "review-on", Name: "review_on", Legend: "Review date",
			Hint: "When to consider publishing it, for example 27 3 2028. Its owner is reminded before.", Error: errs["review-on"],
			Day: day, Month: month, Year: year}},
	}
}

// groundInput reads a ground, its public-interest note and (with a label) its review date
// from a form, with errors by field id. label "" reads no review date.
func groundInput(in url.Values, now time.Time, label string) (store.WithholdingInput, map[string]string) {
	errs := map[string]string{}
	var w store.WithholdingInput
	switch g, err := decision.ParseGround(in.Get("ground")); {
	case strings.TrimSpace(in.Get("ground")) == "":
		errs["ground"] = "Enter the ground for withholding " + orIt(label) + ", like s.43 or para 3"
	case err != nil:
		errs["ground"] = "Enter an FOI Act section from s.21 to s.44, like s.43, or a Schedule 12A paragraph from 1 to 7, like para 3"
	default:
		w.Ground = g.Code
	}
	note := strings.TrimSpace(in.Get("public_interest"))
	switch {
	case note == "":
		errs["public-interest"] = "Enter the public interest note"
	case len([]rune(note)) > maxPublicInterestRunes:
		errs["public-interest"] = "The public interest note must be " + strconv.Itoa(maxPublicInterestRunes) + " characters or fewer"
	default:
		w.PublicInterest = note
	}
	if label != "" {
		day, msg, _ := dateInput(in, "review_on", "Review date")
		switch {
		case msg != "":
			errs["review-on"] = msg
		case !day.After(now):
			errs["review-on"] = "The review date must be in the future"
		default:
			w.ReviewOn = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		}
	}
	return w, errs
}

func orIt(label string) string {
	if label == "" {
		return "it"
	}
	return label
}

// withheldItem is a withholding as the lists show it.
func withheldItem(w store.Withholding, now time.Time) pages.WithheldItem {
	it := pages.WithheldItem{ID: strconv.FormatInt(w.ID, 10), Reference: w.Reference, PublicInterest: w.PublicInterest,
		Review: w.ReviewOn.Format(dateLayout), What: "Part II"}
	if g, ok := decision.GroundByCode(w.Ground); ok {
		it.Ground = g.String()
	}
	if w.What == store.WithheldDeferral {
		it.What = "Deferred publication"
		it.Releasable = w.Held && w.Status == decision.StatusApproved
	} else {
		it.URL = "/decisions/" + w.Slug
		it.PartReleasable = w.Status == decision.StatusPublished && w.ReleasedAt == nil
	}
	today := now.In(london())
	it.Overdue = !w.ReviewOn.After(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC))
	for _, e := range w.Extensions {
		it.Extensions = append(it.Extensions, pages.WithheldExtension{From: e.From.Format(dateLayout), To: e.To.Format(dateLayout), Reason: e.Reason})
	}
	return it
}

// handleWithheld is the public list of what is withheld, on what ground, and until when.
func (s *Server) handleWithheld(w http.ResponseWriter, r *http.Request) error {
	now := s.now()
	ws, err := s.replica.Withheld(r.Context(), now)
	if err != nil {
		return err
	}
	p := pages.WithheldProps{Page: s.page(r, "Information withheld and why", "decisions", "/withheld")}
	for _, x := range ws {
		it := withheldItem(x, now)
		it.Overdue = false // the public list says when, not the staff's to-do
		p.Items = append(p.Items, it)
	}
	s.render(w, r, http.StatusOK, pages.Withheld(p))
	return nil
}

const withheldFlashKey = "withheld_flash"

// mayReview reports whether u may review a decision of series: its decision makers, and admins.
func mayReview(u *store.User, series string) bool {
	return u.Has(decision.RoleAdmin) || (u.Has(decision.RoleDecisionMaker) && slices.Contains(u.Series, series))
}

var errNotOwner = &pageError{Status: http.StatusForbidden, Heading: "You cannot review this",
	Message: "Only the decision makers of its series and admins can release or extend what is withheld."}

// handleWithheldReview lists, for a series' decision makers and admins, what is withheld in
// the series they may review: those past their review date first.
func (s *Server) handleWithheldReview(w http.ResponseWriter, r *http.Request) error {
	u, now := userFrom(r), s.now()
	if !u.Has(decision.RoleAdmin) && !u.Has(decision.RoleDecisionMaker) {
		return errNotOwner
	}
	ws, err := s.store.Withheld(r.Context(), now)
	if err != nil {
		return err
	}
	past, err := s.store.PastReview(r.Context(), now)
	if err != nil {
		return err
	}
	p := pages.WithheldReviewProps{Page: s.page(r, "Withholdings to review", "", "/withheld/review"),
		Flash: s.sessions.PopString(r.Context(), withheldFlashKey)}
	seen := map[int64]bool{}
	for _, x := range past {
		if mayReview(u, x.Series) {
			p.Overdue = append(p.Overdue, withheldItem(x, now))
			seen[x.ID] = true
		}
	}
	for _, x := range ws {
		if mayReview(u, x.Series) && !seen[x.ID] {
			p.Others = append(p.Others, withheldItem(x, now))
		}
	}
	s.render(w, r, http.StatusOK, pages.WithheldReview(p))
	return nil
}

// reviewable is the withholding in the address, when the person may review it.
func (s *Server) reviewable(r *http.Request) (store.Withholding, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.Withholding{}, errPageNotFound
	}
	x, err := s.store.WithholdingByID(r.Context(), id)
	if err != nil {
		return x, err
	}
	if !mayReview(userFrom(r), x.Series) {
		return x, errNotOwner
	}
	return x, nil
}

func (s *Server) handleWithheldExtendForm(w http.ResponseWriter, r *http.Request) error {
	x, err := s.reviewable(r)
	if err != nil {
		return err
	}
	return s.renderExtend(w, r, http.StatusOK, x, url.Values{}, nil)
}

func (s *Server) renderExtend(w http.ResponseWriter, r *http.Request, status int, x store.Withholding, in url.Values, errs map[string]string) error {
	title := "Extend the withholding"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.WithheldExtendProps{Page: s.page(r, title, "", r.URL.Path), Item: withheldItem(x, s.now()),
		Date: components.DateField{ID: "review-on", Name: "review_on", Legend: "New review date", Hint: "For example, 27 3 2028.",
			Day: in.Get("review_on_day"), Month: in.Get("review_on_month"), Year: in.Get("review_on_year"), Error: errs["review-on"]},
		Reason: components.Field{ID: "reason", Name: "reason", Label: "Why it stays withheld", Rows: 4, Value: in.Get("reason"),
			Hint: "The public reads this with the new date.", Error: errs["reason"], MaxLength: maxPublicInterestRunes}}
	for _, id := range []string{"review-on", "reason"} {
		if errs[id] != "" {
			fid := id
			if id == "review-on" {
				fid = p.Date.FirstErrorID()
			}
			p.Errors = append(p.Errors, components.FieldError{FieldID: fid, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.WithheldExtend(p))
	return nil
}

func (s *Server) handleWithheldExtend(w http.ResponseWriter, r *http.Request) error {
	x, err := s.reviewable(r)
	if err != nil {
		return err
	}
	_ = r.PostFormValue("reason") // parses the form; a body the limits refuse is answered before
	in := r.PostForm
	errs := map[string]string{}
	day, msg, _ := dateInput(in, "review_on", "New review date")
	var to time.Time
	switch {
	case msg != "":
		errs["review-on"] = msg
	default:
		to = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
		if !to.After(x.ReviewOn) {
			errs["review-on"] = "The new review date must be after " + x.ReviewOn.Format(dateLayout)
		}
	}
	reason := strings.TrimSpace(in.Get("reason"))
	switch {
	case reason == "":
		errs["reason"] = "Enter why it stays withheld"
	case len([]rune(reason)) > maxPublicInterestRunes:
		errs["reason"] = "The reason must be " + strconv.Itoa(maxPublicInterestRunes) + " characters or fewer"
	}
	if len(errs) > 0 {
		return s.renderExtend(w, r, http.StatusUnprocessableEntity, x, in, errs)
	}
	if err := s.store.ExtendWithholding(r.Context(), userFrom(r).Act(s.now()), x.ID, to, reason); err != nil {
		return refused(err)
	}
	s.sessions.Put(r.Context(), withheldFlashKey, x.Reference+": extended to "+to.Format(dateLayout))
	http.Redirect(w, r, "/withheld/review", http.StatusSeeOther)
	return nil
}

func (s *Server) handleWithheldRelease(w http.ResponseWriter, r *http.Request) error {
	x, err := s.reviewable(r)
	if err != nil {
		return err
	}
	if err := s.store.ReleaseHeld(r.Context(), userFrom(r).Act(s.now()), x.ID); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return &pageError{Status: http.StatusConflict, Heading: "This cannot be released here",
				Message: "Only a deferred publication held for its owner's release can be released now; it may already be published."}
		}
		return err
	}
	s.sessions.Put(r.Context(), withheldFlashKey, x.Reference+" is released: it is published")
	http.Redirect(w, r, "/withheld/review", http.StatusSeeOther)
	return nil
}

var errNotPartReleasable = &pageError{Status: http.StatusConflict, Heading: "This cannot be released here",
	Message: "Only the Part II of a published decision, still withheld, can be released; it may already be released."}

// releasablePart is the withholding in the address when it is a published decision's Part II
// still withheld and the person may review it, with its sections.
func (s *Server) releasablePart(r *http.Request) (store.Withholding, []store.PartTwoSection, error) {
	x, err := s.reviewable(r)
	if err != nil {
		return x, nil, err
	}
	if x.What != store.WithheldPartTwo || x.Status != decision.StatusPublished || x.ReleasedAt != nil {
		return x, nil, errNotPartReleasable
	}
	secs, err := s.store.PartTwoSections(r.Context(), store.Staff(userFrom(r).ID, s.now()), x.DecisionID)
	return x, secs, err
}

func (s *Server) handleReleasePartForm(w http.ResponseWriter, r *http.Request) error {
	x, secs, err := s.releasablePart(r)
	if err != nil {
		return err
	}
	in := url.Values{}
	if kept, _, ok := s.takeStepUpForm(r); ok {
		in = kept // sent before a step-up: filled in again, to send once more
	}
	return s.renderReleasePart(w, r, http.StatusOK, x, secs, in, nil)
}

func (s *Server) renderReleasePart(w http.ResponseWriter, r *http.Request, status int, x store.Withholding, secs []store.PartTwoSection,
	in url.Values, errs map[string]string) error {
	title := "Release Part II"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.ReleasePartTwoProps{Page: s.page(r, title, "", r.URL.Path), Item: withheldItem(x, s.now()), Signer: userFrom(r).Name,
		Sections: components.Choice{ID: "sections", Name: "section", Legend: "Sections to release", Error: errs["sections"],
			Hint: "Those you leave stay withheld under the same ground."},
		Date: components.DateField{ID: "review-on", Name: "review_on", Legend: "New review date for the rest",
			Hint: "After " + x.ReviewOn.Format(dateLayout) + ". For example, 27 3 2028. Not needed when you release every section.",
			Day:  in.Get("review_on_day"), Month: in.Get("review_on_month"), Year: in.Get("review_on_year"), Error: errs["review-on"]},
		Reason: components.Field{ID: "reason", Name: "reason", Label: "Why the rest stays withheld", Rows: 4, Value: in.Get("reason"),
			Hint: "The public reads this with the new date.", Error: errs["reason"], MaxLength: maxPublicInterestRunes}}
	for _, sec := range secs {
		if sec.ReleasedOn != nil {
			continue
		}
		v := strconv.Itoa(sec.Position)
		hint := []rune(strings.Join(strings.Fields(sec.Body), " "))
		if len(hint) > 160 {
			hint = append(hint[:160], '…')
		}
		p.Sections.Options = append(p.Sections.Options, components.Option{Value: v, Label: sec.Heading, Hint: string(hint),
			Checked: slices.Contains(in["section"], v)})
	}
	for _, id := range []string{"sections", "review-on", "reason"} {
		if errs[id] != "" {
			fid := id
			if id == "review-on" {
				fid = p.Date.FirstErrorID()
			}
			p.Errors = append(p.Errors, components.FieldError{FieldID: fid, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.ReleasePartTwo(p))
	return nil
}

// handleReleasePart releases the Part II sections chosen as a signed version of the decision,
// signed by the person releasing them; what stays withheld needs a later review date and why.
func (s *Server) handleReleasePart(w http.ResponseWriter, r *http.Request) error {
	x, secs, err := s.releasablePart(r)
	if err != nil {
		return err
	}
	if asked, err := s.stepUp(w, r, r.URL.Path); asked || err != nil {
		return err
	}
	_ = r.PostFormValue("section") // parses the form; a body the limits refuse is answered before
	in := r.PostForm
	errs := map[string]string{}
	var rel store.PartTwoRelease
	left := 0
	for _, sec := range secs {
		switch {
		case slices.Contains(in["section"], strconv.Itoa(sec.Position)) && sec.ReleasedOn == nil:
			rel.Positions = append(rel.Positions, sec.Position)
		case sec.ReleasedOn == nil:
			left++
		}
	}
	if len(rel.Positions) == 0 {
		errs["sections"] = "Select the sections of Part II to release"
	}
	if left > 0 {
		switch day, msg, _ := dateInput(in, "review_on", "New review date for the rest"); {
		case msg != "":
			errs["review-on"] = msg
		default:
			rel.ReviewOn = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
			if !rel.ReviewOn.After(x.ReviewOn) {
				errs["review-on"] = "The new review date must be after " + x.ReviewOn.Format(dateLayout)
			}
		}
		switch rel.Reason = strings.TrimSpace(in.Get("reason")); {
		case rel.Reason == "":
			errs["reason"] = "Enter why the rest of Part II stays withheld"
		case len([]rune(rel.Reason)) > maxPublicInterestRunes:
			errs["reason"] = "The reason must be " + strconv.Itoa(maxPublicInterestRunes) + " characters or fewer"
		}
	}
	if len(errs) > 0 {
		return s.renderReleasePart(w, r, http.StatusUnprocessableEntity, x, secs, in, errs)
	}
	n, err := s.store.ReleasePartTwo(r.Context(), s.strongAct(r), x.ID, rel)
	if errors.Is(err, store.ErrConflict) {
		return errNotPartReleasable
	}
	if err != nil {
		return refused(err)
	}
	s.sessions.Put(r.Context(), withheldFlashKey, x.Reference+": Part II released as version "+strconv.Itoa(n)+", signed by you")
	http.Redirect(w, r, "/withheld/review", http.StatusSeeOther)
	return nil
}

// handleSeriesRelease is the admins' choice of how a series' deferred decisions are released.
func (s *Server) handleSeriesRelease(w http.ResponseWriter, r *http.Request) error {
	series := chi.URLParam(r, "series")
	mode, days, err := s.store.SeriesReleaseMode(r.Context(), series)
	if err != nil {
		return err
	}
	return s.renderSeriesRelease(w, r, http.StatusOK, series, mode, strconv.Itoa(days), nil)
}

func (s *Server) renderSeriesRelease(w http.ResponseWriter, r *http.Request, status int, series, mode, days string, errs map[string]string) error {
	title := "Releasing deferred decisions: " + series
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.SeriesReleaseProps{Page: s.page(r, title, "admin", r.URL.Path), Series: series,
		Flash: s.sessions.PopString(r.Context(), withheldFlashKey),
		Mode: components.Choice{ID: "mode", Name: "mode", Legend: "When a deferred decision's date comes", Error: errs["mode"],
			Options: []components.Option{
				{Value: store.ReleaseAutomatic, Label: "Publish it automatically", Checked: mode == store.ReleaseAutomatic},
				{Value: store.ReleaseConfirm, Label: "Wait for its owner to release it",
					Hint:    "The series’ decision makers are reminded before the date, then release it, or extend it with a new date and the reason, which the public reads.",
					Checked: mode == store.ReleaseConfirm},
			}},
		Days: components.Field{ID: "days", Name: "days", Label: "Days before the date to remind them", Value: days, Error: errs["days"],
			Width: "3", Hint: "From 1 to 90."},
	}
	for _, id := range []string{"mode", "days"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.SeriesRelease(p))
	return nil
}

func (s *Server) handleSeriesReleaseSave(w http.ResponseWriter, r *http.Request) error {
	series := chi.URLParam(r, "series")
	if !validSeriesCode(series) {
		return errPageNotFound
	}
	mode, daysText := r.PostFormValue("mode"), strings.TrimSpace(r.PostFormValue("days"))
	errs := map[string]string{}
	if mode != store.ReleaseAutomatic && mode != store.ReleaseConfirm {
		errs["mode"] = "Select when a deferred decision is published"
	}
	days, err := strconv.Atoi(daysText)
	if err != nil || days < 1 || days > 90 {
		errs["days"] = "Enter the days before the date as a number from 1 to 90"
	}
	if len(errs) > 0 {
		return s.renderSeriesRelease(w, r, http.StatusUnprocessableEntity, series, mode, daysText, errs)
	}
	if err := s.store.SetSeriesReleaseMode(r.Context(), userFrom(r).Act(s.now()), series, mode, days); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), withheldFlashKey, "Saved")
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
	return nil
}

// validSeriesCode is a series code as the database allows it.
func validSeriesCode(s string) bool {
	if len(s) < 1 || len(s) > 8 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
