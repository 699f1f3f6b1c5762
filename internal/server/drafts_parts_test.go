package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
)

// opened is a draft's form as a browser holds it: the versions it was opened on.
func (dc draftClient) opened(path string) url.Values {
	dc.t.Helper()
	p := dc.get(path)
	if p.status != http.StatusOK {
		dc.t.Fatalf("GET %s = %d, want 200", path, p.status)
	}
	form := url.Values{}
	for _, name := range []string{"version", "part_version"} {
		v := p.value(`[data-testid="draft-form"] input[name="` + name + `"]`)
		if v == "" {
			dc.t.Fatalf("GET %s: no %s in the form", path, name)
		}
		form.Set(name, v)
	}
	return form
}

func with(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestDraftConflictIsPerPart: two drafters with forms open on different sections both save;
// only a save over the same part since is refused, and that refusal says who saved it and
// when, with "(empty)" for what is empty.
func TestDraftConflictIsPerPart(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "second@example.org", "Sam Second", store.Grants{Roles: []string{"drafter"}})
	first, second := s.client(t, "drafter@example.org"), s.client(t, "second@example.org")
	slug := s.newDraft(t, first, "Project Beta")
	first.save("/decisions/"+slug+"/edit/drafters", url.Values{"email": {"second@example.org"}}, http.StatusSeeOther)

	legal := "/decisions/" + slug + "/edit/sections/legal-comments"
	equality := "/decisions/" + slug + "/edit/sections/equality-comments"
	legalForm, equalityForm := first.opened(legal), second.opened(equality)
	first.post(legal, with(legalForm, "action", "save", "heading", "Legal comments", "body", "Lawful."), http.StatusSeeOther)
	// The decision moved on, but not the equality comments: the second save goes through.
	second.post(equality, with(equalityForm, "action", "save", "heading", "Equality comments", "body", "No impact."), http.StatusSeeOther)

	// Lists too: a funding line added does not make a recommendations form stale.
	recs, funding := "/decisions/"+slug+"/edit/recommendations", "/decisions/"+slug+"/edit/funding"
	recsForm := second.opened(recs)
	first.post(funding, with(first.opened(funding), "action", "save", "amount", "£2,755,000", "fy_start", "2024-25",
		"basis", "total", "kind", "grant_accepted", "label", "Home Office grant"), http.StatusSeeOther)
	second.post(recs, with(recsForm, "action", "save", "recommendation", "Accept the grant."), http.StatusSeeOther)

	// A real conflict: both open the legal comments; the first removes them; the second's
	// save is refused, naming who saved and when, and showing the removed text as (empty).
	firstLegal, secondLegal := first.opened(legal), second.opened(legal)
	first.post(legal, with(firstLegal, "action", "remove"), http.StatusSeeOther)
	p := second.post(legal, with(secondLegal, "action", "save", "heading", "Legal comments", "body", "Lawful, with conditions."), http.StatusConflict)
	if got := p.text(`[data-testid="conflict-who"]`); !strings.Contains(got, "Saved by Dana Drafter on ") {
		t.Errorf("the conflict says %q, want who saved the part and when", got)
	}
	if got := p.text(`[data-testid="conflict-saved"]`); !strings.Contains(got, "(empty)") || strings.Contains(got, "Not recorded") {
		t.Errorf("the removed section shows as %q, want (empty)", got)
	}
	if p.value("#body") != "Lawful, with conditions." {
		t.Errorf("the refused form holds %q, want the person's text kept", p.value("#body"))
	}
	// Saved again from the refused page, knowingly, it goes through.
	again := url.Values{"version": {p.value(`[data-testid="draft-form"] input[name="version"]`)},
		"part_version": {p.value(`[data-testid="draft-form"] input[name="part_version"]`)}}
	second.post(legal, with(again, "action", "save", "heading", "Legal comments", "body", "Lawful, with conditions."), http.StatusSeeOther)
}

// TestDraftItemsChange: a recommendation and a funding line each have Change, which opens
// their form filled in; a mistake comes back by its field with the input kept; saved, the
// item changes in its place and the others stay.
func TestDraftItemsChange(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	recs, funding := "/decisions/"+slug+"/edit/recommendations", "/decisions/"+slug+"/edit/funding"
	for _, r := range []string{"Approve the grant.", "Delgate the signing.", "Publish it."} {
		dc.post(recs, with(dc.opened(recs), "action", "save", "recommendation", r), http.StatusSeeOther)
	}
	p := dc.get(recs)
	href, ok := p.doc.Find(`[data-testid="draft-list"] li:nth-child(2) a`).Attr("href")
	if !ok || p.text(`[data-testid="draft-list"] li:nth-child(2) a`) != "Change recommendation 2" {
		t.Fatalf("the second recommendation's Change link reads %q", p.text(`[data-testid="draft-list"] li:nth-child(2) a`))
	}
	form := dc.opened(href)
	if p := dc.get(href); p.value("#recommendation") != "Delgate the signing." || p.text("h1") != "Change recommendation 2" {
		t.Errorf("the change form is %q holding %q", p.text("h1"), p.value("#recommendation"))
	}
	form.Set("change", "2")
	p = dc.post(recs, with(form, "action", "save", "recommendation", "  "), http.StatusUnprocessableEntity)
	if got := p.text("#recommendation-error"); !strings.Contains(got, "Enter the recommendation") || p.text("h1") != "Change recommendation 2" {
		t.Errorf("an empty change says %q on %q", got, p.text("h1"))
	}
	dc.post(recs, with(form, "action", "save", "recommendation", "Delegate the signing."), http.StatusSeeOther)
	d, err := s.Store.Draft(t.Context(), store.Staff(s.drafter.ID, s.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Recommendations, " | "); got != "Approve the grant. | Delegate the signing. | Publish it." {
		t.Errorf("recommendations after the change: %q", got)
	}

	line := func(amount, label string) url.Values {
		return with(dc.opened(funding), "action", "save", "amount", amount, "fy_start", "2024-25", "basis", "total",
			"kind", "grant_accepted", "label", label, "funder", "Home Office")
	}
	dc.post(funding, line("£2,755,000", "Home Office grant"), http.StatusSeeOther)
	dc.post(funding, line("£10,000", "Evaluation"), http.StatusSeeOther)
	p = dc.get(funding)
	href, _ = p.doc.Find(`[data-testid="draft-list"] li:nth-child(1) a`).Attr("href")
	p = dc.get(href)
	if p.value("#amount") != "£2,755,000" || p.value("#fy_start") != "2024-25" || p.value("#label") != "Home Office grant" ||
		p.value("#funder") != "Home Office" || p.text("h1") != "Change funding line" {
		t.Fatalf("the funding line's change form %q holds %q, %q, %q, %q", p.text("h1"), p.value("#amount"), p.value("#fy_start"),
			p.value("#label"), p.value("#funder"))
	}
	form = dc.opened(href)
	form.Set("change", "1")
	changed := with(form, "action", "save", "amount", "lots", "fy_start", "2024-25", "basis", "total", "kind", "grant_accepted",
		"label", "Home Office grant", "funder", "Home Office")
	p = dc.post(funding, changed, http.StatusUnprocessableEntity)
	if p.text("#amount-error") == "" || p.value("#amount") != "lots" || p.value("#label") != "Home Office grant" {
		t.Errorf("a bad amount says %q and keeps %q / %q", p.text("#amount-error"), p.value("#amount"), p.value("#label"))
	}
	dc.post(funding, with(changed, "amount", "£2,575,000"), http.StatusSeeOther)
	d, err = s.Store.Draft(t.Context(), store.Staff(s.drafter.ID, s.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Funding) != 2 || d.Funding[0].AmountPence != 257_500_000 || d.Funding[0].Label != "Home Office grant" ||
		d.Funding[1].AmountPence != 1_000_000 {
		t.Errorf("funding after the change: %+v", d.Funding)
	}
}
