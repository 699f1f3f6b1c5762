package server_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
)

// fundingForm is the funding line form as a page shows it.
func fundingFormOf(p page) url.Values {
	return url.Values{"version": {p.value(`input[name=version]`)}, "amount": {p.value(`#amount`)},
		"fy_start": {p.value(`#fy_start`)}, "fy_end": {p.value(`#fy_end`)}, "basis": {p.value(`input[name=basis][checked]`)},
		"kind": {p.value(`input[name=kind][checked]`)}, "label": {p.value(`#label`)}, "funder": {p.value(`#funder`)},
		"recipient": {p.value(`#recipient`)}}
}

func apiDecision(t *testing.T, c *http.Client, base, slug string) map[string]any {
	t.Helper()
	p := get(t, c, base+"/api/v1/decisions/"+slug)
	var d map[string]any
	if err := json.Unmarshal([]byte(p.body), &d); err != nil || p.status != http.StatusOK {
		t.Fatalf("API %s = %d, %v", slug, p.status, err)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(get(t, c, base+"/api/v1/openapi.json").body), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, e := range validate(schemas, map[string]any{"$ref": "#/components/schemas/Decision"}, d, "$") {
		t.Errorf("API %s: %s", slug, e)
	}
	return d
}

// sendCorrection sends the correction of the decision at base for approval from its "Check
// your answers" page, as c.
func sendCorrection(t *testing.T, c *http.Client, base string) {
	t.Helper()
	check := get(t, c, base+"/correction/check")
	if check.status != http.StatusOK || !check.has(`[data-testid=send-form]`) {
		t.Fatalf("GET check = %d, send form %v", check.status, check.has(`[data-testid=send-form]`))
	}
	if p := post(t, c, base+"/correction/send", url.Values{"version": {check.value(`input[name=version]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("send = %d: %s", p.status, p.text("main"))
	}
}

func TestCorrectionAndWithdrawalOverHTTP(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	public := ss.Client(t, "")
	drafter := ss.Client(t, "drafter@example.org")
	maker := ss.Client(t, "dmpc@example.org")
	admin := ss.Client(t, "admin@example.org")
	const slug = "pcd-1682"
	base := ss.URL + "/decisions/" + slug

	for _, path := range []string{"/correction/new", "/correction", "/correction/title", "/withdraw"} {
		if p := get(t, public, base+path); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/sign-in") {
			t.Errorf("public GET %s = %d %s, want the sign-in page", path, p.status, p.location)
		}
	}
	if p := get(t, drafter, base); !p.has(`[data-testid=correct-link]`) || p.has(`[data-testid=withdraw-link]`) {
		t.Errorf("the drafter's page: correct link %v, withdraw link %v", p.has(`[data-testid=correct-link]`), p.has(`[data-testid=withdraw-link]`))
	}
	if p := post(t, drafter, base+"/correction/new", url.Values{"reason": {"  "}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.text(`#reason-error`), "Enter why") {
		t.Fatalf("empty reason = %d %q", p.status, p.text(`#reason-error`))
	}
	const reason = "The amount of the first funding line was mistyped."
	if p := post(t, drafter, base+"/correction/new", url.Values{"reason": {reason}}); p.status != http.StatusSeeOther || p.location != "/decisions/"+slug+"/correction" {
		t.Fatalf("start = %d %s", p.status, p.location)
	}
	if p := get(t, public, base); p.has(`[data-testid=corrected]`) || p.has(`[data-testid=staff-links]`) {
		t.Error("the public sees a correction in progress")
	}

	form := get(t, drafter, base+"/correction/funding/1")
	if form.status != http.StatusOK || form.value(`#amount`) == "" {
		t.Fatalf("GET funding line 1 = %d, amount %q", form.status, form.value(`#amount`))
	}
	in := fundingFormOf(form)
	bad := url.Values{}
	for k, v := range in {
		bad[k] = v
	}
	bad.Set("amount", "lots")
	if p := post(t, drafter, base+"/correction/funding/1", bad); p.status != http.StatusUnprocessableEntity || p.value(`#amount`) != "lots" ||
		p.text(`#amount-error`) == "" {
		t.Fatalf("bad amount = %d, kept %q, error %q", p.status, p.value(`#amount`), p.text(`#amount-error`))
	}
	in.Set("amount", "£2,755,001")
	if p := post(t, drafter, base+"/correction/funding/1", in); p.status != http.StatusSeeOther {
		t.Fatalf("save funding line = %d: %s", p.status, p.text(`.govuk-error-summary`))
	}
	// The same form again is stale: someone (here, the same person) saved since it was read.
	if p := post(t, drafter, base+"/correction/funding/1", in); p.status != http.StatusConflict || !p.has(`[data-testid=conflict]`) {
		t.Fatalf("stale save = %d", p.status)
	}

	sendCorrection(t, drafter, base)

	// An admin may not approve a change of amount, and is told why.
	p := get(t, admin, base+"/correction")
	if !strings.Contains(p.text(`[data-testid=approve-refusal]`), "not typographical") || p.has(`[data-testid=approve-form]`) {
		t.Fatalf("admin's correction page: refusal %q", p.text(`[data-testid=approve-refusal]`))
	}
	hash := p.text(`[data-testid=new-hash]`)
	if p := post(t, admin, base+"/correction/approve", url.Values{"content_hash": {hash}}); p.status != http.StatusForbidden ||
		!strings.Contains(p.text(`.govuk-error-summary`), "the amount of funding line 1") {
		t.Fatalf("admin approving = %d %q", p.status, p.text(`.govuk-error-summary`))
	}
	p = get(t, maker, base+"/correction")
	if !p.has(`[data-testid=approve-form]`) || !strings.Contains(p.text(`[data-testid=diff-added]`), "£2,755,001") {
		t.Fatalf("maker's correction page: form %v, added %q", p.has(`[data-testid=approve-form]`), p.text(`[data-testid=diff-added]`))
	}
	if p := post(t, maker, base+"/correction/approve", url.Values{"content_hash": {p.value(`[data-testid=approve-form] input[name=content_hash]`)}}); p.status != http.StatusSeeOther {
		t.Fatalf("approve = %d: %s", p.status, p.text("main"))
	}

	p = get(t, public, base)
	if !strings.Contains(p.text(`[data-testid=corrected]`), "Corrected on") || p.text(`[data-testid=corrected-reason]`) != reason {
		t.Errorf("public page: corrected %q", p.text(`[data-testid=corrected]`))
	}
	if !strings.Contains(p.text(`[data-testid=diff-removed]`), "£2,755,000") || !strings.Contains(p.text(`[data-testid=diff-added]`), "£2,755,001") {
		t.Errorf("diff: removed %q, added %q", p.text(`[data-testid=diff-removed]`), p.text(`[data-testid=diff-added]`))
	}
	if n := p.doc.Find(`[data-testid=versions] li`).Length(); n != 2 {
		t.Errorf("%d versions listed, want 2", n)
	}
	v1 := get(t, public, base+"/versions/1")
	canon := get(t, public, base+"/versions/1/canonical")
	sum := sha256.Sum256([]byte(canon.body))
	if v1.status != http.StatusOK || v1.text(`[data-testid=version-hash]`) != hex.EncodeToString(sum[:]) || !v1.has(`[data-testid=earlier-version]`) {
		t.Errorf("version 1: %d, hash %q, bytes hash %x", v1.status, v1.text(`[data-testid=version-hash]`), sum)
	}
	for _, path := range []string{"/versions/3", "/versions/0", "/versions/01", "/versions/x"} {
		if p := get(t, public, base+path); p.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, p.status)
		}
	}
	if p := get(t, public, base+"/verify"); !strings.Contains(p.text("main"), "matches") {
		t.Errorf("verify after a correction: %q", p.text("main"))
	}
	d := apiDecision(t, public, ss.URL, slug)
	if vs := d["versions"].([]any); len(vs) != 2 {
		t.Errorf("API versions = %v", vs)
	}
	if cs := d["corrections"].([]any); len(cs) != 1 || cs[0].(map[string]any)["reason"] != reason {
		t.Errorf("API corrections = %v", cs)
	}
	if atom := get(t, public, ss.URL+"/decisions.atom"); !strings.Contains(atom.body, "Corrected on") ||
		!strings.Contains(atom.body, "<title>Corrected: PCD 1682") {
		t.Error("the feed does not show the correction, in the entry's title and summary")
	}

	// Withdrawal.
	if p := get(t, drafter, base+"/withdraw"); p.status != http.StatusForbidden {
		t.Errorf("drafter GET withdraw = %d, want 403", p.status)
	}
	p = post(t, maker, base+"/withdraw", url.Values{"reason": {""}, "withdrawn_day": {"1"}, "withdrawn_month": {"1"}, "withdrawn_year": {"2999"}})
	if p.status != http.StatusUnprocessableEntity || p.text(`#reason-error`) == "" || !strings.Contains(p.text(`#withdrawn-error`), "today or in the past") {
		t.Fatalf("bad withdrawal = %d: %q %q", p.status, p.text(`#reason-error`), p.text(`#withdrawn-error`))
	}
	// Every error at once, in the summary, each linking to its field.
	if n := p.doc.Find(`.govuk-error-summary a`).Length(); n != 2 {
		t.Errorf("the error summary lists %d errors, want the reason's and the date's", n)
	}
	const why = "Superseded by a later decision."
	loc, _ := time.LoadLocation("Europe/London")
	now := ss.Clock.Now().In(loc)
	date := now.Format("2006-01-02")
	withdrawal := url.Values{"reason": {why}, "withdrawn_day": {strconv.Itoa(now.Day())},
		"withdrawn_month": {strconv.Itoa(int(now.Month()))}, "withdrawn_year": {strconv.Itoa(now.Year())}}
	// First "Are you sure?", with what the public will read; nothing is withdrawn yet.
	confirm := post(t, maker, base+"/withdraw", withdrawal)
	if confirm.status != http.StatusOK || !confirm.has(`[data-testid=withdraw-confirm]`) || confirm.text(`[data-testid=confirm-reason]`) != why {
		t.Fatalf("withdraw = %d, confirmation %v, reason %q", confirm.status, confirm.has(`[data-testid=withdraw-confirm]`), confirm.text(`[data-testid=confirm-reason]`))
	}
	if p := get(t, public, base); p.has(`[data-testid=withdrawn]`) {
		t.Fatal("withdrawn before the confirmation")
	}
	confirmed := url.Values{}
	confirm.doc.Find(`[data-testid=simple-form] input[type=hidden]`).Each(func(_ int, sel *goquery.Selection) {
		confirmed.Add(sel.AttrOr("name", ""), sel.AttrOr("value", ""))
	})
	if p := post(t, maker, base+"/withdraw", confirmed); p.status != http.StatusSeeOther {
		t.Fatalf("confirm the withdrawal = %d: %s", p.status, p.text("main"))
	}
	p = get(t, public, base)
	if p.status != http.StatusOK || !strings.Contains(p.text(`[data-testid=withdrawn-reason]`), why) {
		t.Errorf("withdrawn page = %d, reason %q", p.status, p.text(`[data-testid=withdrawn-reason]`))
	}
	if p := get(t, public, ss.URL+"/decisions"); strings.Contains(p.body, "/decisions/"+slug+`"`) {
		t.Error("a withdrawn decision is in the default list")
	}
	if p := get(t, public, ss.URL+"/decisions?q=social+media+hub"); !p.has(`[data-testid=withdrawn-tag]`) {
		t.Error("a search does not find the withdrawn decision, marked")
	}
	if atom := get(t, public, ss.URL+"/decisions.atom"); !strings.Contains(atom.body, "Withdrawn: PCD 1682") || !strings.Contains(atom.body, why) {
		t.Error("the feed does not show the withdrawal")
	}
	if w, _ := apiDecision(t, public, ss.URL, slug)["withdrawal"].(map[string]any); w["reason"] != why || w["date"] != date {
		t.Errorf("API withdrawal = %v", w)
	}
	staff := get(t, maker, base)
	for _, title := range []string{"Correction started", "Corrected", "Withdrawn"} {
		if !strings.Contains(staff.text(`[data-testid=timeline]`), title) {
			t.Errorf("the audit timeline lacks %q", title)
		}
	}
}
