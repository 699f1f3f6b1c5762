package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// postFrom posts a form as a browser does from the page at referer.
func postFrom(t *testing.T, c *http.Client, u, referer string, form url.Values) page {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Referer", referer)
	resp, err := c.Do(req)
	return read(t, resp, err)
}

// TestActionsSentTwice: an approval and a signature sent twice (the button pressed again) are
// refused saying they are already recorded, and the page leads back to where the person was.
func TestActionsSentTwice(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9011)
	signoff := site.URL + "/decisions/" + slug + "/signoff"
	hash := site.hashOf(t, slug)

	hou := site.Client(t, site.advisers["head_of_unit"].Email)
	approve := url.Values{"decision": {"approve"}, "interests": {"none"}, "step": {"head_of_unit"}, "content_hash": {hash}}
	if p := postFrom(t, hou, signoff, signoff, approve); p.status != http.StatusSeeOther {
		t.Fatalf("approval = %d, want 303", p.status)
	}
	p := postFrom(t, hou, signoff, signoff, approve)
	if p.status != http.StatusForbidden || !strings.Contains(p.text(`[data-testid=error-message]`), "You have already approved this step") {
		t.Errorf("the approval sent again = %d %q, want 403 saying it is already approved", p.status, p.text(`[data-testid=error-message]`))
	}
	if h := p.text(`[data-testid=error-heading]`); h != "This is already recorded" {
		t.Errorf("the approval sent again is headed %q, want \"This is already recorded\", not a refusal", h)
	}
	if href, _ := p.doc.Find(`[data-testid=error-links] a`).First().Attr("href"); href != "/decisions/"+slug+"/signoff" {
		t.Errorf("the refusal's first link = %q, want back to the sign-off page", href)
	}

	for _, k := range chainSteps[1:] {
		c := site.Client(t, site.advisers[k].Email)
		if p := postFrom(t, c, signoff, signoff, url.Values{"decision": {"approve"}, "interests": {"none"}, "step": {k}, "content_hash": {hash}}); p.status != http.StatusSeeOther {
			t.Fatalf("approve %s = %d", k, p.status)
		}
	}
	dm := site.Client(t, site.maker.Email)
	sign := url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"}, "content_hash": {hash}}
	if p := postFrom(t, dm, site.URL+"/decisions/"+slug+"/sign", signoff, sign); p.status != http.StatusSeeOther {
		t.Fatalf("signature = %d, want 303", p.status)
	}
	p = postFrom(t, dm, site.URL+"/decisions/"+slug+"/sign", signoff, sign)
	if p.status != http.StatusForbidden || !strings.Contains(p.text(`[data-testid=error-message]`), "already been signed") ||
		strings.Contains(p.text(`[data-testid=error-message]`), "not ready") {
		t.Errorf("the signature sent again = %d %q, want 403 saying it is already signed", p.status, p.text(`[data-testid=error-message]`))
	}
	if h := p.text(`[data-testid=error-heading]`); h != "This is already recorded" {
		t.Errorf("the signature sent again is headed %q, want \"This is already recorded\"", h)
	}
	var hrefs []string
	p.doc.Find(`[data-testid=error-links] a`).Each(func(_ int, a *goquery.Selection) { h, _ := a.Attr("href"); hrefs = append(hrefs, h) })
	if len(hrefs) < 2 || hrefs[0] != "/decisions/"+slug+"/signoff" || hrefs[1] != "/decisions/"+slug {
		t.Errorf("the refusal's links = %q, want the sign-off page, then the decision", hrefs)
	}
}
