package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
)

// correctionItems is what a "Your work" list (corrections or own-corrections) holds: each
// item's link and text.
func correctionItems(p page, list string) map[string]string {
	out := map[string]string{}
	p.doc.Find(`[data-testid=` + list + `] [data-testid=work-item]`).Each(func(_ int, s *goquery.Selection) {
		href, _ := s.Find("a").First().Attr("href")
		out[href] = strings.Join(strings.Fields(s.Text()), " ")
	})
	return out
}

// saveCorrectionTitle saves the correction's title as title, from the form as it stands.
func saveCorrectionTitle(t *testing.T, c *http.Client, base, title string) {
	t.Helper()
	form := get(t, c, base+"/correction/title")
	in := url.Values{"version": {form.value(`input[name=version]`)}, "title": {title}, "summary": {form.value(`#summary`)}}
	if p := post(t, c, base+"/correction/title", in); p.status != http.StatusSeeOther {
		t.Fatalf("save the correction's title = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
}

// saveCorrectionAmount saves funding line 1's amount.
func saveCorrectionAmount(t *testing.T, c *http.Client, base, amount string) {
	t.Helper()
	in := fundingFormOf(get(t, c, base+"/correction/funding/1"))
	in.Set("amount", amount)
	if p := post(t, c, base+"/correction/funding/1", in); p.status != http.StatusSeeOther {
		t.Fatalf("save the correction's amount = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
}

// TestCorrectionsWaitOnYourWork: a correction that changes something appears on the "Your
// work" of those who may approve it, linked to it and saying what is asked of them (the
// series' decision maker always; an admin only while it is typographical; nobody else), and
// on its drafter's, saying whom it waits for.
func TestCorrectionsWaitOnYourWork(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	ss.User(t, "md@example.org", "Morgan Mayor", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"MD"}})
	drafter := ss.Client(t, "drafter@example.org")
	maker := ss.Client(t, "dmpc@example.org")
	admin := ss.Client(t, "admin@example.org")
	otherMaker := ss.Client(t, "md@example.org")
	const slug = "pcd-1682"
	base := ss.URL + "/decisions/" + slug
	link := "/decisions/" + slug + "/correction"

	const reason = "The title was misspelt."
	if p := post(t, drafter, base+"/correction/new", url.Values{"reason": {reason}}); p.status != http.StatusSeeOther {
		t.Fatalf("start = %d", p.status)
	}
	// Changing nothing yet, it asks nothing of an approver; its drafter is told to finish it.
	if p := get(t, maker, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 || p.text(`[data-testid=count-corrections]`) != "0" {
		t.Errorf("an empty correction waits for the decision maker: %v", correctionItems(p, "corrections"))
	}
	if own := correctionItems(get(t, drafter, ss.URL+"/work"), "own-corrections"); !strings.Contains(own[link], "changes nothing yet") {
		t.Errorf("the drafter's own corrections = %v, want it saying it changes nothing yet", own)
	}

	// A one-letter change of the title is typographical: the decision maker and an admin may
	// approve it, once it is sent. Until then it is its drafter's alone.
	saveCorrectionTitle(t, drafter, base, "Alpha - Social Media Hib")
	if p := get(t, maker, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Errorf("a correction not sent waits for the decision maker: %v", correctionItems(p, "corrections"))
	}
	if own := correctionItems(get(t, drafter, ss.URL+"/work"), "own-corrections"); !strings.Contains(own[link], "not sent yet") {
		t.Errorf("the drafter's own corrections = %v, want it saying it is not sent yet", own)
	}
	sendCorrection(t, drafter, base)
	for name, c := range map[string]*http.Client{"the decision maker": maker, "an admin": admin} {
		p := get(t, c, ss.URL+"/work")
		item := correctionItems(p, "corrections")[link]
		if !strings.Contains(item, "PCD 1682") || !strings.Contains(item, "approve it") || !strings.Contains(item, reason) ||
			p.text(`[data-testid=count-corrections]`) != "1" {
			t.Errorf("%s's Your work: corrections %v, count %q; want PCD 1682's correction, linked, asking for approval",
				name, correctionItems(p, "corrections"), p.text(`[data-testid=count-corrections]`))
		}
	}
	if p := get(t, otherMaker, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Errorf("another series' decision maker is asked to approve: %v", correctionItems(p, "corrections"))
	}
	if own := correctionItems(get(t, drafter, ss.URL+"/work"), "own-corrections"); !strings.Contains(own[link], "waiting for approval by the decision maker for PCD or an admin") {
		t.Errorf("the drafter's own corrections = %v, want it waiting for the decision maker or an admin", own)
	}
	if p := get(t, drafter, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Error("the drafter is asked to approve their own correction")
	}

	// The decision maker returns it with a comment: it is the drafter's again, saying why.
	const why = "Fix the amount too, while you are at it."
	if p := post(t, maker, base+"/correction/return", url.Values{"comment": {why}, "content_hash": {get(t, maker, ss.URL+link).value(`[data-testid=return-form] input[name=content_hash]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("return = %d: %s", p.status, p.text("main"))
	}
	if own := correctionItems(get(t, drafter, ss.URL+"/work"), "own-corrections"); !strings.Contains(own[link], why) {
		t.Errorf("the drafter's own corrections = %v, want the comment", own)
	}
	if p := get(t, maker, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Errorf("a returned correction still waits for the decision maker: %v", correctionItems(p, "corrections"))
	}

	// A change of amount is more than typographical: it leaves the admin's work.
	saveCorrectionAmount(t, drafter, base, "£2,755,001")
	sendCorrection(t, drafter, base)
	if p := get(t, admin, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Errorf("an admin is asked to approve a change of amount: %v", correctionItems(p, "corrections"))
	}
	p := get(t, maker, ss.URL+"/work")
	if item := correctionItems(p, "corrections")[link]; !strings.Contains(item, "the amount of funding line 1") {
		t.Errorf("the decision maker's item = %q, want it saying what the correction changes", item)
	}
	if own := correctionItems(get(t, drafter, ss.URL+"/work"), "own-corrections"); !strings.Contains(own[link], "waiting for approval by the decision maker for PCD.") {
		t.Errorf("the drafter's own corrections = %v", own)
	}
	// The link leads to the approval.
	if p := get(t, maker, ss.URL+link); !p.has(`[data-testid=approve-form]`) {
		t.Error("the decision maker's link does not lead to the approval form")
	}
	if p := post(t, maker, base+"/correction/approve", url.Values{"content_hash": {get(t, maker, ss.URL+link).value(`[data-testid=approve-form] input[name=content_hash]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d", p.status)
	}
	if p := get(t, maker, ss.URL+"/work"); len(correctionItems(p, "corrections")) != 0 {
		t.Error("an approved correction still waits")
	}
	if p := get(t, drafter, ss.URL+"/work"); p.has(`[data-testid=own-corrections]`) {
		t.Error("an approved correction is still the drafter's in progress")
	}
}

// TestDiscardCorrection: a correction's drafter (or an admin) discards it after a confirmation;
// the decision stays byte for byte as signed, the audit trail says who discarded it, and a new
// correction may start. A correction saved or approved after the confirmation was read is not
// discarded, and the person is told why.
func TestDiscardCorrection(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	ss.User(t, "other@example.org", "Olly Other", store.Grants{Roles: []string{"drafter"}})
	public := ss.Client(t, "")
	drafter := ss.Client(t, "drafter@example.org")
	other := ss.Client(t, "other@example.org")
	maker := ss.Client(t, "dmpc@example.org")
	admin := ss.Client(t, "admin@example.org")
	const slug = "pcd-1682"
	base := ss.URL + "/decisions/" + slug
	canonical := get(t, public, base+"/canonical").body

	start := func(reason string) {
		t.Helper()
		if p := post(t, drafter, base+"/correction/new", url.Values{"reason": {reason}}); p.status != http.StatusSeeOther {
			t.Fatalf("start = %d: %s", p.status, p.text("main"))
		}
		saveCorrectionAmount(t, drafter, base, "£2,755,001")
	}
	confirm := func(c *http.Client) (page, url.Values) {
		t.Helper()
		p := get(t, c, base+"/correction/discard")
		return p, url.Values{"correction": {p.value(`input[name=correction]`)}, "version": {p.value(`input[name=version]`)}}
	}
	start("The amount was mistyped.")

	// Who may: its drafter and an admin, not another drafter nor the approver.
	if p := get(t, drafter, base+"/correction"); !p.has(`[data-testid=discard-link]`) {
		t.Error("the drafter's correction page has no Discard button")
	}
	for name, c := range map[string]*http.Client{"another drafter": other, "the decision maker": maker} {
		if p := get(t, c, base+"/correction"); p.has(`[data-testid=discard-link]`) {
			t.Errorf("%s is offered Discard", name)
		}
		if p, in := confirm(c); p.status != http.StatusForbidden {
			t.Errorf("%s GET discard = %d, want 403", name, p.status)
		} else if p := post(t, c, base+"/correction/discard", url.Values{"correction": {"1"}, "version": {"2"}}); p.status != http.StatusForbidden {
			t.Errorf("%s POST discard = %d, want 403 (%v)", name, p.status, in)
		}
	}
	if p := post(t, public, base+"/correction/discard", url.Values{"correction": {"1"}, "version": {"2"}}); p.status == http.StatusSeeOther && !strings.HasPrefix(p.location, "/sign-in") || p.status == http.StatusOK {
		t.Errorf("the public POST discard = %d %s", p.status, p.location)
	}
	if p := post(t, drafter, base+"/correction/discard", url.Values{"correction": {"x"}, "version": {"2"}}); p.status != http.StatusBadRequest {
		t.Errorf("POST discard with a bad id = %d, want 400", p.status)
	}

	// The confirmation, then someone saves the correction: nothing is discarded.
	p, in := confirm(drafter)
	if p.status != http.StatusOK || !strings.Contains(p.text("h1"), "Are you sure") || !strings.Contains(p.text("main"), "stays exactly as signed") {
		t.Fatalf("the confirmation = %d %q", p.status, p.text("h1"))
	}
	saveCorrectionTitle(t, drafter, base, "Alpha - Social Media Hib")
	if p := post(t, drafter, base+"/correction/discard", in); p.status != http.StatusConflict || !strings.Contains(p.text("main"), "changed after you opened it") {
		t.Fatalf("discarding a correction saved since = %d %q, want 409 saying it changed", p.status, p.text("main"))
	}
	if p := get(t, drafter, base+"/correction"); p.status != http.StatusOK {
		t.Fatal("a refused discard ended the correction")
	}

	// Confirmed as it is now: discarded, the decision as it was.
	_, in = confirm(drafter)
	if p := post(t, drafter, base+"/correction/discard", in); p.status != http.StatusSeeOther || p.location != "/work" {
		t.Fatalf("discard = %d %s", p.status, p.location)
	}
	if p := get(t, drafter, ss.URL+"/work"); !strings.Contains(p.text(`[data-testid=work-flash]`), "The correction of PCD 1682 was discarded") ||
		p.has(`[data-testid=own-corrections]`) {
		t.Errorf("Your work after discarding: flash %q", p.text(`[data-testid=work-flash]`))
	}
	if p := get(t, drafter, base+"/correction"); p.status != http.StatusNotFound {
		t.Errorf("GET the discarded correction = %d, want 404", p.status)
	}
	if got := get(t, public, base+"/canonical").body; got != canonical {
		t.Error("discarding a correction changed the decision's canonical content")
	}
	if p := get(t, public, base); p.has(`[data-testid=corrected]`) || p.has(`[data-testid=versions]`) {
		t.Error("a discarded correction shows on the public page")
	}
	if p := post(t, drafter, base+"/correction/discard", in); p.status != http.StatusConflict || !strings.Contains(p.text("main"), "already ended") {
		t.Errorf("discarding it again = %d %q, want 409", p.status, p.text("main"))
	}
	timeline := get(t, maker, base).text(`[data-testid=timeline]`)
	if !strings.Contains(timeline, "Correction discarded") || !strings.Contains(timeline, "Dana Drafter") {
		t.Errorf("the audit timeline lacks the discard by its drafter: %q", timeline)
	}

	// A second correction is approved after its drafter opened the confirmation: not discarded.
	start("The amount was mistyped, again.")
	sendCorrection(t, drafter, base)
	_, in = confirm(drafter)
	approve := get(t, maker, base+"/correction")
	if p := post(t, maker, base+"/correction/approve", url.Values{"content_hash": {approve.value(`[data-testid=approve-form] input[name=content_hash]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d", p.status)
	}
	if p := post(t, drafter, base+"/correction/discard", in); p.status != http.StatusConflict || !strings.Contains(p.text("main"), "was approved") {
		t.Errorf("discarding an approved correction = %d %q, want 409 saying it was approved", p.status, p.text("main"))
	}
	if n := get(t, public, base).doc.Find(`[data-testid=versions] li`).Length(); n != 2 {
		t.Errorf("%d versions after the refused discard, want 2", n)
	}

	// An admin discards a correction someone left.
	start("Another amount.")
	if p, in := confirm(admin); p.status != http.StatusOK {
		t.Errorf("admin GET discard = %d", p.status)
	} else if p := post(t, admin, base+"/correction/discard", in); p.status != http.StatusSeeOther {
		t.Errorf("admin discard = %d: %s", p.status, p.text("main"))
	}
}

// TestWithdrawDateByField: the withdrawal's date is GOV.UK's date input, each error marking
// the boxes it is about, and what was typed kept.
func TestWithdrawDateByField(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	maker := ss.Client(t, "dmpc@example.org")
	base := ss.URL + "/decisions/pcd-1682/withdraw"
	form := get(t, maker, base)
	if form.status != http.StatusOK || form.value(`#withdrawn-day`) == "" || form.value(`#withdrawn-year`) == "" {
		t.Fatalf("the withdraw form = %d: day %q, year %q, want today's date", form.status, form.value(`#withdrawn-day`), form.value(`#withdrawn-year`))
	}
	tests := []struct {
		day, month, year string
		message          string
		boxes            []string // the boxes marked in error
	}{
		{"", "", "", "Enter the date withdrawn", []string{"day", "month", "year"}},
		{"3", "", "2025", "Date withdrawn must include a month", []string{"month"}},
		{"31", "2", "2025", "Date withdrawn must be a real date", []string{"day"}},
		{"3", "13", "2025", "Date withdrawn must be a real date", []string{"month"}},
		{"3", "4", "25", "Year must include 4 numbers", []string{"year"}},
		{"x", "4", "2025", "Date withdrawn must be a real date", []string{"day"}},
		{"3", "4", "+202", "Date withdrawn must be a real date", []string{"year"}},
		{"1", "1", "2999", "Date withdrawn must be today or in the past", []string{"day", "month", "year"}},
	}
	for _, tt := range tests {
		p := post(t, maker, base, url.Values{"reason": {"Made in error."}, "withdrawn_day": {tt.day}, "withdrawn_month": {tt.month}, "withdrawn_year": {tt.year}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`#withdrawn-error`), tt.message) {
			t.Errorf("%s/%s/%s = %d %q, want 422 %q", tt.day, tt.month, tt.year, p.status, p.text(`#withdrawn-error`), tt.message)
			continue
		}
		var marked []string
		for _, box := range []string{"day", "month", "year"} {
			if p.has(`#withdrawn-` + box + `.govuk-input--error`) {
				marked = append(marked, box)
			}
		}
		if strings.Join(marked, ",") != strings.Join(tt.boxes, ",") {
			t.Errorf("%s/%s/%s marks %v, want %v", tt.day, tt.month, tt.year, marked, tt.boxes)
		}
		if href := p.attr(`.govuk-error-summary a[href^="#withdrawn"]`, "href"); href != "#withdrawn-"+tt.boxes[0] {
			t.Errorf("%s/%s/%s: the summary links to %q, want the first box in error", tt.day, tt.month, tt.year, href)
		}
		if p.value(`#withdrawn-day`) != tt.day || p.value(`#withdrawn-month`) != tt.month || p.value(`#withdrawn-year`) != tt.year || p.value(`#reason`) != "Made in error." {
			t.Errorf("%s/%s/%s: the input is not kept", tt.day, tt.month, tt.year)
		}
	}
}

// TestSignedDocumentListsSupportingDocuments: the signed decision document lists each
// supporting document with its name, type, size and SHA-256, as the signed content holds them.
func TestSignedDocumentListsSupportingDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.likePCD1682(t, 9201)
	const sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	_, err := site.Pool.Exec(ctx, `
INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, extracted_text, added_at)
SELECT id, 1, 'supporting', 'Business case for Project Alpha', 'application/pdf', 1234567, $2, '', now() FROM decisions WHERE slug = $1`, slug, sha)
	if err != nil {
		t.Fatal(err)
	}
	site.sign(t, slug, site.Clock.Now())
	pdf := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Timeout: printBound})
	t.Cleanup(pdf.Close)
	if n := drain(t, ctx, site.worker(t, pdf)); n != 1 {
		t.Fatalf("made %d documents, want 1", n)
	}
	docs, err := site.Store.Documents(ctx, store.Public(site.Clock.Now()), slug)
	if err != nil || len(docs) != 2 || docs[0].Kind != store.DocumentSigned {
		t.Fatalf("documents = %+v, %v", docs, err)
	}
	r, err := site.Blobs.Open(ctx, docs[0].SHA256)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(pdftest.Text(t, body)), " ")
	for _, want := range []string{"Supporting documents", "Business case for Project Alpha", "Type: PDF (application/pdf)",
		"Size: 1.2 MB (1,234,567 bytes)", "SHA-256: " + sha} {
		if !strings.Contains(text, want) {
			t.Errorf("the signed PDF's text lacks %q", want)
		}
	}
}

// TestSignoffSaysWhyNotSign: a decision maker of the series who cleared one of the decision's
// steps finds it ready but may not sign it, and the page says why, in words; the other decision
// maker gets the form.
func TestSignoffSaysWhyNotSign(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	both := ss.User(t, "both@example.org", "Bo Both", store.Grants{Roles: []string{"adviser", "decision_maker"},
		StepKinds: []string{"head_of_unit"}, Series: []string{"PCD"}})
	slug := ss.awaitingDecision(t, 9401)
	hash := ss.hashOf(t, slug)
	for _, k := range chainSteps {
		by := ss.advisers[k]
		if k == "head_of_unit" {
			by = both
		}
		if err := ss.Store.Approve(context.Background(), by.Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
	p := get(t, ss.Client(t, both.Email), ss.URL+"/decisions/"+slug+"/signoff")
	if why := p.text(`[data-testid=why-not]`); !strings.Contains(why, "You cannot sign this decision because you cleared its head of unit step") || p.has(`[data-testid=signer-form]`) {
		t.Errorf("the page of a decision maker who cleared a step: %q, signer form %v", why, p.has(`[data-testid=signer-form]`))
	}
	if p := get(t, ss.Client(t, "dmpc@example.org"), ss.URL+"/decisions/"+slug+"/signoff"); p.has(`[data-testid=why-not]`) || !p.has(`[data-testid=signer-form]`) {
		t.Error("the decision maker who may sign is not offered the form, or is told why not")
	}
}
