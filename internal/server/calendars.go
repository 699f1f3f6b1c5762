package server

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/calendar"
	"github.com/decision-register/decisions/internal/store"
)

// calendarFeed builds one iCalendar feed at the server's time.
type calendarFeed func(ctx context.Context, now time.Time) (calendar.Feed, error)

// handleCalendar serves a feed as text/calendar. Its events' UIDs are stable, so a calendar
// that subscribes moves an event whose date changes rather than adding another.
func (s *Server) handleCalendar(feed calendarFeed) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := feed(r.Context(), s.now())
		if err != nil {
			return err
		}
		f.URL = s.baseURL + r.URL.Path
		var b bytes.Buffer
		if err := calendar.Write(&b, f); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		_, _ = w.Write(b.Bytes())
		return nil
	}
}

// calendarHost names the register in UIDs: BASE_URL's host.
func (s *Server) calendarHost() string {
	u, err := url.Parse(s.baseURL)
	if err != nil || u.Hostname() == "" {
		return "localhost"
	}
	return u.Hostname()
}

// deferredFeed is the publication date of each signed decision whose publication is
// deferred: its reference and a permanent link, which works from that date.
func (s *Server) deferredFeed(ctx context.Context, now time.Time) (calendar.Feed, error) {
	ds, err := s.replica.DeferredPublications(ctx, now)
	if err != nil {
		return calendar.Feed{}, err
	}
	f := calendar.Feed{Name: "Decision Register: deferred publications",
		Description: "When each signed decision whose publication is deferred will be published."}
	for _, d := range ds {
		f.Events = append(f.Events, calendar.Event{UID: "deferred-publication-" + d.Slug + "@" + s.calendarHost(), Start: d.At,
			Summary: d.Reference + " to be published", URL: s.baseURL + "/decisions/" + d.Slug, Updated: d.UpdatedAt,
			Description: strings.TrimSpace(d.Reference + " is signed. Its publication is deferred until then; its page is at the link from that time. " + d.Detail)})
	}
	return f, nil
}

// fundingEndsFeed is the day each published decision's money accepted runs out: the last
// day of its last financial year, from a year ago on.
func (s *Server) fundingEndsFeed(ctx context.Context, now time.Time) (calendar.Feed, error) {
	ds, err := s.replica.FundingEnds(ctx, store.Public(now), now.AddDate(-1, 0, 0))
	if err != nil {
		return calendar.Feed{}, err
	}
	f := calendar.Feed{Name: "Decision Register: funding end dates",
		Description: "The last day of the last financial year each decision's funding covers."}
	for _, d := range ds {
		title := ""
		if d.Title != nil {
			title = ": " + *d.Title
		}
		f.Events = append(f.Events, calendar.Event{UID: "funding-end-" + d.Slug + "@" + s.calendarHost(), Start: d.At, AllDay: true,
			Summary: d.Reference + " funding ends", URL: s.baseURL + "/decisions/" + d.Slug, Updated: d.UpdatedAt,
			Description: d.Reference + title + ". Funding ending: " + d.Detail + "."})
	}
	return f, nil
}

// forwardPlanFeed is each notice's expected date, or period, as an all-day event, from a year
// ago on: its matter (after its decision's reference once the public may read that decision)
// and the notice's permanent link. A withdrawn notice stays, CANCELLED, so a calendar that
// shows it is told (its UID and a higher SEQUENCE replace the event) rather than left to
// notice that it has gone.
func (s *Server) forwardPlanFeed(ctx context.Context, now time.Time) (calendar.Feed, error) {
	ns, err := s.replica.PlanCalendar(ctx, store.Public(now), now.AddDate(-1, 0, 0))
	if err != nil {
		return calendar.Feed{}, err
	}
	f := calendar.Feed{Name: "Decision Register: forward plan",
		Description: "When each decision on the forward plan is expected: one event for each notice, on its date or over its period."}
	for _, n := range ns {
		summary := "Decision expected: " + n.Matter
		if n.DecisionReference != nil {
			summary = *n.DecisionReference + ": " + n.Matter
		}
		desc := []string{n.Matter, "Decision maker: " + n.MakerName + ", " + n.MakerTitle + ".",
			"Expected " + expectedWords(n.ExpectedFrom, n.ExpectedTo) + ".", "Series: " + n.Series + "."}
		if n.KeyDecision {
			desc = append(desc, "A key decision.")
		}
		ev := calendar.Event{UID: "forward-plan-notice-" + strconv.FormatInt(n.ID, 10) + "@" + s.calendarHost(), Start: n.ExpectedFrom,
			AllDay: true, URL: s.baseURL + noticeURL(n.ID), Updated: n.UpdatedAt, Sequence: n.Version - 1}
		if n.ExpectedTo != nil {
			ev.LastDay = *n.ExpectedTo
		}
		if n.WithdrawnAt != nil {
			ev.Cancelled = true
			summary = "Withdrawn: " + summary
			desc = append(desc, "The notice was withdrawn on "+formatLondonDay(*n.WithdrawnAt)+": "+deref(n.WithdrawnReason))
		}
		ev.Summary, ev.Description = summary, strings.Join(desc, " ")
		f.Events = append(f.Events, ev)
	}
	return f, nil
}
