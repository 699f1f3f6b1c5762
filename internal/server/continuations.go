package server

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

// Continuation: "Start the next decision in this chain" on a signed decision makes a draft
// from it (store.StartContinuation says what is copied); the draft's task list then says what
// was copied, what was not, and what to check.

func continueURL(slug string) string { return "/decisions/" + slug + "/continue" }

// canContinue reports whether the person may start the next decision from d: a drafter, on a
// signed decision, in a series with a sign-off chain (the only series a draft can go through).
func (s *Server) canContinue(r *http.Request, d store.DecisionDetail) (bool, error) {
	u := userFrom(r)
	if u == nil || !u.Has(decision.RoleDrafter) || decision.CanContinue(d.Status) != nil {
		return false, nil
	}
	chained, err := s.store.ChainedSeries(r.Context())
	return slices.Contains(chained, d.Series), err
}

// continueButton is the button that starts the next decision from d, on its page and its
// sign-off page, for those who may press it (nil for others), naming the draft that already
// continues it.
func (s *Server) continueButton(r *http.Request, d store.DecisionDetail) (*pages.ContinueButton, error) {
	ok, err := s.canContinue(r, d)
	if err != nil || !ok {
		return nil, err
	}
	b := &pages.ContinueButton{Action: continueURL(d.Slug)}
	open, err := s.store.OpenContinuation(r.Context(), d.Slug)
	switch {
	case err == nil:
		ref, _ := decision.ParseReference(open)
		b.Open = ref.String()
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	return b, nil
}

func (s *Server) handleContinue(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	d, err := s.store.DecisionBySlug(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	if err := decision.CanContinue(d.Status); err != nil {
		return &pageError{Status: http.StatusConflict, Heading: "This decision cannot be continued", Message: err.Error()}
	}
	if ok, err := s.canContinue(r, d); err != nil {
		return err
	} else if !ok {
		return &pageError{Status: http.StatusConflict, Heading: "This decision cannot be continued",
			Message: "The " + d.Series + " series has no sign-off chain, so a draft in it could not be signed. Ask an admin to set one up."}
	}
	u := userFrom(r)
	next, started, err := s.store.StartContinuation(r.Context(), u.Act(s.now()), slug)
	if err != nil {
		return refused(err)
	}
	nextRef, _ := decision.ParseReference(next)
	if !started {
		team, err := s.store.Drafters(r.Context(), next)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(team, func(m store.Drafter) bool { return m.ID == u.ID }) {
			names := make([]string, len(team))
			for i, m := range team {
				names[i] = m.Name
			}
			return &pageError{Status: http.StatusConflict, Heading: nextRef.String() + " already continues " + d.Reference,
				Message: "A decision is continued by one draft at a time, so no second draft was made. " + nextRef.String() +
					" is being drafted by " + strings.Join(names, ", ") + ".",
				Hint: "Ask one of them to add you to its drafting team."}
		}
		s.putDraftFlash(r.Context(), nextRef.String()+" already continues "+d.Reference,
			"It was started earlier, so no second draft was made: this is it.")
		http.Redirect(w, r, editURL(next), http.StatusSeeOther)
		return nil
	}
	s.putDraftFlash(r.Context(), "You started "+nextRef.String()+", the next decision after "+d.Reference,
		"Read below what was copied from "+d.Reference+" and what to check.")
	http.Redirect(w, r, editURL(next), http.StatusSeeOther)
	return nil
}

// continuedNotice says, on a draft started as a continuation, what was copied from the
// decision it continues, what was not, and what to check; nil for any other draft.
func (s *Server) continuedNotice(r *http.Request, draft string) (*pages.ContinuedNotice, error) {
	from, err := s.store.ContinuedFrom(r.Context(), draft)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	src, err := s.store.DecisionBySlug(r.Context(), s.access(r), from)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ref := src.Reference
	n := &pages.ContinuedNotice{From: ref, FromURL: "/decisions/" + src.Slug}
	if src.Title != nil {
		n.Copied = append(n.Copied, "The title, as it was")
	} else {
		n.Copied = append(n.Copied, ref+" has no title in the register, so the draft is titled “The decision after "+ref+"”")
	}
	if src.Summary != nil {
		n.Copied = append(n.Copied, "The summary")
	}
	if k := len(src.Recommendations); k > 0 {
		n.Copied = append(n.Copied, decision.Plural(k, "recommendation"))
	}
	var headings []string
	for _, sec := range src.Sections {
		if sec.Part == 1 {
			headings = append(headings, sec.Heading)
		}
	}
	if len(headings) > 0 {
		n.Copied = append(n.Copied, decision.Plural(len(headings), "Part I section")+": "+strings.Join(headings, ", "))
	}
	for _, f := range src.Funding {
		line := decision.FormatPence(f.AmountPence) + " – " + f.Label + ": amount kept, "
		if f.FYStart == nil {
			line += "no financial year recorded, so none set"
		} else {
			start, end := decision.NextYears(f.FYStart, f.FYEnd)
			line += "moved on a year from " + fyRange(f.FYStart, f.FYEnd) + " to " + fyRange(start, end)
		}
		n.Funding = append(n.Funding, line)
	}
	if src.Funder != nil {
		n.Copied = append(n.Copied, "The funder: "+*src.Funder)
	}
	n.Copied = append(n.Copied, "A link saying this decision continues "+ref)
	if src.HasPartTwo {
		n.NotCopied = append(n.NotCopied, "Part II (confidential facts and advice): its advice was given on "+ref+"; write this decision’s own")
	}
	if k := len(supportingDocuments(src.Documents)); k > 0 {
		n.NotCopied = append(n.NotCopied, "Supporting documents ("+decision.Plural(k, "document")+"): they stay with "+ref+"; attach this decision’s own")
	}
	if k := outgoing(src.Links); k > 0 {
		n.NotCopied = append(n.NotCopied, ref+"’s own links to other decisions")
	}
	n.NotCopied = append(n.NotCopied, "Sign-off, signature and dates: this decision goes through sign-off afresh")
	n.Check = []string{
		"Each amount: it is " + ref + "’s, kept as it was",
		"Each funding line’s financial years: moved on by one",
		"Years, dates and amounts written in the title, summary, recommendations and sections: they are copied as written",
	}
	return n, nil
}

// fyRange shows a line's financial years ("2024-25", "2024-25 to 2025-26").
func fyRange(start, end *int) string {
	e := *start
	if end != nil {
		e = *end
	}
	return decision.FinancialYearRange(decision.FinancialYear(*start), decision.FinancialYear(e))
}
