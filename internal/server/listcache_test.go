package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// TestListAndSearchKeptUntilTheRegisterChanges: the public's list and searches are kept while
// the register records no change (a decision put in behind its back does not show), one page
// under every spelling of the same search, never shown to staff nor built from what staff see;
// and the next list or search after a publication, an audited change (a correction's or a Part
// II release's entry), a withdrawal or a deferred decision's time coming shows it.
func TestListAndSearchKeptUntilTheRegisterChanges(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := ts.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	const search = "/decisions?q=zebrafinch"
	// The same search, spelled otherwise: parameters in another order, the default sort named,
	// the words spaced out.
	const respelled = "/decisions?sort=relevance&q=+zebrafinch++"
	lists := func(path, title string) bool {
		t.Helper()
		r := ts.get(t, path)
		if r.status != http.StatusOK {
			t.Fatalf("GET %q = %d", path, r.status)
		}
		return strings.Contains(r.body, title)
	}
	if lists(search, "Zebrafinch") || lists("/decisions", "Zebrafinch") {
		t.Fatal("the search finds a decision before there is one")
	}
	first := ts.get(t, search)
	if first.header.Get("ETag") == "" || first.header.Get("Cache-Control") != "no-cache" {
		t.Errorf("public search: ETag %q, Cache-Control %q; want a validator, revalidated",
			first.header.Get("ETag"), first.header.Get("Cache-Control"))
	}

	// A published decision put straight into the database, with no audit entry.
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status, date_signed) VALUES
		('MD', 4250, 'MD 4250', 'md-4250', 'Zebrafinch behind the back', 'published', '2026-11-30');
` + bareSignature + `'md-4250'; COMMIT`)
	for _, path := range []string{search, respelled, "/decisions"} {
		if lists(path, "Zebrafinch behind the back") {
			t.Fatalf("GET %q shows a decision the register recorded no change for: the page is not kept under the search's canonical address", path)
		}
	}

	// Staff read the register as it is, and what they are shown is never kept for the public:
	// a draft they find first is not in the public's search after them.
	admin := ts.site.User(t, "lister@example.org", "Lee Lister", store.Grants{Roles: []string{"admin"}})
	staff := ts.site.Client(t, "lister@example.org")
	exec(`INSERT INTO decisions (series, number, reference, slug, title, status) VALUES
		('MD', 4251, 'MD 4251', 'md-4251', 'Zebrafinch draft', 'draft')`)
	resp, body := do(t, staff, ts.url+search, nil)
	if !strings.Contains(string(body), "Zebrafinch draft") || resp.Header.Get("Cache-Control") != "private, no-store" ||
		resp.Header.Get("ETag") != "" {
		t.Errorf("staff search: draft shown %v, Cache-Control %q, ETag %q; want the register as it is, never kept",
			strings.Contains(string(body), "Zebrafinch draft"), resp.Header.Get("Cache-Control"), resp.Header.Get("ETag"))
	}
	if lists(search, "Zebrafinch draft") {
		t.Fatal("the public's search shows the draft staff were shown")
	}

	// A publication.
	ts.site.Published(t, 4252, "Zebrafinch grant published")
	if !lists(search, "Zebrafinch grant published") || !lists(respelled, "Zebrafinch grant published") ||
		!lists("/decisions", "Zebrafinch grant published") {
		t.Fatal("after a publication the list or the search still lacks it")
	}

	// Any audited change: a correction's approval and a Part II release each write one in the
	// transaction that makes the change.
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status, date_signed) VALUES
		('MD', 4254, 'MD 4254', 'md-4254', 'Zebrafinch second behind', 'published', '2026-11-30');
` + bareSignature + `'md-4254'; COMMIT`)
	if lists(search, "Zebrafinch second behind") {
		t.Fatal("a change the register did not record shows: the page is not kept")
	}
	if err := ts.site.Store.Audit(ctx, store.System(time.Now()), 0, store.EventImported, map[string]string{"reference": "MD 4254"}); err != nil {
		t.Fatal(err)
	}
	if !lists(search, "Zebrafinch second behind") {
		t.Fatal("after an audit entry the search still lacks what it records")
	}

	// A withdrawal takes the decision out of the default list.
	if !lists("/decisions", "Zebrafinch grant published") {
		t.Fatal("the list lacks the published decision")
	}
	if err := ts.site.Store.Withdraw(ctx, admin.Act(ts.site.Clock.Now()), "pcd-4252", "Made in error.", ts.site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if lists("/decisions", "Zebrafinch grant published") {
		t.Fatal("after a withdrawal the list still shows the decision")
	}

	// A deferred decision appears when its time comes, with no write at all.
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status, date_signed, publish_at) VALUES
		('MD', 4253, 'MD 4253', 'md-4253', 'Zebrafinch deferred', 'approved', '2026-11-30', '` +
		ts.site.Clock.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano) + `');
` + bareSignature + `'md-4253'; COMMIT`)
	if lists(search, "Zebrafinch deferred") {
		t.Fatal("a deferred decision shows before its time")
	}
	ts.site.Clock.Advance(2 * time.Hour)
	if !lists(search, "Zebrafinch deferred") {
		t.Fatal("a deferred decision whose time has come is missing from the kept search")
	}

	// A decision withdrawn before its date is shown, marked, from that date: no write then either.
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status, date_signed, publish_at) VALUES
		('MD', 9254, 'MD 9254', 'md-9254', 'Zebrafinch withdrawn early', 'approved', '2026-11-30', '` +
		ts.site.Clock.Now().Add(time.Minute).UTC().Format(time.RFC3339Nano) + `');
` + bareSignature + `'md-9254'; COMMIT`)
	if err := ts.site.Store.Withdraw(ctx, admin.Act(ts.site.Clock.Now()), "md-9254", "Made in error.", ts.site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if lists(search, "Zebrafinch withdrawn early") {
		t.Fatal("a decision withdrawn before its date shows before it")
	}
	// Within the kept pages' age: only the state's key can tell.
	ts.site.Clock.Advance(2 * time.Minute)
	if !lists(search, "Zebrafinch withdrawn early") {
		t.Fatal("a decision withdrawn before its date is missing from the kept search once its date has come")
	}

	// A kept search answers 304 to the validator it was sent with.
	kept := ts.get(t, search)
	resp, _ = do(t, ts.client, ts.url+search, map[string]string{"If-None-Match": kept.header.Get("ETag")})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with the kept search's ETag = %d, want 304", resp.StatusCode)
	}
}
