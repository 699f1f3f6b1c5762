package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
)

// pgBinary finds a PostgreSQL client program as .ci/backup does: PG_BINDIR, else the newest
// installed version.
func pgBinary(t *testing.T, name string) string {
	t.Helper()
	dirs := []string{os.Getenv("PG_BINDIR")}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(found)))
	for _, d := range append(dirs, found...) {
		if p := filepath.Join(d, name); d != "" && fileExists(p) {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found: install postgresql-client or set PG_BINDIR", name)
	}
	return p
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// TestBackupAndRestore is the drill the README describes: `make backup` (.ci/backup) dumps a
// register with staff, a signed checkpoint and pgx's pool settings in its URL; pg_restore puts
// the dump into a fresh database; `decisions migrate up` and `decisions verify` pass on it,
// checkpoints included.
func TestBackupAndRestore(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "checkpoint.key")
	if out, err := runCmd(t, dbURL, nil, "checkpoint", "key", "--out", keyFile); err != nil {
		t.Fatalf("checkpoint key: %v\n%s", err, out)
	}
	if out, err := runCmd(t, dbURL, strings.NewReader("a long enough passphrase\n"), "user", "add",
		"--email", "ada@example.org", "--name", "Ada Admin", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if out, err := runEnv(t, map[string]string{"DATABASE_URL": dbURL, "CHECKPOINT_KEY_FILE": keyFile}, "checkpoint", "sign"); err != nil {
		t.Fatalf("checkpoint sign: %v\n%s", err, out)
	}
	before, err := runCmd(t, dbURL, nil, "verify")
	if err != nil {
		t.Fatalf("verify before the backup: %v\n%s", err, before)
	}

	backup := exec.Command("../../.ci/backup")
	backup.Env = append(os.Environ(), "DATABASE_URL="+dbURL+"&pool_max_conns=4&statement_timeout=5s", "BACKUP_DIR="+dir)
	out, err := backup.CombinedOutput()
	if err != nil {
		t.Fatalf(".ci/backup: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`backup: (\S+/decisions-\d{8}T\d{6}Z\.dump) `).FindStringSubmatch(string(out))
	if m == nil {
		t.Fatalf(".ci/backup printed %q, want the dump's name", out)
	}
	if fi, err := os.Stat(m[1]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("dump %s: mode %v, %v; want 0600 (it holds password hashes)", m[1], fi.Mode(), err)
	}

	restored := dbtest.EmptyURL(t)
	if out, err := exec.Command(pgBinary(t, "pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
		"--dbname="+restored, m[1]).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	if out, err := migrateCmd(restored, "up"); err != nil {
		t.Fatalf("migrate up on the restored database: %v\n%s", err, out)
	}
	after, err := runCmd(t, restored, nil, "verify")
	if err != nil {
		t.Fatalf("verify on the restored database: %v\n%s", err, after)
	}
	// The same chain, to the same head, as before the backup.
	if after != before {
		t.Errorf("verify before the backup:\n%s\nafter the restore:\n%s", before, after)
	}
	// The checkpoints came back too, and the restored chain extends them.
	c := start(t, map[string]string{"DATABASE_URL": restored, "CHECKPOINT_KEY_FILE": keyFile})
	base := c.url(t)
	out2, err := runCmd(t, restored, nil, "verify", "--checkpoints", base+"/checkpoints.json")
	if err != nil || !strings.Contains(out2, "today's chain extends every one") {
		t.Errorf("verify --checkpoints on the restored database = %v\n%s", err, out2)
	}
	// The restored audit trail still refuses changes: its triggers came back with it.
	conn, err := pgx.Connect(context.Background(), restored)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{`UPDATE audit_log SET actor = 'someone else'`, `DELETE FROM checkpoints`} {
		if _, err := conn.Exec(context.Background(), q); err == nil || !strings.Contains(err.Error(), "cannot be changed") {
			t.Errorf("%s on the restored database = %v, want the trigger's refusal", q, err)
		}
	}
}
