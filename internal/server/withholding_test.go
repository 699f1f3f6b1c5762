package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
)

// TestWithholdingJourney: an admin makes the PCD series wait for its owner's release; the
// decision maker defers a decision with its ground and note; its owner is reminded through the
// outbox; on its date it stays unpublished and on the staff's list of reviews past their date;
// an extension (refused by its field when the date is not later) is shown publicly with its
// reason; releasing it publishes it, dated the day it was released.
func TestWithholdingJourney(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	admin := site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	ac := site.Client(t, admin.Email)
	if p := post(t, ac, site.URL+"/admin/release/PCD", url.Values{"mode": {"confirm"}, "days": {"0"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.text(`#days-error`), "from 1 to 90") || p.value(`input[name=mode][checked]`) != "confirm" {
		t.Errorf("POST 0 days = %d %q, want 422 by the field with the choice kept", p.status, p.text(`#days-error`))
	}
	if p := post(t, ac, site.URL+"/admin/release/PCD", url.Values{"mode": {"confirm"}, "days": {"14"}}); p.status != http.StatusSeeOther {
		t.Fatalf("POST the release mode = %d", p.status)
	}

	slug := site.awaitingDecision(t, 9601)
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	base := site.URL + "/decisions/" + slug
	day := site.Clock.Now().In(london(t)).AddDate(0, 0, 3)
	form := url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"defer"},
		"publish_day": {day.Format("2")}, "publish_month": {day.Format("1")}, "publish_year": {day.Format("2006")},
		"deferral_reason": {"Awaiting the grant letter"}, "ground": {"section 99"}, "public_interest": {""}, "content_hash": {site.hashOf(t, slug)}}
	bad := post(t, dm, base+"/sign", form)
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.text(`#ground-error`), "s.21 to s.44") ||
		bad.text(`#public-interest-error`) == "" || bad.value(`#ground`) != "section 99" {
		t.Fatalf("signing with a bad ground = %d, errors %q / %q", bad.status, bad.text(`#ground-error`), bad.text(`#public-interest-error`))
	}
	form.Set("ground", "s.22")
	form.Set("public_interest", "The funder announces the grant first.")
	if p := post(t, dm, base+"/sign", form); p.status != http.StatusSeeOther {
		t.Fatalf("signing deferred = %d: %s", p.status, p.text(`[data-testid=error-summary]`))
	}
	if n, err := site.Store.RemindReviews(ctx, site.Clock.Now()); err != nil || n != 1 {
		t.Fatalf("RemindReviews = %d, %v; want the owner reminded (14 days before a date 3 days off)", n, err)
	}
	if n, _ := site.Store.RemindReviews(ctx, site.Clock.Now()); n != 0 {
		t.Errorf("reminded again: %d", n)
	}
	ns, err := site.Store.UserNotices(ctx, site.maker.ID, 10)
	if err != nil || len(ns) == 0 || !strings.HasSuffix(ns[0].Subject, "withholding due for review") || ns[0].LinkPath != "/withheld/review" {
		t.Fatalf("the owner's newest notice %+v (%v)", ns, err)
	}

	anon := site.Client(t, "")
	public := get(t, anon, site.URL+"/withheld")
	if got := public.text(`[data-testid=withheld-item]`); !strings.Contains(got, "PCD 9601") || !strings.Contains(got, "FOI Act s.22") ||
		!strings.Contains(got, "The funder announces the grant first.") || strings.Contains(public.body, "Awaiting the grant letter") {
		t.Errorf("the public list says %q", got)
	}

	site.Clock.Advance(4 * 24 * time.Hour)
	if n, err := site.Store.ReleaseDue(ctx, site.Clock.Now()); err != nil || n != 0 {
		t.Errorf("ReleaseDue of a held decision = %d, %v; want 0", n, err)
	}
	if p := get(t, anon, base); p.status != http.StatusNotFound {
		t.Errorf("GET a held decision past its date = %d, want 404", p.status)
	}
	review := get(t, dm, site.URL+"/withheld/review")
	if got := review.text(`[data-testid=overdue]`); !strings.Contains(got, "PCD 9601") || !strings.Contains(got, "Past review date") {
		t.Fatalf("the review list's overdue part says %q", got)
	}
	other := site.Client(t, site.drafter.Email)
	if p := get(t, other, site.URL+"/withheld/review"); p.status != http.StatusForbidden {
		t.Errorf("a drafter's GET /withheld/review = %d, want 403", p.status)
	}
	extend, _ := review.doc.Find(`a[href$="/extend"]`).Attr("href")
	same := post(t, dm, site.URL+extend, url.Values{"review_on_day": {day.Format("2")}, "review_on_month": {day.Format("1")},
		"review_on_year": {day.Format("2006")}, "reason": {"The letter is late."}})
	if same.status != http.StatusUnprocessableEntity || !strings.Contains(same.text(`#review-on-error`), "must be after") ||
		same.value(`#reason`) != "" && same.text(`#reason`) != "The letter is late." {
		t.Errorf("extending to the same date = %d %q", same.status, same.text(`#review-on-error`))
	}
	later := day.AddDate(0, 0, 14)
	if p := post(t, dm, site.URL+extend, url.Values{"review_on_day": {later.Format("2")}, "review_on_month": {later.Format("1")},
		"review_on_year": {later.Format("2006")}, "reason": {"The letter is late."}}); p.status != http.StatusSeeOther {
		t.Fatalf("extending = %d: %s", p.status, p.text(`[data-testid=error-summary]`))
	}
	if got := get(t, anon, site.URL+"/withheld").text(`[data-testid=extension]`); !strings.Contains(got, "The letter is late.") {
		t.Errorf("the public list shows the extension as %q", got)
	}
	release, _ := get(t, dm, site.URL+"/withheld/review").doc.Find(`form[action$="/release"]`).Attr("action")
	if p := post(t, dm, site.URL+release, nil); p.status != http.StatusSeeOther {
		t.Fatalf("releasing = %d", p.status)
	}
	if p := get(t, anon, base); p.status != http.StatusOK {
		t.Errorf("GET the released decision = %d, want 200", p.status)
	}
	var published time.Time
	if err := site.Pool.QueryRow(ctx, `SELECT date_published FROM decisions WHERE slug = $1`, slug).Scan(&published); err != nil {
		t.Fatal(err)
	}
	if want := site.Clock.Now().In(london(t)).Format(time.DateOnly); published.Format(time.DateOnly) != want {
		t.Errorf("date published %s, want the day of release %s", published.Format(time.DateOnly), want)
	}
	if p := post(t, dm, site.URL+release, nil); p.status != http.StatusConflict {
		t.Errorf("releasing again = %d, want 409", p.status)
	}
}

// TestPartTwoGroundShown: a published decision's page says what law its Part II is withheld
// under, why, and until when; the Part II form refuses a ground it does not know, by its field.
func TestPartTwoGroundShown(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	var id int64
	slug := site.awaitingDecision(t, 9602, site.drafter)
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET status = 'draft' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	dc := site.Client(t, site.drafter.Email)
	edit := site.URL + "/decisions/" + slug + "/edit/part-two"
	f := get(t, dc, edit)
	form := url.Values{"version": {f.value(`input[name=version]`)}, "part_version": {f.value(`input[name=part_version]`)},
		"body": {"The prices."}, "ground": {"para 9"}, "public_interest": {"x"}, "review_on_day": {"1"}, "review_on_month": {"4"}, "review_on_year": {"2030"}}
	if p := post(t, dc, edit, form); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`#ground-error`), "para 3") ||
		p.value(`#ground`) != "para 9" {
		t.Errorf("Part II with ground para 9 = %d %q", p.status, p.text(`#ground-error`))
	}
	if err := site.Store.SetPartTwoWithholding(ctx, id, &store.WithholdingInput{Ground: "foi-s43",
		PublicInterest: "Publishing the prices would harm the next tender", ReviewOn: time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC)}, site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `UPDATE decisions SET status = 'awaiting_signoff' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	site.approveAll(t, slug)
	if err := site.Store.Sign(ctx, site.maker.Act(site.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: site.Clock.Now(), SeenHash: site.hashOf(t, slug)}); err != nil {
		t.Fatal(err)
	}
	p := get(t, site.Client(t, ""), site.URL+"/decisions/"+slug)
	want := "Withheld under FOI Act s.43 (commercial interests). Publishing the prices would harm the next tender. It is to be reviewed by 1 April 2030."
	if got := p.text(`[data-testid=part-two-ground]`); !strings.HasPrefix(got, want) {
		t.Errorf("the page says %q, want %q", got, want)
	}
}

func london(t *testing.T) *time.Location {
	t.Helper()
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestReleasePartTwoJourney: a published decision with two Part II sections; a drafter may not
// release it; its decision maker is refused with nothing ticked, and with the rest kept without
// a later date or reason, each by its field with the input kept; releases one section, signed
// as version 2; the public reads it with when it was released and what it was withheld under,
// and still not the other; releasing the other ends the withholding; verify holds.
func TestReleasePartTwoJourney(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	ctx := context.Background()
	slug := site.awaitingDecision(t, 9603)
	var id int64
	if err := site.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
		VALUES ($1, 2, 99, 'other', 'Negotiating terms', 'TERMS-STILL-SECRET')`, id); err != nil {
		t.Fatal(err)
	}
	review := time.Date(2030, 4, 1, 0, 0, 0, 0, time.UTC)
	if err := site.Store.SetPartTwoWithholding(ctx, id, &store.WithholdingInput{Ground: "foi-s43",
		PublicInterest: "Publishing the prices would harm the next tender", ReviewOn: review}, site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	site.approveAll(t, slug)
	if err := site.Store.Sign(ctx, site.maker.Act(site.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: site.Clock.Now(), SeenHash: site.hashOf(t, slug)}); err != nil {
		t.Fatal(err)
	}
	w, err := site.Store.WithholdingOf(ctx, id, store.WithheldPartTwo)
	if err != nil {
		t.Fatal(err)
	}
	path := site.URL + "/withheld/review/" + strconv.FormatInt(w.ID, 10) + "/release-part"
	if p := get(t, site.Client(t, site.drafter.Email), path); p.status != http.StatusForbidden {
		t.Errorf("a drafter's GET %s = %d, want 403", path, p.status)
	}
	dm := site.Client(t, site.maker.Email)
	review1 := get(t, dm, site.URL+"/withheld/review")
	if href, _ := review1.doc.Find(`a[href$="/release-part"]`).Attr("href"); site.URL+href != path {
		t.Errorf("the review list's Release now goes to %q, want %q", href, path)
	}
	form := get(t, dm, path)
	var first string
	form.doc.Find(`input[name=section]`).Each(func(i int, s *goquery.Selection) {
		if i == 0 {
			first, _ = s.Attr("value")
		}
	})
	if n := form.doc.Find(`input[name=section]`).Length(); n != 2 || first == "" {
		t.Fatalf("the form offers %d sections, want 2", n)
	}
	if p := post(t, dm, path, url.Values{"reason": {"Kept."}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.text(`#sections-error`), "Select the sections") || p.text(`#reason`) != "Kept." {
		t.Errorf("POST with nothing ticked = %d %q, want 422 by the field with the reason kept", p.status, p.text(`#sections-error`))
	}
	if p := post(t, dm, path, url.Values{"section": {first}, "review_on_day": {"1"}, "review_on_month": {"4"}, "review_on_year": {"2030"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.text(`#review-on-error`), "must be after 1 April 2030") || !strings.Contains(p.text(`#reason-error`), "stays withheld") ||
		p.value(`input[name=section][checked]`) != first {
		t.Errorf("POST keeping the rest without a later date or reason = %d %q %q", p.status, p.text(`#review-on-error`), p.text(`#reason-error`))
	}
	// With a second factor last given 20 minutes ago, sending the form asks for it first: the
	// answers wait on the form for the person to send again.
	secret, _, _ := setUpTOTP(t, site.Site, dm)
	site.Clock.Advance(20 * time.Minute)
	release := url.Values{"section": {first}, "review_on_day": {"1"}, "review_on_month": {"10"}, "review_on_year": {"2030"},
		"reason": {"The terms are still being negotiated."}}
	if p := post(t, dm, path, release); p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, "/account/confirm?") {
		t.Fatalf("releasing 20 minutes after the second factor = %d to %q, want 303 to confirm", p.status, p.location)
	}
	if kept := get(t, dm, path); kept.text(`#reason`) != release.Get("reason") || kept.value(`input[name=section][checked]`) != first {
		t.Errorf("back on the form after the step-up: reason %q, ticked %q; want the answers kept", kept.text(`#reason`), kept.value(`input[name=section][checked]`))
	}
	code, err := auth.TOTPCode(secret, site.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if p := post(t, dm, site.URL+"/account/confirm", url.Values{"code": {code}, "next": {"/withheld/review"}}); p.status != http.StatusSeeOther {
		t.Fatalf("confirming with a code = %d", p.status)
	}
	if p := post(t, dm, path, release); p.status != http.StatusSeeOther {
		t.Fatalf("releasing section 1 = %d: %s", p.status, p.text(`[data-testid=error-summary]`))
	}
	if got := get(t, dm, site.URL+"/withheld/review").text(`[data-testid=flash]`); !strings.Contains(got, "released as version 2, signed by you") {
		t.Errorf("the flash says %q", got)
	}
	anon := site.Client(t, "")
	page := get(t, anon, site.URL+"/decisions/"+slug)
	day := site.Clock.Now().In(london(t)).Format("2 January 2006")
	if got := page.text(`[data-testid=released-note]`); got != "Released on "+day+" (withheld under FOI Act s.43 until then)." {
		t.Errorf("the released section's note = %q", got)
	}
	if !strings.Contains(page.body, partTwoSecret) || strings.Contains(page.body, "TERMS-STILL-SECRET") {
		t.Error("the public page does not show the released section alone")
	}
	if got := page.text(`[data-testid=part-two-ground]`); !strings.Contains(got, "reviewed by 1 October 2030") {
		t.Errorf("the rest's ground on the page = %q", got)
	}
	if got := get(t, anon, site.URL+"/withheld").text(`[data-testid=extension]`); !strings.Contains(got, "The terms are still being negotiated.") {
		t.Errorf("the public list shows the extension as %q", got)
	}
	base := site.URL + "/decisions/" + slug
	if p := get(t, anon, base+"/versions/2/canonical"); p.status != http.StatusOK ||
		!strings.Contains(p.body, `"released":[{"section":1,"kind":"other"`) || strings.Contains(p.body, "TERMS-STILL-SECRET") {
		t.Errorf("GET version 2's canonical bytes = %d %q", p.status, p.body)
	}
	for _, u := range []string{base + "/versions/1", base + "/versions/2"} {
		if p := get(t, anon, u); p.status != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", u, p.status)
		}
	}
	if got := get(t, anon, base+"/verify").body; !strings.Contains(got, "matches its latest signed version, version 2 (Part II released on "+day+")") {
		t.Errorf("the verify page does not say version 2, the release, matches")
	}
	if got := page.text(`[data-testid=correction]`); !strings.Contains(got, "Part II released on "+day+" (version 2)") ||
		!strings.Contains(got, "Released and signed by Sophie Signer (decision maker).") {
		t.Errorf("the page's history of versions says %q", got)
	}
	if p := post(t, dm, path, url.Values{"section": {first}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("releasing section 1 again = %d, want 422 (it is no longer offered)", p.status)
	}
	second, _ := get(t, dm, path).doc.Find(`input[name=section]`).Attr("value")
	if p := post(t, dm, path, url.Values{"section": {second}}); p.status != http.StatusSeeOther {
		t.Fatalf("releasing the rest = %d: %s", p.status, p.text(`[data-testid=error-summary]`))
	}
	page = get(t, anon, site.URL+"/decisions/"+slug)
	if !strings.Contains(page.body, "TERMS-STILL-SECRET") || page.text(`[data-testid=part-two-withheld]`) != "" ||
		!strings.Contains(page.body, "Part II: released") {
		t.Error("the public page does not show the whole Part II released")
	}
	if p := get(t, dm, path); p.status != http.StatusConflict {
		t.Errorf("GET the release form of a released Part II = %d, want 409", p.status)
	}
	rep, err := site.Store.VerifyRegister(ctx)
	if err != nil || rep.Signatures.Mismatches != 0 || rep.Versions.Problem != "" || rep.Versions.Versions != 3 || rep.Chain.Problem != "" {
		t.Errorf("VerifyRegister = %+v, %v", rep, err)
	}
}
