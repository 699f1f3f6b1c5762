package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/decision-register/decisions/internal/store"
)

// TestDecisionPageKeptUntilTheRegisterChanges: a public decision page is built once and kept
// while the register records no change (the proof that it is kept: a change made behind the
// register's back does not show), and rebuilt as soon as the audit trail moves or a deferred
// decision's publication time comes; whatever the encoding asked for, the page is the same.
func TestDecisionPageKeptUntilTheRegisterChanges(t *testing.T) {
	t.Parallel()
	ts := newTestServer(t)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := ts.pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	first := ts.get(t, "/decisions/pcd-1682")
	if first.status != http.StatusOK || strings.Contains(first.body, "Kept page probe") {
		t.Fatalf("GET PCD 1682 = %d", first.status)
	}
	// A published decision related to PCD 1682, put straight into the database: no audit entry
	// (a bare signature row, in the same transaction, so the database takes it as public).
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status) VALUES
		('MD', 4242, 'MD 4242', 'md-4242', 'Kept page probe', 'published');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
		SELECT f.id, t.id, 'related' FROM decisions f, decisions t WHERE f.slug = 'md-4242' AND t.slug = 'pcd-1682';
` + bareSignature + `'md-4242'; COMMIT`)
	if r := ts.get(t, "/decisions/pcd-1682"); strings.Contains(r.body, "Kept page probe") {
		t.Fatal("the page was rebuilt though the register recorded no change: it is not kept")
	}
	if err := ts.site.Store.Audit(ctx, store.System(time.Now()), 0, store.EventImported, map[string]string{"reference": "MD 4242"}); err != nil {
		t.Fatal(err)
	}
	rebuilt := ts.get(t, "/decisions/pcd-1682")
	if !strings.Contains(rebuilt.body, "Kept page probe") {
		t.Fatal("after an audit entry the page still lacks the related decision")
	}

	// A deferred decision related to PCD 1682 appears when its time comes, with no write at all.
	exec(`BEGIN;
INSERT INTO decisions (series, number, reference, slug, title, status, publish_at) VALUES
		('MD', 4243, 'MD 4243', 'md-4243', 'Deferred probe', 'approved', '` + time.Now().Add(time.Hour).UTC().Format(time.RFC3339Nano) + `');
INSERT INTO decision_links (from_decision_id, to_decision_id, kind)
		SELECT f.id, t.id, 'related' FROM decisions f, decisions t WHERE f.slug = 'md-4243' AND t.slug = 'pcd-1682';
` + bareSignature + `'md-4243'; COMMIT`)
	if r := ts.get(t, "/decisions/pcd-1682"); strings.Contains(r.body, "Deferred probe") {
		t.Fatal("a deferred decision shows before its time")
	}
	ts.site.Clock.Advance(2 * time.Hour)
	if r := ts.get(t, "/decisions/pcd-1682"); !strings.Contains(r.body, "Deferred probe") {
		t.Fatal("a deferred decision whose time has come is missing from the kept page")
	}

	// The same page by every encoding, and a 304 for the validator it was sent with.
	want := ts.get(t, "/decisions/pcd-1682")
	for _, enc := range []string{"gzip", "zstd", "identity", "br"} {
		resp, body := do(t, ts.client, ts.url+"/decisions/pcd-1682", map[string]string{"Accept-Encoding": enc})
		got, err := decode(resp.Header.Get("Content-Encoding"), body)
		if err != nil || string(got) != want.body {
			t.Errorf("Accept-Encoding %s: Content-Encoding %q, %d bytes (%v), want the page", enc,
				resp.Header.Get("Content-Encoding"), len(got), err)
		}
	}
	resp, _ := do(t, ts.client, ts.url+"/decisions/pcd-1682", map[string]string{"If-None-Match": want.header.Get("ETag")})
	if resp.StatusCode != http.StatusNotModified {
		t.Errorf("GET with the kept page's ETag = %d, want 304", resp.StatusCode)
	}

	// A change the audit trail missed, to the decision itself, still rebuilds its page: a
	// withdrawal made in SQL takes the kept page down at once.
	if r := ts.get(t, "/decisions/md-4242"); r.status != http.StatusOK {
		t.Fatalf("GET MD 4242 = %d", r.status)
	}
	exec(`UPDATE decisions SET status = 'withdrawn', withdrawn_at = now(), withdrawal_reason = 'Made in error'
		WHERE slug = 'md-4242'`)
	if r := ts.get(t, "/decisions/md-4242"); r.status == http.StatusOK && !strings.Contains(strings.ToLower(r.body), "withdrawn") {
		t.Error("a withdrawn decision's kept page is still served as it was")
	}

	// Staff never get the public page.
	ts.site.User(t, "kept@example.org", "Kim Kept", store.Grants{})
	staff := ts.site.Client(t, "kept@example.org")
	sresp, err := staff.Get(ts.url + "/decisions/pcd-1682")
	if err != nil {
		t.Fatal(err)
	}
	sresp.Body.Close()
	if sresp.Header.Get("Cache-Control") != "private, no-store" || sresp.Header.Get("ETag") != "" {
		t.Errorf("staff page: Cache-Control %q, ETag %q; want their own page, never kept",
			sresp.Header.Get("Cache-Control"), sresp.Header.Get("ETag"))
	}
}

// decode undoes a response's Content-Encoding.
func decode(encoding string, body []byte) ([]byte, error) {
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	case "zstd":
		zr, err := zstd.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		return io.ReadAll(zr)
	case "":
		return body, nil
	}
	return nil, fmt.Errorf("unexpected Content-Encoding %q", encoding)
}

// bareSignature, followed by a slug, signs that decision with a signature row alone (no audit
// entry, no real hash): for tests of what the register does when rows change behind its back.
const bareSignature = `INSERT INTO signatures (decision_id, kind, outcome, signed_at, content_hash, canonical_version)
SELECT id, 'imported', 'approved', now(), repeat('a', 64), 1 FROM decisions WHERE slug = `
