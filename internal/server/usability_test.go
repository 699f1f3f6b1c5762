package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// has reports whether the page has an element matching sel.
func (p page) has(sel string) bool { return p.doc.Find(sel).Length() > 0 }

func (p page) attr(sel, name string) string {
	v, _ := p.doc.Find(sel).Attr(name)
	return v
}

func TestWorkShowsWhatEachRoleDoes(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	tests := []struct {
		email                               string
		start, steps, signatures, adminLink bool
	}{
		{site.drafter.Email, true, false, false, false},
		{site.advisers["finance"].Email, false, true, false, false},
		{site.maker.Email, false, false, true, false},
		{"admin@example.org", false, false, false, true},
	}
	for _, tt := range tests {
		p := get(t, site.Client(t, tt.email), site.URL+"/work")
		if p.status != http.StatusOK {
			t.Fatalf("%s: GET /work = %d, want 200", tt.email, p.status)
		}
		if got := p.has(`[data-testid=start-decision]`); got != tt.start {
			t.Errorf("%s: Start a decision shown = %t, want %t", tt.email, got, tt.start)
		} else if got && p.attr(`[data-testid=start-decision]`, "href") != "/decisions/new" {
			t.Errorf("%s: Start a decision goes to %q, want /decisions/new", tt.email, p.attr(`[data-testid=start-decision]`, "href"))
		}
		if got := p.has(`#steps`); got != tt.steps {
			t.Errorf("%s: Steps waiting for you shown = %t, want %t", tt.email, got, tt.steps)
		}
		if got := p.has(`#signatures`); got != tt.signatures {
			t.Errorf("%s: Waiting for your signature shown = %t, want %t", tt.email, got, tt.signatures)
		}
		if got := p.has(`[data-testid=admin-link]`); got != tt.adminLink {
			t.Errorf("%s: admin link shown = %t, want %t", tt.email, got, tt.adminLink)
		}
		if p.attr(`[data-testid=change-password]`, "href") != "/account/password" {
			t.Errorf("%s: no Change your password link on /work", tt.email)
		}
		// Found in a walk-through: a second factor could be set up only when an admin required one.
		if p.attr(`[data-testid=second-factor-link]`, "href") != "/account/two-factor" {
			t.Errorf("%s: no link to the second factor on /work", tt.email)
		}
	}
}

func TestDraftingTeamFindsTheTaskList(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9101)
	edit := "/decisions/" + slug + "/edit"
	drafter := site.Client(t, site.drafter.Email)
	adviser := site.Client(t, site.advisers["head_of_unit"].Email)

	// While it awaits sign-off, its team has a way to change it; an adviser does not.
	for _, path := range []string{"/decisions/" + slug, "/decisions/" + slug + "/signoff"} {
		if got := get(t, drafter, site.URL+path).attr(`[data-testid=change-decision]`, "href"); got != edit {
			t.Errorf("GET %s as its drafter: Change this decision = %q, want %q", path, got, edit)
		}
		if get(t, adviser, site.URL+path).has(`[data-testid=change-decision]`) {
			t.Errorf("GET %s as an adviser shows Change this decision", path)
		}
	}
	tasks := get(t, drafter, site.URL+edit)
	if got := tasks.text(`[data-testid=waiting-for]`); !strings.Contains(got, "Waiting for approval at the head of unit step") {
		t.Errorf("the submitted draft's task list says %q, want whom it waits for", got)
	}

	// Returned, it is on the drafter's work with a link to its task list.
	p := get(t, adviser, site.URL+"/decisions/"+slug+"/signoff")
	resp := post(t, adviser, site.URL+"/decisions/"+slug+"/signoff", url.Values{"decision": {"return"},
		"comment": {"Add the costs."}, "step": {"head_of_unit"}, "content_hash": {p.value(`input[name=content_hash]`)}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("POST return = %d, want 303", resp.status)
	}
	work := get(t, drafter, site.URL+"/work")
	if got := work.attr(`[data-testid=drafts] [data-testid=edit-draft]`, "href"); got != edit {
		t.Errorf("GET /work: the returned draft links to %q, want its task list %q", got, edit)
	}
	if got := get(t, drafter, site.URL+"/decisions/"+slug).attr(`[data-testid=change-decision]`, "href"); got != edit {
		t.Errorf("the returned draft's page: Change this decision = %q, want %q", got, edit)
	}
}

// publish has every step approve and the decision maker sign and publish now.
func (ss *signoffSite) publish(t *testing.T, slug string) {
	t.Helper()
	ss.approveAll(t, slug)
	err := ss.Store.Sign(context.Background(), ss.maker.Act(ss.Clock.Now()), slug, store.SignInput{
		Outcome: store.OutcomeApproved, Interests: store.InterestsNone, PublishAt: ss.Clock.Now(), SeenHash: ss.hashOf(t, slug)})
	if err != nil {
		t.Fatalf("sign %s: %v", slug, err)
	}
}

func TestPublicPageSaysAPartTwoExists(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	with, without := site.awaitingDecision(t, 9201), site.awaitingDecision(t, 9202)
	if _, err := site.Pool.Exec(context.Background(),
		`DELETE FROM sections WHERE part = 2 AND decision_id = (SELECT id FROM decisions WHERE slug = $1)`, without); err != nil {
		t.Fatal(err)
	}
	site.publish(t, with)
	site.publish(t, without)
	anon := site.Client(t, "")
	const sentence = "This decision has a confidential Part II, which is not published."
	p := get(t, anon, site.URL+"/decisions/"+with)
	if got := p.text(`[data-testid=part-two-withheld]`); got != sentence {
		t.Errorf("public page with a Part II says %q, want %q", got, sentence)
	}
	if strings.Contains(p.body, partTwoSecret) || strings.Contains(p.body, "Confidential facts and advice") {
		t.Error("the public page shows Part II's text or heading")
	}
	if get(t, anon, site.URL+"/decisions/"+without).has(`[data-testid=part-two-withheld]`) {
		t.Error("a decision without a Part II says it has one")
	}
	team := get(t, site.Client(t, site.drafter.Email), site.URL+"/decisions/"+with)
	if team.has(`[data-testid=part-two-withheld]`) || !strings.Contains(team.body, partTwoSecret) {
		t.Error("its drafting team should read Part II itself, not the sentence")
	}
}

func TestRejectionNeedsAReasonAndIsNotASigningDate(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9301)
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	base := site.URL + "/decisions/" + slug
	form := get(t, dm, base+"/signoff")
	labels := form.text(`[data-testid=signer-form] .govuk-radios__label`)
	if !strings.Contains(labels, "Sign and approve") || !strings.Contains(labels, "Reject") {
		t.Errorf("the decision maker's choices are %q, want Sign and approve and Reject", labels)
	}
	hash := form.value(`input[name=content_hash]`)
	p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"reject"}, "content_hash": {hash}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`#rejection-reason-error`), "Enter why you are rejecting the decision") {
		t.Fatalf("POST reject without a reason = %d (%q), want 422 asking for one", p.status, p.text(`#rejection-reason-error`))
	}
	const reason = "The costs are not justified."
	p = post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"reject"}, "rejection_reason": {reason}, "content_hash": {hash}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST reject = %d, want 303", p.status)
	}
	var dateSigned *time.Time
	var signedAt time.Time
	err := site.Pool.QueryRow(context.Background(), `SELECT d.date_signed, g.signed_at FROM decisions d
		JOIN signatures g ON g.decision_id = d.id WHERE d.slug = $1`, slug).Scan(&dateSigned, &signedAt)
	if err != nil {
		t.Fatal(err)
	}
	if dateSigned != nil {
		t.Errorf("a rejected decision has date_signed %v, want none", dateSigned)
	}
	staff := get(t, dm, base)
	if staff.has(`[data-testid=date-signed]`) {
		t.Errorf("a rejected decision shows Date signed %q", staff.text(`[data-testid=date-signed]`))
	}
	want := "Rejected on " + formatLondonDay(signedAt) + ". Reason: The costs are not justified."
	if got := staff.text(`[data-testid=staff-note]`); got != want {
		t.Errorf("staff see %q, want %q", got, want)
	}
	work := get(t, site.Client(t, site.drafter.Email), site.URL+"/work")
	if got := work.text(`[data-testid=rejected-reason]`); got != reason {
		t.Errorf("the drafter's work shows the rejection reason %q, want %q", got, reason)
	}
	var detail string
	if err := site.Pool.QueryRow(context.Background(), `SELECT detail FROM audit_log WHERE event = 'rejected'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, reason) {
		t.Errorf("the rejection's audit detail %s lacks the reason", detail)
	}
}

func TestDeferredDecisionIsPublishedWhenReleased(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9401)
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	base := site.URL + "/decisions/" + slug
	day := site.Clock.Now().AddDate(0, 0, 3)
	p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"defer"},
		"publish_day": {day.Format("2")}, "publish_month": {day.Format("1")}, "publish_year": {day.Format("2006")},
		"deferral_reason": {"Awaiting the grant letter"}, "ground": {"s.22"}, "public_interest": {"The grant letter comes first."},
		"content_hash": {site.hashOf(t, slug)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST sign deferred = %d, want 303", p.status)
	}
	datePublished := func() *time.Time {
		var d *time.Time
		if err := site.Pool.QueryRow(context.Background(), `SELECT date_published FROM decisions WHERE slug = $1`, slug).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := datePublished(); d != nil {
		t.Errorf("a deferred decision has date_published %v before it is published", d)
	}
	staff := get(t, dm, base)
	want := "Publication deferred until " + day.Format("2 January 2006") + ". Reason: Awaiting the grant letter."
	if got := staff.text(`[data-testid=staff-note]`); got != want {
		t.Errorf("staff see %q, want %q", got, want)
	}
	if got := staff.text(`[data-testid=date-published]`); strings.Contains(got, day.Format("2 January 2006")) && !strings.Contains(got, "deferred") {
		t.Errorf("staff see Date published %q before it is published", got)
	}
	site.Clock.Advance(4 * 24 * time.Hour)
	if n, err := site.Store.ReleaseDue(context.Background(), site.Clock.Now()); err != nil || n != 1 {
		t.Fatalf("ReleaseDue = %d, %v; want 1", n, err)
	}
	if d := datePublished(); d == nil || d.Format("2006-01-02") != day.Format("2006-01-02") {
		t.Errorf("after release date_published = %v, want %s", d, day.Format("2006-01-02"))
	}
}

func TestSignoffPageReadsBeforeItAsks(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9501)
	if _, err := site.Pool.Exec(context.Background(), `INSERT INTO funding_lines (decision_id, position, amount_pence, kind, basis, fy_start, fy_end, label, funder_id, recipient_id)
		SELECT id, 2, 100000000, 'context', 'per_year', 2022, 2023, 'Earlier years'' grant',
			(SELECT id FROM organisations WHERE name = 'Home Office'), (SELECT id FROM organisations WHERE name = 'Metropolitan Police Service')
		FROM decisions WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, site.advisers["head_of_unit"].Email)
	p := get(t, c, site.URL+"/decisions/"+slug+"/signoff")
	text, form := strings.Index(p.body, `id="decision-text"`), strings.Index(p.body, `data-testid="adviser-form"`)
	if text < 0 || form < 0 || form < text {
		t.Errorf("the adviser's form is at %d and the decision text at %d: the form should come after the text", form, text)
	}
	if p.attr(`[data-testid=read-first] a`, "href") != "#your-decision" {
		t.Error("no link from the top of the page to the form")
	}
	hash := p.value(`input[name=content_hash]`)
	if got := p.text(`#decision-text + p`); !strings.Contains(got, "of the text below: "+hash) {
		t.Errorf("the hash line reads %q, want a space before the hash", got)
	}
	lines := p.doc.Find(`[data-testid=signoff-funding-line]`)
	if lines.Length() != 2 {
		t.Fatalf("%d funding lines, want 2", lines.Length())
	}
	for i, want := range []string{"Grant accepted: £2,755,000 in total", "Quoted for comparison: £1,000,000 a year"} {
		got := strings.Join(strings.Fields(lines.Eq(i).Text()), " ")
		if !strings.Contains(got, want) {
			t.Errorf("funding line %d reads %q, want it to say %q", i+1, got, want)
		}
	}
	// Who gives and who receives are in what is approved, so the approver reads them here too.
	if got := lines.Eq(1).Find(`[data-testid=funding-parties]`).Text(); got != "from Home Office · to Metropolitan Police Service" {
		t.Errorf("the funding line names its parties as %q", got)
	}
	if !strings.Contains(lines.Eq(1).Text(), "does not count towards its total") {
		t.Error("the comparison figure does not say it is not money accepted")
	}
}

func TestTimelineInWords(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9601)
	ctx := context.Background()
	var id int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"title,summary", "part_one:other", "part_two", "funding"} {
		if err := site.Store.Audit(ctx, site.drafter.Act(site.Clock.Now()), id, store.EventEdited, map[string]string{"fields": f}); err != nil {
			t.Fatal(err)
		}
	}
	drafter := site.Client(t, site.drafter.Email)
	var p page
	for range 3 { // each reading of the page with Part II in it is audited
		p = get(t, drafter, site.URL+"/decisions/"+slug)
	}
	tl := p.text(`[data-testid=timeline]`)
	for _, want := range []string{"Changed: Title and summary", "Changed: Part I: Other information", "Changed: Part II", "Changed: Funding"} {
		if !strings.Contains(tl, want) {
			t.Errorf("the timeline lacks %q: %s", want, tl)
		}
	}
	if strings.Contains(tl, "part_one") || strings.Contains(tl, "title,summary") {
		t.Errorf("the timeline shows internal names: %s", tl)
	}
	reads := 0
	p.doc.Find(`[data-testid=timeline-item] h3`).Each(func(_ int, h *goquery.Selection) {
		if strings.HasPrefix(h.Text(), "Part II read") {
			reads++
			if got := h.Text(); got != "Part II read 3 times" {
				t.Errorf("the readings are shown as %q, want one line: Part II read 3 times", got)
			}
		}
	})
	if reads != 1 {
		t.Errorf("%d lines for Part II readings, want 1", reads)
	}
	var n int
	if err := site.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = 'part_two_read' AND decision_id = $1`, id).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d readings in the audit trail (%v), want all 3 kept", n, err)
	}
}

func TestSignedDecisionLinksToItsPublicPage(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9701)
	site.publish(t, slug)
	p := get(t, site.Client(t, site.maker.Email), site.URL+"/decisions/"+slug+"/signoff")
	if got := p.attr(`[data-testid=public-link]`, "href"); got != "/decisions/"+slug {
		t.Errorf("the signed decision's sign-off page links to %q, want its public page", got)
	}
}

func TestChangeYourPassword(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	u := site.User(t, "ann@example.org", "Ann A", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance"}})
	c := site.Client(t, u.Email)
	if p := get(t, c, site.URL+"/account/password"); p.status != http.StatusOK || !p.has(`[data-testid=password-form]`) {
		t.Fatalf("GET /account/password = %d, want 200 with the form", p.status)
	}
	const fresh = "purple elephant tango 42"
	bad := []struct {
		name  string
		form  url.Values
		field string
	}{
		{"empty", url.Values{}, "current-password"},
		{"wrong current", url.Values{"current_password": {"nope nope nope"}, "new_password": {fresh}, "confirm_password": {fresh}}, "current-password"},
		{"short", url.Values{"current_password": {testsite.Password}, "new_password": {"short"}, "confirm_password": {"short"}}, "new-password"},
		{"mismatch", url.Values{"current_password": {testsite.Password}, "new_password": {fresh}, "confirm_password": {fresh + "x"}}, "confirm-password"},
	}
	for _, tt := range bad {
		p := post(t, c, site.URL+"/account/password", tt.form)
		if p.status != http.StatusUnprocessableEntity || !p.has("#"+tt.field+"-error") {
			t.Errorf("%s: POST = %d, want 422 with an error on %s", tt.name, p.status, tt.field)
		}
	}
	elsewhere := site.Client(t, u.Email) // the same person signed in on another device
	before := sessionCookies(c.Jar.Cookies(mustURL(t, site.URL)))
	p := post(t, c, site.URL+"/account/password", url.Values{"current_password": {testsite.Password}, "new_password": {fresh}, "confirm_password": {fresh}})
	if p.status != http.StatusSeeOther || p.location != "/account/password" {
		t.Fatalf("POST change = %d %q, want 303 to /account/password", p.status, p.location)
	}
	after := sessionCookies(c.Jar.Cookies(mustURL(t, site.URL)))
	if len(before) != 1 || len(after) != 1 || before[0].Value == after[0].Value {
		t.Error("the session token did not change with the password")
	}
	if got := get(t, c, site.URL+"/account/password").text(`[data-testid=flash]`); !strings.Contains(got, "Your password has been changed") {
		t.Errorf("after changing: flash %q", got)
	}
	if p := get(t, c, site.URL+"/work"); p.status != http.StatusOK {
		t.Errorf("GET /work after changing the password = %d, want 200 (still signed in)", p.status)
	}
	if p := get(t, elsewhere, site.URL+"/work"); p.status != http.StatusSeeOther {
		t.Errorf("GET /work in the person's other session after the change = %d, want 303 to sign in again", p.status)
	}
	signIn := func(pw string) int {
		return post(t, site.Client(t, ""), site.URL+"/sign-in", url.Values{"email": {u.Email}, "password": {pw}}).status
	}
	if got := signIn(testsite.Password); got != http.StatusUnprocessableEntity {
		t.Errorf("sign in with the old password = %d, want 422", got)
	}
	if got := signIn(fresh); got != http.StatusSeeOther {
		t.Errorf("sign in with the new password = %d, want 303", got)
	}
	// The site's hasher (server.Deps.Passwords) made the new hash: the test's cheap one, not a
	// production hash costing 64 MiB under -race at every sign-in that follows.
	const cheap = "$argon2id$v=19$m=64,t=1,p=1$"
	var hash string
	if err := site.Pool.QueryRow(context.Background(), `SELECT password_hash FROM users WHERE id = $1`, u.ID).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, cheap) {
		t.Errorf("the changed password's hash is %.30s..., want the site's cheap %s", hash, cheap)
	}
	var detail string
	if err := site.Pool.QueryRow(context.Background(),
		`SELECT detail FROM audit_log WHERE event = 'user_changed' AND actor_id = $1`, u.ID).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, `"change":"password"`) || strings.Contains(detail, "argon2") {
		t.Errorf("audit detail %s, want the change named and no hash", detail)
	}
	if p := get(t, site.Client(t, ""), site.URL+"/account/password"); p.status != http.StatusSeeOther {
		t.Errorf("GET /account/password signed out = %d, want 303 to sign in", p.status)
	}
}
