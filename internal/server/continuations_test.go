package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestContinueFromSignedDecision: a drafter presses "Start the next decision in this chain" on
// PCD 1682 and lands on the task list of PCD 1683, which says what was copied and how the
// funding moved; its check page holds PCD 1682's content with the funding a year on and a
// continues link. Pressed again, the button leads to the same draft and says so.
func TestContinueFromSignedDecision(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	show := dc.get("/decisions/pcd-1682")
	if got := show.text(`[data-testid="continue-form"] button`); got != "Start the next decision in this chain" {
		t.Fatalf("PCD 1682's page for a drafter: continue button %q", got)
	}
	if action, _ := show.doc.Find(`[data-testid="continue-form"]`).Attr("action"); action != "/decisions/pcd-1682/continue" {
		t.Errorf("continue form posts to %q", action)
	}
	if so := dc.get("/decisions/pcd-1682/signoff"); so.status != http.StatusOK || !so.has(`[data-testid="continue-form"]`) {
		t.Errorf("PCD 1682's sign-off page for a drafter = %d, continue button shown %v", so.status, so.has(`[data-testid="continue-form"]`))
	}
	first := dc.post("/decisions/pcd-1682/continue", url.Values{}, http.StatusSeeOther)
	if first.location != "/decisions/pcd-1683/edit" {
		t.Fatalf("POST continue: Location %q, want PCD 1683's task list", first.location)
	}
	tasks := dc.get(first.location)
	if got := tasks.text(`[data-testid="saved-banner"]`); !strings.Contains(got, "You started PCD 1683, the next decision after PCD 1682") {
		t.Errorf("task list after starting says %q", got)
	}
	for sel, want := range map[string]string{
		`[data-testid="continued"] .govuk-notification-banner__heading`: "This draft was started from PCD 1682, the decision it continues.",
		`[data-testid="continued-copied"]`:                              "1 recommendation",
		`[data-testid="continued-funding"]`:                             "£2,755,000 – Home Office grant, 'up to', for an additional 12 months: amount kept, moved on a year from 2024-25 to 2025-26",
		`[data-testid="continued-not-copied"]`:                          "Sign-off, signature and dates",
		`[data-testid="continued-check"]`:                               "Each amount: it is PCD 1682’s, kept as it was",
	} {
		if got := tasks.text(sel); !strings.Contains(got, want) {
			t.Errorf("task list %s = %q, want it to say %q", sel, got, want)
		}
	}
	if got := tasks.text(`[data-testid="continued-copied"]`); !strings.Contains(got, "7 Part I sections: Introduction and background, Issues for consideration") ||
		!strings.Contains(got, "The funder: Home Office") || !strings.Contains(got, "A link saying this decision continues PCD 1682") {
		t.Errorf("copied list: %q", got)
	}
	if got := tasks.text(`[data-testid="draft-title"]`); got != "Alpha - Social Media Hub" {
		t.Errorf("draft title %q, want PCD 1682's", got)
	}
	check := dc.get("/decisions/pcd-1683/check")
	answers := check.text(`[data-testid="check-answers"]`)
	for _, want := range []string{"This paper seeks approval to accept Home Office (HO) grant funding",
		"(Grant accepted · 2025-26 · from Home Office · to Metropolitan Police Service)", "Continues PCD 1682"} {
		if !strings.Contains(answers, want) {
			t.Errorf("check your answers lacks %q:\n%s", want, answers)
		}
	}
	if strings.Contains(answers, "2024-25 ·") {
		t.Errorf("check your answers still has a line in 2024-25:\n%s", answers)
	}

	again := dc.post("/decisions/pcd-1682/continue", url.Values{}, http.StatusSeeOther)
	if again.location != first.location {
		t.Errorf("pressed again: Location %q, want %q", again.location, first.location)
	}
	if got := dc.get(again.location).text(`[data-testid="saved-banner"]`); !strings.Contains(got, "PCD 1683 already continues PCD 1682") ||
		!strings.Contains(got, "no second draft was made") {
		t.Errorf("task list after pressing again says %q", got)
	}
	if got := dc.get("/decisions/pcd-1682").text(`[data-testid="continue-open"]`); got != "PCD 1683 is already being drafted as the next decision in this chain." {
		t.Errorf("PCD 1682's page once continued: %q", got)
	}
	var n int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM decisions WHERE continued_from_id = (SELECT id FROM decisions WHERE slug = 'pcd-1682')`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d drafts continue PCD 1682 (%v), want 1", n, err)
	}
}

// TestContinuePermissions: only drafters see the button or may press it; a drafter outside the
// open continuation's team is told whose it is, not given a second; a draft is not continued.
func TestContinuePermissions(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "other@example.org", "Olive Other", store.Grants{Roles: []string{"drafter"}})
	s.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	s.User(t, "maker@example.org", "Mo Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	for _, who := range []string{"", "finance@example.org", "admin@example.org", "maker@example.org"} {
		c := s.client(t, who)
		for _, page := range []string{"/decisions/pcd-1682", "/decisions/pcd-1682/signoff"} {
			if c.get(page).has(`[data-testid="continue-form"]`) {
				t.Errorf("%q sees the continue button on %s", who, page)
			}
		}
		p := c.do(http.MethodPost, "/decisions/pcd-1682/continue", url.Values{})
		switch {
		case who == "" && (p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/sign-in")):
			t.Errorf("anonymous POST continue = %d to %q, want the sign-in page", p.status, p.location)
		case who != "" && p.status != http.StatusForbidden:
			t.Errorf("POST continue as %s = %d, want 403", who, p.status)
		}
	}
	dc := s.client(t, "drafter@example.org")
	dc.post("/decisions/pcd-1682/continue", url.Values{}, http.StatusSeeOther)
	other := s.client(t, "other@example.org")
	p := other.post("/decisions/pcd-1682/continue", url.Values{}, http.StatusConflict)
	if got := p.text("main"); !strings.Contains(got, "PCD 1683 already continues PCD 1682") || !strings.Contains(got, "Dana Drafter") {
		t.Errorf("another drafter pressing continue reads %q", got)
	}
	if p := dc.post("/decisions/pcd-1683/continue", url.Values{}, http.StatusConflict); !strings.Contains(p.text("main"), "Only a signed decision") {
		t.Errorf("continuing a draft reads %q", p.text("main"))
	}
	if dc.get("/decisions/pcd-1683").has(`[data-testid="continue-form"]`) {
		t.Error("a draft's page offers to continue it")
	}
	var n int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM decisions WHERE continued_from_id IS NOT NULL`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d continuation drafts (%v), want 1", n, err)
	}
}

// TestSeriesTemplates: an admin keeps a series' section templates (a text too long comes back
// with its error by its field and the input kept; a save is audited); the start form then
// offers "Start from the series template", which fills the draft's sections; ticked for a
// series with no template, the form says so by the box.
func TestSeriesTemplates(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	if err := s.Store.SetSeriesChain(t.Context(), store.System(time.Now()), "MD", []string{"finance"}); err != nil {
		t.Fatal(err)
	}
	dc := s.client(t, "drafter@example.org")
	if dc.get("/decisions/new").has("#template") {
		t.Error("the start form offers a template before any series has one")
	}
	ac := s.client(t, "admin@example.org")
	const path = "/admin/series/PCD/templates"
	if p := ac.get(path); p.status != http.StatusOK || !p.has(`label[for="template-legal-comments"]`) {
		t.Fatalf("GET %s = %d, without a Legal comments field", path, p.status)
	}
	if p := dc.get(path); p.status != http.StatusForbidden {
		t.Errorf("GET %s as a drafter = %d, want 403", path, p.status)
	}
	long := strings.Repeat("word ", 4001)
	bad := ac.post(path, url.Values{"template-legal-comments": {long}, "template-introduction-and-background": {"Kept as typed."}}, http.StatusUnprocessableEntity)
	if got := bad.text(`#template-legal-comments-error`); !strings.Contains(got, "Legal comments must be 20,000 characters or fewer: you have 20,004") {
		t.Errorf("a template too long: error by the field %q", got)
	}
	if href, _ := bad.doc.Find(`[data-testid="error-summary"] a`).Attr("href"); href != "#template-legal-comments" {
		t.Errorf("error summary links to %q", href)
	}
	if got := bad.value(`#template-introduction-and-background`); got != "Kept as typed." {
		t.Errorf("the other field after an error holds %q", got)
	}
	ok := ac.post(path, url.Values{"template-legal-comments": {"The legal powers are those of the 2011 Act."},
		"template-introduction-and-background": {"Why this decision is asked for."}}, http.StatusSeeOther)
	if ok.location != path {
		t.Errorf("saving templates leads to %q", ok.location)
	}
	if got := ac.get(path).text(`[data-testid="flash"]`); !strings.Contains(got, "The PCD section templates have been saved") {
		t.Errorf("after saving: %q", got)
	}
	var audited int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM audit_log WHERE event = 'section_templates_changed' AND actor = 'Ada Admin'`).Scan(&audited); err != nil || audited != 1 {
		t.Errorf("%d audit entries for the save (%v), want 1", audited, err)
	}

	form := dc.get("/decisions/new")
	if got := form.text(`label[for="template"]`); got != "Start from the series template" {
		t.Fatalf("start form's template box: %q", got)
	}
	wrong := dc.post("/decisions/new", url.Values{"series": {"MD"}, "title": {"Project Delta"}, "template": {"yes"}}, http.StatusUnprocessableEntity)
	if got := wrong.text(`#template-error`); !strings.Contains(got, "The MD series has no section template") {
		t.Errorf("template ticked for MD: error by the box %q", got)
	}
	if got := wrong.value(`#title`); got != "Project Delta" {
		t.Errorf("title after the error: %q", got)
	}
	if _, checked := wrong.doc.Find(`#template`).Attr("checked"); !checked {
		t.Error("the template box is unticked after the error")
	}
	p := dc.post("/decisions/new", url.Values{"series": {"PCD"}, "title": {"Project Delta"}, "template": {"yes"}}, http.StatusSeeOther)
	slug := strings.TrimSuffix(strings.TrimPrefix(p.location, "/decisions/"), "/edit")
	answers := dc.get("/decisions/" + slug + "/check").text(`[data-testid="check-answers"]`)
	for _, want := range []string{"Why this decision is asked for.", "The legal powers are those of the 2011 Act."} {
		if !strings.Contains(answers, want) {
			t.Errorf("a draft from the template lacks %q:\n%s", want, answers)
		}
	}
	plain := s.newDraft(t, dc, "Project Epsilon")
	if answers := dc.get("/decisions/" + plain + "/check").text(`[data-testid="check-answers"]`); strings.Contains(answers, "Why this decision is asked for.") {
		t.Error("a draft started without the template has its text")
	}
}

// TestContinuationLeavesPartTwoAndDocuments: the next decision after one with a Part II and a
// supporting document holds neither (the confidential text reaches no page of the draft), and
// its task list says both were left with the earlier decision.
func TestContinuationLeavesPartTwoAndDocuments(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	const secret = "CONFIDENTIAL-ADVICE-ON-1700"
	dbtest.Publish(t, s.Pool, func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(t.Context(), `INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed)
			VALUES ('PCD', 1700, 'PCD 1700', 'pcd-1700', 'With papers', 'A decision made for a test.', 'published', '2026-11-02') RETURNING id`).Scan(&id)
		if err != nil {
			return err
		}
		_, err = tx.Exec(t.Context(), `INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES
			($1, 1, 1, 'introduction_and_background', 'Introduction and background', 'The public reasons.'),
			($1, 2, 1, 'other', 'Confidential facts and advice', $2)`, id, secret)
		return err
	})
	s.Published(t, 1701, "With a paper", testsite.Doc{Name: "Paper", Body: []byte("a,b\n1,2\n")})
	dc := s.client(t, "drafter@example.org")
	p := dc.post("/decisions/pcd-1700/continue", url.Values{}, http.StatusSeeOther)
	slug := strings.TrimSuffix(strings.TrimPrefix(p.location, "/decisions/"), "/edit")
	if got := dc.get(p.location).text(`[data-testid="continued-not-copied"]`); !strings.Contains(got, "Part II (confidential facts and advice): its advice was given on PCD 1700") {
		t.Errorf("not copied: %q, without Part II", got)
	}
	withDoc := dc.post("/decisions/pcd-1701/continue", url.Values{}, http.StatusSeeOther)
	if got := dc.get(withDoc.location).text(`[data-testid="continued-not-copied"]`); !strings.Contains(got, "Supporting documents (1 document): they stay with PCD 1701") {
		t.Errorf("not copied: %q, without the document", got)
	}
	var docs int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM documents d JOIN decisions c ON c.id = d.decision_id
		WHERE c.continued_from_id IS NOT NULL`).Scan(&docs); err != nil || docs != 0 {
		t.Errorf("%d documents on continuations (%v), want none", docs, err)
	}
	for _, path := range []string{"/edit", "/check", "/edit/part-two", "/edit/documents", ""} {
		if pg := dc.get("/decisions/" + slug + path); strings.Contains(pg.body, secret) {
			t.Errorf("GET /decisions/%s%s shows PCD 1700's Part II", slug, path)
		}
	}
	var partTwo int
	if err := s.Pool.QueryRow(t.Context(), `SELECT count(*) FROM sections s JOIN decisions d ON d.id = s.decision_id
		WHERE d.slug = $1 AND s.part = 2`, slug).Scan(&partTwo); err != nil || partTwo != 0 {
		t.Errorf("the continuation holds %d Part II sections (%v), want none", partTwo, err)
	}
}
