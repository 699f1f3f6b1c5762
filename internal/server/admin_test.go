package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

type adminPage struct {
	status int
	header http.Header
	doc    *goquery.Document
	body   string
}

func (p adminPage) text(sel string) string {
	return strings.Join(strings.Fields(p.doc.Find(sel).Text()), " ")
}

// texts is each element's text, spaces collapsed, joined by " | ".
func (p adminPage) texts(sel string) string {
	var out []string
	p.doc.Find(sel).Each(func(_ int, s *goquery.Selection) { out = append(out, strings.Join(strings.Fields(s.Text()), " ")) })
	return strings.Join(out, " | ")
}

func adminDo(t *testing.T, c *http.Client, method, u string, form url.Values) adminPage {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodPost {
		resp, err = c.PostForm(u, form)
	} else {
		resp, err = c.Get(u)
	}
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return adminPage{status: resp.StatusCode, header: resp.Header, doc: doc, body: string(b)}
}

func adminSite(t *testing.T) (*testsite.Site, store.User, *http.Client) {
	t.Helper()
	site := testsite.New(t)
	admin := site.User(t, "admin@example.org", "Alex Admin", store.Grants{Roles: []string{"admin"}})
	return site, admin, site.Client(t, "admin@example.org")
}

func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	t.Parallel()
	site, _, adminClient := adminSite(t)
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	dm := site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker", "admin"}, Series: []string{"PCD"}})
	drafter := site.Client(t, "drafter@example.org")
	disabledAdmin := site.Client(t, "dm@example.org")
	if err := site.Store.SetUserDisabled(context.Background(), store.System(site.Clock.Now()), dm.ID, true); err != nil {
		t.Fatal(err)
	}
	anonymous := site.Client(t, "")
	user := "/admin/users/" + itoa64(dm.ID)
	routes := []struct{ method, path string }{
		{"GET", "/admin/users"}, {"GET", "/admin/users/new"}, {"POST", "/admin/users/new"},
		{"GET", user}, {"POST", user}, {"GET", user + "/disable"}, {"POST", user + "/disable"},
		{"GET", user + "/enable"}, {"POST", user + "/enable"},
		{"GET", "/admin/chains/PCD"}, {"POST", "/admin/chains/PCD"},
	}
	for _, rt := range routes {
		for _, who := range []struct {
			name   string
			c      *http.Client
			status int
		}{{"anonymous", anonymous, http.StatusSeeOther}, {"disabled admin", disabledAdmin, http.StatusSeeOther},
			{"drafter", drafter, http.StatusForbidden}} {
			p := adminDo(t, who.c, rt.method, site.URL+rt.path, url.Values{})
			if p.status != who.status {
				t.Errorf("%s %s as %s = %d, want %d", rt.method, rt.path, who.name, p.status, who.status)
			}
			if who.status == http.StatusSeeOther && !strings.HasPrefix(p.header.Get("Location"), "/sign-in?next=") {
				t.Errorf("%s %s as %s: Location = %q, want the sign-in page", rt.method, rt.path, who.name, p.header.Get("Location"))
			}
			if who.status == http.StatusForbidden && !strings.Contains(p.text("h1"), "You cannot use this page") {
				t.Errorf("%s %s as %s: no 403 page, h1 = %q", rt.method, rt.path, who.name, p.text("h1"))
			}
		}
	}
	if p := adminDo(t, anonymous, "GET", site.URL+"/admin/chains/PCD", nil); p.header.Get("Location") != "/sign-in?next=%2Fadmin%2Fchains%2FPCD" {
		t.Errorf("GET /admin/chains/PCD signed out: Location = %q", p.header.Get("Location"))
	}
	for _, path := range []string{"/admin/users", "/admin/users/new", user, user + "/enable", "/admin/chains/PCD"} {
		p := adminDo(t, adminClient, "GET", site.URL+path, nil)
		if p.status != http.StatusOK {
			t.Errorf("GET %s as admin = %d, want 200", path, p.status)
		}
		if got := p.header.Get("Cache-Control"); got != "private, no-store" {
			t.Errorf("GET %s as admin: Cache-Control = %q", path, got)
		}
	}
	for _, path := range []string{"/admin/users/999999", "/admin/users/abc", "/admin/chains/ZZZ", "/admin/chains/pcd"} {
		if p := adminDo(t, adminClient, "GET", site.URL+path, nil); p.status != http.StatusNotFound {
			t.Errorf("GET %s as admin = %d, want 404", path, p.status)
		}
	}
	// Only admins see the way in.
	if p := adminDo(t, drafter, "GET", site.URL+"/", nil); p.doc.Find(`a[href="/admin/users"]`).Length() != 0 {
		t.Error("a drafter's navigation links to the admin pages")
	}
	if p := adminDo(t, adminClient, "GET", site.URL+"/", nil); p.doc.Find(`a[href="/admin/users"]`).Length() != 1 {
		t.Error("an admin's navigation does not link to the admin pages")
	}
}

var userPath = regexp.MustCompile(`^/admin/users/(\d+)$`)

func TestAdminAddsUserAndChangesRoles(t *testing.T) {
	t.Parallel()
	site, admin, c := adminSite(t)
	ctx := context.Background()

	p := adminDo(t, c, "POST", site.URL+"/admin/users/new", url.Values{"email": {" Ada@Example.org "}, "name": {"Ada Adviser"},
		"roles": {"adviser", "drafter"}, "steps": {"finance", "legal"}})
	if p.status != http.StatusSeeOther || !userPath.MatchString(p.header.Get("Location")) {
		t.Fatalf("POST /admin/users/new = %d to %q, want 303 to the user's page\n%s", p.status, p.header.Get("Location"), p.text("main"))
	}
	page := p.header.Get("Location")
	u, err := site.Store.UserByEmail(ctx, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if page != "/admin/users/"+itoa64(u.ID) || strings.Join(u.Roles, ",") != "adviser,drafter" || strings.Join(u.StepKinds, ",") != "finance,legal" {
		t.Errorf("added user %+v at %s", u, page)
	}

	// The initial password is on the next page, once, and signs in.
	p = adminDo(t, c, "GET", site.URL+page, nil)
	password := strings.TrimSpace(p.doc.Find(`[data-testid="initial-password"] strong`).Text())
	if p.status != http.StatusOK || len(password) < 12 {
		t.Fatalf("GET %s after adding = %d, initial password %q", page, p.status, password)
	}
	if p := adminDo(t, c, "GET", site.URL+page, nil); p.doc.Find(`[data-testid="initial-password"]`).Length() != 0 {
		t.Error("the initial password is shown a second time")
	}
	ada := site.Client(t, "")
	if p := adminDo(t, ada, "POST", site.URL+"/sign-in", url.Values{"email": {"ada@example.org"}, "password": {password}}); p.status != http.StatusSeeOther {
		t.Errorf("signing in with the initial password = %d, want 303", p.status)
	}

	// The list shows the new account with its roles and steps.
	p = adminDo(t, c, "GET", site.URL+"/admin/users", nil)
	row := ""
	p.doc.Find(`[data-testid="user-row"]`).Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "ada@example.org") {
			var cells []string
			// Each cell, less the label it shows as a card on narrow screens.
			s.Find("td").Each(func(_ int, td *goquery.Selection) {
				td.Find(".app-card-table__label").Remove()
				cells = append(cells, strings.TrimSpace(td.Text()))
			})
			row = strings.Join(cells, " | ")
		}
	})
	if row != "Ada Adviserada@example.org | Adviser, Drafter | Finance, Legal | None | Active" {
		t.Errorf("users list row = %q", row)
	}

	// Change the roles: a drafter only now.
	p = adminDo(t, c, "POST", site.URL+page, url.Values{"roles": {"drafter", "decision_maker"}, "series": {"PCD"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != page {
		t.Fatalf("POST %s = %d to %q, want 303 back", page, p.status, p.header.Get("Location"))
	}
	if p := adminDo(t, c, "GET", site.URL+page, nil); p.text(`[data-testid="flash"] p`) != "Roles saved for Ada Adviser" {
		t.Errorf("after saving roles the banner says %q", p.text(`[data-testid="flash"] p`))
	}
	u, _ = site.Store.UserByID(ctx, u.ID)
	if strings.Join(u.Roles, ",") != "decision_maker,drafter" || len(u.StepKinds) != 0 || strings.Join(u.Series, ",") != "PCD" {
		t.Errorf("after the change: roles %v steps %v series %v", u.Roles, u.StepKinds, u.Series)
	}

	// Both changes are on the audit trail as the admin's.
	tl := auditEvents(t, site, admin.ID)
	if strings.Join(tl, ",") != "user_added,user_changed" {
		t.Errorf("admin's audit entries = %v, want user_added, user_changed", tl)
	}
}

// auditEvents lists the events a user acted in, oldest first, leaving out sign-ins.
func auditEvents(t *testing.T, site *testsite.Site, userID int64) []string {
	t.Helper()
	rows, err := site.Pool.Query(context.Background(),
		`SELECT event FROM audit_log WHERE actor_id = $1 AND event NOT LIKE 'sign_in%' ORDER BY id`, userID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var events []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

func TestAdminUserFormValidation(t *testing.T) {
	t.Parallel()
	site, admin, c := adminSite(t)
	tests := []struct {
		name   string
		form   url.Values
		errors []string // in the error summary
	}{
		{"empty", url.Values{}, []string{"Enter an email address", "Enter the person’s full name", "Choose at least one role"}},
		{"bad email, adviser without steps", url.Values{"email": {"not an email"}, "name": {"Kept Name"}, "roles": {"adviser"}},
			[]string{"Enter an email address in the correct format, like name@example.org", "Choose the steps this adviser clears"}},
		{"series without decision maker", url.Values{"email": {"k@example.org"}, "name": {"Kept Name"}, "roles": {"drafter"}, "series": {"PCD"}},
			[]string{"Only decision makers sign for a series: choose the decision maker role, or no series"}},
		{"unknown step", url.Values{"email": {"k@example.org"}, "name": {"Kept Name"}, "roles": {"adviser"}, "steps": {"catering"}},
			[]string{"Choose steps from the list"}},
		{"taken email", url.Values{"email": {"ADMIN@example.org"}, "name": {"Kept Name"}, "roles": {"drafter"}},
			[]string{"An account with this email address already exists"}},
	}
	for _, tt := range tests {
		p := adminDo(t, c, "POST", site.URL+"/admin/users/new", tt.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: POST /admin/users/new = %d, want 422", tt.name, p.status)
			continue
		}
		var got []string
		p.doc.Find(`[data-testid="error-summary"] li`).Each(func(_ int, s *goquery.Selection) { got = append(got, s.Text()) })
		if strings.Join(got, "|") != strings.Join(tt.errors, "|") {
			t.Errorf("%s: errors = %q, want %q", tt.name, got, tt.errors)
		}
		if !strings.HasPrefix(p.text("title"), "Error: ") {
			t.Errorf("%s: title %q lacks Error:", tt.name, p.text("title"))
		}
		// What was typed and chosen is kept.
		if v, _ := p.doc.Find("#name").Attr("value"); v != tt.form.Get("name") {
			t.Errorf("%s: name kept as %q, want %q", tt.name, v, tt.form.Get("name"))
		}
		for _, role := range tt.form["roles"] {
			if p.doc.Find(`input[name="roles"][value="`+role+`"][checked]`).Length() != 1 {
				t.Errorf("%s: role %s not kept", tt.name, role)
			}
		}
		// Each error is also beside its field.
		if n := p.doc.Find(".govuk-error-message").Length(); n != len(tt.errors) {
			t.Errorf("%s: %d inline errors, want %d", tt.name, n, len(tt.errors))
		}
	}
	users, _ := site.Store.Users(context.Background())
	if len(users) != 1 {
		t.Errorf("refused forms added %d users", len(users)-1)
	}

	// An admin cannot take away their own admin role.
	me := "/admin/users/" + itoa64(admin.ID)
	p := adminDo(t, c, "POST", site.URL+me, url.Values{"roles": {"drafter"}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-summary"]`), "You cannot remove your own admin role") {
		t.Errorf("POST %s without admin = %d, %q", me, p.status, p.text(`[data-testid="error-summary"]`))
	}
	if p.doc.Find(`input[name="roles"][value="drafter"][checked]`).Length() != 1 {
		t.Error("the roles chosen are not kept after the error")
	}
}

func TestAdminDisablesAndEnables(t *testing.T) {
	t.Parallel()
	site, admin, c := adminSite(t)
	dana := site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	danaClient := site.Client(t, "drafter@example.org")
	page := "/admin/users/" + itoa64(dana.ID)

	if p := adminDo(t, c, "GET", site.URL+page, nil); p.doc.Find(`a[href="`+page+`/disable"]`).Length() != 1 {
		t.Fatalf("the user page does not offer to disable the account")
	}
	p := adminDo(t, c, "GET", site.URL+page+"/disable", nil)
	if p.status != http.StatusOK || p.text("h1") != "Disable Dana Drafter’s account?" {
		t.Fatalf("GET %s/disable = %d, %q", page, p.status, p.text("h1"))
	}
	if u, _ := site.Store.UserByID(context.Background(), dana.ID); u.DisabledAt != nil {
		t.Fatal("asking to confirm disabled the account")
	}
	p = adminDo(t, c, "POST", site.URL+page+"/disable", nil)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != page {
		t.Fatalf("POST %s/disable = %d to %q", page, p.status, p.header.Get("Location"))
	}
	p = adminDo(t, c, "GET", site.URL+page, nil)
	if !strings.Contains(p.text(`[data-testid="flash"]`), "Dana Drafter’s account has been disabled") || !strings.Contains(p.text(`[data-testid="status"]`), "Disabled") {
		t.Errorf("after disabling: banner %q, status %q", p.text(`[data-testid="flash"]`), p.text(`[data-testid="status"]`))
	}
	// Dana's session stopped working at once.
	if body, _ := fetch(t, danaClient, site.URL+"/"); strings.Contains(body, "Signed in as") {
		t.Error("a disabled user is still signed in")
	}

	if p := adminDo(t, c, "POST", site.URL+page+"/enable", nil); p.status != http.StatusSeeOther {
		t.Fatalf("POST %s/enable = %d", page, p.status)
	}
	if u, _ := site.Store.UserByID(context.Background(), dana.ID); u.DisabledAt != nil {
		t.Error("enable left the account disabled")
	}
	site.Client(t, "drafter@example.org") // signs in again, or fails the test

	// An admin cannot lock themselves out.
	me := "/admin/users/" + itoa64(admin.ID)
	if p := adminDo(t, c, "GET", site.URL+me, nil); p.doc.Find(`a[href="`+me+`/disable"]`).Length() != 0 {
		t.Error("an admin is offered to disable their own account")
	}
	if p := adminDo(t, c, "POST", site.URL+me+"/disable", nil); p.status != http.StatusConflict {
		t.Errorf("POST %s/disable (self) = %d, want 409", me, p.status)
	}
	if events := auditEvents(t, site, admin.ID); strings.Join(events, ",") != "user_changed,user_changed" {
		t.Errorf("admin's audit entries = %v, want two user_changed", events)
	}
}

func TestAdminEditsChain(t *testing.T) {
	t.Parallel()
	site, _, c := adminSite(t)
	p := adminDo(t, c, "GET", site.URL+"/admin/chains/PCD", nil)
	want := "Head of unit | Finance | Legal | Equalities | Data protection | Chief executive | Decision maker signs"
	if got := p.texts(`[data-testid="current-chain"] li .app-chain-step`); got != want {
		t.Errorf("PCD chain shown as %q, want %q", got, want)
	}
	if v, _ := p.doc.Find("#position-legal").Attr("value"); v != "3" {
		t.Errorf("legal's position = %q, want 3", v)
	}

	bad := []struct {
		name  string
		form  url.Values
		error string
	}{
		{"duplicate", url.Values{"position-legal": {"1"}, "position-finance": {"1"}}, "cannot both be in position 1"},
		{"not a number", url.Values{"position-legal": {"first"}}, "Enter the position of Legal as a whole number from 1 to 99, or leave it blank"},
		{"none", url.Values{}, "Give at least one step a position"},
	}
	for _, tt := range bad {
		p := adminDo(t, c, "POST", site.URL+"/admin/chains/PCD", tt.form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.text(`[data-testid="error-summary"]`), tt.error) {
			t.Errorf("%s: POST /admin/chains/PCD = %d, errors %q, want 422 and %q", tt.name, p.status, p.text(`[data-testid="error-summary"]`), tt.error)
		}
		for k, v := range tt.form {
			if got, _ := p.doc.Find("#" + k).Attr("value"); got != v[0] {
				t.Errorf("%s: %s kept as %q, want %q", tt.name, k, got, v[0])
			}
		}
	}

	p = adminDo(t, c, "POST", site.URL+"/admin/chains/PCD", url.Values{"position-legal": {"1"}, "position-finance": {" 5 "},
		"position-chief_executive": {"9"}, "position-head_of_unit": {""}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/admin/chains/PCD" {
		t.Fatalf("POST /admin/chains/PCD = %d to %q", p.status, p.header.Get("Location"))
	}
	chain, err := site.Store.SeriesChain(context.Background(), "PCD")
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, k := range chain {
		codes = append(codes, k.Code)
	}
	if strings.Join(codes, ",") != "legal,finance,chief_executive" {
		t.Errorf("saved chain = %v, want legal, finance, chief_executive", codes)
	}
	p = adminDo(t, c, "GET", site.URL+"/admin/chains/PCD", nil)
	if got := p.text(`[data-testid="flash"] p`); got != "The PCD sign-off chain has been saved" {
		t.Errorf("banner = %q", got)
	}
	if got := p.texts(`[data-testid="current-chain"] li .app-chain-step`); got != "Legal | Finance | Chief executive | Decision maker signs" {
		t.Errorf("chain shown as %q after saving", got)
	}

	// The Move buttons reorder the saved chain one place at a time.
	if got := p.texts(`[data-testid="current-chain"] li:nth-child(2) button`); got != "Move up Finance | Move down Finance" {
		t.Errorf("the second step's buttons read %q", got)
	}
	if p := adminDo(t, c, "POST", site.URL+"/admin/chains/PCD", url.Values{"move": {"up:finance"}}); p.status != http.StatusSeeOther {
		t.Fatalf("POST move up = %d, want 303", p.status)
	}
	p = adminDo(t, c, "GET", site.URL+"/admin/chains/PCD", nil)
	if got := p.texts(`[data-testid="current-chain"] li .app-chain-step`); got != "Finance | Legal | Chief executive | Decision maker signs" {
		t.Errorf("chain shown as %q after moving finance up", got)
	}
	if got := p.text(`[data-testid="flash"] p`); got != "Finance moved up: the PCD sign-off chain has been saved" {
		t.Errorf("banner after a move = %q", got)
	}
	if !strings.Contains(p.text(".govuk-warning-text"), "A decision returned to its drafter takes the new chain when it is submitted again") {
		t.Error("the chain page does not say what happens to a returned decision")
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
