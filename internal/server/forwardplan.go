package server

import (
	"context"
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
	"github.com/decision-register/decisions/internal/workday"
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

// planForm is the notice as typed.
type planForm struct {
	in   url.Values
	errs map[string]string
	// parts are the date boxes each date's error is about.
	fromParts, toParts []string
	// existing is the notice the decision named already has, linked from its error.
	existing *pages.PlanLink
}

// planNoticeInput reads and checks a notice form. saved is the notice being changed (nil for
// a new one): its dates may stay as they were even once past.
func (s *Server) planNoticeInput(r *http.Request, in url.Values, saved *store.PlanNoticeRow) (store.PlanNoticeInput, planForm, error) {
	f := planForm{in: in, errs: map[string]string{}}
	// Cleaned as decision text is: line breaks kept as "\n", whatever the browser sent.
	text := func(name string) string { return decision.CleanText(in.Get(name)) }
	out := store.PlanNoticeInput{Matter: text("matter"), MakerName: text("maker_name"), MakerTitle: text("maker_title"),
		Documents: text("documents"), Copies: text("copies")}
	required := []struct{ name, msg string }{
		{"matter", "Enter the matter to be decided"},
		{"maker_name", "Enter the decision maker’s name"},
		{"maker_title", "Enter the decision maker’s title"},
		{"documents", "Enter the documents to be submitted to the decision maker"},
		{"copies", "Enter where copies can be had and how to ask for them"},
	}
	for _, q := range required {
		if text(q.name) == "" {
			f.errs[q.name] = q.msg
		}
	}
	for _, q := range []struct {
		name string
		max  int
	}{{"matter", 2000}, {"maker_name", 200}, {"maker_title", 200}, {"documents", 4000}, {"copies", 2000}} {
		if n := len([]rune(text(q.name))); n > q.max {
			f.errs[q.name] = fmt.Sprintf("Use %d characters or fewer (you used %d)", q.max, n)
		}
	}
	today := utcDay(s.now().In(london()))
	from, msg, parts := dateInput(in, "expected", "Date expected")
	if msg != "" {
		f.errs["expected"], f.fromParts = msg, parts
	} else {
		from = utcDay(from)
		out.ExpectedFrom = from
		if from.Before(today) && (saved == nil || !saved.ExpectedFrom.Equal(from)) {
			f.errs["expected"] = "Date expected must be today or in the future"
		}
	}
	if in.Get("expected_to_day")+in.Get("expected_to_month")+in.Get("expected_to_year") != "" {
		to, msg, parts := dateInput(in, "expected_to", "End of the period")
		switch {
		case msg != "":
			f.errs["expected_to"], f.toParts = msg, parts
		case f.errs["expected"] == "" && utcDay(to).Before(from):
			f.errs["expected_to"] = "End of the period must be on or after the date expected"
		default:
			t := utcDay(to)
			out.ExpectedTo = &t
		}
	}
	switch in.Get("withheld") {
	case "yes":
		g := text("withheld_ground")
		if g == "" {
			f.errs["withheld_ground"] = "Enter the ground on which part is expected to be withheld"
		}
		out.WithheldGround = &g
	case "no":
	default:
		f.errs["withheld"] = "Select whether any part is expected to be withheld"
	}
	switch in.Get("key") {
	case "yes":
		out.KeyDecision = true
	case "no":
	default:
		f.errs["key"] = "Select whether it is a key decision"
	}
	if saved != nil {
		out.Series, out.DecisionID = saved.Series, saved.DecisionID
	} else {
		out.Series = in.Get("series")
		chained, err := s.store.ChainedSeries(r.Context())
		if err != nil {
			return out, f, err
		}
		if !slices.Contains(chained, out.Series) {
			f.errs["series"] = "Select the series"
		}
	}
	if ref := strings.TrimSpace(in.Get("decision")); ref != "" {
		parsed, err := decision.ParseReference(ref)
		switch {
		case err != nil:
			f.errs["decision"] = "Enter a reference like PCD 1700, or leave it blank"
		case saved != nil && saved.DecisionReference != nil && *saved.DecisionReference == parsed.String():
			// Its own decision, which may be signed by now.
		case saved != nil && saved.DecisionSigned != nil:
			f.errs["decision"] = *saved.DecisionReference + " is signed: the notice's link to it cannot change"
		default:
			id, series, err := s.store.DecisionForNotice(r.Context(), parsed.String())
			switch {
			case errors.Is(err, store.ErrNotFound):
				f.errs["decision"] = "There is no draft or decision in sign-off with the reference " + parsed.String()
			case err != nil:
				return out, f, err
			case f.errs["series"] == "" && series != out.Series:
				f.errs["decision"] = parsed.String() + " is in the " + series + " series, not " + out.Series
			default:
				out.DecisionID = &id
				switch n, err := s.store.PlanNoticeOf(r.Context(), s.access(r), id); {
				case err == nil && (saved == nil || n.ID != saved.ID):
					f.errs["decision"] = parsed.String() + " already has a notice: change that one instead"
					f.existing = &pages.PlanLink{URL: noticeURL(n.ID), Text: "Go to the notice of " + parsed.String()}
				case err != nil && !errors.Is(err, store.ErrNotFound):
					return out, f, err
				}
			}
		}
	}
	// Left blank, a notice's link stays: undoing one is its own action (handlePlanNoticeUnlink),
	// audited and kept in the notice's history.
	return out, f, nil
}

func yesNo(id, name, legend, hint, value, msg string) *components.Choice {
	return &components.Choice{ID: id, Name: name, Legend: legend, Hint: hint, Error: msg, Small: false,
		Options: []components.Option{{Value: "yes", Label: "Yes", Checked: value == "yes"}, {Value: "no", Label: "No", Checked: value == "no"}}}
}

// renderNoticeForm shows the notice form: new (saved nil) or a change, with what was typed
// (or what is saved) and the errors by field.
func (s *Server) renderNoticeForm(w http.ResponseWriter, r *http.Request, status int, saved *store.PlanNoticeRow, f planForm) error {
	in := f.in
	if in == nil {
		in = url.Values{}
		if saved != nil {
			in.Set("matter", saved.Matter)
			in.Set("maker_name", saved.MakerName)
			in.Set("maker_title", saved.MakerTitle)
			in.Set("documents", saved.Documents)
			in.Set("copies", saved.Copies)
			setDate(in, "expected", saved.ExpectedFrom)
			if saved.ExpectedTo != nil {
				setDate(in, "expected_to", *saved.ExpectedTo)
			}
			in.Set("withheld", map[bool]string{true: "yes", false: "no"}[saved.WithheldGround != nil])
			in.Set("withheld_ground", deref(saved.WithheldGround))
			in.Set("key", map[bool]string{true: "yes", false: "no"}[saved.KeyDecision])
			if saved.DecisionReference != nil {
				in.Set("decision", *saved.DecisionReference)
			}
		} else if ref := r.URL.Query().Get("decision"); ref != "" {
			in.Set("decision", ref)
		}
	}
	errs := f.errs
	heading, action, submit := "Add a notice to the forward plan", "/forward-plan/new", "Publish the notice"
	if saved != nil {
		heading, action, submit = "Change the notice", noticeURL(saved.ID)+"/edit", "Save the change"
	}
	title := heading
	if len(errs) > 0 {
		title = "Error: " + title
	}
	field := func(id, name, label, hint string, rows int) components.Field {
		return components.Field{ID: id, Name: name, Label: label, Hint: hint, Value: in.Get(name), Error: errs[name], Rows: rows}
	}
	dateF := func(name, id, legend, hint string, parts []string) *components.DateField {
		return &components.DateField{ID: id, Name: name, Legend: legend, Hint: hint, Error: errs[name], ErrorParts: parts,
			Day: in.Get(name + "_day"), Month: in.Get(name + "_month"), Year: in.Get(name + "_year")}
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return err
	}
	intro := "The notice is public as soon as it is published, and every change is kept in the notice's history."
	if len(modes) > 0 {
		intro = "The notice is public as soon as it is published: a key decision's 28 clear days run from then. Every change is kept in the notice's history."
	}
	p := pages.PlanFormProps{
		Page:     s.page(r, title, "forward-plan", action),
		Caption:  "Forward plan",
		Heading:  heading,
		Intro:    intro,
		Action:   action,
		Submit:   submit,
		Back:     "/forward-plan",
		Existing: f.existing,
	}
	keyHint := "No series has a key-decision rule, so no notice period applies."
	if saved != nil {
		keyHint = keyRuleSentence(modes, saved.Series)
		if keyHint == "" {
			keyHint = "The " + saved.Series + " series has no key-decision rule, so no notice period applies."
		}
	} else if len(modes) > 0 {
		keyHint = keyRulesSentences(modes)
	}
	if saved != nil {
		p.Back = noticeURL(saved.ID)
		p.Hidden = []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(saved.Version)}}
	} else {
		chained, err := s.store.ChainedSeries(r.Context())
		if err != nil {
			return err
		}
		c := &components.Choice{ID: "series", Name: "series", Legend: "Series", Error: errs["series"]}
		for _, sr := range chained {
			// The one series there is comes chosen.
			c.Options = append(c.Options, components.Option{Value: sr, Label: sr, Checked: in.Get("series") == sr || len(chained) == 1})
		}
		p.Inputs = append(p.Inputs, pages.PlanInput{Radios: c})
	}
	expected := dateF("expected", "expected", "Date expected, or the first day of the period", "For example, 27 3 2027.", f.fromParts)
	to := dateF("expected_to", "expected-to", "Last day of the period (if a period)", "Leave blank when a single date is expected.", f.toParts)
	dec := field("decision", "decision", "Decision reference (if the decision has been started)", "For example, PCD 1700. Once it is signed, the notice links to it.", 0)
	if saved != nil && saved.DecisionID != nil {
		dec.Hint = "To undo a link made by mistake, use “Unlink from its decision” on the notice’s page, before the decision is signed."
	}
	dec.Width = "10"
	p.Inputs = append(p.Inputs,
		pages.PlanInput{Text: &dec},
		pages.PlanInput{Area: ptr(field("matter", "matter", "The matter to be decided", "", 4))},
		pages.PlanInput{Text: ptr(field("maker-name", "maker_name", "Decision maker’s name", "A person, or the body that decides.", 0))},
		pages.PlanInput{Text: ptr(field("maker-title", "maker_title", "Decision maker’s title", "For example, Deputy Mayor for Policing and Crime.", 0))},
		pages.PlanInput{Date: expected},
		pages.PlanInput{Date: to},
		pages.PlanInput{Area: ptr(field("documents", "documents", "Documents to be submitted to the decision maker", "One a line.", 4))},
		pages.PlanInput{Area: ptr(field("copies", "copies", "Where copies can be had and how to ask for them", "An address, and who to ask. Other documents may be submitted too.", 3))},
		pages.PlanInput{Radios: yesNo("withheld", "withheld", "Is any part expected to be withheld from the public?", "", in.Get("withheld"), errs["withheld"])},
		pages.PlanInput{Area: ptr(field("withheld-ground", "withheld_ground", "If so, on what ground", "For example, Schedule 12A paragraph 3 (financial or business affairs), or FOI Act section 43.", 2))},
		pages.PlanInput{Radios: yesNo("key", "key", "Is it a key decision?", keyHint, in.Get("key"), errs["key"])},
	)
	// Inline errors use the fields' ids; the summary links to them in the form's order.
	for _, e := range []struct{ key, id string }{{"series", "series"}, {"decision", "decision"}, {"matter", "matter"},
		{"maker_name", "maker-name"}, {"maker_title", "maker-title"}, {"expected", expected.FirstErrorID()},
		{"expected_to", to.FirstErrorID()}, {"documents", "documents"}, {"copies", "copies"}, {"withheld", "withheld"},
		{"withheld_ground", "withheld-ground"}, {"key", "key"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func ptr[T any](v T) *T { return &v }

func setDate(in url.Values, name string, t time.Time) {
	in.Set(name+"_day", strconv.Itoa(t.Day()))
	in.Set(name+"_month", strconv.Itoa(int(t.Month())))
	in.Set(name+"_year", strconv.Itoa(t.Year()))
}

func (s *Server) handlePlanNoticeNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderNoticeForm(w, r, http.StatusOK, nil, planForm{})
}

func (s *Server) handlePlanNoticeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in, f, err := s.planNoticeInput(r, r.PostForm, nil)
	if err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	id, err := s.store.CreatePlanNotice(r.Context(), userFrom(r).Act(s.now()), in)
	if errors.Is(err, store.ErrConflict) {
		f.errs["decision"] = "That decision already has a notice: change that one instead"
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, nil, f)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is on the forward plan.")
	http.Redirect(w, r, noticeURL(id), http.StatusSeeOther)
	return nil
}

// staffNotice is the notice named in the address, read from the primary, for a change.
func (s *Server) staffNotice(r *http.Request) (store.PlanNoticeRow, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanNoticeRow{}, errPageNotFound
	}
	n, err := s.store.PlanNotice(r.Context(), s.access(r), id)
	if err != nil {
		return n, err
	}
	if n.WithdrawnAt != nil {
		return n, &pageError{Status: http.StatusConflict, Heading: "This notice has been withdrawn",
			Message: "A withdrawn notice cannot change. Add a new notice instead.", Links: []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}}
	}
	return n, nil
}

func (s *Server) handlePlanNoticeEdit(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderNoticeForm(w, r, http.StatusOK, &n, planForm{})
}

func (s *Server) handlePlanNoticeSave(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in, f, err := s.planNoticeInput(r, r.PostForm, &n)
	if err != nil {
		return err
	}
	if len(f.errs) > 0 {
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, &n, f)
	}
	base, _ := strconv.Atoi(r.PostForm.Get("version"))
	err = s.store.UpdatePlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, in)
	if errors.Is(err, store.ErrLocked) {
		// Its decision was signed meanwhile, or the one named was: the database keeps links to signed decisions.
		f.errs["decision"] = "That decision is signed: a notice's link to a signed decision cannot change"
		return s.renderNoticeForm(w, r, http.StatusConflict, &n, f)
	}
	if errors.Is(err, store.ErrConflict) && base == n.Version {
		f.errs["decision"] = "That decision already has a notice"
		return s.renderNoticeForm(w, r, http.StatusUnprocessableEntity, &n, f)
	}
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is changed. Its earlier version is kept in its history.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}

func (s *Server) renderWithdrawNotice(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, reason, msg string) error {
	title := "Withdraw the notice"
	p := pages.PlanFormProps{
		Caption: n.Matter,
		Heading: title,
		Intro:   "The notice stays readable, marked as withdrawn, with the reason. This cannot be undone.",
		Action:  noticeURL(n.ID) + "/withdraw",
		Hidden:  []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(n.Version)}},
		Inputs: []pages.PlanInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why it is withdrawn",
			Hint: "The public see this.", Value: reason, Error: msg, Rows: 3}}},
		Submit:  "Withdraw the notice",
		Warning: true,
		Back:    noticeURL(n.ID),
	}
	if msg != "" {
		title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "reason", Message: msg}}
	}
	p.Page = s.page(r, title, "forward-plan", p.Action)
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanNoticeWithdrawForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderWithdrawNotice(w, r, http.StatusOK, n, "", "")
}

func (s *Server) handlePlanNoticeWithdraw(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		return s.renderWithdrawNotice(w, r, http.StatusUnprocessableEntity, n, reason, "Enter why the notice is withdrawn")
	}
	base, _ := strconv.Atoi(r.PostFormValue("version"))
	if err := s.store.WithdrawPlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, reason); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is withdrawn.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}

func exceptionURL(id int64) string { return "/forward-plan/exceptions/" + strconv.FormatInt(id, 10) }

func exceptionName(kind string) string {
	if kind == forwardplan.SpecialUrgency {
		return "Special urgency"
	}
	return "General exception"
}

func (s *Server) renderExceptionForm(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, in url.Values, errs map[string]string, parts []string) error {
	title := "Record an exception"
	action := noticeURL(n.ID) + "/exception"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	field := func(id, name, label, hint string, rows int) components.Field {
		return components.Field{ID: id, Name: name, Label: label, Hint: hint, Value: in.Get(name), Error: errs[name], Rows: rows}
	}
	kind := &components.Choice{ID: "kind", Name: "kind", Legend: "Which exception", Error: errs["kind"], Options: []components.Option{
		{Value: forwardplan.GeneralException, Label: "General exception", Checked: in.Get("kind") == forwardplan.GeneralException,
			Hint: "28 clear days’ notice is impracticable: the chair of the scrutiny committee has been told in writing, and the decision may be signed once this record has stood 5 clear days."},
		{Value: forwardplan.SpecialUrgency, Label: "Special urgency", Checked: in.Get("kind") == forwardplan.SpecialUrgency,
			Hint: "The decision is urgent and cannot reasonably be deferred: the named chair has agreed. It may be signed once this record is published."},
	}}
	on := &components.DateField{ID: "chair-on", Name: "chair_on", Legend: "When the chair was told, or agreed", Hint: "For example, 27 3 2027.",
		Error: errs["chair_on"], ErrorParts: parts, Day: in.Get("chair_on_day"), Month: in.Get("chair_on_month"), Year: in.Get("chair_on_year")}
	p := pages.PlanFormProps{
		Page:    s.page(r, title, "forward-plan", action),
		Caption: n.Matter,
		Heading: title,
		Intro:   "The record is published with the notice as soon as it is made, and cannot be changed afterwards.",
		Action:  action,
		Inputs: []pages.PlanInput{{Radios: kind},
			{Text: ptr(field("chair-name", "chair_name", "Chair’s name", "The chair of the scrutiny committee (or, when there is none, the chair of the authority).", 0))},
			{Text: ptr(field("chair-role", "chair_role", "Chair’s role", "For example, Chair of the Police and Crime Committee.", 0))},
			{Date: on},
			{Area: ptr(field("reasons", "reasons", "Reasons", "Why the decision cannot wait for 28 clear days’ notice. The public see this.", 4))}},
		Submit: "Publish the record",
		Back:   noticeURL(n.ID),
	}
	for _, e := range []struct{ key, id string }{{"kind", "kind"}, {"chair_name", "chair-name"}, {"chair_role", "chair-role"},
		{"chair_on", on.FirstErrorID()}, {"reasons", "reasons"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanExceptionForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	return s.renderExceptionForm(w, r, http.StatusOK, n, url.Values{}, nil, nil)
}

func (s *Server) handlePlanExceptionCreate(w http.ResponseWriter, r *http.Request) error {
	n, err := s.staffNotice(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in := r.PostForm
	errs := map[string]string{}
	e := store.PlanException{NoticeID: n.ID, Kind: in.Get("kind"), ChairName: strings.TrimSpace(in.Get("chair_name")),
		ChairRole: strings.TrimSpace(in.Get("chair_role")), Reasons: strings.TrimSpace(in.Get("reasons"))}
	if e.Kind != forwardplan.GeneralException && e.Kind != forwardplan.SpecialUrgency {
		errs["kind"] = "Select which exception"
	}
	if e.ChairName == "" {
		errs["chair_name"] = "Enter the chair’s name"
	}
	if e.ChairRole == "" {
		errs["chair_role"] = "Enter the chair’s role"
	}
	if e.Reasons == "" {
		errs["reasons"] = "Enter the reasons"
	}
	on, msg, parts := dateInput(in, "chair_on", "The date the chair was told or agreed")
	switch {
	case msg != "":
		errs["chair_on"] = msg
	case utcDay(on).After(utcDay(s.now().In(london()))):
		errs["chair_on"] = "The date the chair was told or agreed must be today or in the past"
	default:
		e.ChairOn = utcDay(on)
	}
	if len(errs) > 0 {
		return s.renderExceptionForm(w, r, http.StatusUnprocessableEntity, n, in, errs, parts)
	}
	id, err := s.store.MakeException(r.Context(), userFrom(r).Act(s.now()), e)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, exceptionName(e.Kind)+" record published.")
	http.Redirect(w, r, exceptionURL(id), http.StatusSeeOther)
	return nil
}

func (s *Server) handlePlanException(w http.ResponseWriter, r *http.Request) error {
	id, ok := idParam(r, "id")
	if !ok {
		return errPageNotFound
	}
	e, err := s.reader(r).Exception(r.Context(), id)
	if err != nil {
		return err
	}
	n, err := s.reader(r).PlanNotice(r.Context(), s.access(r), e.NoticeID)
	if err != nil {
		return err
	}
	name := exceptionName(e.Kind)
	p := pages.PlanExceptionProps{
		Page:    s.page(r, name+": "+n.Matter, "forward-plan", exceptionURL(e.ID)),
		Heading: name + ": " + n.Matter,
		Rows: []components.SummaryRow{
			{Key: "Notice", Value: n.Matter, Href: noticeURL(n.ID)},
			{Key: "Chair", Value: e.ChairName + ", " + e.ChairRole, TestID: "exception-chair"},
			{Key: map[bool]string{true: "Agreed on", false: "Told on"}[e.Kind == forwardplan.SpecialUrgency], Value: e.ChairOn.Format(dateLayout)},
			{Key: "Reasons", Value: e.Reasons},
			{Key: "Published", Value: formatLondonTime(e.PublishedAt)},
			{Key: "Recorded by", Value: e.MadeByName},
		},
	}
	if e.Kind == forwardplan.SpecialUrgency {
		p.Intro = "The decision is urgent and cannot reasonably be deferred: the chair named below agreed that it may be made without 28 clear days’ notice."
	} else {
		cal, err := s.calendarNow(r.Context())
		if err != nil {
			return err
		}
		earliest := cal.AddDate(workday.DateOf(e.PublishedAt), forwardplan.ExceptionDays).AddDays(1)
		p.Intro = "Giving 28 clear days’ notice of this key decision is impracticable. The chair named below has been told, and the decision may be made from " +
			earliest.Words() + ", 5 clear days after this record was published."
	}
	s.render(w, r, http.StatusOK, pages.PlanException(p))
	return nil
}

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

// handleAdminKeyRules shows each series' key-decision rule and the form that sets one.
func (s *Server) handleAdminKeyRules(w http.ResponseWriter, r *http.Request) error {
	return s.renderKeyRules(w, r, http.StatusOK, url.Values{}, nil)
}

func (s *Server) renderKeyRules(w http.ResponseWriter, r *http.Request, status int, in url.Values, errs map[string]string) error {
	rules, err := s.store.KeyRules(r.Context())
	if err != nil {
		return err
	}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	title := "Key decisions"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	intro := "No series has a key-decision rule."
	if len(rules) > 0 {
		var parts []string
		for _, k := range rules {
			t := "no money threshold"
			if k.ThresholdPence != nil {
				t = "from " + decision.FormatPence(*k.ThresholdPence)
			}
			parts = append(parts, k.Series+": "+k.Mode+", "+t)
		}
		intro = "Rules now: " + strings.Join(parts, "; ") + "."
	}
	series := &components.Choice{ID: "series", Name: "series", Legend: "Series", Error: errs["series"]}
	for _, c := range chained {
		series.Options = append(series.Options, components.Option{Value: c, Label: c, Checked: in.Get("series") == c || len(chained) == 1})
	}
	mode := &components.Choice{ID: "mode", Name: "mode", Legend: "Notice of key decisions", Error: errs["mode"], Options: []components.Option{
		{Value: forwardplan.ModeStatutory, Label: "Statutory", Checked: in.Get("mode") == forwardplan.ModeStatutory,
			Hint: "A key decision cannot be signed until its notice has stood 28 clear days, unless a general-exception or special-urgency record is made."},
		{Value: forwardplan.ModeVoluntary, Label: "Voluntary", Checked: in.Get("mode") == forwardplan.ModeVoluntary,
			Hint: "The decision maker is warned, and may sign."},
		{Value: "none", Label: "No rule", Checked: in.Get("mode") == "none", Hint: "The series has no key decisions."},
	}}
	threshold := components.Field{ID: "threshold", Name: "threshold", Label: "Money threshold (optional)", Width: "10",
		Hint:  "A decision whose total reaches this is a key decision, as is one its drafters mark as affecting two or more areas. For example, £500,000.",
		Value: in.Get("threshold"), Error: errs["threshold"]}
	p := pages.PlanFormProps{
		Page:    s.page(r, title, "", "/admin/key-decisions"),
		Heading: "Key decisions",
		Intro:   intro,
		Action:  "/admin/key-decisions",
		Inputs:  []pages.PlanInput{{Radios: series}, {Radios: mode}, {Text: &threshold}},
		Submit:  "Save the rule",
	}
	for _, e := range []struct{ key, id string }{{"series", "series"}, {"mode", "mode"}, {"threshold", "threshold"}} {
		if errs[e.key] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: e.id, Message: errs[e.key]})
		}
	}
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handleAdminKeyRulesSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	in := r.PostForm
	errs := map[string]string{}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	rule := store.KeyRule{Series: in.Get("series"), Mode: in.Get("mode")}
	if !slices.Contains(chained, rule.Series) {
		errs["series"] = "Select the series"
	}
	switch rule.Mode {
	case forwardplan.ModeStatutory, forwardplan.ModeVoluntary:
	case "none":
		rule.Mode = ""
	default:
		errs["mode"] = "Select how notice of key decisions is enforced"
	}
	if t := strings.TrimSpace(in.Get("threshold")); t != "" {
		p, err := decision.ParsePence(t)
		if err != nil || p <= 0 {
			errs["threshold"] = "Enter the threshold in pounds, such as £500,000"
		} else {
			rule.ThresholdPence = &p
		}
	}
	if len(errs) > 0 {
		return s.renderKeyRules(w, r, http.StatusUnprocessableEntity, in, errs)
	}
	if err := s.store.SetKeyRule(r.Context(), userFrom(r).Act(s.now()), rule); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/key-decisions", http.StatusSeeOther)
	return nil
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

// canUnlink says whether u may undo a notice's link to its decision: its drafters' role, or an
// admin.
func canUnlink(u *store.User) bool {
	return u != nil && (u.Has(decision.RoleDrafter) || u.Has(decision.RoleAdmin))
}

var errNotUnlinker = &pageError{Status: http.StatusForbidden, Heading: "You cannot unlink notices",
	Message: "Only drafters and admins can unlink a notice from its decision."}

// unlinkableNotice is the notice named in the address, for unlinking: read from the primary,
// linked to a decision not yet signed.
func (s *Server) unlinkableNotice(r *http.Request) (store.PlanNoticeRow, error) {
	if !canUnlink(userFrom(r)) {
		return store.PlanNoticeRow{}, errNotUnlinker
	}
	id, ok := idParam(r, "id")
	if !ok {
		return store.PlanNoticeRow{}, errPageNotFound
	}
	n, err := s.store.PlanNotice(r.Context(), s.access(r), id)
	if err != nil {
		return n, err
	}
	back := []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}
	switch {
	case n.DecisionID == nil:
		return n, &pageError{Status: http.StatusConflict, Heading: "This notice is not linked to a decision",
			Message: "There is nothing to unlink.", Links: back}
	case n.DecisionSigned != nil:
		return n, errNoticeLinkSigned(n.ID)
	}
	return n, nil
}

func errNoticeLinkSigned(id int64) *pageError {
	return &pageError{Status: http.StatusConflict, Heading: "The decision is signed",
		Message: "Once its decision is signed, a notice's link to it is part of the record and cannot be undone.",
		Links:   []pages.ErrorLink{{Href: noticeURL(id), Text: "Back to the notice"}}}
}

func (s *Server) renderUnlinkNotice(w http.ResponseWriter, r *http.Request, status int, n store.PlanNoticeRow, reason, msg string) error {
	title := "Unlink the notice from its decision"
	ref := "its decision"
	if n.DecisionReference != nil {
		ref = *n.DecisionReference
	}
	p := pages.PlanFormProps{
		Caption: n.Matter,
		Heading: title,
		Intro: "Do this when the notice was linked to " + ref + " by mistake. The notice stays on the plan as it is, " +
			"and its history shows it was unlinked, by whom and why. Once a decision is signed its notice's link cannot be undone.",
		Action: noticeURL(n.ID) + "/unlink",
		Hidden: []pages.PlanHidden{{Name: "version", Value: strconv.Itoa(n.Version)}},
		Inputs: []pages.PlanInput{{Area: &components.Field{ID: "reason", Name: "reason", Label: "Why it is unlinked",
			Hint: "The public see this in the notice's history.", Value: reason, Error: msg, Rows: 3}}},
		Submit:  "Unlink the notice",
		Warning: true,
		Back:    noticeURL(n.ID),
	}
	if msg != "" {
		title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "reason", Message: msg}}
	}
	p.Page = s.page(r, title, "forward-plan", p.Action)
	s.render(w, r, status, pages.PlanForm(p))
	return nil
}

func (s *Server) handlePlanNoticeUnlinkForm(w http.ResponseWriter, r *http.Request) error {
	n, err := s.unlinkableNotice(r)
	if err != nil {
		return err
	}
	return s.renderUnlinkNotice(w, r, http.StatusOK, n, "", "")
}

func (s *Server) handlePlanNoticeUnlink(w http.ResponseWriter, r *http.Request) error {
	n, err := s.unlinkableNotice(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	switch l := len([]rune(reason)); {
	case l == 0:
		return s.renderUnlinkNotice(w, r, http.StatusUnprocessableEntity, n, reason, "Enter why the notice is unlinked")
	case l > 1000:
		return s.renderUnlinkNotice(w, r, http.StatusUnprocessableEntity, n, reason, fmt.Sprintf("Use 1000 characters or fewer (you used %d)", l))
	}
	base, _ := strconv.Atoi(r.PostFormValue("version"))
	err = s.store.UnlinkPlanNotice(r.Context(), userFrom(r).Act(s.now()), n.ID, base, reason)
	switch {
	case errors.Is(err, store.ErrLocked):
		// Signed since the page was read: the database keeps the link.
		return errNoticeLinkSigned(n.ID)
	case errors.Is(err, store.ErrConflict) && n.DecisionID != nil:
		// Changed since the form was read, still linked: the form again at its version, the reason kept.
		return s.renderUnlinkNotice(w, r, http.StatusConflict, n, reason,
			"The notice changed since you opened this page. Look at it again, then unlink it")
	case errors.Is(err, store.ErrConflict):
		return &pageError{Status: http.StatusConflict, Heading: "The notice has changed since you opened this page",
			Message: "Look at the notice again before unlinking it.", Links: []pages.ErrorLink{{Href: noticeURL(n.ID), Text: "Back to the notice"}}}
	case err != nil:
		return err
	}
	s.sessions.Put(r.Context(), planFlashKey, "The notice is unlinked from its decision. Its history says so.")
	http.Redirect(w, r, noticeURL(n.ID), http.StatusSeeOther)
	return nil
}
