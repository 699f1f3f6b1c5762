package server

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

func (s *Server) handlePlanPublish(w http.ResponseWriter, r *http.Request) error {
	snap, err := s.store.PublishPlan(r.Context(), userFrom(r).Act(s.now()), nil)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The plan is published with "+noticesWords(snap.Notices)+".")
	http.Redirect(w, r, planURL(snap.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) publishedPlan(r *http.Request) (store.PlanSnapshot, forwardplan.Plan, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanSnapshot{}, forwardplan.Plan{}, errPageNotFound
	}
	snap, err := s.reader(r).Plan(r.Context(), id)
	if err != nil {
		return snap, forwardplan.Plan{}, err
	}
	p, err := forwardplan.Decode(snap.Body)
	return snap, p, err
}

func (s *Server) handlePlanPublished(w http.ResponseWriter, r *http.Request) error {
	snap, plan, err := s.publishedPlan(r)
	if err != nil {
		return err
	}
	heading := "Forward plan published on " + formatLondonTime(snap.PublishedAt)
	p := pages.PlanPublishedProps{
		Page:    s.page(r, heading, "forward-plan", planURL(snap.ID)),
		Flash:   s.sessions.PopString(r.Context(), planFlashKey),
		Heading: heading,
		SHA256:  snap.SHA256,
		JSONURL: planURL(snap.ID) + "/plan.json",
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	byID := map[int64]forwardplan.Notice{}
	item := func(n forwardplan.Notice) pages.PlanItem {
		return pages.PlanItem{URL: noticeURL(n.ID), Matter: n.Matter, Expected: expectedOf(n), Maker: n.MakerName + ", " + n.MakerTitle,
			Series: n.Series, Key: n.KeyDecision && modes[n.Series] != "", Decision: n.Decision}
	}
	for _, n := range plan.Notices {
		byID[n.ID] = n
		p.Items = append(p.Items, item(n))
	}
	for _, id := range plan.Changes.New {
		p.New = append(p.New, item(byID[id]))
	}
	for _, id := range plan.Changes.Changed {
		p.Changed = append(p.Changed, item(byID[id]))
	}
	for _, id := range plan.Changes.Withdrawn {
		p.Withdrawn = append(p.Withdrawn, pages.PlanLink{URL: noticeURL(id), Text: "Notice " + strconv.FormatInt(id, 10)})
	}
	if plan.Previous != nil {
		prev, err := s.reader(r).Plan(r.Context(), plan.Previous.ID)
		if err != nil {
			return err
		}
		p.Previous = &pages.PlanLink{URL: planURL(prev.ID), Text: "the plan published on " + formatLondonTime(prev.PublishedAt)}
		if prevPlan, err := forwardplan.Decode(prev.Body); err == nil {
			for i, id := range plan.Changes.Withdrawn {
				for _, n := range prevPlan.Notices {
					if n.ID == id {
						p.Withdrawn[i].Text = n.Matter
					}
				}
			}
		}
	}
	// Decision references on the plan link to decisions the reader can see now.
	for _, list := range [][]pages.PlanItem{p.Items, p.New, p.Changed} {
		for i := range list {
			if list[i].Decision != "" {
				if ref, err := decision.ParseReference(list[i].Decision); err == nil {
					list[i].DecisionURL = "/decisions/" + ref.Slug()
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, pages.PlanPublished(p))
	return nil
}

// handlePlanPublishedJSON serves a published plan's exact bytes, whose SHA-256 the audit
// trail holds.
func (s *Server) handlePlanPublishedJSON(w http.ResponseWriter, r *http.Request) error {
	snap, _, err := s.publishedPlan(r)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Digest", "sha-256="+snap.SHA256)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(snap.Body)
	return nil
}

// handleForwardPlanAtom is the live plan as an Atom feed, newest change first.
func (s *Server) handleForwardPlanAtom(w http.ResponseWriter, r *http.Request) error {
	live, err := s.reader(r).PlanNotices(r.Context(), s.access(r), store.PlanFilter{Withdrawn: true})
	if err != nil {
		return err
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	slices.SortStableFunc(live, func(a, b store.PlanNoticeRow) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	self := s.baseURL + "/forward-plan.atom"
	feed := atomFeed{ID: self, Title: "Forward plan — " + s.ownerName, Author: atomPerson{Name: s.ownerName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: s.baseURL + "/forward-plan"}}}
	newest := time.Time{}
	for i, n := range live {
		if i == atomSize {
			break
		}
		if n.UpdatedAt.After(newest) {
			newest = n.UpdatedAt
		}
		title := n.Matter
		if n.WithdrawnAt != nil {
			title = "Withdrawn: " + title
		}
		body := "Decision maker: " + n.MakerName + ", " + n.MakerTitle + "\nExpected " + expectedWords(n.ExpectedFrom, n.ExpectedTo) +
			"\nDocuments: " + n.Documents
		if n.KeyDecision && modes[n.Series] != "" {
			body = "Key decision.\n" + body
		}
		if n.WithdrawnAt != nil {
			body = "Withdrawn: " + deref(n.WithdrawnReason) + "\n" + body
		}
		feed.Entries = append(feed.Entries, atomEntry{ID: s.baseURL + noticeURL(n.ID), Title: title,
			Updated: n.UpdatedAt.UTC().Format(time.RFC3339), Published: n.NoticedAt.UTC().Format(time.RFC3339),
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: s.baseURL + noticeURL(n.ID)},
			Summary: &atomText{Type: "text", Body: body}})
	}
	if newest.IsZero() {
		newest = s.now()
	}
	feed.Updated = newest.UTC().Format(time.RFC3339)
	return s.writeAtom(w, r, feed)
}

// PublishPlans publishes the forward plan once a month, on day (London), now and then every
// interval until ctx ends; day 0 does nothing. Any number of instances may run it: the store
// lets one publish a month's plan, once.
func (s *Server) PublishPlans(ctx context.Context, every time.Duration, day int) {
	if day == 0 {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		published, err := s.store.PublishScheduledPlan(ctx, s.now(), day)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "publish the forward plan", "err", err)
		case published:
			s.log.InfoContext(ctx, "published the forward plan")
		}
		// Each round, so a test can count rounds rather than sleep.
		s.log.DebugContext(ctx, "plan round done")
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
