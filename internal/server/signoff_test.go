package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// partTwoSecret is planted in every test decision's Part II: it must never reach the public.
const partTwoSecret = "CONFIDENTIAL-informant-budget-7731"

// chainSteps is the PCD chain, in order.
var chainSteps = []string{"head_of_unit", "finance", "legal", "equalities", "data_protection", "chief_executive"}

// signoffSite is a test site with a drafter, an adviser for each PCD step and a decision maker.
type signoffSite struct {
	*testsite.Site
	drafter  store.User
	advisers map[string]store.User // by step kind
	maker    store.User
}

func newSignoffSite(t *testing.T) *signoffSite {
	t.Helper()
	return newSignoffSiteWith(t, testsite.Options{})
}

func newSignoffSiteWith(t *testing.T, o testsite.Options) *signoffSite {
	t.Helper()
	site := testsite.NewWith(t, o)
	ss := &signoffSite{Site: site, advisers: map[string]store.User{}}
	ss.drafter = site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, k := range chainSteps {
		email := strings.ReplaceAll(k, "_", "-") + "@example.org"
		ss.advisers[k] = site.User(t, email, "Adviser "+k, store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}})
	}
	ss.maker = site.User(t, "dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return ss
}

// awaitingDecision makes a decision awaiting sign-off, with Part I and a secret Part II,
// drafted by the site's drafter unless others are named, and returns its slug.
func (ss *signoffSite) awaitingDecision(t *testing.T, number int, drafters ...store.User) string {
	t.Helper()
	if len(drafters) == 0 {
		drafters = []store.User{ss.drafter}
	}
	ids := make([]int64, len(drafters))
	for i, d := range drafters {
		ids[i] = d.ID
	}
	return testsite.AwaitingDecision(t, ss.Pool, number, partTwoSecret, ids...)
}

// hashOf is the decision's content hash now, as the store computes it.
func (ss *signoffSite) hashOf(t *testing.T, slug string) string {
	t.Helper()
	var id int64
	if err := ss.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := ss.Store.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return decision.ApprovedHash(c) // what the forms carry
}

// signedHashOf is the hash a signature of the decision records now: its content with the
// approvals (canonical version 4).
func (ss *signoffSite) signedHashOf(t *testing.T, slug string) string {
	t.Helper()
	var id int64
	if err := ss.Pool.QueryRow(context.Background(), `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	c, err := ss.Store.Content(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return decision.ContentHash(c)
}

// approveAll has every adviser approve, in order, through the store.
func (ss *signoffSite) approveAll(t *testing.T, slug string) {
	t.Helper()
	hash := ss.hashOf(t, slug)
	for _, k := range chainSteps {
		if err := ss.Store.Approve(context.Background(), ss.advisers[k].Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
}

func read(t *testing.T, resp *http.Response, err error) page {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	return page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(b), doc: doc}
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	return read(t, resp, err)
}

func post(t *testing.T, c *http.Client, u string, form url.Values) page {
	t.Helper()
	resp, err := c.PostForm(u, form)
	return read(t, resp, err)
}

// approveStep has an adviser read the sign-off page and approve the step it offers them.
func approveStep(t *testing.T, site *signoffSite, c *http.Client, slug string) page {
	t.Helper()
	p := get(t, c, site.URL+"/decisions/"+slug+"/signoff")
	if p.status != http.StatusOK {
		t.Fatalf("GET signoff = %d, want 200", p.status)
	}
	return post(t, c, site.URL+"/decisions/"+slug+"/signoff", url.Values{
		"decision": {"approve"}, "interests": {"none"}, "step": {p.value(`input[name=step]`)}, "content_hash": {p.value(`input[name=content_hash]`)},
	})
}

func TestSignoffJourney(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9001)
	base := site.URL + "/decisions/" + slug

	// Each adviser in turn finds their step on "Your work", reads the page and approves.
	for i, k := range chainSteps {
		c := site.Client(t, site.advisers[k].Email)
		work := get(t, c, site.URL+"/work")
		if got := work.text(`[data-testid=count-steps]`); got != "1" {
			t.Errorf("step %d (%s): GET /work steps waiting = %q, want 1", i+1, k, got)
		}
		p := get(t, c, base+"/signoff")
		if got := p.value(`input[name=step]`); got != k {
			t.Fatalf("step %d: the form offers step %q, want %q", i+1, got, k)
		}
		if !strings.Contains(p.body, partTwoSecret) {
			t.Errorf("step %d: the adviser does not see Part II on the sign-off page", i+1)
		}
		resp := approveStep(t, site, c, slug)
		if resp.status != http.StatusSeeOther || resp.header.Get("Location") != "/decisions/"+slug+"/signoff" {
			t.Fatalf("step %d: POST approve = %d %q, want 303 back to the sign-off page", i+1, resp.status, resp.header.Get("Location"))
		}
		after := get(t, c, base+"/signoff")
		if !strings.Contains(after.text(`[data-testid=flash]`), "You approved this step") {
			t.Errorf("step %d: no confirmation after approving", i+1)
		}
		if n := after.doc.Find(`[data-testid=signoff-step] .govuk-tag--green`).Length(); n != i+1 {
			t.Errorf("step %d: %d steps shown approved, want %d", i+1, n, i+1)
		}
	}

	// The decision maker sees it waiting for their signature, with Part II, and signs.
	dm := site.Client(t, site.maker.Email)
	if got := get(t, dm, site.URL+"/work").text(`[data-testid=count-signatures]`); got != "1" {
		t.Errorf("GET /work signatures waiting for the decision maker = %q, want 1", got)
	}
	p := get(t, dm, base+"/signoff")
	if p.doc.Find(`[data-testid=signer-form]`).Length() != 1 {
		t.Fatal("the decision maker has no signature form")
	}
	if !strings.Contains(p.body, partTwoSecret) {
		t.Error("the decision maker does not see Part II on the sign-off page")
	}
	shownHash := p.value(`input[name=content_hash]`)
	resp := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {shownHash}})
	if resp.status != http.StatusSeeOther {
		t.Fatalf("POST sign = %d, want 303: %s", resp.status, resp.text(`[data-testid=error-message], .govuk-error-summary`))
	}

	// The public sees the chain and the hash; the canonical bytes hash to it; verify agrees.
	anon := site.Client(t, "")
	pub := get(t, anon, base)
	if pub.status != http.StatusOK {
		t.Fatalf("GET %s anonymously after signing = %d, want 200", base, pub.status)
	}
	rows := pub.doc.Find(`[data-testid=signoff-chain] [data-testid=signoff-step]`)
	if rows.Length() != len(chainSteps)+1 {
		t.Errorf("public chain has %d rows, want %d", rows.Length(), len(chainSteps)+1)
	}
	last := strings.Join(strings.Fields(rows.Last().Text()), " ")
	for _, want := range []string{"Signature", "Deputy Mayor for Policing and Crime", "Sophie Signer", formatLondonDay(site.Clock.Now())} {
		if !strings.Contains(last, want) {
			t.Errorf("the signature row %q does not say %q", last, want)
		}
	}
	if first := rows.First().Text(); !strings.Contains(first, "Head of unit") || !strings.Contains(first, "Adviser head_of_unit") {
		t.Errorf("the first row %q is not the head of unit's approval", strings.Join(strings.Fields(first), " "))
	}
	hash := pub.text(`[data-testid=content-hash]`)
	if signed := site.signedHashOf(t, slug); hash != signed || shownHash != site.hashOf(t, slug) {
		t.Errorf("public hash %q, want the hash signed %q (the form carried %q, the content's without its approvals)", hash, signed, shownHash)
	}
	if strings.Contains(pub.body, partTwoSecret) {
		t.Error("Part II text is on the public page")
	}
	canon := get(t, anon, base+"/canonical")
	if ct := canon.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET canonical Content-Type = %q", ct)
	}
	sum := sha256.Sum256([]byte(canon.body))
	if got := hex.EncodeToString(sum[:]); got != hash {
		t.Errorf("sha256(GET canonical) = %s, want the page's hash %s", got, hash)
	}
	if strings.Contains(canon.body, partTwoSecret) || !strings.Contains(canon.body, `"part_two_sha256":"`) {
		t.Errorf("canonical bytes must carry Part II's hash and never its text: %s", canon.body)
	}
	v := get(t, anon, base+"/verify")
	if res := v.doc.Find(`[data-testid=verify-result]`); res.AttrOr("data-matches", "") != "true" ||
		!strings.Contains(res.Text(), "matches what was signed") {
		t.Errorf("GET verify = %d %q, want it to say the content matches", v.status, strings.TrimSpace(res.Text()))
	}
	if v.text(`[data-testid=signed-hash]`) != hash {
		t.Errorf("verify shows signed hash %q, want %q", v.text(`[data-testid=signed-hash]`), hash)
	}

	// Staff see the timeline; the Part II reads were audited.
	staffPage := get(t, dm, base)
	titles := staffPage.text(`[data-testid=timeline]`)
	for _, want := range []string{"Approved: Finance", "Signed", "Published", "Part II read"} {
		if !strings.Contains(titles, want) {
			t.Errorf("staff timeline lacks %q", want)
		}
	}
	if pub.doc.Find(`[data-testid=timeline]`).Length() != 0 {
		t.Error("the public sees the timeline")
	}
	var reads, signatures int
	_ = site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE event = 'part_two_read'`).Scan(&reads)
	_ = site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM signatures WHERE kind = 'signed'`).Scan(&signatures)
	if reads == 0 || signatures != 1 {
		t.Errorf("part_two_read entries = %d, signatures = %d; want some and 1", reads, signatures)
	}
	if rep, err := site.Store.VerifyAuditChain(context.Background()); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain after the journey: %+v, %v", rep, err)
	}
}

func formatLondonDay(t time.Time) string {
	loc, _ := time.LoadLocation("Europe/London")
	return t.In(loc).Format("2 January 2006")
}

func TestSignoffRefusals(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	// The drafter is also an adviser, and one adviser clears two kinds of step.
	drafterAdviser := site.User(t, "both@example.org", "Bo Both", store.Grants{Roles: []string{"drafter", "adviser"}, StepKinds: []string{"head_of_unit"}})
	twoSteps := site.User(t, "two@example.org", "Tu Steps", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"head_of_unit", "finance"}})
	slug := site.awaitingDecision(t, 9002, site.drafter, drafterAdviser)
	base := site.URL + "/decisions/" + slug
	hash := site.hashOf(t, slug)
	tryStep := func(c *http.Client, step, h string) page {
		return post(t, c, base+"/signoff", url.Values{"decision": {"approve"}, "interests": {"none"}, "step": {step}, "content_hash": {h}})
	}

	// Out of order: finance cannot approve before the head of unit.
	fin := site.Client(t, site.advisers["finance"].Email)
	if p := get(t, fin, base+"/signoff"); p.doc.Find(`[data-testid=adviser-form]`).Length() != 0 {
		t.Error("finance is offered a form before the head of unit has approved")
	}
	if p := tryStep(fin, "finance", hash); p.status != http.StatusForbidden || !strings.Contains(p.body, "not the next one") {
		t.Errorf("finance approving out of order = %d, want 403 saying it is not the next step", p.status)
	}

	// A drafter cannot approve, even holding the adviser role for the step.
	both := site.Client(t, drafterAdviser.Email)
	if p := tryStep(both, "head_of_unit", hash); p.status != http.StatusForbidden || !strings.Contains(p.body, "You wrote part of this decision") {
		t.Errorf("a drafter approving = %d, want 403 with the reason", p.status)
	}

	// A stale hash is a conflict, and nothing is recorded.
	two := site.Client(t, twoSteps.Email)
	if p := tryStep(two, "head_of_unit", strings.Repeat("0", 64)); p.status != http.StatusConflict {
		t.Errorf("approving with a stale hash = %d, want 409", p.status)
	}
	// The same person cannot clear two steps.
	if p := tryStep(two, "head_of_unit", hash); p.status != http.StatusSeeOther {
		t.Fatalf("head of unit approval = %d, want 303", p.status)
	}
	if p := tryStep(two, "finance", hash); p.status != http.StatusForbidden || !strings.Contains(p.body, "one person clears one step") {
		t.Errorf("the same person clearing a second step = %d, want 403", p.status)
	}
	// Their sign-off page says why, where they meet the rule; the adviser for the step is told nothing of it.
	if p := get(t, two, base+"/signoff"); !strings.Contains(p.text(`[data-testid=why-not]`), "you have already cleared the head of unit step") ||
		!strings.Contains(p.text(`[data-testid=why-not]`), "Each step must be cleared by a different person") || p.has(`[data-testid=adviser-form]`) {
		t.Errorf("the sign-off page of an adviser who cleared the step before = %q, want the one-step rule in words", p.text(`[data-testid=why-not]`))
	}
	if p := get(t, fin, base+"/signoff"); p.has(`[data-testid=why-not]`) || !p.has(`[data-testid=adviser-form]`) {
		t.Error("the finance adviser who may clear the step is told why they may not")
	}
	// Someone edits the text after finance opened the page: finance's approval is refused.
	p := get(t, fin, base+"/signoff")
	if _, err := site.Pool.Exec(context.Background(), `UPDATE decisions SET summary = 'Changed.' WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	resp := post(t, fin, base+"/signoff", url.Values{"decision": {"approve"}, "interests": {"none"}, "step": {"finance"}, "content_hash": {p.value(`input[name=content_hash]`)}})
	if resp.status != http.StatusConflict || !strings.Contains(resp.text(`[data-testid=error-heading]`), "changed after you opened it") {
		t.Errorf("approving text that changed since = %d, want 409", resp.status)
	}

	// The decision maker cannot sign before every step has approved.
	dm := site.Client(t, site.maker.Email)
	if p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {site.hashOf(t, slug)}}); p.status != http.StatusForbidden {
		t.Errorf("signing before the chain is done = %d, want 403", p.status)
	}
	// Signed out, the sign-off pages lead to sign-in.
	anon := site.Client(t, "")
	if p := get(t, anon, base+"/signoff"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/sign-in?next=") {
		t.Errorf("GET signoff signed out = %d %q, want 303 to sign-in", p.status, p.header.Get("Location"))
	}
	if p := get(t, anon, base); p.status != http.StatusNotFound {
		t.Errorf("GET an unsigned decision anonymously = %d, want 404", p.status)
	}
	for _, path := range []string{"/canonical", "/verify"} {
		if p := get(t, anon, base+path); p.status != http.StatusNotFound {
			t.Errorf("GET %s of an unsigned decision anonymously = %d, want 404", path, p.status)
		}
	}
}

func TestReturnWithComment(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9003)
	base := site.URL + "/decisions/" + slug
	hou := site.Client(t, site.advisers["head_of_unit"].Email)
	p := get(t, hou, base+"/signoff")
	form := url.Values{"decision": {"return"}, "step": {"head_of_unit"}, "content_hash": {p.value(`input[name=content_hash]`)}}

	// Returning without a comment is a form error; the choice is kept.
	bad := post(t, hou, base+"/signoff", form)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(`[data-testid=error-summary]`), "Enter why you are returning the decision") {
		t.Fatalf("return without a comment = %d, want 422 with the error summary", bad.status)
	}
	if _, ok := bad.doc.Find(`input[name=decision][value=return]`).Attr("checked"); !ok {
		t.Error("the choice to return is not kept after the error")
	}

	form.Set("comment", "The funding table does not match paragraph 2.")
	if p := post(t, hou, base+"/signoff", form); p.status != http.StatusSeeOther {
		t.Fatalf("return with a comment = %d, want 303", p.status)
	}
	var status string
	_ = site.Pool.QueryRow(context.Background(), `SELECT status FROM decisions WHERE slug = $1`, slug).Scan(&status)
	if status != decision.StatusDraft {
		t.Errorf("status after return = %q, want draft", status)
	}
	work := get(t, site.Client(t, site.drafter.Email), site.URL+"/work")
	if got := work.text(`[data-testid=count-drafts]`); got != "1" {
		t.Errorf("drafter's drafts count = %q, want 1", got)
	}
	if got := work.text(`[data-testid=returned-comment]`); got != "The funding table does not match paragraph 2." {
		t.Errorf("drafter's /work returned comment = %q", got)
	}
	if !strings.Contains(work.text(`[data-testid=returned]`), "Adviser head_of_unit") {
		t.Error("the return does not say who returned it")
	}
}

func TestDeferredPublication(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9004)
	base := site.URL + "/decisions/" + slug
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	p := get(t, dm, base+"/signoff")
	loc, _ := time.LoadLocation("Europe/London")
	tomorrow := site.Clock.Now().In(loc).AddDate(0, 0, 1)
	form := url.Values{"interests": {"declared"}, "interests_detail": {""}, "outcome": {"approve"}, "publication": {"defer"},
		"publish_day": {"31"}, "publish_month": {"2"}, "publish_year": {"2027"}, "content_hash": {p.value(`input[name=content_hash]`)}}

	bad := post(t, dm, base+"/sign", form)
	summary := bad.text(`[data-testid=error-summary]`)
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("signing with missing answers = %d, want 422", bad.status)
	}
	for _, want := range []string{"Enter the interests you declare", "must be a real date", "Enter why publication is deferred",
		"Enter the ground for deferring publication", "Enter the public interest note"} {
		if !strings.Contains(summary, want) {
			t.Errorf("error summary %q lacks %q", summary, want)
		}
	}
	if bad.value(`#publish-date-day`) != "31" {
		t.Error("the day typed is not kept")
	}

	form.Set("interests_detail", "My partner chairs a charity that may bid.")
	form.Set("publish_day", fmt.Sprint(tomorrow.Day()))
	form.Set("publish_month", fmt.Sprint(int(tomorrow.Month())))
	form.Set("publish_year", fmt.Sprint(tomorrow.Year()))
	form.Set("deferral_reason", "Embargoed until the Home Office announcement.")
	form.Set("ground", "s.22")
	form.Set("public_interest", "The Home Office announces the grant first.")
	if p := post(t, dm, base+"/sign", form); p.status != http.StatusSeeOther {
		t.Fatalf("signing with a deferral = %d, want 303: %s", p.status, p.text(`[data-testid=error-summary], [data-testid=error-message]`))
	}
	anon := site.Client(t, "")
	if p := get(t, anon, base); p.status != http.StatusNotFound {
		t.Errorf("GET a deferred decision anonymously before its date = %d, want 404", p.status)
	}
	if p := get(t, anon, base+"/canonical"); p.status != http.StatusNotFound {
		t.Errorf("GET canonical of a deferred decision anonymously = %d, want 404", p.status)
	}
	staff := get(t, dm, base)
	if got := staff.text(`[data-testid=staff-note]`); !strings.Contains(got, "Publication deferred until "+tomorrow.Format("2 January 2006")) {
		t.Errorf("staff see %q, want the deferral date", got)
	}
	if n, err := site.Store.ReleaseDue(context.Background(), site.Clock.Now()); err != nil || n != 0 {
		t.Errorf("ReleaseDue before the date = %d, %v; want 0", n, err)
	}

	// The date comes: the public sees it with no one acting and no restart.
	site.Clock.Advance(48 * time.Hour)
	pub := get(t, anon, base)
	if pub.status != http.StatusOK {
		t.Fatalf("GET a deferred decision anonymously after its date = %d, want 200", pub.status)
	}
	if pub.doc.Find(`[data-testid=staff-note]`).Length() != 0 {
		t.Error("the public sees the deferral note")
	}
	if !strings.Contains(pub.text(`[data-testid=interests]`), "My partner chairs a charity") {
		t.Errorf("public declaration of interests = %q", pub.text(`[data-testid=interests]`))
	}
	// The release is recorded once, whichever instance runs it.
	n, err := site.Store.ReleaseDue(context.Background(), site.Clock.Now())
	if err != nil || n != 1 {
		t.Fatalf("ReleaseDue after the date = %d, %v; want 1", n, err)
	}
	if n, _ := site.Store.ReleaseDue(context.Background(), site.Clock.Now()); n != 0 {
		t.Errorf("a second ReleaseDue released %d, want 0", n)
	}
	var status string
	var released int
	_ = site.Pool.QueryRow(context.Background(), `SELECT status FROM decisions WHERE slug = $1`, slug).Scan(&status)
	_ = site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE event = 'released'`).Scan(&released)
	if status != decision.StatusPublished || released != 1 {
		t.Errorf("after release: status %q, released entries %d; want published, 1", status, released)
	}
}

func TestFiftySimultaneousSignatures(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9005)
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	form := url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {site.hashOf(t, slug)}}
	const n = 50
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			resp, err := dm.PostForm(site.URL+"/decisions/"+slug+"/sign", form)
			if err != nil {
				t.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	close(start)
	wg.Wait()
	counts := map[int]int{}
	for _, s := range statuses {
		counts[s]++
	}
	t.Logf("fifty signatures: %v", counts)
	if counts[http.StatusSeeOther] != 1 || counts[http.StatusSeeOther]+counts[http.StatusForbidden]+counts[http.StatusConflict] != n {
		t.Errorf("fifty signatures: statuses %v, want one 303 and the rest 403 or 409", counts)
	}
	var signatures, signed int
	_ = site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM signatures s JOIN decisions d ON d.id = s.decision_id WHERE d.slug = $1`, slug).Scan(&signatures)
	_ = site.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE event = 'signed'`).Scan(&signed)
	if signatures != 1 || signed != 1 {
		t.Errorf("signatures rows = %d, signed audit entries = %d; want 1 and 1", signatures, signed)
	}
}

func TestImportedDecisionProof(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	anon := site.Client(t, "")
	p := get(t, anon, site.URL+"/decisions/pcd-1682")
	if got := p.text(`[data-testid=imported]`); got != "Signed before this register existed; its content was recorded on import." {
		t.Errorf("PCD 1682 import note = %q", got)
	}
	hash := p.text(`[data-testid=content-hash]`)
	canon := get(t, anon, site.URL+"/decisions/pcd-1682/canonical")
	sum := sha256.Sum256([]byte(canon.body))
	if hex.EncodeToString(sum[:]) != hash || hash == "" {
		t.Errorf("sha256(canonical of PCD 1682) does not equal its shown hash %q", hash)
	}
	v := get(t, anon, site.URL+"/decisions/pcd-1682/verify")
	if v.doc.Find(`[data-testid=verify-result]`).AttrOr("data-matches", "") != "true" {
		t.Errorf("verify PCD 1682: %q", v.text(`[data-testid=verify-result]`))
	}
}

func TestRejectionAndPastDeferral(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9006)
	base := site.URL + "/decisions/" + slug
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	hash := get(t, dm, base+"/signoff").value(`input[name=content_hash]`)
	yesterday := site.Clock.Now().AddDate(0, 0, -1)
	past := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"defer"},
		"publish_day": {fmt.Sprint(yesterday.Day())}, "publish_month": {fmt.Sprint(int(yesterday.Month()))},
		"publish_year": {fmt.Sprint(yesterday.Year())}, "deferral_reason": {"Embargo."}, "content_hash": {hash}})
	if past.status != http.StatusUnprocessableEntity || !strings.Contains(past.text(`[data-testid=error-summary]`), "must be in the future") {
		t.Errorf("deferring to yesterday = %d, want 422 saying the date must be in the future", past.status)
	}
	if p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"reject"}, "rejection_reason": {"Not value for money."}, "content_hash": {hash}}); p.status != http.StatusSeeOther {
		t.Fatalf("rejecting = %d, want 303", p.status)
	}
	after := get(t, dm, base+"/signoff")
	if got := after.text(`[data-testid=status]`); got != "Rejected" {
		t.Errorf("status after rejection = %q, want Rejected", got)
	}
	if !strings.Contains(after.text(`[data-testid=flash]`), "You rejected the decision") {
		t.Error("no confirmation of the rejection")
	}
	if p := get(t, site.Client(t, ""), base); p.status != http.StatusNotFound {
		t.Errorf("GET a rejected decision anonymously = %d, want 404", p.status)
	}
	if p := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {hash}}); p.status != http.StatusForbidden {
		t.Errorf("signing a rejected decision = %d, want 403", p.status)
	}
}
