package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// draftClient is a signed-in person's client on a test site.
type draftClient struct {
	t    *testing.T
	site *testsite.Site
	c    *http.Client
}

type page struct {
	status   int
	location string
	header   http.Header
	body     string
	doc      *goquery.Document
}

func (p page) text(sel string) string {
	return strings.Join(strings.Fields(p.doc.Find(sel).Text()), " ")
}

func (p page) value(sel string) string {
	if p.doc.Find(sel).Is("textarea") {
		return p.doc.Find(sel).Text()
	}
	v, _ := p.doc.Find(sel).Attr("value")
	return v
}

func (dc draftClient) do(method, path string, form url.Values) page {
	dc.t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = dc.c.Get(dc.site.URL + path)
	} else {
		resp, err = dc.c.PostForm(dc.site.URL+path, form)
	}
	if err != nil {
		dc.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		dc.t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		dc.t.Fatal(err)
	}
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b), doc: doc}
}

func (dc draftClient) get(path string) page { dc.t.Helper(); return dc.do(http.MethodGet, path, nil) }

// post sends a form and wants the status given.
func (dc draftClient) post(path string, form url.Values, want int) page {
	dc.t.Helper()
	p := dc.do(http.MethodPost, path, form)
	if p.status != want {
		dc.t.Fatalf("POST %s %v = %d, want %d\n%s", path, form, p.status, want, p.text("main"))
	}
	return p
}

// save posts a form on a page with the version the page carries.
func (dc draftClient) save(path string, form url.Values, want int) page {
	dc.t.Helper()
	form.Set("version", dc.version(path))
	return dc.post(path, form, want)
}

func (dc draftClient) version(path string) string {
	dc.t.Helper()
	p := dc.get(path)
	if p.status != http.StatusOK {
		dc.t.Fatalf("GET %s = %d, want 200", path, p.status)
	}
	v := p.value(`[data-testid="draft-form"] input[name="version"], [data-testid="submit-form"] input[name="version"]`)
	if v == "" {
		dc.t.Fatalf("GET %s: no version in the form", path)
	}
	return v
}

type draftSite struct {
	*testsite.Site
	drafter, adviser store.User
}

func newDraftSite(t *testing.T) draftSite {
	t.Helper()
	site := testsite.New(t)
	return draftSite{Site: site,
		drafter: site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}}),
		adviser: site.User(t, "finance@example.org", "Fin Adviser", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance"}}),
	}
}

func (s draftSite) client(t *testing.T, email string) draftClient {
	return draftClient{t: t, site: s.Site, c: s.Client(t, email)}
}

// newDraft starts a PCD decision and returns its slug.
func (s draftSite) newDraft(t *testing.T, dc draftClient, title string) string {
	t.Helper()
	p := dc.post("/decisions/new", url.Values{"series": {"PCD"}, "title": {title}}, http.StatusSeeOther)
	slug := strings.TrimSuffix(strings.TrimPrefix(p.location, "/decisions/"), "/edit")
	if p.location != "/decisions/"+slug+"/edit" {
		t.Fatalf("POST /decisions/new: Location %q, want a task list", p.location)
	}
	return slug
}

func TestDraftJourney(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")

	form := dc.get("/decisions/new")
	if form.status != http.StatusOK || form.value(`#series option[selected]`) != "PCD" {
		t.Fatalf("GET /decisions/new = %d, series chosen %q; want 200 with PCD", form.status, form.value(`#series option[selected]`))
	}
	slug := s.newDraft(t, dc, "Project Beta")
	if slug != "pcd-1683" {
		t.Fatalf("new draft %q, want pcd-1683", slug)
	}
	edit := "/decisions/" + slug + "/edit"
	tasks := dc.get(edit)
	if tasks.status != http.StatusOK || tasks.text(`[data-testid="draft-title"]`) != "Project Beta" || !strings.Contains(tasks.text(".govuk-task-list"), "Not started") {
		t.Fatalf("GET %s = %d, title %q", edit, tasks.status, tasks.text(`[data-testid="draft-title"]`))
	}
	if got := tasks.header.Get("Cache-Control"); got != "private, no-store" {
		t.Errorf("task list Cache-Control = %q, want private, no-store", got)
	}

	if got := tasks.text(`#task-1-1-status`); got != "Incomplete" {
		t.Errorf("title and summary with a title only: %q, want Incomplete", got)
	}
	early := dc.post("/decisions/"+slug+"/submit", url.Values{"version": {dc.version("/decisions/" + slug + "/check")}}, http.StatusUnprocessableEntity)
	if got := early.text(`[data-testid="error-summary"]`); !strings.Contains(got, "Add a summary before you submit") ||
		!strings.Contains(got, "Add at least one recommendation before you submit") {
		t.Errorf("submitting an unfinished draft: %q", got)
	}

	dc.save(edit+"/title", url.Values{"title": {"Project Beta"}, "summary": {"Accept a grant.\r\n\r\nFor two years."}}, http.StatusSeeOther)
	if got := dc.get(edit).text(`#task-1-1-status`); got != "Completed" {
		t.Errorf("title and summary filled in: %q, want Completed", got)
	}
	for _, rec := range []string{"Second recommendation", "First recommendation", "Dropped recommendation"} {
		p := dc.save(edit+"/recommendations", url.Values{"action": {"save"}, "recommendation": {rec}}, http.StatusSeeOther)
		if p.location != edit+"/recommendations" {
			t.Errorf("adding a recommendation leads to %q, want the same page", p.location)
		}
	}
	dc.save(edit+"/recommendations", url.Values{"action": {"up:1"}}, http.StatusSeeOther)
	dc.save(edit+"/recommendations", url.Values{"action": {"remove:2"}}, http.StatusSeeOther)
	dc.save(edit+"/sections/introduction-and-background", url.Values{"action": {"save"}, "heading": {"Introduction and background"}, "body": {"Why we ask."}}, http.StatusSeeOther)
	dc.save(edit+"/sections/legal-comments", url.Values{"action": {"save"}, "heading": {"Legal comments"}, "body": {"Removed later."}}, http.StatusSeeOther)
	if got := dc.get(edit).text(`#task-2-4-status`); got != "Completed" {
		t.Errorf("legal comments task after saving: %q, want Completed", got)
	}
	dc.save(edit+"/sections/legal-comments", url.Values{"action": {"remove"}}, http.StatusSeeOther)
	dc.save(edit+"/part-two", partTwoForm(url.Values{"action": {"save"}, "body": {"The confidential advice."}}), http.StatusSeeOther)
	dc.save(edit+"/funding", url.Values{"action": {"save"}, "amount": {"£2.755m"}, "fy_start": {"2024-25"}, "fy_end": {"2025/26"},
		"basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Home Office grant"}, "funder": {"Home Office"}}, http.StatusSeeOther)
	dc.save(edit+"/links", url.Values{"action": {"save"}, "reference": {"pcd1215"}, "kind": {"continues"}}, http.StatusSeeOther)

	check := dc.get("/decisions/" + slug + "/check")
	if check.status != http.StatusOK {
		t.Fatalf("GET check = %d", check.status)
	}
	answers := check.text(`[data-testid="check-answers"]`)
	for _, want := range []string{"Project Beta", "First recommendation Second recommendation", "Why we ask.",
		"£2,755,000 – Home Office grant (Grant accepted · 2024-25 to 2025-26 · from Home Office)", "Continues PCD 1215", "The confidential advice."} {
		if !strings.Contains(answers, want) {
			t.Errorf("check your answers lacks %q:\n%s", want, answers)
		}
	}
	if strings.Contains(answers, "Dropped recommendation") || strings.Contains(answers, "Removed later.") {
		t.Error("a removed recommendation is still there")
	}
	if got := check.doc.Find(`a:contains("Change")`).Length(); got < 10 {
		t.Errorf("%d Change links, want one for each answer", got)
	}
	submitted := dc.post("/decisions/"+slug+"/submit", url.Values{"version": {dc.version("/decisions/" + slug + "/check")}}, http.StatusSeeOther)
	if want := "/decisions/" + slug + "/submitted"; submitted.location != want {
		t.Errorf("submit leads to %q, want the confirmation %q", submitted.location, want)
	}
	st, err := s.Store.SignoffState(context.Background(), slug)
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != "awaiting_signoff" {
		t.Errorf("status after submit = %s, want awaiting_signoff", st.Status)
	}
	var events []string
	rows, err := s.Pool.Query(context.Background(), `SELECT event FROM audit_log WHERE decision_id = (SELECT id FROM decisions WHERE slug = $1) ORDER BY id`, slug)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		_ = rows.Scan(&e)
		events = append(events, e)
	}
	if len(events) < 3 || events[0] != store.EventCreated || events[len(events)-1] != store.EventSubmitted {
		t.Errorf("audit events = %v, want created, edits, submitted", events)
	}
	if !slices.Contains(events, store.EventPartTwoRead) {
		t.Errorf("audit events = %v: reading Part II on the check page is not recorded", events)
	}
	if dc.get(edit).doc.Find(`[data-testid="submitted"]`).Length() != 1 {
		t.Error("the task list does not say the decision is waiting for sign-off")
	}

	// The public never sees the draft.
	anon := s.client(t, "")
	if got := anon.get("/decisions/" + slug).status; got != http.StatusNotFound {
		t.Errorf("GET /decisions/%s anonymous = %d, want 404", slug, got)
	}
	if list := anon.get("/decisions?q=Project+Beta"); strings.Contains(list.body, "PCD 1683") || strings.Contains(list.body, "The confidential advice") {
		t.Error("the public list shows the draft")
	}
	if list := anon.get("/decisions"); strings.Contains(list.body, "PCD 1683") {
		t.Error("the public list shows the draft")
	}
	if got := anon.get("/decisions/pcd-1215").body; strings.Contains(got, "PCD 1683") {
		t.Error("the decision a draft links to shows the draft to the public")
	}
}

// TestDraftValidation posts each form with a mistake: 422, the message in the summary and by
// the field, and everything typed kept.
func TestDraftValidation(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	edit := "/decisions/" + slug + "/edit"
	tests := []struct {
		name, path string
		form       url.Values
		field      string // the field whose error it is
		message    string
		kept       map[string]string // selector: value
	}{
		{"empty title on new", "/decisions/new", url.Values{"series": {"PCD"}, "title": {"  "}}, "title", "Enter a title", nil},
		{"empty title", edit + "/title", url.Values{"title": {""}, "summary": {"My summary"}}, "title", "Enter a title",
			map[string]string{"#summary": "My summary"}},
		{"bad amount", edit + "/funding", url.Values{"action": {"save"}, "amount": {"lots"}, "fy_start": {"2024-25"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}},
			"amount", "Enter an amount from £0.01 to £10 trillion, like £2,755,000 or £2.755m",
			map[string]string{"#amount": "lots", "#fy_start": "2024-25", "#label": "Grant", `input[name="kind"][checked]`: "grant_accepted"}},
		{"bad year", edit + "/funding", url.Values{"action": {"save"}, "amount": {"£2,755,000"}, "fy_start": {"2024-26"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}},
			"fy_start", "Enter a financial year from 1990-91 to 2200-01, like 2024-25", map[string]string{"#amount": "£2,755,000", "#fy_start": "2024-26"}},
		{"year out of range", edit + "/funding", url.Values{"action": {"save"}, "amount": {"£20 trillion"}, "fy_start": {"1989-90"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}},
			"amount", "Enter an amount from £0.01 to £10 trillion", map[string]string{"#fy_start": "1989-90"}},
		{"years backwards", edit + "/funding", url.Values{"action": {"save"}, "amount": {"100"}, "fy_start": {"2024-25"}, "fy_end": {"2023-24"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}},
			"fy_end", "The last financial year must be the same as or after the first", map[string]string{"#fy_end": "2023-24"}},
		{"funder name too long", edit + "/funding", url.Values{"action": {"save"}, "amount": {"100"}, "fy_start": {"2024-25"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}, "funder": {strings.Repeat("Home Office ", 300)}},
			"funder", "The funder’s name must be 200 characters or fewer", map[string]string{"#amount": "100"}},
		{"recipient name too long", edit + "/funding", url.Values{"action": {"save"}, "amount": {"100"}, "fy_start": {"2024-25"}, "basis": {"total"}, "kind": {"grant_accepted"}, "label": {"Grant"}, "recipient": {strings.Repeat("é", 3000)}},
			"recipient", "The recipient’s name must be 200 characters or fewer", map[string]string{"#amount": "100"}},
		{"no kind", edit + "/funding", url.Values{"action": {"save"}, "amount": {"100"}, "fy_start": {"2024-25"}, "basis": {"total"}, "label": {"Grant"}},
			"kind", "Select what kind of amount this is", map[string]string{"#amount": "100"}},
		{"unknown reference", edit + "/links", url.Values{"action": {"save"}, "reference": {"PCD 9999"}, "kind": {"related"}},
			"reference", "There is no decision PCD 9999 in the register", map[string]string{"#reference": "PCD 9999", `input[name="kind"][checked]`: "related"}},
		{"not a reference", edit + "/links", url.Values{"action": {"save"}, "reference": {"banana"}, "kind": {"related"}},
			"reference", "Enter a decision reference like PCD 1215", map[string]string{"#reference": "banana"}},
		{"link to itself", edit + "/links", url.Values{"action": {"save"}, "reference": {"1683"}, "kind": {"related"}},
			"reference", "A decision cannot link to itself", map[string]string{"#reference": "1683"}},
		{"empty section", edit + "/sections/legal-comments", url.Values{"action": {"save"}, "heading": {"Legal comments"}, "body": {" "}},
			"body", "Enter the text of this section", map[string]string{"#heading": "Legal comments"}},
		{"empty recommendation", edit + "/recommendations", url.Values{"action": {"save"}, "recommendation": {""}},
			"recommendation", "Enter a recommendation", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc := draftClient{t: t, site: dc.site, c: dc.c}
			if tt.path != "/decisions/new" {
				tt.form.Set("version", dc.version(tt.path))
			}
			p := dc.post(tt.path, tt.form, http.StatusUnprocessableEntity)
			if got := p.text(`[data-testid="error-summary"]`); !strings.Contains(got, tt.message) {
				t.Errorf("error summary %q, want %q", got, tt.message)
			}
			if href, _ := p.doc.Find(`[data-testid="error-summary"] a`).Attr("href"); href != "#"+tt.field {
				t.Errorf("error summary links to %q, want #%s", href, tt.field)
			}
			if got := p.text("#" + tt.field + "-error"); !strings.Contains(got, tt.message) {
				t.Errorf("message by the field %q, want %q", got, tt.message)
			}
			if !strings.HasPrefix(p.text("title"), "Error: ") {
				t.Errorf("page title %q does not start with Error:", p.text("title"))
			}
			for sel, want := range tt.kept {
				if got := p.value(sel); got != want {
					t.Errorf("%s = %q, want the typed %q kept", sel, got, want)
				}
			}
		})
	}
}

// TestDraftConflict has two people edit the same part: the second save is refused, shows what
// the first saved, and keeps the second person's text.
func TestDraftConflict(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "second@example.org", "Sam Second", store.Grants{Roles: []string{"drafter"}})
	first, second := s.client(t, "drafter@example.org"), s.client(t, "second@example.org")
	slug := s.newDraft(t, first, "Project Beta")
	// The first drafter adds the second to the decision's drafting team.
	first.save("/decisions/"+slug+"/edit/drafters", url.Values{"email": {"second@example.org"}}, http.StatusSeeOther)
	path := "/decisions/" + slug + "/edit/title"
	v1, v2 := first.version(path), second.version(path)
	first.post(path, url.Values{"version": {v1}, "title": {"First person's title"}, "summary": {"First summary"}}, http.StatusSeeOther)
	p := second.post(path, url.Values{"version": {v2}, "title": {"Second person's title"}, "summary": {"Second summary"}}, http.StatusConflict)
	if got := p.text(`[data-testid="conflict"]`); !strings.Contains(got, "Someone else saved a change") {
		t.Errorf("the conflict banner after another person's save says %q", got)
	}
	if got := p.text(`[data-testid="conflict-saved"]`); !strings.Contains(got, "First person's title") || !strings.Contains(got, "First summary") {
		t.Errorf("the refused save shows saved %q, want the first person's text", got)
	}
	if got := p.text(`[data-testid="conflict-yours"]`); got != "Second person's title Second summary" {
		t.Errorf("the refused save shows as the person's own %q, want what they sent", got)
	}
	if p.value("#title") != "Second person's title" || p.value("#summary") != "Second summary" {
		t.Errorf("the refused form holds %q / %q, want the second person's text kept", p.value("#title"), p.value("#summary"))
	}
	d, err := s.Store.Draft(context.Background(), store.Staff(s.drafter.ID, time.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	if *d.Title != "First person's title" {
		t.Errorf("saved title %q: the second save overwrote the first", *d.Title)
	}
	// Having seen both, the second person saves again, knowingly.
	again := p.value(`[data-testid="draft-form"] input[name="version"]`)
	second.post(path, url.Values{"version": {again}, "title": {"Second person's title"}, "summary": {"Second summary"}}, http.StatusSeeOther)

	// A list part too: the stale remove is refused and the list shown is the saved one.
	recs := "/decisions/" + slug + "/edit/recommendations"
	first.save(recs, url.Values{"action": {"save"}, "recommendation": {"Only recommendation"}}, http.StatusSeeOther)
	stale := second.version(recs)
	first.save(recs, url.Values{"action": {"save"}, "recommendation": {"Another"}}, http.StatusSeeOther)
	p = second.post(recs, url.Values{"version": {stale}, "action": {"save"}, "recommendation": {"Mine"}}, http.StatusConflict)
	if p.value("#recommendation") != "Mine" || !strings.Contains(p.text(`[data-testid="conflict-saved"]`), "2. Another") ||
		p.text(`[data-testid="conflict-yours"]`) != "Add: Mine" {
		t.Errorf("refused recommendation: kept %q, saved shown %q", p.value("#recommendation"), p.text(`[data-testid="conflict-saved"]`))
	}
}

// TestDraftEditClearsApproval: an edit after a step approved clears that approval.
func TestDraftEditClearsApproval(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	ctx := context.Background()
	if err := s.Store.Submit(ctx, s.drafter.Act(time.Now()), slug, 1); err != nil {
		t.Fatal(err)
	}
	_, err := s.Pool.Exec(ctx, `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, content_hash, acted_at)
SELECT id, 'finance', $2, 'approved', repeat('b', 64), now() FROM decisions WHERE slug = $1`, slug, s.adviser.ID)
	if err != nil {
		t.Fatal(err)
	}
	dc.save("/decisions/"+slug+"/edit/title", url.Values{"title": {"Project Beta, changed"}, "summary": {"Changed after approval."}}, http.StatusSeeOther)
	var cleared *time.Time
	if err := s.Pool.QueryRow(ctx, `SELECT cleared_at FROM signoff_actions WHERE user_id = $1`, s.adviser.ID).Scan(&cleared); err != nil {
		t.Fatal(err)
	}
	if cleared == nil {
		t.Error("the approval was not cleared by the edit after it")
	}
}

// TestDraftingIsForDrafters: other staff get 403, the public is sent to sign in.
func TestDraftingIsForDrafters(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	slug := s.newDraft(t, s.client(t, "drafter@example.org"), "Project Beta")
	adviser, anon := s.client(t, "finance@example.org"), s.client(t, "")
	paths := []string{"/decisions/new", "/decisions/" + slug + "/edit", "/decisions/" + slug + "/edit/title",
		"/decisions/" + slug + "/edit/sections/legal-comments", "/decisions/" + slug + "/check"}
	for _, path := range paths {
		if got := adviser.get(path).status; got != http.StatusForbidden {
			t.Errorf("GET %q as an adviser = %d, want 403", path, got)
		}
		if p := anon.get(path); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/sign-in?next=") {
			t.Errorf("GET %q anonymous = %d %q, want 303 to sign in", path, p.status, p.location)
		}
	}
	for _, path := range []string{"/decisions/new", "/decisions/" + slug + "/edit/title", "/decisions/" + slug + "/submit"} {
		if got := adviser.do(http.MethodPost, path, url.Values{"version": {"1"}, "title": {"Mine"}, "series": {"PCD"}}).status; got != http.StatusForbidden {
			t.Errorf("POST %q as an adviser = %d, want 403", path, got)
		}
	}
	// A signed decision is no one's draft.
	dc := s.client(t, "drafter@example.org")
	if got := dc.get("/decisions/pcd-1682/edit").status; got != http.StatusForbidden {
		t.Errorf("GET /decisions/pcd-1682/edit = %d, want 403", got)
	}
	if got := dc.get("/decisions/" + slug + "/edit/nonsense").status; got != http.StatusNotFound {
		t.Errorf("GET an unknown part = %d, want 404", got)
	}
}

// TestDraftCheckViolationIsFormError: a value the database refuses by a CHECK becomes a message
// at the field, not a server error. The test database gains a rule the form does not know.
func TestDraftCheckViolationIsFormError(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	if _, err := s.Pool.Exec(context.Background(), `ALTER TABLE recommendations ADD CONSTRAINT test_no_forbidden CHECK (body <> 'Forbidden')`); err != nil {
		t.Fatal(err)
	}
	dc := s.client(t, "drafter@example.org")
	path := "/decisions/" + s.newDraft(t, dc, "Project Beta") + "/edit/recommendations"
	p := dc.save(path, url.Values{"action": {"save"}, "recommendation": {"Forbidden"}}, http.StatusUnprocessableEntity)
	if got := p.text("#recommendation-error"); !strings.Contains(got, "The register cannot store this value") {
		t.Errorf("message by the field %q", got)
	}
	if p.value("#recommendation") != "Forbidden" {
		t.Errorf("typed text not kept: %q", p.value("#recommendation"))
	}
}

// TestDraftShowsReturnComments: a decision returned by an adviser shows the comments on its task
// list until it is submitted again.
func TestDraftShowsReturnComments(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	ctx := context.Background()
	if err := s.Store.Submit(ctx, s.drafter.Act(s.Clock.Now()), slug, 1); err != nil {
		t.Fatal(err)
	}
	_, err := s.Pool.Exec(ctx, `
INSERT INTO signoff_actions (decision_id, step_kind, user_id, action, comment, content_hash, acted_at)
SELECT id, 'finance', $2, 'returned', 'Say where the money comes from.', repeat('c', 64), $3 FROM decisions WHERE slug = $1;
`, slug, s.adviser.ID, s.Clock.Now().Add(time.Minute))
	if err == nil {
		_, err = s.Pool.Exec(ctx, `UPDATE decisions SET status = 'draft' WHERE slug = $1`, slug)
	}
	if err != nil {
		t.Fatal(err)
	}
	p := dc.get("/decisions/" + slug + "/edit")
	if got := p.text(`[data-testid="returned"]`); !strings.Contains(got, "Finance: Fin Adviser") || !strings.Contains(got, "Say where the money comes from.") {
		t.Errorf("returned banner %q, want the finance adviser's comment", got)
	}
}

// TestDraftRoutesByRole asks every drafting route as every kind of person. Only drafters
// draft; Part II is for the decision's own drafters; a disabled account is signed out.
func TestDraftRoutesByRole(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	s.User(t, "other@example.org", "Olive Other", store.Grants{Roles: []string{"drafter"}})
	s.User(t, "maker@example.org", "Max Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	s.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	gone := s.User(t, "gone@example.org", "Gil Gone", store.Grants{Roles: []string{"drafter"}})
	owner := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, owner, "Project Beta")
	owner.save("/decisions/"+slug+"/edit/part-two", partTwoForm(url.Values{"body": {"Secret Part II text."}}), http.StatusSeeOther)
	clients := map[string]draftClient{
		"anonymous":      s.client(t, ""),
		"drafter":        owner,
		"other drafter":  s.client(t, "other@example.org"),
		"adviser":        s.client(t, "finance@example.org"),
		"decision maker": s.client(t, "maker@example.org"),
		"admin":          s.client(t, "admin@example.org"),
		"disabled":       s.client(t, "gone@example.org"),
	}
	if err := s.Store.SetUserDisabled(ctx, store.System(time.Now()), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	edit := "/decisions/" + slug + "/edit"
	const signIn, forbidden = http.StatusSeeOther, http.StatusForbidden
	routes := []struct {
		method, path string
		form         url.Values
		want         map[string]int // by person; everyone else gets 403, the signed-out 303
	}{
		{"GET", "/decisions/new", nil, map[string]int{"drafter": 200, "other drafter": 200}},
		{"POST", "/decisions/new", url.Values{"series": {"PCD"}}, map[string]int{"drafter": 422, "other drafter": 422}},
		// A drafter outside the decision's drafting team may not change it, nor become a reader
		// of its Part II by saving something.
		{"GET", edit, nil, map[string]int{"drafter": 200}},
		{"GET", edit + "/title", nil, map[string]int{"drafter": 200}},
		{"POST", edit + "/title", url.Values{"version": {"999"}, "title": {"Stale"}, "summary": {"Stale"}}, map[string]int{"drafter": 409}},
		{"GET", edit + "/recommendations", nil, map[string]int{"drafter": 200}},
		{"GET", edit + "/sections/financial-comments", nil, map[string]int{"drafter": 200}},
		{"GET", edit + "/drafters", nil, map[string]int{"drafter": 200}},
		{"GET", edit + "/part-two", nil, map[string]int{"drafter": 200, "other drafter": forbidden}},
		{"POST", edit + "/part-two", partTwoForm(url.Values{"version": {"999"}, "body": {"Overwritten"}}), map[string]int{"drafter": 409, "other drafter": forbidden}},
		{"GET", edit + "/funding", nil, map[string]int{"drafter": 200}},
		{"GET", edit + "/links", nil, map[string]int{"drafter": 200}},
		{"GET", "/decisions/" + slug + "/check", nil, map[string]int{"drafter": 200}},
		{"POST", "/decisions/" + slug + "/submit", url.Values{"version": {"999"}}, map[string]int{"drafter": 422, "other drafter": forbidden}},
	}
	for _, rt := range routes {
		for who, c := range clients {
			want, ok := rt.want[who]
			switch {
			case ok:
			case who == "anonymous" || who == "disabled":
				want = signIn
			default:
				want = forbidden
			}
			p := c.do(rt.method, rt.path, rt.form)
			if p.status != want {
				t.Errorf("%s %s as %s = %d, want %d", rt.method, rt.path, who, p.status, want)
			}
			if want == signIn && !strings.HasPrefix(p.location, "/sign-in") {
				t.Errorf("%s %s as %s leads to %q, want the sign-in page", rt.method, rt.path, who, p.location)
			}
			if who != "drafter" && strings.Contains(p.body, "Secret Part II text.") {
				t.Errorf("%s %s as %s shows the Part II", rt.method, rt.path, who)
			}
		}
	}
	if got := clients["anonymous"].get("/decisions/" + slug).status; got != http.StatusNotFound {
		t.Errorf("GET /decisions/%s anonymous = %d, want 404", slug, got)
	}
}

// TestDraftingTeam: only the team changes a draft; a member adds another drafter, who may then
// change it; unknown emails and non-drafters are refused by the field.
func TestDraftingTeam(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "second@example.org", "Sam Second", store.Grants{Roles: []string{"drafter"}})
	s.User(t, "reader@example.org", "Rita Reader", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"legal"}})
	owner, second := s.client(t, "drafter@example.org"), s.client(t, "second@example.org")
	slug := s.newDraft(t, owner, "Project Gamma")
	owner.save("/decisions/"+slug+"/edit/part-two", partTwoForm(url.Values{"body": {"Team-only Part II."}}), http.StatusSeeOther)
	team := "/decisions/" + slug + "/edit/drafters"
	if p := second.get(team); p.status != http.StatusForbidden {
		t.Fatalf("GET %s by a drafter outside the team = %d, want 403", team, p.status)
	}
	for email, msg := range map[string]string{
		"":                   "Enter the email address of a drafter",
		"nobody@example.org": "There is no drafter with that email address",
		"reader@example.org": "There is no drafter with that email address",
	} {
		p := owner.save(team, url.Values{"email": {email}}, http.StatusUnprocessableEntity)
		if got := p.text("#email-error"); !strings.Contains(got, msg) {
			t.Errorf("adding %q: message %q, want %q", email, got, msg)
		}
		if p.value("#email") != email {
			t.Errorf("adding %q: the email typed is not kept", email)
		}
	}
	owner.save(team, url.Values{"email": {"second@example.org"}}, http.StatusSeeOther)
	if p := owner.get(team); !strings.Contains(p.body, "Sam Second") {
		t.Error("the team page does not list the drafter added")
	}
	if p := second.get("/decisions/" + slug + "/edit/part-two"); p.status != http.StatusOK || !strings.Contains(p.body, "Team-only Part II.") {
		t.Errorf("the drafter added cannot read the team's Part II: %d", p.status)
	}
	second.save("/decisions/"+slug+"/edit/title", url.Values{"title": {"Project Gamma"}, "summary": {"Written by the second drafter"}}, http.StatusSeeOther)
}

// TestDraftFormsStoreNoControls: what a form sends is stored with the Unicode line and
// paragraph separators as the register's breaks and no control character but the newline, so
// none reaches the signed bytes.
func TestDraftFormsStoreNoControls(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project\tDelta\a")
	edit := "/decisions/" + slug + "/edit"
	dc.save(edit+"/title", url.Values{"title": {"Project\tDelta\a"}, "summary": {"One\u2028two\u2029Three\vfour\x1b[31m"}}, http.StatusSeeOther)
	dc.save(edit+"/sections/legal-comments", url.Values{"action": {"save"}, "heading": {"Legal\fcomments"},
		"body": {"First\r\nsecond\u2029third\x08"}}, http.StatusSeeOther)
	var title, summary, heading, body string
	err := s.Pool.QueryRow(context.Background(), `SELECT d.title, d.summary, s.heading, s.body FROM decisions d
JOIN sections s ON s.decision_id = d.id AND s.kind = 'legal_comments' WHERE d.slug = $1`, slug).Scan(&title, &summary, &heading, &body)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{title, summary, heading, body}
	want := []string{"Project Delta", "One\ntwo\n\nThreefour[31m", "Legalcomments", "First\nsecond\n\nthird"}
	if !slices.Equal(got, want) {
		t.Errorf("stored %q, want %q", got, want)
	}
}

// partTwoForm adds to a Part II form the ground it is withheld on, its note and review date.
func partTwoForm(v url.Values) url.Values {
	v.Set("ground", "s.43")
	v.Set("public_interest", "Publishing the prices would harm the next tender.")
	v.Set("review_on_day", "1")
	v.Set("review_on_month", "4")
	v.Set("review_on_year", "2030")
	return v
}
