package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
)

// TestCorrectionSendAndReturn: a correction stays with its drafter until they check it and
// send it for approval; until then no approver can approve or return it. Once sent it cannot
// change. An approver returns it with a comment (a comment is required, its error by the
// field); the drafter reads the comment, changes it and sends it again, and it is approved.
// Each move is audited, and the correction's status is said in words at each stage.
func TestCorrectionSendAndReturn(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	public := ss.Client(t, "")
	drafter := ss.Client(t, "drafter@example.org")
	admin := ss.Client(t, "admin@example.org")
	const slug = "pcd-1682"
	base := ss.URL + "/decisions/" + slug

	if p := post(t, drafter, base+"/correction/new", url.Values{"reason": {"The title was misspelt."}}); p.status != http.StatusSeeOther {
		t.Fatalf("start = %d", p.status)
	}
	status := func(c *http.Client) string {
		return get(t, c, base+"/correction").text(`[data-testid=correction-status]`)
	}

	// Nothing changed: nothing to send.
	check := get(t, drafter, base+"/correction/check")
	if !check.has(`[data-testid=no-changes]`) || check.has(`[data-testid=send-form]`) {
		t.Errorf("check page of an empty correction: no-changes %v, send form %v", check.has(`[data-testid=no-changes]`), check.has(`[data-testid=send-form]`))
	}
	if p := post(t, drafter, base+"/correction/send", url.Values{"version": {"1"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.text(`.govuk-error-summary`), "changes nothing yet") {
		t.Errorf("sending an empty correction = %d %q, want 422 saying it changes nothing", p.status, p.text(`.govuk-error-summary`))
	}

	saveCorrectionTitle(t, drafter, base, "Alpha - Social Media Hib")
	if got := status(drafter); got != "Being drafted" {
		t.Errorf("status before sending = %q, want Being drafted", got)
	}
	// The approver sees it but cannot act on it yet.
	p := get(t, admin, base+"/correction")
	if p.has(`[data-testid=approve-form]`) || p.has(`[data-testid=return-form]`) || !strings.Contains(p.text(`[data-testid=approve-refusal]`), "not sent it for approval") {
		t.Errorf("approver's page before sending: approve form %v, return form %v, refusal %q",
			p.has(`[data-testid=approve-form]`), p.has(`[data-testid=return-form]`), p.text(`[data-testid=approve-refusal]`))
	}
	hash := p.text(`[data-testid=new-hash]`)
	if p := post(t, admin, base+"/correction/approve", url.Values{"content_hash": {hash}}); p.status != http.StatusConflict {
		t.Errorf("approving a correction not sent = %d, want 409", p.status)
	}
	if p := post(t, admin, base+"/correction/return", url.Values{"content_hash": {hash}, "comment": {"No."}}); p.status != http.StatusConflict {
		t.Errorf("returning a correction not sent = %d, want 409", p.status)
	}

	// Check your answers, then send.
	check = get(t, drafter, base+"/correction/check")
	if !strings.Contains(check.text(`[data-testid=diff-added]`), "Hib") || !strings.Contains(check.text(`[data-testid=correction-typo]`), "typographical") {
		t.Errorf("check page: added %q, approvers %q", check.text(`[data-testid=diff-added]`), check.text(`[data-testid=correction-typo]`))
	}
	stale := check.value(`input[name=version]`)
	sendCorrection(t, drafter, base)
	p = get(t, drafter, base+"/correction")
	if p.text(`[data-testid=correction-status]`) != "Sent for approval" || !strings.Contains(p.text(`[data-testid=flash]`), "Sent for approval") ||
		!strings.Contains(p.text(`[data-testid=correction-sent]`), "Dana Drafter") || p.has(`[data-testid=correction-parts]`) || p.has(`[data-testid=check-link]`) {
		t.Errorf("drafter's page once sent: status %q, flash %q, sent %q, parts %v", p.text(`[data-testid=correction-status]`),
			p.text(`[data-testid=flash]`), p.text(`[data-testid=correction-sent]`), p.has(`[data-testid=correction-parts]`))
	}
	// Once sent it cannot change, nor be sent twice.
	if p := get(t, drafter, base+"/correction/title"); p.status != http.StatusConflict {
		t.Errorf("GET a part of a sent correction = %d, want 409", p.status)
	}
	if p := post(t, drafter, base+"/correction/title", url.Values{"version": {"3"}, "title": {"Other"}, "summary": {"x"}}); p.status != http.StatusConflict {
		t.Errorf("saving a part of a sent correction = %d, want 409", p.status)
	}
	if p := post(t, drafter, base+"/correction/send", url.Values{"version": {stale}}); p.status != http.StatusConflict {
		t.Errorf("sending it twice = %d, want 409", p.status)
	}

	// The approver returns it: a comment is needed, its error by the field and the input kept.
	p = get(t, admin, base+"/correction")
	if !p.has(`[data-testid=approve-form]`) || !p.has(`[data-testid=return-form]`) {
		t.Fatalf("approver's page once sent: approve form %v, return form %v", p.has(`[data-testid=approve-form]`), p.has(`[data-testid=return-form]`))
	}
	seen := p.value(`[data-testid=return-form] input[name=content_hash]`)
	p = post(t, admin, base+"/correction/return", url.Values{"content_hash": {seen}, "comment": {"   "}})
	if p.status != http.StatusUnprocessableEntity || p.attr(`.govuk-error-summary a`, "href") != "#comment" ||
		!strings.Contains(p.text(`#comment-error`), "Enter why you are returning the correction") {
		t.Fatalf("return without a comment = %d, summary link %q, inline %q", p.status, p.attr(`.govuk-error-summary a`, "href"), p.text(`#comment-error`))
	}
	const comment = "The summary has the same misspelling: correct it too."
	if p := post(t, admin, base+"/correction/return", url.Values{"content_hash": {seen}, "comment": {comment}}); p.status != http.StatusSeeOther {
		t.Fatalf("return = %d: %s", p.status, p.text("main"))
	}
	p = get(t, drafter, base+"/correction")
	if p.text(`[data-testid=correction-status]`) != "Returned to its drafters" || p.text(`[data-testid=return-comment]`) != comment ||
		!strings.Contains(p.text(`[data-testid=correction-returned]`), "Ada Admin") || !p.has(`[data-testid=check-link]`) {
		t.Errorf("drafter's page once returned: status %q, comment %q, by %q", p.text(`[data-testid=correction-status]`),
			p.text(`[data-testid=return-comment]`), p.text(`[data-testid=correction-returned]`))
	}
	if got := status(admin); got != "Returned to its drafters" {
		t.Errorf("approver's status once returned = %q", got)
	}

	// The drafter changes it and sends it again; the approver approves it.
	saveCorrectionTitle(t, drafter, base, "Alpha - Social Media Hubb")
	sendCorrection(t, drafter, base)
	p = get(t, admin, base+"/correction")
	if p.has(`[data-testid=correction-returned]`) {
		t.Error("the old return still shows once sent again")
	}
	if p := post(t, admin, base+"/correction/approve", url.Values{"content_hash": {p.value(`[data-testid=approve-form] input[name=content_hash]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d: %s", p.status, p.text("main"))
	}

	// The public reads who approved it in one plain sentence.
	if got := get(t, public, base).text(`[data-testid=correction-approved-by]`); got != "Approved by Ada Admin (admin) as a typographical correction." {
		t.Errorf("approved by = %q", got)
	}
	timeline := get(t, admin, base).text(`[data-testid=timeline]`)
	if n := strings.Count(timeline, "Correction sent for approval"); n != 2 {
		t.Errorf("the timeline has %d sendings, want 2", n)
	}
	if !strings.Contains(timeline, "Correction returned to its drafters") || !strings.Contains(timeline, comment) {
		t.Errorf("the timeline lacks the return with its comment: %q", timeline)
	}
}
