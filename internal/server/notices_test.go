package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/store"
)

// drafterNotices are the notices written for the site's drafter, oldest first.
func drafterNotices(t *testing.T, ss *signoffSite) []store.NoticeRow {
	t.Helper()
	ns, err := ss.Store.UserNotices(context.Background(), ss.drafter.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(ns)-1; i < j; i, j = i+1, j-1 {
		ns[i], ns[j] = ns[j], ns[i]
	}
	return ns
}

// TestNoticePreferences: a wrong time comes back with the person's input and the error by its
// field; a daily summary holds the notices that only tell until its time, while a return,
// which asks the drafter to act, still goes at once.
func TestNoticePreferences(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	c := ss.Client(t, ss.drafter.Email)
	p := get(t, c, ss.URL+"/account/notices")
	if p.status != http.StatusOK || p.value(`input[name=how][checked]`) != "immediate" {
		t.Fatalf("GET /account/notices = %d, checked %q; want 200 and immediate", p.status, p.value(`input[name=how][checked]`))
	}
	bad := post(t, c, ss.URL+"/account/notices", url.Values{"how": {"digest"}, "time": {"25:00"}})
	if bad.status != http.StatusUnprocessableEntity {
		t.Fatalf("POST a time of 25:00 = %d, want 422", bad.status)
	}
	if href, _ := bad.doc.Find(`.govuk-error-summary a`).Attr("href"); href != "#time" {
		t.Errorf("the error summary links to %q, want #time", href)
	}
	if !strings.Contains(bad.text(`#time-error`), "like 08:00") || bad.value(`#time`) != "25:00" ||
		bad.value(`input[name=how][checked]`) != "digest" {
		t.Errorf("the form came back with error %q, time %q, choice %q; want the error by the field and the input kept",
			bad.text(`#time-error`), bad.value(`#time`), bad.value(`input[name=how][checked]`))
	}
	if got := post(t, c, ss.URL+"/account/notices", url.Values{}); got.status != http.StatusUnprocessableEntity || got.text(`#how-error`) == "" {
		t.Errorf("POST nothing = %d, error %q; want 422 with an error by the choice", got.status, got.text(`#how-error`))
	}
	ok := post(t, c, ss.URL+"/account/notices", url.Values{"how": {"digest"}, "time": {"18:30"}})
	if ok.status != http.StatusSeeOther || ok.location != "/account/notices" {
		t.Fatalf("POST digest at 18:30 = %d %q, want 303 back", ok.status, ok.location)
	}
	after := get(t, c, ss.URL+"/account/notices")
	if after.value(`input[name=how][checked]`) != "digest" || after.value(`#time`) != "18:30" || after.text(`[data-testid=flash]`) == "" {
		t.Errorf("after saving: choice %q, time %q, flash %q", after.value(`input[name=how][checked]`), after.value(`#time`), after.text(`[data-testid=flash]`))
	}

	ctx := context.Background()
	slug := ss.awaitingDecision(t, 9201)
	hash := ss.hashOf(t, slug)
	if err := ss.Store.Approve(ctx, ss.advisers["head_of_unit"].Act(ss.Clock.Now()), slug, "head_of_unit", hash); err != nil {
		t.Fatal(err)
	}
	if err := ss.Store.Return(ctx, ss.advisers["finance"].Act(ss.Clock.Now()), slug, "finance", "Check the amounts.", hash); err != nil {
		t.Fatal(err)
	}
	ns := drafterNotices(t, ss)
	if len(ns) != 2 {
		t.Fatalf("the drafter has %d notices, want the approval's and the return's", len(ns))
	}
	london, _ := time.LoadLocation("Europe/London")
	if due := ns[0].NextAttemptAt.In(london); !ns[0].Digest || due.Format("15:04") != "18:30" || due.Before(ss.Clock.Now()) {
		t.Errorf("the approval's notice: digest %v, due %s; want in the 18:30 summary", ns[0].Digest, due)
	}
	if ns[1].Digest || ns[1].NextAttemptAt.After(ss.Clock.Now()) || !strings.HasSuffix(ns[1].Subject, "returned to draft") {
		t.Errorf("the return's notice %q: digest %v, due %s; want at once", ns[1].Subject, ns[1].Digest, ns[1].NextAttemptAt)
	}
	work := get(t, c, ss.URL+"/work")
	if work.doc.Find(`[data-testid=work-notice]`).Length() != 2 || work.text(`[data-testid=notices-kept]`) == "" {
		t.Errorf("Your work lists %d notices (kept note %q), want 2 and a note that no e-mail is sent",
			work.doc.Find(`[data-testid=work-notice]`).Length(), work.text(`[data-testid=notices-kept]`))
	}
}

// TestOneClickUnsubscribe: the link's page changes nothing; a mail client's one-click POST,
// with no cookie, unsubscribes; a forged token is a 404. Afterwards notices that only tell are
// not written for the person, and those that ask them to act still are.
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ctx := context.Background()
	key, err := ss.Store.NoticeKey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	link := ss.URL + "/notices/unsubscribe/" + notice.UnsubscribeToken(key, ss.drafter.ID)
	anon := ss.Client(t, "")
	if p := get(t, anon, link); p.status != http.StatusOK || p.doc.Find(`[data-testid=unsubscribe-form]`).Length() != 1 {
		t.Fatalf("GET the unsubscribe link = %d, want 200 with a button", p.status)
	}
	if prefs, _ := ss.Store.NoticePreferencesOf(ctx, ss.drafter.ID); prefs.Unsubscribed {
		t.Fatal("opening the link unsubscribed the person")
	}
	forged := notice.UnsubscribeToken([]byte("another key, not the register's"), ss.drafter.ID)
	if p := post(t, anon, ss.URL+"/notices/unsubscribe/"+forged, url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != http.StatusNotFound {
		t.Errorf("POST a forged token = %d, want 404", p.status)
	}
	resp, err := http.Post(link, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST = %d, want 200", resp.StatusCode)
	}
	if prefs, _ := ss.Store.NoticePreferencesOf(ctx, ss.drafter.ID); !prefs.Unsubscribed {
		t.Fatal("the one-click POST did not unsubscribe")
	}
	slug := ss.awaitingDecision(t, 9202)
	hash := ss.hashOf(t, slug)
	if err := ss.Store.Approve(ctx, ss.advisers["head_of_unit"].Act(ss.Clock.Now()), slug, "head_of_unit", hash); err != nil {
		t.Fatal(err)
	}
	if err := ss.Store.Return(ctx, ss.advisers["finance"].Act(ss.Clock.Now()), slug, "finance", "Check the amounts.", hash); err != nil {
		t.Fatal(err)
	}
	ns := drafterNotices(t, ss)
	if len(ns) != 1 || ns[0].Kind != store.NoticeAction {
		t.Errorf("after unsubscribing the drafter has %d notices, want only the return's, which asks them to act", len(ns))
	}
}

// TestAdminNoticesPage: admins see each notice's state, a failure's reason and a bouncing
// address, narrowed by state.
func TestAdminNoticesPage(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	admin := ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	ctx := context.Background()
	slug := ss.awaitingDecision(t, 9203)
	if err := ss.Store.Approve(ctx, ss.advisers["head_of_unit"].Act(ss.Clock.Now()), slug, "head_of_unit", ss.hashOf(t, slug)); err != nil {
		t.Fatal(err)
	}
	d, err := ss.Store.ClaimNotices(ctx, ss.Clock.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.Store.RecordFailure(ctx, d, "550 5.1.1 No such mailbox", true, ss.Clock.Now(), 5); err != nil {
		t.Fatal(err)
	}
	c := ss.Client(t, admin.Email)
	all := get(t, c, ss.URL+"/admin/notices")
	if n := all.doc.Find(`[data-testid=notice-row]`).Length(); n != 2 {
		t.Errorf("GET /admin/notices lists %d notices, want 2", n)
	}
	failed := get(t, c, ss.URL+"/admin/notices?state=failed")
	rows := failed.doc.Find(`[data-testid=notice-row]`)
	if rows.Length() != 1 || !strings.Contains(rows.Find(`[data-testid=notice-reason]`).Text(), "No such mailbox") ||
		rows.Find(`[data-testid=bounced]`).Length() != 1 || strings.TrimSpace(rows.Find(`[data-testid=notice-state]`).Text()) != "Failed" {
		t.Errorf("GET /admin/notices?state=failed: %d rows, reason %q; want the one failure with its reason and the address marked",
			rows.Length(), rows.Find(`[data-testid=notice-reason]`).Text())
	}
	if got := get(t, c, ss.URL+"/admin/notices?state=waiting").doc.Find(`[data-testid=notice-row]`).Length(); got != 1 {
		t.Errorf("waiting notices listed %d, want 1", got)
	}
}
