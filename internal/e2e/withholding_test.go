package e2e

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/store"
)

// TestWithholdingPages, by the labels a person reads: an admin makes the series wait for its
// owner and is refused a bad number of days by its field; the decision maker finds the held
// deferral past its review date, is refused an extension without a date or reason, extends
// it, and the public list shows the extension. Every new page goes through axe-core at 1280
// and 320 px and the Nu Html Checker.
func TestWithholdingPages(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	admin := f.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	ctx := context.Background()
	dir := t.TempDir()
	var files []string
	save := func(name, email, method, path string, form url.Values) {
		t.Helper()
		c := f.Client(t, email)
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = c.PostForm(f.URL+path, form)
		} else {
			resp, err = c.Get(f.URL + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}

	at := staffTab(t, f.URL, admin.Email)
	do(t, at, "open the series' release setting", chromedp.Navigate(f.URL+"/admin/release/PCD"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="series-release-form"]`)))
	axeAtWidths(t, at, "series-release", func(int64) {})
	save("series-release", admin.Email, http.MethodGet, "/admin/release/PCD", nil)
	do(t, at, "choose to wait for the owner, with 0 days", chromedp.Click(labelNamed("Wait for its owner to release it")),
		chromedp.SetValue(labelled("Days before the date to remind them"), "0"),
		chromedp.Click(buttonNamed("Save")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
	if got := pageText(t, at); !strings.Contains(got, "from 1 to 90") {
		t.Errorf("0 days is not refused by its field: %q", got)
	}
	axeAtWidths(t, at, "series-release-errors", func(int64) {})
	save("series-release-errors", admin.Email, http.MethodPost, "/admin/release/PCD", url.Values{"mode": {"confirm"}, "days": {"0"}})
	do(t, at, "save 14 days", chromedp.SetValue(labelled("Days before the date to remind them"), "14"),
		chromedp.Click(buttonNamed("Save")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))

	slug := f.awaiting(t, 9901)
	f.approve(t, slug, signoffChain...)
	publishAt := f.Clock.Now().Add(48 * time.Hour)
	if err := f.Store.Sign(ctx, f.maker.Act(f.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved, Interests: store.InterestsNone,
		PublishAt: publishAt, DeferralReason: "The funder announces it.", SeenHash: f.hash(t, slug),
		DeferralGround: &store.WithholdingInput{Ground: "foi-s22", PublicInterest: "The funder announces the grant first."}}); err != nil {
		t.Fatal(err)
	}
	f.Clock.Advance(72 * time.Hour)

	dm := staffTab(t, f.URL, "dmpc@example.org")
	do(t, dm, "open the reviews", chromedp.Navigate(f.URL+"/withheld/review"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="overdue"]`)))
	axeAtWidths(t, dm, "withheld-review", func(int64) {})
	save("withheld-review", "dmpc@example.org", http.MethodGet, "/withheld/review", nil)
	do(t, dm, "follow Extend", chromedp.Click(`//a[starts-with(normalize-space(.), "Extend")]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="extend-form"]`)))
	axeAtWidths(t, dm, "withheld-extend", func(int64) {})
	var extendPath string
	extendPath = run(t, dm, "read the address", chromedp.Evaluate[string](`location.pathname`))
	save("withheld-extend", "dmpc@example.org", http.MethodGet, extendPath, nil)
	do(t, dm, "extend with nothing", chromedp.Click(buttonNamed("Extend")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
	if got := pageText(t, dm); !strings.Contains(got, "Enter the new review date") || !strings.Contains(got, "Enter why it stays withheld") {
		t.Errorf("the empty extension is not refused by its fields: %q", got)
	}
	axeAtWidths(t, dm, "withheld-extend-errors", func(int64) {})
	save("withheld-extend-errors", "dmpc@example.org", http.MethodPost, extendPath, url.Values{})
	later := inLondon(f.Clock.Now()).AddDate(0, 1, 0)
	do(t, dm, "extend by a month", typeText(inFieldset("New review date", "Day"), later.Format("2")),
		typeText(inFieldset("New review date", "Month"), later.Format("1")),
		typeText(inFieldset("New review date", "Year"), later.Format("2006")),
		typeText(labelled("Why it stays withheld"), "The announcement has moved."),
		chromedp.Click(buttonNamed("Extend")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))

	v, _ := visitor(t)
	v.step("open what is withheld", `[data-testid="withheld"]`, chromedp.Navigate(f.URL+"/withheld"))
	if got := v.text(); !strings.Contains(got, "PCD 9901") || !strings.Contains(got, "FOI Act s.22") || !strings.Contains(got, "The announcement has moved.") {
		t.Errorf("the public list says %q", got)
	}
	axeAtWidths(t, v.ctx, "withheld", func(int64) {})
	save("withheld", "", http.MethodGet, "/withheld", nil)
	checkHTML(t, files)
}

// TestReleasePartTwoPages, by the labels a person reads: the decision maker follows "Release
// now" for a published decision's Part II, is refused a release with nothing ticked, then
// releases one of its two sections, keeping the other with a new date and reason; the public
// reads the released section with when it was released and what it was withheld under, and
// not the other; verify holds. The new page (and its errors) and the decision page with a
// released section go through axe-core at 1280 and 320 px and the Nu Html Checker.
func TestReleasePartTwoPages(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	var files []string
	save := func(name, email, method, path string, form url.Values) {
		t.Helper()
		c := f.Client(t, email)
		var resp *http.Response
		var err error
		if method == http.MethodPost {
			resp, err = c.PostForm(f.URL+path, form)
		} else {
			resp, err = c.Get(f.URL + path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		file := filepath.Join(dir, name+".html")
		if err := os.WriteFile(file, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
	}

	slug := f.awaiting(t, 9902)
	var id int64
	if err := f.Pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Pool.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
		VALUES ($1, 2, 2, 'other', 'Negotiating terms', 'Terms still being negotiated.')`, id); err != nil {
		t.Fatal(err)
	}
	if err := f.Store.SetPartTwoWithholding(ctx, id, &store.WithholdingInput{Ground: "foi-s43",
		PublicInterest: "Publishing the advice would harm the negotiation", ReviewOn: inLondon(f.Clock.Now()).AddDate(0, 1, 0)}, f.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	f.approve(t, slug, signoffChain...)
	if err := f.Store.Sign(ctx, f.maker.Act(f.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: f.Clock.Now(), SeenHash: f.hash(t, slug)}); err != nil {
		t.Fatal(err)
	}

	dm := staffTab(t, f.URL, "dmpc@example.org")
	do(t, dm, "open the reviews", chromedp.Navigate(f.URL+"/withheld/review"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="withheld"]`)))
	do(t, dm, "follow Release now", chromedp.Click(`//a[starts-with(normalize-space(.), "Release now")]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="release-part-form"]`)))
	axeAtWidths(t, dm, "release-part", func(int64) {})
	path := run(t, dm, "read the address", chromedp.Evaluate[string](`location.pathname`))
	save("release-part", "dmpc@example.org", http.MethodGet, path, nil)
	do(t, dm, "release nothing", chromedp.Click(buttonNamed("Release and sign")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
	if got := pageText(t, dm); !strings.Contains(got, "Select the sections of Part II to release") {
		t.Errorf("releasing nothing is not refused by its field: %q", got)
	}
	axeAtWidths(t, dm, "release-part-errors", func(int64) {})
	save("release-part-errors", "dmpc@example.org", http.MethodPost, path, url.Values{})
	later := inLondon(f.Clock.Now()).AddDate(0, 6, 0)
	do(t, dm, "release the advice, keeping the terms", chromedp.Click(labelNamed("Confidential advice")),
		typeText(inFieldset("New review date for the rest", "Day"), later.Format("2")),
		typeText(inFieldset("New review date for the rest", "Month"), later.Format("1")),
		typeText(inFieldset("New review date for the rest", "Year"), later.Format("2006")),
		typeText(labelled("Why the rest stays withheld"), "The terms are still being negotiated."),
		chromedp.Click(buttonNamed("Release and sign")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)))
	if got := pageText(t, dm); !strings.Contains(got, "PCD 9902: Part II released as version 2, signed by you") {
		t.Errorf("the flash says %q", got)
	}

	v, _ := visitor(t)
	v.step("open the decision", `[data-testid="released-note"]`, chromedp.Navigate(f.URL+"/decisions/"+slug))
	got := v.text()
	want := "Released on " + inLondon(f.Clock.Now()).Format("2 January 2006") + " (withheld under FOI Act s.43 until then)."
	if !strings.Contains(got, "Advice the public does not read.") || !strings.Contains(got, want) ||
		strings.Contains(got, "Terms still being negotiated.") || !strings.Contains(got, "The rest of this decision’s confidential Part II is not published.") {
		t.Errorf("the public page says %q, want the advice with %q and the terms withheld", got, want)
	}
	axeAtWidths(t, v.ctx, "decision-released", func(int64) {})
	save("decision-released", "", http.MethodGet, "/decisions/"+slug, nil)
	checkHTML(t, files)
	rep, err := f.Store.VerifyRegister(ctx)
	if err != nil || rep.Signatures.Mismatches != 0 || rep.Versions.Problem != "" || rep.Chain.Problem != "" {
		t.Errorf("VerifyRegister = %+v, %v", rep, err)
	}
}
