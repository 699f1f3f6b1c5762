package server

import (
	"net/http"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

func (s *Server) handleWork(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	items, err := s.store.Work(r.Context(), u.ID)
	if err != nil {
		return err
	}
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, k := range kinds {
		names[k.Code] = k.Name
	}
	p := pages.WorkProps{Page: s.page(r, "Your work", "work", "/work"), Flash: s.popFlash(r, workFlashKey),
		Drafter: u.Has(decision.RoleDrafter), Adviser: u.Has(decision.RoleAdviser),
		Maker: u.Has(decision.RoleDecisionMaker), Admin: u.Has(decision.RoleAdmin), Mail: s.mail}
	notices, err := s.store.UserNotices(r.Context(), u.ID, workNotices)
	if err != nil {
		return err
	}
	for _, n := range notices {
		p.Notices = append(p.Notices, noticeRow(n))
	}
	p.Overview = p.Admin || p.Maker
	wa, err := s.whereabouts(r)
	if err != nil {
		return err
	}
	actor := u.Actor()
	_, covered, names2, err := s.covering(r)
	if err != nil {
		return err
	}
	var awaiting []int64
	for _, it := range items {
		if it.Status == decision.StatusAwaitingSignoff {
			awaiting = append(awaiting, it.ID)
		}
	}
	clocks, err := s.store.StepClocks(r.Context(), awaiting)
	if err != nil {
		return err
	}
	for _, it := range items {
		item := pages.WorkItem{Reference: it.Reference, URL: "/decisions/" + it.Slug, Title: deref(it.Title),
			Tag: staffTag(it.Status, it.PublishAt, wa.now)}
		switch next := it.Signoff.NextStep(); {
		case it.Status == decision.StatusAwaitingSignoff && it.Drafted:
			// Its drafters may not clear its steps: they want to know where it is.
			item.URL += "/signoff"
			item.WhereNow = wa.line(it.Signoff, it.WaitingSince)
			p.InSignoff = append(p.InSignoff, item)
		case it.Status == decision.StatusApproved:
			item.URL += "/signoff"
			if it.PublishAt != nil && it.PublishAt.After(wa.now) {
				item.Note = "To be published on " + formatLondonDay(*it.PublishAt)
			}
			p.Approved = append(p.Approved, item)
		case it.Status == decision.StatusRejected:
			item.Note = "Rejected"
			if it.RejectedAt != nil {
				item.Rejected = &pages.WorkReturn{By: deref(it.RejectedBy), When: formatLondonTime(*it.RejectedAt),
					Comment: deref(it.RejectedReason)}
			}
			p.Rejected = append(p.Rejected, item)
		case it.Status == decision.StatusDraft:
			item.Note = "Last changed " + formatLondonTime(it.UpdatedAt)
			if p.Drafter {
				item.EditURL = "/decisions/" + it.Slug + "/edit"
			}
			if it.ReturnedComment != nil {
				item.Returned = &pages.WorkReturn{Step: deref(it.ReturnedStep), By: deref(it.ReturnedBy),
					When: formatLondonTime(*it.ReturnedAt), Comment: *it.ReturnedComment}
			}
			p.Drafts = append(p.Drafts, item)
		case next != "" && it.Signoff.CanAct(actor, next) == nil:
			item.URL += "/signoff"
			item.Note = names[next] + " step"
			item.WhereNow = waitedFor(wa, it)
			if c, ok := clocks[it.ID]; ok {
				item.Note = clockLine(wa.calendar, c, s.now())
			}
			if c, ok := it.Signoff.ActingFor(next, covered); ok {
				item.Note += " · covering for " + names2[c.ID]
			}
			p.Steps = append(p.Steps, item)
		case next == "" && it.Signoff.CanSign(actor) == nil:
			item.URL += "/signoff"
			item.Note = "Every step has approved it"
			if c, ok := it.Signoff.SigningFor(covered); ok {
				item.Note += " · covering for " + names2[c.ID]
			}
			item.WhereNow = waitedFor(wa, it)
			p.Signatures = append(p.Signatures, item)
		}
	}
	if err := s.addWorkCorrections(r, &p); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.Work(p))
	return nil
}

// waitedFor is how long a decision has waited for the person: "Waiting since 7 Dec, 2 working days".
func waitedFor(wa whereabouts, it store.WorkItem) string {
	if it.WaitingSince == nil {
		return ""
	}
	return "Waiting since " + shortDay(*it.WaitingSince, wa.now) + ", " + wa.age(*it.WaitingSince)
}
