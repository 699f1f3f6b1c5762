package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestApprovalComment: an adviser approving may add a comment; too long a comment comes back by
// its field with the choice kept; the comment stays with the approval, shown in the chain and
// its history, and the decision stays in sign-off.
func TestApprovalComment(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9004)
	base := site.URL + "/decisions/" + slug
	hou := site.Client(t, site.advisers["head_of_unit"].Email)
	p := get(t, hou, base+"/signoff")
	if p.doc.Find(`label[for="approval-comment"]`).Length() != 1 {
		t.Fatal("the adviser's form has no comment for an approval")
	}
	form := url.Values{"decision": {"approve"}, "step": {"head_of_unit"}, "content_hash": {p.value(`input[name=content_hash]`)},
		"interests": {"none"}, "approval_comment": {strings.Repeat("x", 1001)}}
	bad := post(t, hou, base+"/signoff", form)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text("#approval-comment-error"), "1000 characters or fewer") {
		t.Fatalf("a 1,001-character comment = %d, error %q; want 422 by the field", bad.status, bad.text("#approval-comment-error"))
	}
	if _, ok := bad.doc.Find(`input[name=decision][value=approve]`).Attr("checked"); !ok {
		t.Error("the choice to approve is not kept after the error")
	}
	form.Set("approval_comment", "Subject to the grant agreement.")
	if p := post(t, hou, base+"/signoff", form); p.status != http.StatusSeeOther {
		t.Fatalf("approve with a comment = %d, want 303", p.status)
	}
	p = get(t, site.Client(t, site.drafter.Email), base+"/signoff")
	if got := p.text(`[data-testid=chain-approval-comment]`); got != "Comment: “Subject to the grant agreement.”" {
		t.Errorf("the chain shows the approval's comment as %q", got)
	}
	if got := p.text(`[data-testid=approval-comment]`); got != "Subject to the grant agreement." {
		t.Errorf("the history shows the approval's comment as %q", got)
	}
	if got := p.text(`[data-testid=status]`); !strings.Contains(strings.ToLower(got), "sign") {
		t.Errorf("after an approval with a comment the status is %q, want still in sign-off", got)
	}
}
