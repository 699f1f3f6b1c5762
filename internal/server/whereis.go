package server

import (
	"cmp"
	"github.com/decision-register/decisions/internal/workday"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

// whereabouts answers "where is my decision?": for a decision awaiting sign-off, the step (or
// signature) it waits for, the people who may clear it, and since when.
type whereabouts struct {
	stepNames map[string]string // step kind code → name
	holders   []store.User      // enabled advisers and decision makers
	now       time.Time
	calendar  *workday.Calendar
}

func (s *Server) whereabouts(r *http.Request) (whereabouts, error) {
	cal, err := s.calendarNow(r.Context())
	if err != nil {
		return whereabouts{}, err
	}
	w := whereabouts{stepNames: map[string]string{}, now: s.now(), calendar: cal}
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return w, err
	}
	for _, k := range kinds {
		w.stepNames[k.Code] = k.Name
	}
	w.holders, err = s.store.SignoffHolders(r.Context())
	return w, err
}

// waitingWith is what a decision awaiting sign-off waits for: "the finance step" or "the
// decision maker", and the names of those who may clear it now, by the sign-off rules.
func (w whereabouts) waitingWith(so decision.Signoff) (what string, names []string) {
	next := so.NextStep()
	if next == "" {
		what = "the decision maker"
	} else {
		name := cmp.Or(w.stepNames[next], next)
		what = "the " + strings.ToLower(name[:1]) + name[1:] + " step"
	}
	for _, u := range w.holders {
		var err error
		if next == "" {
			err = so.CanSign(u.Actor())
		} else {
			err = so.CanAct(u.Actor(), next)
		}
		if err == nil {
			names = append(names, u.Name)
		}
	}
	return what, names
}

// line is the whole answer: "With the finance step — Fiona Finance — since 7 Dec, 2 working
// days". "" when the decision is not awaiting sign-off.
func (w whereabouts) line(so decision.Signoff, since *time.Time) string {
	if so.Status != decision.StatusAwaitingSignoff {
		return ""
	}
	what, names := w.waitingWith(so)
	who := "nobody may clear it yet: an admin can give the step to an adviser"
	if so.NextStep() == "" {
		who = "nobody may sign it yet: an admin can make someone its decision maker"
	}
	if len(names) > 0 {
		who = joinOr(names)
	}
	out := "With " + what + " — " + who + " —"
	if since != nil {
		out += " since " + shortDay(*since, w.now) + ", " + w.age(*since)
	}
	return out
}

// age is how long a decision has waited, in working days (bank holidays left out).
func (w whereabouts) age(since time.Time) string { return w.calendar.Waited(since, w.now) }

// shortDay is "7 Dec", with the year when it is not this year's.
func shortDay(t, now time.Time) string {
	t, now = t.In(london()), now.In(london())
	if t.Year() != now.Year() {
		return t.Format("2 Jan 2006")
	}
	return t.Format("2 Jan")
}

// joinOr is "A", "A or B", "A, B or C".
func joinOr(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// staffTag is a decision's status as staff lists show it.
func staffTag(status string, publishAt *time.Time, now time.Time) pages.StatusTag {
	t := decision.StaffStatus(status, publishAt, now)
	return pages.StatusTag{Label: t.Label, Colour: t.Colour}
}

// handleInSignoff is the overview of every decision in sign-off, oldest wait first, for admins
// and decision makers.
func (s *Server) handleInSignoff(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	if !u.Has(decision.RoleAdmin) && !u.Has(decision.RoleDecisionMaker) {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot see this page",
			Message: "Only admins and decision makers can see every decision in sign-off. Your work lists the decisions that wait for you."}
	}
	items, err := s.store.Work(r.Context(), u.ID)
	if err != nil {
		return err
	}
	wa, err := s.whereabouts(r)
	if err != nil {
		return err
	}
	type waiting struct {
		row   pages.InSignoffRow
		since time.Time
	}
	var ws []waiting
	for _, it := range items {
		if it.Status != decision.StatusAwaitingSignoff {
			continue
		}
		at := it.UpdatedAt
		if it.WaitingSince != nil {
			at = *it.WaitingSince
		}
		what, names := wa.waitingWith(it.Signoff)
		who := "Nobody yet"
		if len(names) > 0 {
			who = joinOr(names)
		}
		ws = append(ws, waiting{since: at, row: pages.InSignoffRow{Reference: it.Reference, URL: "/decisions/" + it.Slug + "/signoff",
			Title: deref(it.Title), With: strings.ToUpper(what[:1]) + what[1:], Who: who,
			Since: shortDay(at, wa.now), Age: wa.age(at)}})
	}
	// Oldest first: the longest wait is the one to chase.
	slices.SortStableFunc(ws, func(a, b waiting) int { return a.since.Compare(b.since) })
	p := pages.InSignoffProps{Page: s.page(r, "Decisions in sign-off", "work", "/work/in-sign-off")}
	for _, w := range ws {
		p.Rows = append(p.Rows, w.row)
	}
	s.render(w, r, http.StatusOK, pages.InSignoff(p))
	return nil
}

// handleSubmitted is the page after a drafter submits: it says the decision was sent, who has
// it next, and what happens then.
func (s *Server) handleSubmitted(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	rec, err := s.store.SignoffChain(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	if rec.Status != decision.StatusAwaitingSignoff {
		http.Redirect(w, r, "/decisions/"+slug+"/signoff", http.StatusSeeOther)
		return nil
	}
	so, err := s.store.SignoffState(r.Context(), slug)
	if err != nil {
		return err
	}
	wa, err := s.whereabouts(r)
	if err != nil {
		return err
	}
	what, names := wa.waitingWith(so)
	p := pages.SubmittedProps{Page: s.page(r, rec.Reference+" sent for sign-off", "work", "/decisions/"+slug+"/submitted"),
		Reference: rec.Reference, Next: what, Names: joinOrEmpty(names), WhereNow: wa.line(so, rec.WaitingSince),
		SignoffURL: "/decisions/" + slug + "/signoff", TasksURL: editURL(slug)}
	s.render(w, r, http.StatusOK, pages.Submitted(p))
	return nil
}

func joinOrEmpty(names []string) string {
	if len(names) == 0 {
		return ""
	}
	return joinOr(names)
}
