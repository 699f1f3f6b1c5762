package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// planFlashKey holds the confirmation shown after a change to the forward plan.
const planFlashKey = "plan_flash"

func noticeURL(id int64) string { return "/forward-plan/" + strconv.FormatInt(id, 10) }
func planURL(id int64) string   { return "/forward-plan/published/" + strconv.FormatInt(id, 10) }

// expectedWords says when a notice's decision is expected: "on 1 March 2027", "between 1 March
// 2027 and 31 March 2027".
func expectedWords(from time.Time, to *time.Time) string {
	if to == nil || to.Equal(from) {
		return "on " + from.Format(dateLayout)
	}
	return "between " + from.Format(dateLayout) + " and " + to.Format(dateLayout)
}

func expectedOf(n forwardplan.Notice) string {
	from, _ := time.Parse(time.DateOnly, n.ExpectedFrom)
	if n.ExpectedTo == "" {
		return expectedWords(from, nil)
	}
	to, _ := time.Parse(time.DateOnly, n.ExpectedTo)
	return expectedWords(from, &to)
}

// planMarks are the marks of the live notices against the last published plan: new (not on
// it), changed (another version) or withdrawn (on it, withdrawn since).
func planMarks(last *forwardplan.Plan, live []store.PlanNoticeRow) map[int64]string {
	marks := map[int64]string{}
	if last == nil {
		return marks
	}
	was := map[int64]int{}
	for _, n := range last.Notices {
		was[n.ID] = n.Version
	}
	for _, n := range live {
		v, ok := was[n.ID]
		switch {
		case n.WithdrawnAt != nil && ok:
			marks[n.ID] = "Withdrawn"
		case n.WithdrawnAt != nil:
		case !ok:
			marks[n.ID] = "New"
		case v != n.Version:
			marks[n.ID] = "Changed"
		}
	}
	return marks
}

// planItem is a notice as the plan lists it; it is marked key only under its series' rule.
func planItem(n store.PlanNoticeRow, mark string, modes map[string]string) pages.PlanItem {
	it := pages.PlanItem{URL: noticeURL(n.ID), Matter: n.Matter, Expected: expectedWords(n.ExpectedFrom, n.ExpectedTo),
		Maker: n.MakerName + ", " + n.MakerTitle, Series: n.Series, Key: n.KeyDecision && modes[n.Series] != "", Mark: mark}
	if n.DecisionSlug != nil {
		it.Decision, it.DecisionURL = *n.DecisionReference, "/decisions/"+*n.DecisionSlug
	}
	return it
}

// lastPlan is the plan published last, read back, or nil.
func (s *Server) lastPlan(r *http.Request) (*forwardplan.Plan, store.PlanSnapshot, error) {
	snap, err := s.reader(r).LatestPlan(r.Context())
	if errors.Is(err, store.ErrNotFound) {
		return nil, snap, nil
	}
	if err != nil {
		return nil, snap, err
	}
	p, err := forwardplan.Decode(snap.Body)
	if err != nil {
		return nil, snap, err
	}
	return &p, snap, nil
}

func (s *Server) handleForwardPlan(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := store.PlanFilter{Series: q.Get("series"), KeyOnly: q.Get("key") == "yes", Withdrawn: true}
	series, err := s.reader(r).KnownSeries(r.Context())
	if err != nil {
		return err
	}
	seriesError := ""
	if f.Series != "" {
		parsed, ok := decision.ParseSeries(f.Series)
		if !ok || !slices.Contains(series, parsed) {
			// Said by the filter, which shows every series there is.
			seriesError, f.Series = "There is no series "+strings.TrimSpace(q.Get("series"))+": choose one from the list", ""
		} else {
			f.Series = parsed
		}
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	var live []store.PlanNoticeRow
	if seriesError == "" {
		live, err = s.reader(r).PlanNotices(r.Context(), s.access(r), f)
	}
	if err != nil {
		return err
	}
	last, snap, err := s.lastPlan(r)
	if err != nil {
		return err
	}
	marks := planMarks(last, live)
	withdrawn := q.Get("withdrawn") == "yes"
	status := http.StatusOK
	if seriesError != "" {
		status = http.StatusBadRequest
	}
	p := pages.ForwardPlanProps{
		Page:        s.page(r, "Forward plan", "forward-plan", "/forward-plan"),
		Flash:       s.sessions.PopString(r.Context(), planFlashKey),
		KeyOnly:     f.KeyOnly,
		Withdrawn:   withdrawn,
		AtomURL:     "/forward-plan.atom",
		AlertsURL:   "/alerts/new?about=forward-plan",
		CalendarURL: "/calendars/forward-plan.ics",
		Since:       "No plan has been published yet: marks of what is new or changed start with the first.",
	}
	p.Page.Feed = "/forward-plan.atom"
	p.SeriesError, p.KeyRules = seriesError, keyRulesSentences(modes)
	if last != nil {
		p.Since = "New, Changed and Withdrawn mark what differs from the plan published on " + formatLondonTime(snap.PublishedAt) + "."
	}
	for _, c := range series {
		p.Series = append(p.Series, components.Option{Value: c, Label: c, Checked: c == f.Series})
	}
	for _, n := range live {
		// A withdrawn notice stays on the plan, marked, until a plan without it is published.
		if n.WithdrawnAt != nil && !withdrawn && marks[n.ID] != "Withdrawn" {
			continue
		}
		p.Items = append(p.Items, planItem(n, marks[n.ID], modes))
	}
	plans, err := s.reader(r).Plans(r.Context())
	if err != nil {
		return err
	}
	for _, pl := range plans {
		p.Plans = append(p.Plans, pages.PlanLink{URL: planURL(pl.ID), Text: "Published on " + formatLondonTime(pl.PublishedAt),
			Detail: fmt.Sprintf("(%s%s)", noticesWords(pl.Notices), map[bool]string{true: ", monthly", false: ""}[pl.ScheduledFor != nil])})
	}
	if u := userFrom(r); u != nil {
		p.CanAdd = u.Has(decision.RoleDrafter)
		p.CanPublish = u.Has(decision.RoleAdmin)
	}
	s.render(w, r, status, pages.ForwardPlan(p))
	return nil
}

// noticesWords is "1 notice", "2 notices".
func noticesWords(n int) string {
	if n == 1 {
		return "1 notice"
	}
	return strconv.Itoa(n) + " notices"
}

func (s *Server) noticeParam(r *http.Request) (store.PlanNoticeRow, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanNoticeRow{}, errPageNotFound
	}
	return s.reader(r).PlanNotice(r.Context(), s.access(r), id)
}

// noticeRows are a version of a notice of series, whose key-decision mode is mode ("" for no rule).
func noticeRows(v store.PlanNoticeVersion, series, mode string) []components.SummaryRow {
	rows := []components.SummaryRow{
		{Key: "Matter", Value: v.Matter},
		{Key: "Decision maker", Value: v.MakerName + ", " + v.MakerTitle},
		{Key: "Expected", Value: expectedWords(v.ExpectedFrom, v.ExpectedTo)},
		{Key: "Documents to be submitted", Value: v.Documents, Lines: true, TestID: "notice-documents"},
		{Key: "Copies and how to ask for them", Value: v.Copies, Lines: true},
		{Key: "Part expected to be withheld", Value: "No"},
		{Key: "Key decision", Value: map[bool]string{true: "Yes", false: "No"}[v.KeyDecision]},
	}
	if v.WithheldGround != nil {
		rows[5].Value = "Yes: " + *v.WithheldGround
	}
	if mode == "" && v.KeyDecision {
		rows[6].Value = "Yes, though the " + series + " series has no key-decision rule, so no notice period applies"
	}
	return rows
}

func (s *Server) handlePlanNotice(w http.ResponseWriter, r *http.Request) error {
	n, err := s.noticeParam(r)
	if err != nil {
		return err
	}
	versions, err := s.reader(r).PlanNoticeVersions(r.Context(), s.access(r), n.ID)
	if err != nil {
		return err
	}
	excs, err := s.reader(r).Exceptions(r.Context(), n.ID)
	if err != nil {
		return err
	}
	last, _, err := s.lastPlan(r)
	if err != nil {
		return err
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	mode := modes[n.Series]
	p := pages.PlanNoticeProps{
		Page:    s.page(r, n.Matter+" – Forward plan", "forward-plan", noticeURL(n.ID)),
		Flash:   s.sessions.PopString(r.Context(), planFlashKey),
		Heading: n.Matter,
		Mark:    planMarks(last, []store.PlanNoticeRow{n})[n.ID],
	}
	cur := store.PlanNoticeVersion{Matter: n.Matter, MakerName: n.MakerName, MakerTitle: n.MakerTitle, ExpectedFrom: n.ExpectedFrom,
		ExpectedTo: n.ExpectedTo, Documents: n.Documents, Copies: n.Copies, WithheldGround: n.WithheldGround, KeyDecision: n.KeyDecision}
	p.Rows = append([]components.SummaryRow{{Key: "Series", Value: n.Series}}, noticeRows(cur, n.Series, mode)...)
	p.Rows = append(p.Rows, components.SummaryRow{Key: "First published on the plan", Value: formatLondonTime(n.NoticedAt), TestID: "noticed-at"})
	cal, err := s.calendarNow(r.Context())
	if err != nil {
		return err
	}
	if n.DecisionSlug != nil {
		row := components.SummaryRow{Key: "Decision", Value: *n.DecisionReference, Href: "/decisions/" + *n.DecisionSlug, TestID: "notice-decision"}
		if n.DecisionSigned != nil {
			row.Value += fmt.Sprintf(", signed on %s, %s after this notice was first published", n.DecisionSigned.Format(dateLayout),
				clearDaysWords(cal.ClearDays(n.NoticedAt, *n.DecisionSigned)))
		}
		p.Rows = append(p.Rows, row)
	}
	if n.WithdrawnAt != nil {
		p.Withdrawn = "Withdrawn on " + formatLondonDay(*n.WithdrawnAt) + ": " + deref(n.WithdrawnReason)
	}
	for _, e := range excs {
		p.Exceptions = append(p.Exceptions, pages.PlanLink{URL: exceptionURL(e.ID), Text: exceptionName(e.Kind),
			Detail: "published on " + formatLondonTime(e.PublishedAt)})
	}
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		what := fmt.Sprintf("Version %d: ", v.Version)
		switch {
		case v.Version == 1:
			what += "published by "
		case v.WithdrawnReason != nil:
			what += "withdrawn by "
		case v.UnlinkedReason != nil:
			what += "unlinked from its decision by "
		default:
			what += "changed by "
		}
		what += v.ChangedByName + " on " + formatLondonTime(v.ChangedAt)
		rows := noticeRows(v, n.Series, mode)
		// The decision it names, so linking one shows as a change.
		dec := components.SummaryRow{Key: "Decision", Value: "None named", TestID: "version-decision"}
		switch {
		case v.DecisionSlug != nil:
			dec.Value, dec.Href = *v.DecisionReference, "/decisions/"+*v.DecisionSlug
		case v.Linked:
			dec.Value = "A decision not yet published"
		}
		rows = append(rows, dec)
		if v.WithdrawnReason != nil {
			rows = append(rows, components.SummaryRow{Key: "Why it was withdrawn", Value: *v.WithdrawnReason})
		}
		if v.UnlinkedReason != nil {
			rows = append(rows, components.SummaryRow{Key: "Why it was unlinked from its decision", Value: *v.UnlinkedReason, TestID: "unlinked-reason"})
		}
		p.History = append(p.History, pages.PlanVersion{What: what, Rows: rows})
	}
	if u := userFrom(r); u != nil && u.Has(decision.RoleDrafter) && n.WithdrawnAt == nil {
		p.EditURL, p.WithdrawURL, p.ExceptionURL = noticeURL(n.ID)+"/edit", noticeURL(n.ID)+"/withdraw", noticeURL(n.ID)+"/exception"
	}
	if canUnlink(userFrom(r)) && n.DecisionID != nil && n.DecisionSigned == nil {
		p.UnlinkURL = noticeURL(n.ID) + "/unlink"
	}
	s.render(w, r, http.StatusOK, pages.PlanNotice(p))
	return nil
}

func clearDaysWords(n int) string {
	if n == 1 {
		return "1 clear day"
	}
	return strconv.Itoa(n) + " clear days"
}

// addPlanNotice adds to a decision's key information its notice on the forward plan: "First
// noticed on 7 December 2026 (28 clear days before it was signed)".
func (s *Server) addPlanNotice(r *http.Request, p *pages.ShowProps, acc store.Access, id int64, signed *time.Time) error {
	n, err := s.reader(r).PlanNoticeOf(r.Context(), acc, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	v := "First noticed on " + formatLondonDay(n.NoticedAt)
	if signed != nil {
		cal, err := s.calendarNow(r.Context())
		if err != nil {
			return err
		}
		v += " (" + clearDaysWords(cal.ClearDays(n.NoticedAt, *signed)) + " before it was signed)"
	}
	p.KeyInfo = append(p.KeyInfo, components.SummaryRow{Key: "Forward plan", Value: v, Href: noticeURL(n.ID), TestID: "first-noticed"})
	return nil
}

// affectsAreasField is the draft's "affects two or more areas" question: with its series'
// money threshold, what makes a decision a key decision.
func affectsAreasField(ed draftEdit, in url.Values) *components.Choice {
	v := map[bool]string{true: "yes", false: "no"}[ed.affectsAreas]
	if in != nil && in.Get("affects_areas") != "" {
		v = in.Get("affects_areas")
	}
	hint := "Wards or electoral divisions. The " + ed.d.Series + " series has no key-decision rule now, so no notice period applies."
	if verb := keyVerb(ed.keyMode); verb != "" {
		hint = "Wards or electoral divisions. If so, it is a key decision, which " + verb + " have 28 clear days’ notice on the forward plan before it is signed."
	}
	return yesNo("affects-areas", "affects_areas", "Does it significantly affect communities in two or more areas?", hint, v, "")
}
