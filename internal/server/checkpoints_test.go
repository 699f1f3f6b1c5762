package server_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/testsite"
)

func newSigner(t *testing.T) *checkpoint.Signer {
	t.Helper()
	path := filepath.Join(t.TempDir(), "key")
	if _, err := checkpoint.GenerateKey(path); err != nil {
		t.Fatal(err)
	}
	s, err := checkpoint.LoadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSignatureIsCheckpointed signs a decision over HTTP: a checkpoint covering the signature's
// audit entry is signed once it has committed, published as JSON and in the Atom feed, which
// the decisions feed links to; the daily checkpoint waits a day.
func TestSignatureIsCheckpointed(t *testing.T) {
	t.Parallel()
	signer := newSigner(t)
	site := newSignoffSiteWith(t, testsite.Options{Checkpoints: signer})
	ctx := context.Background()
	slug := site.awaitingDecision(t, 4101)
	site.approveAll(t, slug)
	dm := site.Client(t, site.maker.Email)
	base := site.URL + "/decisions/" + slug
	p := get(t, dm, base+"/signoff")
	if resp := post(t, dm, base+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"}, "publication": {"now"},
		"content_hash": {p.value(`input[name=content_hash]`)}}); resp.status != http.StatusSeeOther {
		t.Fatalf("POST sign = %d, want 303", resp.status)
	}
	var entries int64
	var head string
	if err := site.Pool.QueryRow(ctx, `SELECT entries, hash FROM audit_head`).Scan(&entries, &head); err != nil {
		t.Fatal(err)
	}
	anon := site.Client(t, "")
	list := get(t, anon, site.URL+"/checkpoints.json")
	cps, err := checkpoint.ParseList([]byte(list.body))
	if list.status != http.StatusOK || err != nil || len(cps) != 1 {
		t.Fatalf("GET /checkpoints.json = %d %v: %s", list.status, err, list.body)
	}
	c := cps[0]
	if c.Reason != checkpoint.ReasonSignature || c.Entries != entries || c.Head != head {
		t.Errorf("checkpoint after signing = %+v, want the signature's reason and the head %d %s", c, entries, head)
	}
	if err := checkpoint.Verify(signer.Public(), c); err != nil {
		t.Errorf("the published checkpoint does not verify: %v", err)
	}
	key := get(t, anon, site.URL+"/checkpoints/key")
	if pub, err := checkpoint.ParsePublicKey([]byte(key.body)); err != nil || !pub.Equal(signer.Public()) {
		t.Errorf("GET /checkpoints/key = %d %v, want the signer's public key", key.status, err)
	}
	one := get(t, anon, site.URL+"/checkpoints/1")
	if got, err := checkpoint.ParseList([]byte(one.body)); one.status != http.StatusOK || err != nil || got[0].Head != c.Head {
		t.Errorf("GET /checkpoints/1 = %d %v: %s", one.status, err, one.body)
	}
	for _, path := range []string{"/checkpoints/2", "/checkpoints/0", "/checkpoints/-1", "/checkpoints/abc", "/checkpoints/99999999999999999999"} {
		if p := get(t, anon, site.URL+path); p.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, p.status)
		}
	}

	var feed struct {
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Entries []struct {
			ID      string `xml:"id"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	atom := get(t, anon, site.URL+"/checkpoints.atom")
	if err := xml.Unmarshal([]byte(atom.body), &feed); err != nil || len(feed.Entries) != 1 ||
		feed.Entries[0].ID != testsite.BaseURL+"/checkpoints/1" || !strings.Contains(feed.Entries[0].Content, c.Head) {
		t.Errorf("GET /checkpoints.atom = %d %v: %s", atom.status, err, atom.body)
	}
	decisions := get(t, anon, site.URL+"/decisions.atom")
	if !strings.Contains(decisions.body, `rel="related" type="application/atom+xml" href="`+testsite.BaseURL+`/checkpoints.atom"`) {
		t.Errorf("/decisions.atom does not link to /checkpoints.atom:\n%.600s", decisions.body)
	}

	// The daily checkpoint: not due while the newest is under a day old; then signed once,
	// however many instances try.
	if signed, err := site.Store.DailyCheckpoint(ctx, signer, site.Clock.Now(), 24*time.Hour); err != nil || signed {
		t.Errorf("daily checkpoint an hour after the last = %t, %v; want none", signed, err)
	}
	site.Clock.Advance(25 * time.Hour)
	done := make(chan bool, 4)
	for range 4 {
		go func() {
			signed, err := site.Store.DailyCheckpoint(ctx, signer, site.Clock.Now(), 24*time.Hour)
			if err != nil {
				t.Error(err)
			}
			done <- signed
		}()
	}
	n := 0
	for range 4 {
		if <-done {
			n++
		}
	}
	if n != 1 {
		t.Errorf("four instances signed %d daily checkpoints, want 1", n)
	}
}

// TestCheckpointsWithoutAKey: with no key configured the list is empty and no key is
// published, and the table refuses changes like the audit trail.
func TestCheckpointsWithoutAKey(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	anon := site.Client(t, "")
	if p := get(t, anon, site.URL+"/checkpoints.json"); p.status != http.StatusOK || strings.TrimSpace(p.body) != "{\n  \"checkpoints\": []\n}" {
		t.Errorf("GET /checkpoints.json without a key = %d %q", p.status, p.body)
	}
	if p := get(t, anon, site.URL+"/checkpoints/key"); p.status != http.StatusNotFound {
		t.Errorf("GET /checkpoints/key without a key = %d, want 404", p.status)
	}
	ctx := context.Background()
	if _, err := site.Store.AddCheckpoint(ctx, newSigner(t), site.Clock.Now(), checkpoint.ReasonManual); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE checkpoints SET entries = 0`, `DELETE FROM checkpoints`, `TRUNCATE checkpoints`} {
		if _, err := site.Pool.Exec(ctx, q); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("%s = %v, want the trigger's refusal", q, err)
		}
	}
}
