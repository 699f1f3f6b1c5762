package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/auth/authtest"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/loadgen"
	"github.com/decision-register/decisions/internal/store"
)

// childEnv, set, makes the test binary the server: the SIGKILL test runs the real command as a
// process of its own, so it can kill it, without building another binary.
const childEnv = "DECISIONS_TEST_CHILD"

func TestMain(m *testing.M) {
	passwords = authtest.Passwords
	if os.Getenv(childEnv) == "serve" {
		if err := run(context.Background(), []string{"decisions", "serve"}, os.Getenv, os.Stdin, os.Stdout); err != nil {
			os.Stderr.WriteString("decisions: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is the server running as a process of its own.
type child struct {
	cmd               *exec.Cmd
	out               *bytes.Buffer
	base, metricsBase string
}

// startChild starts the server as a process on the database, at addr, with its metrics at
// metricsAddr, and waits until it serves.
func startChild(t *testing.T, dbURL, addr, metricsAddr string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"=serve", "DATABASE_URL="+dbURL, "ADDR="+addr, "METRICS_ADDR="+metricsAddr,
		"LOG_FORMAT=json", "LOG_LEVEL=warn", "DRAIN_DELAY=0s")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: cmd, out: &out, base: "http://" + addr, metricsBase: "http://" + metricsAddr}
	t.Cleanup(func() { c.kill() })
	waitServing(t, c.base)
	return c
}

// kill sends SIGKILL and waits for the process to go.
func (c *child) kill() {
	if c.cmd.ProcessState != nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
}

// holdAuditHead locks the audit trail's head, which every write takes last in its transaction
// (store.Audit), until release: a write sent meanwhile has written everything else and waits.
func holdAuditHead(t *testing.T, dbURL string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "SELECT 1 FROM audit_head FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	var once bool
	release = func() {
		if !once {
			once = true
			_ = tx.Rollback(ctx)
			_ = conn.Close(ctx)
		}
	}
	t.Cleanup(release)
	return release
}

// killMidWrite sends write while the audit head is held, waits until the write is waiting for
// it inside its transaction, kills the server with SIGKILL, then lets the lock go. It returns
// what the client saw.
func killMidWrite(t *testing.T, dbURL string, c *child, write func() loadgen.Write) loadgen.Write {
	t.Helper()
	release := holdAuditHead(t, dbURL)
	got := make(chan loadgen.Write, 1)
	go func() { got <- write() }()
	dbtest.WaitForLockWaiters(t, dbURL, 1)
	c.kill()
	release()
	w := <-got
	if w.Acked() {
		t.Fatalf("%s %s was acknowledged (%d) though the server was killed before it committed", w.Kind, w.Slug, w.Status)
	}
	return w
}

func count(t *testing.T, dbURL, query string, args ...any) int {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestKilledMidWrite kills the server with SIGKILL in the middle of a draft save, a signature
// and a publication release, each caught inside its transaction. After a restart nothing of
// the write is there, the audit chain verifies, and the write can be made again exactly once:
// a second try of the same save or signature is refused, not doubled.
func TestKilledMidWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := dbtest.URL(t)
	addr, metricsAddr := freePort(t), freePort(t)
	c := startChild(t, dbURL, addr, metricsAddr)
	staff := newWorkforce(t, dbURL)
	in := staff.signIn(t, c.base)

	// A draft save, with the version its form was read at.
	created := in.drafter.CreateDraft(ctx, "Killed draft")
	if !created.Acked() {
		t.Fatalf("create a draft = %d %v", created.Status, created.Err)
	}
	slug := created.Slug
	version, err := in.drafter.DraftVersion(ctx, slug)
	if err != nil {
		t.Fatal(err)
	}
	killMidWrite(t, dbURL, c, func() loadgen.Write {
		return in.drafter.SaveTitleAt(ctx, slug, version, "Killed draft, saved", "Saved summary")
	})
	if n := count(t, dbURL, `SELECT count(*) FROM decisions WHERE slug = $1 AND title = 'Killed draft' AND summary IS NULL`, slug); n != 1 {
		t.Errorf("after a kill mid-save, the draft changed")
	}
	edited := `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id WHERE d.slug = $1 AND a.event = 'edited'`
	if n := count(t, dbURL, edited, slug); n != 0 {
		t.Errorf("after a kill mid-save, %d edited entries, want 0", n)
	}
	c = startChild(t, dbURL, addr, metricsAddr) // the same address: sessions are in the database, so staff stay signed in
	if w := in.drafter.SaveTitleAt(ctx, slug, version, "Killed draft, saved", "Saved summary"); w.Status != http.StatusSeeOther {
		t.Errorf("the save tried again after the restart = %d, want 303", w.Status)
	}
	if w := in.drafter.SaveTitleAt(ctx, slug, version, "Killed draft, saved", "Saved summary"); w.Status != http.StatusConflict {
		t.Errorf("the same save a second time = %d, want 409: its version is stale", w.Status)
	}
	if n := count(t, dbURL, edited, slug); n != 1 {
		t.Errorf("after the retries, %d edited entries, want 1", n)
	}

	// A signature.
	signed := staff.awaiting(t, 9400)
	in.approveAll(ctx, signed, false, func(loadgen.Write) {})
	hash, err := in.maker.SignForm(ctx, signed)
	if err != nil {
		t.Fatalf("read the signature form: %v", err)
	}
	killMidWrite(t, dbURL, c, func() loadgen.Write { return in.maker.SignAs(ctx, signed, hash) })
	signatures := `SELECT count(*) FROM signatures s JOIN decisions d ON d.id = s.decision_id WHERE d.slug = $1`
	signedEntries := `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id WHERE d.slug = $1 AND a.event IN ('signed', 'published')`
	if n, m := count(t, dbURL, signatures, signed), count(t, dbURL, signedEntries, signed); n != 0 || m != 0 {
		t.Errorf("after a kill mid-signature: %d signatures, %d signed and published entries; want none", n, m)
	}
	if n := count(t, dbURL, `SELECT count(*) FROM decisions WHERE slug = $1 AND status = 'awaiting_signoff'`, signed); n != 1 {
		t.Error("after a kill mid-signature the decision is no longer awaiting sign-off")
	}
	c = startChild(t, dbURL, addr, metricsAddr)
	if w := in.maker.SignAs(ctx, signed, hash); w.Status != http.StatusSeeOther {
		t.Errorf("the signature tried again after the restart = %d, want 303", w.Status)
	}
	if w := in.maker.SignAs(ctx, signed, hash); w.Acked() {
		t.Errorf("the same signature a second time = %d, want a refusal", w.Status)
	}
	if n, m := count(t, dbURL, signatures, signed), count(t, dbURL, signedEntries, signed); n != 1 || m != 2 {
		t.Errorf("after the retries: %d signatures, %d signed and published entries; want 1 and 2", n, m)
	}

	// A publication release, which the server makes by itself when it starts.
	deferred := staff.awaiting(t, 9401)
	in.approveAll(ctx, deferred, false, func(loadgen.Write) {})
	st := store.New(staff.pool)
	signedAt := time.Now().Add(-time.Hour)
	hash, err = in.maker.SignForm(ctx, deferred)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Sign(ctx, staff.maker.Act(signedAt), deferred, store.SignInput{Outcome: store.OutcomeApproved, Interests: store.InterestsNone,
		PublishAt: signedAt.Add(30 * time.Minute), DeferralReason: "Embargoed until the announcement.", SeenHash: hash})
	if err != nil {
		t.Fatalf("sign with publication deferred to a time now past: %v", err)
	}
	c.kill()
	release := holdAuditHead(t, dbURL)
	starting := exec.Command(os.Args[0]) // started by hand: startChild waits for /healthz, which comes before the release blocks
	starting.Env = append(os.Environ(), childEnv+"=serve", "DATABASE_URL="+dbURL, "ADDR="+addr, "LOG_FORMAT=json", "LOG_LEVEL=warn")
	if err := starting.Start(); err != nil {
		t.Fatal(err)
	}
	c = &child{cmd: starting, out: &bytes.Buffer{}}
	t.Cleanup(func() { c.kill() })
	dbtest.WaitForLockWaiters(t, dbURL, 1)
	c.kill()
	release()
	released := `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id WHERE d.slug = $1 AND a.event = 'released'`
	if n := count(t, dbURL, `SELECT count(*) FROM decisions WHERE slug = $1 AND status = 'approved'`, deferred); n != 1 {
		t.Error("after a kill mid-release the decision is no longer approved and waiting")
	}
	if n := count(t, dbURL, released, deferred); n != 0 {
		t.Errorf("after a kill mid-release, %d released entries, want 0", n)
	}
	c = startChild(t, dbURL, addr, metricsAddr)
	until(withBound(t, answerBound), func() bool {
		return count(t, dbURL, `SELECT count(*) FROM decisions WHERE slug = $1 AND status = 'published'`, deferred) == 1
	})
	if n := count(t, dbURL, released, deferred); n != 1 {
		t.Errorf("after the restart, %d released entries, want 1", n)
	}

	// The real process serves its metrics on their own listener, and not on the public one.
	if r := getWith(t, newClient(), c.base+"/metrics"); r.status != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener = %d, want 404", r.status)
	}
	scrape := getWith(t, newClient(), c.metricsBase+"/metrics")
	for _, want := range []string{`decisions_signoff_actions_total{action="released"} 1`, `decisions_db_pool_max_conns{pool="requests"} 10`} {
		if !strings.Contains(scrape.body, want) {
			t.Errorf("the metrics listener's scrape lacks %s", want)
		}
	}
	t.Logf("%s", verifyRegister(t, dbURL))
	if t.Failed() {
		t.Logf("the last server's output:\n%s", c.out)
	}
}

// withBound is a context that ends after d: a bound only a broken test reaches.
func withBound(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
