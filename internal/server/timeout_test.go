package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// expire ends a client's session as its idle timeout would: the sessions table's row is past
// its expiry, and the browser drops the session's cookie, which expires with it.
func (dc draftClient) expire() {
	dc.t.Helper()
	u, _ := url.Parse(dc.site.URL)
	for _, c := range dc.c.Jar.Cookies(u) {
		if strings.HasSuffix(c.Name, "register_session") {
			sum := sha256.Sum256([]byte(c.Value))
			tag, err := dc.site.Pool.Exec(context.Background(),
				`UPDATE sessions SET expiry = now() - interval '1 minute' WHERE token = $1`, hex.EncodeToString(sum[:]))
			if err != nil || tag.RowsAffected() != 1 {
				dc.t.Fatalf("expire the session: %v (%d rows)", err, tag.RowsAffected())
			}
			dc.c.Jar.SetCookies(u, []*http.Cookie{{Name: c.Name, Value: "", Path: "/", MaxAge: -1}})
			return
		}
	}
	dc.t.Fatal("no session cookie to expire")
}

func (dc draftClient) signIn(email, next, signedOut string) page {
	dc.t.Helper()
	return dc.post("/sign-in", url.Values{"email": {email}, "password": {testsite.Password}, "next": {next},
		"signed_out": {signedOut}}, http.StatusSeeOther)
}

// TestTimedOutFormIsKept: a section saved after its drafter's session expired is kept; the
// sign-in page says why they are there; signed in again, they are back at the form with their
// text, told it is not saved yet, and can save it. Nobody else signing in on that browser, or
// anywhere, is given it.
func TestTimedOutFormIsKept(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	s.User(t, "second@example.org", "Sam Second", store.Grants{Roles: []string{"drafter"}})
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Beta")
	dc.save("/decisions/"+slug+"/edit/drafters", url.Values{"email": {"second@example.org"}}, http.StatusSeeOther)
	legal := "/decisions/" + slug + "/edit/sections/legal-comments"
	form := dc.opened(legal)

	dc.expire()
	text := "Lawful.\n\nThe grant agreement sets the conditions."
	p := dc.post(legal, with(form, "action", "save", "heading", "Legal comments", "body", text), http.StatusSeeOther)
	loc, err := url.Parse(p.location)
	if err != nil || loc.Path != "/sign-in" || loc.Query().Get("next") != legal || loc.Query().Get("signed_out") != "kept" {
		t.Fatalf("a form posted after the session expired goes to %q, want the sign-in page, back to the form, kept", p.location)
	}
	p = dc.get(p.location)
	if got := p.text(`[data-testid="signed-out"]`); !strings.Contains(got, "You were signed out after 60 minutes without activity") ||
		!strings.Contains(got, "What you were saving has been kept") {
		t.Errorf("the sign-in page says %q, want why the person is there", got)
	}

	// Someone else signing in on the same browser does not get it.
	other := draftClient{t: t, site: s.Site, c: dc.c}
	other.signIn("second@example.org", legal, "kept")
	p = other.get(legal)
	if p.doc.Find(`[data-testid="restored"]`).Length() != 0 || strings.Contains(p.body, "grant agreement sets") {
		t.Fatal("another drafter signing in on the same browser was given the kept form")
	}
	other.post("/sign-out", url.Values{}, http.StatusSeeOther)

	// The person themselves, signed in again, is brought back to the form with their text.
	if got := dc.signIn("drafter@example.org", legal, "kept").location; got != legal {
		t.Fatalf("signed in again, sent to %q, want %q", got, legal)
	}
	p = dc.get(legal)
	if got := p.text(`[data-testid="restored"]`); !strings.Contains(got, "not saved yet") {
		t.Errorf("the restored form says %q, want that the text is kept and not yet saved", got)
	}
	if got := p.value("#body"); got != text {
		t.Errorf("the restored form holds %q, want %q", got, text)
	}
	restored := url.Values{"version": {p.value(`[data-testid="draft-form"] input[name="version"]`)},
		"part_version": {p.value(`[data-testid="draft-form"] input[name="part_version"]`)}}
	dc.post(legal, with(restored, "action", "save", "heading", "Legal comments", "body", text), http.StatusSeeOther)
	if p := dc.get(legal); p.doc.Find(`[data-testid="restored"]`).Length() != 0 {
		t.Error("the kept form was given back a second time")
	}
	d, err := s.Store.Draft(context.Background(), store.Staff(s.drafter.ID, s.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	var saved string
	for _, sec := range d.Sections {
		if sec.Kind == "legal_comments" {
			saved = sec.Body
		}
	}
	if saved != text {
		t.Errorf("saved legal comments %q, want %q", saved, text)
	}

	// A visitor who never signed in is sent to sign in with no such message.
	anon := s.client(t, "")
	p = anon.post(legal, url.Values{"version": {"1"}, "body": {"x"}}, http.StatusSeeOther)
	if strings.Contains(p.location, "signed_out") {
		t.Errorf("a visitor never signed in is sent to %q, want no signed-out message", p.location)
	}
}

// TestKeepAlive: the timeout warning's "Stay signed in" answers 204 for a signed-in person
// and 401 for anyone else.
func TestKeepAlive(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	for _, tt := range []struct {
		email string
		want  int
	}{{"drafter@example.org", http.StatusNoContent}, {"", http.StatusUnauthorized}} {
		p := s.client(t, tt.email).get("/sign-in/keep-alive")
		if p.status != tt.want || p.header.Get("Cache-Control") != "no-store" {
			t.Errorf("GET /sign-in/keep-alive as %q = %d (Cache-Control %q), want %d, no-store", tt.email, p.status, p.header.Get("Cache-Control"), tt.want)
		}
	}
}
