package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// inFieldset is the control a label names inside the fieldset whose legend reads legend: the
// date inputs' "Day", "Month" and "Year" are in each date's own fieldset.
func inFieldset(legend, label string) string {
	return fmt.Sprintf(`//fieldset[legend[normalize-space(.)=%q]]//*[@id=//label[normalize-space(.)=%q]/@for]`, legend, label)
}

// TestCoverJourney, by the labels a person reads: the legal adviser sets cover for the days
// ahead; their cover finds the legal step on Your work, is told it is for them, declares an
// interest and the dispensation, and approves; the chain, staff and public, says "for" them.
// Every new page goes through axe-core at 1280 and 320 px and the Nu Html Checker.
func TestCoverJourney(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	beaUser := f.User(t, "bea@example.org", "Bea Cover", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"legal"}})
	admin := f.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	slug := f.awaiting(t, 9701)
	f.approve(t, slug, "head_of_unit", "finance")
	today := inLondon(f.Clock.Now())
	last := today.AddDate(0, 0, 13)
	dir := t.TempDir()
	var files []string
	save := func(name, email, path string) {
		t.Helper()
		resp, err := f.Client(t, email).Get(f.URL + path)
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

	// Ann, the legal adviser, sets her cover from Your work.
	ann, closeAnn := atWork(t, f.URL, "legal@example.org")
	ann.step("open Your cover", `[data-testid="cover-form"]`, chromedp.Click(linkNamed("Your cover while you are away")))
	axeAtWidths(t, ann.ctx, "account-cover", func(int64) {})
	ann.step("send the form empty", `[data-testid="error-summary"]`, chromedp.Click(buttonNamed("Set cover")))
	if got := ann.text(); !strings.Contains(got, "Select who will act for you") || !strings.Contains(got, "Enter the start date") {
		t.Errorf("the empty form says %q", got)
	}
	axeAtWidths(t, ann.ctx, "account-cover-error", func(int64) {})
	ann.step("set cover by Bea for two weeks", `[data-testid="flash"]`,
		chromedp.SetValue(labelled("Who will act for you"), strconv.FormatInt(beaUser.ID, 10)),
		typeText(inFieldset("Start date", "Day"), today.Format("2")),
		typeText(inFieldset("Start date", "Month"), today.Format("1")),
		typeText(inFieldset("Start date", "Year"), today.Format("2006")),
		typeText(inFieldset("End date", "Day"), last.Format("2")),
		typeText(inFieldset("End date", "Month"), last.Format("1")),
		typeText(inFieldset("End date", "Year"), last.Format("2006")),
		typeText(labelled("Why cover is needed"), "Annual leave"),
		chromedp.Click(buttonNamed("Set cover")))
	if got := ann.text(); !strings.Contains(got, "Bea Cover acts for you") || !strings.Contains(got, "Annual leave") {
		t.Errorf("after setting cover the page says %q", got)
	}
	save("account-cover", "legal@example.org", "/account/cover")
	closeAnn()

	// Bea finds Ann's step on her work, and approves it for her, declaring an interest.
	bea, closeBea := atWork(t, f.URL, "bea@example.org")
	if got := bea.text(); !strings.Contains(got, "Waiting on Legal") || !strings.Contains(got, " · covering for Adviser legal") {
		t.Errorf("Bea's work says %q", got)
	}
	bea.step("open PCD 9701", `[data-testid="adviser-form"]`, chromedp.Click(linkNamed("PCD 9701")))
	if got := bea.text(); !strings.Contains(got, "You are covering for Adviser legal") {
		t.Errorf("Bea's form does not say whom she covers: %q", got)
	}
	axeAtWidths(t, bea.ctx, "signoff-cover", func(int64) {})
	save("signoff-cover", "bea@example.org", "/decisions/"+slug+"/signoff")
	bea.step("approve having withdrawn: refused", `[data-testid="error-summary"]`,
		chromedp.Click(labelNamed("Approve")),
		chromedp.Click(labelNamed("I have an interest to declare")),
		typeText(labelled("The interest you declare"), "I hold shares in the funder"),
		chromedp.Click(labelNamed("I withdrew")),
		chromedp.Click(buttonNamed("Record your decision")))
	if got := bea.text(); !strings.Contains(got, "requires you to withdraw") {
		t.Errorf("a withdrawal is not refused in words: %q", got)
	}
	axeAtWidths(t, bea.ctx, "signoff-declaration-error", func(int64) {})
	bea.step("approve under a dispensation", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("I went on under a dispensation")),
		typeText(labelled("Who granted the dispensation"), "The monitoring officer"),
		chromedp.Click(buttonNamed("Record your decision")))
	wantFor := "Bea Cover for Adviser legal (cover " + decision.CoverDays(dateOf(today), dateOf(last)) + ", set by Adviser legal)"
	if got := bea.text(); !strings.Contains(got, "You approved this step") || !strings.Contains(got, wantFor) ||
		!strings.Contains(got, "Went on under a dispensation granted by The monitoring officer") {
		t.Errorf("after approving, the chain does not say %q with the declaration: %q", wantFor, got)
	}
	closeBea()

	// The rest of the chain, and the signature; then anyone reads "for".
	f.approve(t, slug, "equalities", "data_protection", "chief_executive")
	if err := f.Store.Sign(context.Background(), f.maker.Act(f.Clock.Now()), slug, store.SignInput{Outcome: store.OutcomeApproved,
		Interests: store.InterestsNone, PublishAt: f.Clock.Now(), SeenHash: f.hash(t, slug)}); err != nil {
		t.Fatal(err)
	}
	v, _ := visitor(t)
	v.step("open PCD 9701", `[data-testid="signoff-chain"]`, chromedp.Navigate(f.URL+"/decisions/"+slug))
	rows := v.chain()
	if len(rows) < 3 || !strings.Contains(rows[2].Name, wantFor) {
		t.Errorf("the public chain's legal row reads %+v, want %q", rows, wantFor)
	}
	axeAtWidths(t, v.ctx, "decision-cover", func(int64) {})
	save("decision-cover", "", "/decisions/"+slug)

	// An admin's cover page for someone.
	adminTab := staffTab(t, f.URL, "admin@example.org")
	path := "/admin/users/" + strconv.FormatInt(f.advisers["legal"].ID, 10) + "/cover"
	axeAtWidths(t, adminTab, "admin-cover", func(int64) {
		do(t, adminTab, "open "+path, chromedp.Navigate(f.URL+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="covers"]`)))
	})
	save("admin-cover", admin.Email, path)
	for _, file := range files {
		if b, _ := os.ReadFile(file); len(b) == 0 || !strings.Contains(string(b), "<html") {
			t.Errorf("%s: no page saved", file)
		}
	}
	checkHTML(t, files)
}

// dateOf is a London day as the register keeps dates.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// TestSignUnderCoverJourney, by the labels a person reads: Ben covers Sophie, the series'
// decision maker, by a cover an admin set; Your work lists the signature "covering for" her,
// the form says it is recorded for her, he signs, and the chain (staff and public) reads
// "Ben Cover for Sophie Signer (cover …, set by Alex Admin)".
func TestSignUnderCoverJourney(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ben := f.User(t, "ben@example.org", "Ben Cover", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	admin := f.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	today := inLondon(f.Clock.Now())
	last := today.AddDate(0, 0, 6)
	if _, err := f.Store.SetCover(context.Background(), admin.Act(f.Clock.Now()), store.CoverInput{UserID: f.maker.ID,
		CovererID: ben.ID, Starts: dateOf(today), Ends: dateOf(last), Reason: "Annual leave"}); err != nil {
		t.Fatal(err)
	}
	slug := f.awaiting(t, 9702)
	f.approve(t, slug, signoffChain...)

	b, closeBen := atWork(t, f.URL, ben.Email)
	defer closeBen()
	if got := b.text(); !strings.Contains(got, "Every step has approved it · covering for Sophie Signer") {
		t.Errorf("Ben's work says %q", got)
	}
	b.step("open PCD 9702", `[data-testid="signer-form"]`, chromedp.Click(linkNamed("PCD 9702")))
	days := decision.CoverDays(dateOf(today), dateOf(last))
	if got := b.text(); !strings.Contains(got, "You are covering for Sophie Signer (cover "+days+", set by Alex Admin): your signature or rejection is recorded as made for them.") {
		t.Errorf("Ben's form does not say whom he signs for: %q", got)
	}
	axeAtWidths(t, b.ctx, "signoff-sign-cover", func(int64) {})
	b.step("sign for Sophie", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("I have no interests to declare")),
		chromedp.Click(labelNamed("Sign and approve")),
		chromedp.Click(labelNamed("Publish now")),
		chromedp.Click(buttonNamed("Record your decision")))
	wantFor := "Ben Cover for Sophie Signer (cover " + days + ", set by Alex Admin)"
	rows := b.chain()
	if len(rows) == 0 || !strings.Contains(rows[len(rows)-1].Name, wantFor) {
		t.Errorf("the staff chain's signature reads %+v, want %q", rows, wantFor)
	}
	v, closeV := visitor(t)
	defer closeV()
	v.step("open PCD 9702", `[data-testid="signoff-chain"]`, chromedp.Navigate(f.URL+"/decisions/"+slug))
	rows = v.chain()
	if len(rows) == 0 || !strings.Contains(rows[len(rows)-1].Name, wantFor) {
		t.Errorf("the public chain's signature reads %+v, want %q", rows, wantFor)
	}
	axeAtWidths(t, v.ctx, "decision-signed-cover", func(int64) {})
}
