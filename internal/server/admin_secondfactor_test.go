package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestAdminTurnsOffALostSecondFactor: someone who lost their app, codes and passkey asks an
// admin, as their pages tell them to. The admin sees what they have, confirms, and it is all
// gone: their sessions end, they sign in with their password alone, and the audit trail says
// who took what away. Not by a non-admin, not one's own, and not twice.
func TestAdminTurnsOffALostSecondFactor(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	admin := site.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	dm := site.User(t, "dm@example.org", "Dee Maker", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	site.User(t, "dr@example.org", "Dan Drafter", store.Grants{Roles: []string{"drafter"}})
	dc := site.Client(t, dm.Email)
	addPasskey(t, site, dc, "Laptop")
	setUpTOTP(t, site, dc)
	ac := site.Client(t, admin.Email)
	page := "/admin/users/" + strconv.FormatInt(dm.ID, 10)

	p := get(t, ac, site.URL+page)
	if got := p.text(`[data-testid=second-factor]`); got != "Dee Maker has an authenticator app and 1 passkey." {
		t.Errorf("the admin's page of the person says %q", got)
	}
	if href, _ := p.doc.Find(`a[href$="/second-factor"]`).Attr("href"); href != page+"/second-factor" {
		t.Fatalf("the page's Turn off link goes to %q", href)
	}
	if p := get(t, ac, site.URL+page+"/second-factor"); p.status != http.StatusOK || !strings.Contains(p.text("h1"), "Turn off Dee Maker’s second factor?") {
		t.Errorf("the confirmation = %d %q", p.status, p.text("h1"))
	}
	if p := post(t, site.Client(t, "dr@example.org"), site.URL+page+"/second-factor", nil); p.status != http.StatusForbidden {
		t.Errorf("a drafter's POST = %d, want 403", p.status)
	}
	if app, keys, _ := site.Store.SecondFactors(context.Background(), dm.ID); !app || keys != 1 {
		t.Fatal("the drafter's POST changed something")
	}

	action := get(t, ac, site.URL+page+"/second-factor").doc.Find(`form[action*="/second-factor"]`).AttrOr("action", "")
	// A confirmation shown before the person added a factor takes nothing away.
	if p := post(t, ac, site.URL+page+"/second-factor?shown="+url.QueryEscape("an authenticator app"), nil); p.status != http.StatusConflict {
		t.Errorf("turning off what is no longer all they have = %d, want 409", p.status)
	}
	if p := post(t, ac, site.URL+action, nil); p.status != http.StatusSeeOther || p.location != page {
		t.Fatalf("turning it off = %d to %q, want 303 to %s", p.status, p.location, page)
	}
	if got := get(t, ac, site.URL+page).text(`[data-testid=second-factor]`); got != "Dee Maker has no second factor." {
		t.Errorf("afterwards the page says %q", got)
	}
	app, keys, err := site.Store.SecondFactors(context.Background(), dm.ID)
	if left, _ := site.Store.RecoveryCodesLeft(context.Background(), dm.ID); err != nil || app || keys != 0 || left != 0 {
		t.Errorf("afterwards: app %v, %d passkeys, %d recovery codes, %v; want none", app, keys, left, err)
	}
	if signedIn(t, site, dc) {
		t.Error("the person's session carried on")
	}
	if n := auditCount(t, site, store.EventUserChanged, "change", "second factor reset by an admin"); n != 1 {
		t.Errorf("%d audit entries for the reset, want 1", n)
	}
	c := site.Client(t, "")
	resp, err := c.PostForm(site.URL+"/sign-in", url.Values{"email": {dm.Email}, "password": {testsite.Password}, "next": {"/work"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/work" {
		t.Errorf("signing in with the password = %d to %q, want 303 to /work with no second step", resp.StatusCode, resp.Header.Get("Location"))
	}
	if p := post(t, ac, site.URL+page+"/second-factor", nil); p.status != http.StatusConflict {
		t.Errorf("turning it off again = %d, want 409", p.status)
	}
	own := "/admin/users/" + strconv.FormatInt(admin.ID, 10)
	if get(t, ac, site.URL+own).has(`a[href$="/second-factor"]`) {
		t.Error("an admin is offered to turn off their own second factor")
	}
	if p := post(t, ac, site.URL+own+"/second-factor", nil); p.status != http.StatusConflict {
		t.Errorf("an admin's POST for themselves = %d, want 409", p.status)
	}
}
