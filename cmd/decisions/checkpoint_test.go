package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// rewriteHistory is what an administrator holding the database could do: with the audit
// trail's triggers off, change an old entry, recompute every hash after it, and move the head,
// so the chain verifies again.
func rewriteHistory(t *testing.T, dbURL, event, from, to string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `ALTER TABLE audit_log DISABLE TRIGGER USER`); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT id, at, actor_id, actor, decision_id, event, detail, prev_hash, hash FROM audit_log ORDER BY id`)
		entries, err := pgx.CollectRows(rows, pgx.RowToStructByName[store.AuditEntry])
		if err != nil {
			return err
		}
		prev, changed := store.GenesisHash, false
		for _, e := range entries {
			if !changed && e.Event == event && strings.Contains(e.Detail, from) {
				e.Detail, changed = strings.ReplaceAll(e.Detail, from, to), true
			}
			e.PrevHash = prev
			e.Hash = store.EntryHash(e)
			if _, err := tx.Exec(ctx, `UPDATE audit_log SET detail = $1, prev_hash = $2, hash = $3 WHERE id = $4`,
				e.Detail, e.PrevHash, e.Hash, e.ID); err != nil {
				return err
			}
			prev = e.Hash
		}
		if !changed {
			t.Fatalf("no %s entry holds %q", event, from)
		}
		if _, err := tx.Exec(ctx, `UPDATE audit_head SET hash = $1`, prev); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `ALTER TABLE audit_log ENABLE TRIGGER USER`)
		return err
	})
	if err != nil {
		t.Fatalf("rewrite history: %v", err)
	}
}

// TestCheckpointsCatchRewrittenHistory signs checkpoints with the real command, rewrites the
// audit trail behind the triggers' backs and recomputes every hash: plain verification passes
// (the chain is consistent again), verification against the earlier checkpoint fails.
func TestCheckpointsCatchRewrittenHistory(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "checkpoint.key")
	out, err := runCmd(t, dbURL, nil, "checkpoint", "key", "--out", keyFile)
	if err != nil || !strings.Contains(out, "BEGIN PUBLIC KEY") {
		t.Fatalf("checkpoint key = %v\n%s", err, out)
	}
	if _, err := runCmd(t, dbURL, nil, "checkpoint", "key", "--out", keyFile); err == nil {
		t.Error("checkpoint key overwrote an existing key file")
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v; want 0600", fi.Mode(), err)
	}

	// The server signs a checkpoint as it starts (there is none yet), then daily.
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "CHECKPOINT_KEY_FILE": keyFile})
	base := c.url(t)
	c.log.waitFor(t, "signed daily checkpoint")

	// A person is added, then a checkpoint covers them, then another change follows.
	if out, err := runCmd(t, dbURL, strings.NewReader("a long enough passphrase\n"), "user", "add",
		"--email", "ada@example.org", "--name", "Ada Admin", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	env := map[string]string{"DATABASE_URL": dbURL, "CHECKPOINT_KEY_FILE": keyFile}
	out, err = runEnv(t, env, "checkpoint", "sign")
	if err != nil || !strings.Contains(out, "checkpoint 2:") {
		t.Fatalf("checkpoint sign = %v\n%s", err, out)
	}
	if out, err := runCmd(t, dbURL, strings.NewReader("another long passphrase\n"), "user", "add",
		"--email", "bo@example.org", "--name", "Bo Drafter", "--role", "drafter"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}

	// A mirror keeps the published checkpoints and the key.
	list := get(t, base+"/checkpoints.json")
	key := get(t, base+"/checkpoints/key")
	if list.status != http.StatusOK || key.status != http.StatusOK {
		t.Fatalf("GET /checkpoints.json = %d, /checkpoints/key = %d", list.status, key.status)
	}
	cps, err := checkpoint.ParseList([]byte(list.body))
	if err != nil || len(cps) != 2 || cps[0].Reason != "daily" || cps[1].Reason != "manual" {
		t.Fatalf("published checkpoints = %+v, %v; want a daily one then a manual one", cps, err)
	}
	mirror, keyCopy := filepath.Join(dir, "checkpoints.json"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(mirror, []byte(list.body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyCopy, []byte(key.body), 0o644); err != nil {
		t.Fatal(err)
	}

	out, err = runCmd(t, dbURL, nil, "verify", "--checkpoints", base+"/checkpoints.json")
	if err != nil || !strings.Contains(out, "checked 2 checkpoints against key "+cps[0].KeyID+": today's chain extends every one") {
		t.Fatalf("verify --checkpoints URL before the rewrite = %v\n%s", err, out)
	}
	if _, err := runCmd(t, dbURL, nil, "verify", "--checkpoints", mirror); err == nil ||
		!strings.Contains(err.Error(), "--key") {
		t.Errorf("verify --checkpoints FILE without --key = %v, want a request for --key", err)
	}

	rewriteHistory(t, dbURL, store.EventUserAdded, "ada@example.org", "eve@example.org")

	out, err = runCmd(t, dbURL, nil, "verify")
	if err != nil || !strings.Contains(out, "chain intact") {
		t.Fatalf("plain verify after a recomputed rewrite = %v\n%s\n(it cannot see the rewrite: that is why checkpoints exist)", err, out)
	}
	for _, args := range [][]string{
		{"verify", "--checkpoints", mirror, "--key", keyCopy},
		{"verify", "--checkpoints", base + "/checkpoints.json"},
	} {
		out, err := runCmd(t, dbURL, nil, args...)
		if err == nil || !strings.Contains(err.Error(), "the audit chain does not extend checkpoint 2") {
			t.Errorf("%s after the rewrite = %v, want checkpoint 2 named\n%s", strings.Join(args, " "), err, out)
		}
		// The first checkpoint came before the rewritten entry and still holds.
		if !strings.Contains(out, "the audit trail was rewritten after the checkpoint was signed") ||
			strings.Contains(out, "checkpoint 1 (") || !strings.Contains(out, "1 not extended") {
			t.Errorf("%s printed:\n%s\nwant checkpoint 2 alone reported as rewritten", strings.Join(args, " "), out)
		}
	}

	// A checkpoint changed in the mirror no longer verifies with the key.
	forged := strings.Replace(list.body, cps[1].Head, cps[0].Head, 1)
	if err := os.WriteFile(mirror, []byte(forged), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _ = runCmd(t, dbURL, nil, "verify", "--checkpoints", mirror, "--key", keyCopy)
	if !strings.Contains(out, "the signature does not verify") {
		t.Errorf("verify with a forged checkpoint printed:\n%s\nwant the bad signature named", out)
	}
}

// TestHTTPSHeadersAndCookies serves with an https BASE_URL, as behind a TLS proxy: every
// response carries Strict-Transport-Security and the session cookie is Secure, named with the
// __Host- prefix (so no subdomain or plain-HTTP page can set it), for the whole host and no
// domain. Over plain http none of that is sent.
func TestHTTPSHeadersAndCookies(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	if out, err := runCmd(t, dbURL, strings.NewReader("a long enough passphrase\n"), "user", "add",
		"--email", "ada@example.org", "--name", "Ada Admin", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		base   string
		secure bool
		cookie string
	}{{"https://register.example.org", true, "__Host-register_session"}, {"http://localhost:8080", false, "register_session"}} {
		// Signing in costs an argon2id hash: on a busy machine it can take longer than the
		// default request deadline.
		c := start(t, map[string]string{"DATABASE_URL": dbURL, "BASE_URL": tt.base, "REQUEST_TIMEOUT": "60s"})
		base := c.url(t)
		resp, err := http.Get(base + "/")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Strict-Transport-Security"); (got == "max-age=31536000") != tt.secure || (got == "") == tt.secure {
			t.Errorf("BASE_URL %s: Strict-Transport-Security = %q", tt.base, got)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		resp, err = client.PostForm(base+"/sign-in", url.Values{"email": {"ada@example.org"}, "password": {"a long enough passphrase"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Value != "" {
				session = ck
			}
		}
		if resp.StatusCode != http.StatusSeeOther || session == nil {
			t.Fatalf("BASE_URL %s: sign in = %d with cookies %v", tt.base, resp.StatusCode, resp.Cookies())
		}
		if session.Secure != tt.secure || !session.HttpOnly {
			t.Errorf("BASE_URL %s: session cookie Secure=%t HttpOnly=%t, want Secure=%t HttpOnly", tt.base, session.Secure, session.HttpOnly, tt.secure)
		}
		if session.Name != tt.cookie || session.Path != "/" || session.Domain != "" {
			t.Errorf("BASE_URL %s: session cookie %q Path=%q Domain=%q, want %q Path=/ and no Domain", tt.base, session.Name, session.Path, session.Domain, tt.cookie)
		}
	}
}

func runEnv(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	var out strings.Builder
	err := run(context.Background(), append([]string{"decisions"}, args...), func(k string) string { return env[k] }, nil, &out)
	return out.String(), err
}
