package e2e

import (
	"cmp"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// adminPageType is an admin page, reached by opening path and, for a form's error state,
// running submit (JavaScript that fills the form badly and submits it).
type adminPageType struct {
	name   string
	path   string
	submit string
	form   url.Values // the same bad form, posted for the HTML checker
	action string     // where the form posts, when not to path
}

// signIn signs the tab in through the sign-in page, as a person would, and lands on next.
func signIn(t *testing.T, ctx context.Context, siteURL, email, next string) {
	t.Helper()
	do(t, ctx, "sign in as "+email,
		chromedp.Navigate(siteURL+"/sign-in?next="+url.QueryEscape(next)),
		typeText(chromedp.CSS("#email"), email),
		typeText(chromedp.CSS("#password"), testsite.Password),
		chromedp.Click(chromedp.CSS(`[data-testid="sign-in-form"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="account"]`)),
	)
	// The page signed in to may still be loading when its header shows: a click on it then
	// can meet a node the loading document has replaced.
	run(t, ctx, "wait for the page to load", chromedp.Poll[bool](`document.readyState === "complete"`))
}

// TestAdminPagesAccessible puts every admin page type, forms with errors included, through
// axe-core at 1280 and 320 px (with no sideways scrolling at 320) and the Nu Html Checker.
func TestAdminPagesAccessible(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	ada := site.User(t, "adviser@example.org", "Ada Adviser", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"finance"}})
	user := "/admin/users/" + strconv.FormatInt(ada.ID, 10)
	unsubscribe := noticesFor(t, site, ada)
	pageTypes := []adminPageType{
		{name: "admin-users", path: "/admin/users"},
		{name: "admin-user-new", path: "/admin/users/new"},
		{name: "admin-user-new-errors", path: "/admin/users/new",
			submit: `document.querySelector('#email').value = 'not an email';
				document.querySelector('input[name="roles"][value="adviser"]').checked = true;
				document.querySelector('[data-testid="user-form"]').submit()`,
			form: url.Values{"email": {"not an email"}, "roles": {"adviser"}}},
		{name: "admin-user", path: user},
		{name: "admin-user-errors", path: user,
			submit: `document.querySelectorAll('input[type="checkbox"]').forEach(c => c.checked = false);
				document.querySelector('[data-testid="user-form"]').submit()`,
			form: url.Values{}},
		{name: "admin-user-disable", path: user + "/disable"}, // she alone clears the finance step: listed
		{name: "admin-user-password", path: user + "/password"},
		{name: "admin-chain", path: "/admin/chains/PCD"},
		{name: "admin-chain-errors", path: "/admin/chains/PCD",
			submit: `document.querySelector('#position-legal').value = 'first';
				document.querySelector('#position-finance').value = '1';
				const contact = document.querySelector('#escalation-legal');
				contact.add(new Option('Nobody who clears it', '999999'));
				contact.value = '999999';
				document.querySelector('[data-testid="chain-form"]').submit()`,
			form: url.Values{"position-legal": {"first"}, "position-finance": {"1"}, "position-head_of_unit": {"1"}, "escalation-legal": {"999999"}}},
		{name: "admin-bank-holidays", path: "/admin/bank-holidays"},
		{name: "admin-bank-holidays-errors", path: "/admin/bank-holidays",
			submit: `document.querySelector('[data-testid="holidays-form"]').submit()`,
			form:   url.Values{}},
		{name: "admin-templates", path: "/admin/series/PCD/templates"},
		{name: "admin-templates-errors", path: "/admin/series/PCD/templates",
			submit: `document.querySelector('#template-legal-comments').value = 'x'.repeat(20001);
				document.querySelector('[data-testid="templates-form"]').submit()`,
			form: url.Values{"template-legal-comments": {strings.Repeat("x", 20001)}}},
		{name: "admin-notices", path: "/admin/notices"},
		{name: "admin-notices-failed", path: "/admin/notices?state=failed"},
		{name: "account-notices", path: "/account/notices"},
		{name: "account-notices-errors", path: "/account/notices",
			submit: `document.querySelector('#how-2').checked = true;
				document.querySelector('#time').value = '25:00';
				document.querySelector('[data-testid="notice-preferences-form"]').submit()`,
			form: url.Values{"how": {"digest"}, "time": {"25:00"}}},
		{name: "unsubscribe", path: unsubscribe},
		{name: "admin-organisations", path: "/admin/organisations"},
		{name: "admin-organisation", path: "/admin/organisations/1"},
		{name: "admin-organisation-rename-errors", path: "/admin/organisations/1", action: "/admin/organisations/1/rename",
			submit: `document.querySelector('#name').value = '';
				document.querySelector('[data-testid="rename-form"]').submit()`,
			form: url.Values{"name": {""}}},
		{name: "admin-organisation-merge-errors", path: "/admin/organisations/1", action: "/admin/organisations/1/merge",
			submit: `document.querySelector('[data-testid="merge-form"]').submit()`,
			form:   url.Values{"into": {""}}},
	}

	ctx := newTab(t)
	stopConsole := watchConsole(t, ctx, func(m chromedp.ConsoleMessage) bool {
		// A form with errors answers 422, which the browser reports as a failed load.
		return strings.HasPrefix(m.Text, "Failed to load resource") && strings.Contains(m.Text, "422")
	})
	defer stopConsole()
	signIn(t, ctx, site.URL, "admin@example.org", "/admin/users")
	for _, p := range pageTypes {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(1280, 900))
		do(t, ctx, "open "+p.path, chromedp.Navigate(site.URL+p.path), chromedp.WaitVisible(chromedp.CSS("h1")))
		if p.submit != "" {
			do(t, ctx, "submit "+p.name, chromedp.Evaluate[chromedp.Void](p.submit+";void 0"),
				chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-summary"]`)))
		}
		for _, v := range runAxe(t, ctx) {
			t.Errorf("%s (%s): axe %s [%s] %s at %s", p.name, p.path, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		}
		do(t, ctx, "narrow the viewport", chromedp.EmulateViewport(320, 800))
		if w := run(t, ctx, "scroll width", chromedp.Evaluate[int]("document.documentElement.scrollWidth")); w > 320 {
			t.Errorf("%s at 320 px: scrollWidth = %d, want <= 320", p.name, w)
		}
		for _, v := range runAxe(t, ctx) {
			t.Errorf("%s at 320 px: axe %s [%s] %s at %s", p.name, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, ", "))
		}
	}

	// The same pages, as served, through the Nu Html Checker.
	c := site.Client(t, "admin@example.org")
	dir := t.TempDir()
	var files []string
	for _, p := range pageTypes {
		var resp *http.Response
		var err error
		if p.form != nil {
			resp, err = c.PostForm(site.URL+cmp.Or(p.action, p.path), p.form)
		} else {
			resp, err = c.Get(site.URL + p.path)
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := http.StatusOK
		if p.form != nil {
			want = http.StatusUnprocessableEntity
		}
		if resp.StatusCode != want {
			t.Errorf("%s: %s = %d, want %d", p.name, p.path, resp.StatusCode, want)
		}
		f := filepath.Join(dir, p.name+".html")
		if err := os.WriteFile(f, body, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	checkHTML(t, files)
}

// noticesFor writes two notices for u, one sent and one refused for good (its address marked
// as bouncing), so the admins' Notices page has rows of each kind, and returns u's unsubscribe
// link's path.
func noticesFor(t *testing.T, site *testsite.Site, u store.User) string {
	t.Helper()
	ctx := context.Background()
	err := site.Store.InTx(ctx, func(tx *store.Store) error {
		for _, subject := range []string{"PCD 1683 waiting for you", "PCD 1683 Finance approved"} {
			_, err := tx.QueueNotice(ctx, site.Clock.Now(), store.Notice{UserID: u.ID, Event: "test", Kind: store.NoticeAction,
				Reference: "PCD 1683", Title: "A decision", Subject: subject, Body: "It is waiting for the Finance step.", LinkPath: "/work"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		d, err := site.Store.ClaimNotices(ctx, site.Clock.Now(), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			err = site.Store.RecordSent(ctx, d, "notice-1@localhost", site.Clock.Now())
		} else {
			err = site.Store.RecordFailure(ctx, d, "550 5.1.1 <adviser@example.org>: Recipient address rejected: User unknown in virtual mailbox table", true, site.Clock.Now(), 5)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	key, err := site.Store.NoticeKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return "/notices/unsubscribe/" + notice.UnsubscribeToken(key, u.ID)
}
