package e2e

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/forwardplan"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestForwardPlanJourney, by the labels a person reads: a drafter adds a notice to the forward
// plan (first sending it half filled in, to see the errors by their fields), the public find it
// on /forward-plan, an admin publishes the plan. Every page type of the forward plan goes
// through axe-core at 1280 and 320 px and the Nu Html Checker.
func TestForwardPlanJourney(t *testing.T) {
	t.Parallel()
	ts := testsite.New(t)
	ts.User(t, drafterEmail, "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	ts.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	expected := inLondon(ts.Clock.Now()).AddDate(0, 0, 45)
	dir := t.TempDir()
	var files []string
	save := func(name, email, path string, form map[string][]string) {
		t.Helper()
		c := ts.Client(t, email)
		var resp *http.Response
		var err error
		if form != nil {
			resp, err = c.PostForm(ts.URL+path, form)
		} else {
			resp, err = c.Get(ts.URL + path)
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

	dana, closeDana := visitor(t)
	stopConsole := watchConsole(t, dana.ctx, func(m chromedp.ConsoleMessage) bool {
		return strings.HasPrefix(m.Text, "Failed to load resource") && strings.Contains(m.Text, "422")
	})
	dana.step("ask for the notice form", `[data-testid="sign-in-form"]`, chromedp.Navigate(ts.URL+"/forward-plan/new"))
	dana.signIn(drafterEmail, `[data-testid="plan-form"]`)
	axeAtWidths(t, dana.ctx, "plan-notice-new", func(int64) {})
	dana.step("send the form with only the matter", `[data-testid="error-summary"]`,
		typeText(labelled("The matter to be decided"), "Commission a service for victims of knife crime"),
		chromedp.Click(buttonNamed("Publish the notice")))
	if got := dana.text(); !strings.Contains(got, "Enter the decision maker’s name") || !strings.Contains(got, "Enter the date expected") ||
		!strings.Contains(got, "Select whether it is a key decision") {
		t.Errorf("the half-filled form says %q", got)
	}
	axeAtWidths(t, dana.ctx, "plan-notice-errors", func(int64) {})
	dana.step("fill in the notice and publish it", `[data-testid="flash"]`,
		chromedp.Click(labelNamed("PCD")),
		typeText(labelled("Decision maker’s name"), "Kaya Comer-Schwartz"),
		typeText(labelled("Decision maker’s title"), "Deputy Mayor for Policing and Crime"),
		typeText(inFieldset("Date expected, or the first day of the period", "Day"), expected.Format("2")),
		typeText(inFieldset("Date expected, or the first day of the period", "Month"), expected.Format("1")),
		typeText(inFieldset("Date expected, or the first day of the period", "Year"), expected.Format("2006")),
		typeText(labelled("Documents to be submitted to the decision maker"), "Report of the Director of Commissioning"),
		typeText(labelled("Where copies can be had and how to ask for them"), "MOPAC, 169 Union Street, London SE1 0LL"),
		chromedp.Click(inFieldset("Is any part expected to be withheld from the public?", "No")),
		chromedp.Click(inFieldset("Is it a key decision?", "Yes")),
		chromedp.Click(buttonNamed("Publish the notice")))
	if got := dana.text(); !strings.Contains(got, "The notice is on the forward plan.") || !strings.Contains(got, "Kaya Comer-Schwartz, Deputy Mayor for Policing and Crime") {
		t.Errorf("after publishing, the notice's page says %q", got)
	}
	noticePath := strings.TrimPrefix(run(t, dana.ctx, "address", chromedp.Evaluate[string]("location.pathname")), "")
	axeAtWidths(t, dana.ctx, "plan-notice", func(int64) {
		do(t, dana.ctx, "open the notice", chromedp.Navigate(ts.URL+noticePath), chromedp.WaitVisible(chromedp.CSS(`[data-testid="notice-history"]`)))
	})
	stopConsole()
	closeDana()

	// The public find it on the plan.
	v, closeV := visitor(t)
	v.step("open the forward plan", `[data-testid="plan-items"]`, chromedp.Navigate(ts.URL+"/forward-plan"))
	if got := v.text(); !strings.Contains(got, "Commission a service for victims of knife crime") || !strings.Contains(got, "Key decision") {
		t.Errorf("the public plan says %q", got)
	}
	axeAtWidths(t, v.ctx, "forward-plan", func(int64) {
		do(t, v.ctx, "open the plan", chromedp.Navigate(ts.URL+"/forward-plan"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan-items"]`)))
	})
	closeV()

	// An admin publishes the plan.
	alex, closeAlex := staff(t, ts.URL, "admin@example.org")
	alex.step("open the forward plan", `[data-testid="plan-items"]`, chromedp.Navigate(ts.URL+"/forward-plan"))
	alex.step("publish it", `[data-testid="plan-sha256"]`, chromedp.Click(buttonNamed("Publish the plan now")))
	publishedPath := run(t, alex.ctx, "address", chromedp.Evaluate[string]("location.pathname"))
	if got := alex.text(); !strings.Contains(got, "New (1)") || !strings.Contains(got, "Commission a service for victims of knife crime") {
		t.Errorf("the published plan says %q", got)
	}
	axeAtWidths(t, alex.ctx, "plan-published", func(int64) {
		do(t, alex.ctx, "open the published plan", chromedp.Navigate(ts.URL+publishedPath), chromedp.WaitVisible(chromedp.CSS(`[data-testid="plan-sha256"]`)))
	})
	closeAlex()

	// The other page types: the forms of a notice, an exception record, the admins' rules.
	id, _ := strconv.ParseInt(strings.TrimPrefix(noticePath, "/forward-plan/"), 10, 64)
	exc, err := ts.Store.MakeException(context.Background(), store.System(ts.Clock.Now()), store.PlanException{NoticeID: id,
		Kind: forwardplan.GeneralException, ChairName: "Marina Ahmad", ChairRole: "Chair of the Police and Crime Committee",
		Reasons: "The grant offer closes before 28 clear days.", ChairOn: ts.Clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	others := []struct{ name, email, path string }{
		{"plan-notice-edit", drafterEmail, noticePath + "/edit"},
		{"plan-notice-withdraw", drafterEmail, noticePath + "/withdraw"},
		{"plan-exception-new", drafterEmail, noticePath + "/exception"},
		{"plan-exception", "", "/forward-plan/exceptions/" + strconv.FormatInt(exc, 10)},
		{"admin-key-decisions", "admin@example.org", "/admin/key-decisions"},
	}
	// One tab a person, signed in once: a browser context is a renderer of its own, with its
	// own cold cache of the stylesheet and scripts.
	tabs := map[string]context.Context{}
	for _, o := range others {
		ctx := tabs[o.email]
		if ctx == nil {
			if o.email == "" {
				ctx = newTab(t)
			} else {
				ctx = staffTab(t, ts.URL, o.email)
			}
			tabs[o.email] = ctx
		}
		axeAtWidths(t, ctx, o.name, func(int64) {
			do(t, ctx, "open "+o.path, chromedp.Navigate(ts.URL+o.path), chromedp.WaitVisible(chromedp.CSS("h1")))
		})
		save(o.name, o.email, o.path, nil)
	}
	save("forward-plan", "", "/forward-plan", nil)
	save("plan-notice", "", noticePath, nil)
	save("plan-published", "", publishedPath, nil)
	save("plan-notice-new", drafterEmail, "/forward-plan/new", nil)
	save("plan-notice-errors", drafterEmail, "/forward-plan/new", map[string][]string{"matter": {"Only the matter"}})
	save("plan-exception-errors", drafterEmail, noticePath+"/exception", map[string][]string{"kind": {"special_urgency"}})
	save("admin-key-decisions-errors", "admin@example.org", "/admin/key-decisions", map[string][]string{"threshold": {"lots"}})
	checkHTML(t, files)
}
