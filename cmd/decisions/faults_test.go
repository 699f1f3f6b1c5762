package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/auth/authtest"
	"github.com/decision-register/decisions/internal/loadgen"
	"github.com/decision-register/decisions/internal/pgcluster"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// The fault tests: PostgreSQL stopped and started under load, the server killed mid-write. Each
// checks every write it tried against the database afterwards, and the audit chain.

// faultChain is the PCD series' sign-off chain in the fault tests: two steps, as an admin may
// set it, rather than six, since each adviser's sign-in costs an argon2id hash.
var faultChain = []string{"head_of_unit", "finance"}

const staffPassword = "correct horse battery staple"

// answerBound bounds a wait for an answer, or for progress, that only a server that never
// answers reaches: the servers answer by their own deadline (REQUEST_TIMEOUT), however long a
// loaded machine makes them take, so the tests count answers and never race the clock.
const answerBound = 5 * time.Minute

// newClient is a client of its own (cookies, no redirects followed) that waits answerBound.
func newClient() *http.Client { return loadgen.NewClient(answerBound) }

// workforce is a fault test's staff, made straight in the database.
type workforce struct {
	pool     *pgxpool.Pool
	drafter  store.User
	advisers []store.User // in chain order
	maker    store.User
}

func newWorkforce(t *testing.T, dbURL string) *workforce {
	t.Helper()
	ctx := context.Background()
	pool, err := store.Open(ctx, dbURL, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	st := store.New(pool)
	hash, err := authtest.HashPassword(staffPassword)
	if err != nil {
		t.Fatal(err)
	}
	add := func(email, name string, g store.Grants) store.User {
		id, err := st.CreateUser(ctx, store.System(time.Now()), email, name, hash, g)
		if err != nil {
			t.Fatalf("add %s: %v", email, err)
		}
		u, err := st.UserByID(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	if err := st.SetSeriesChain(ctx, store.System(time.Now()), "PCD", faultChain); err != nil {
		t.Fatal(err)
	}
	w := &workforce{pool: pool}
	w.drafter = add("drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	for _, k := range faultChain {
		w.advisers = append(w.advisers, add(strings.ReplaceAll(k, "_", "-")+"@example.org", "Adviser "+k,
			store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}}))
	}
	w.maker = add("dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return w
}

// signedIn is the workforce signed in to the site at base.
type signedIn struct {
	drafter, maker *loadgen.Staff
	advisers       []*loadgen.Staff
}

func (w *workforce) signIn(t *testing.T, base string) signedIn {
	t.Helper()
	ctx := context.Background()
	in := func(u store.User) *loadgen.Staff {
		var s *loadgen.Staff
		var err error
		// Tried until it succeeds: a test with a short request deadline may get a 503 from a
		// loaded machine, which a person would try again. The bound only stops a broken site.
		if !until(withBound(t, answerBound), func() bool {
			s, err = loadgen.SignIn(ctx, newClient(), base, u.Email, staffPassword)
			return err == nil
		}) {
			t.Fatalf("no sign-in in %v: %v", answerBound, err)
		}
		return s
	}
	s := signedIn{drafter: in(w.drafter), maker: in(w.maker)}
	for _, a := range w.advisers {
		s.advisers = append(s.advisers, in(a))
	}
	return s
}

// awaiting makes a decision awaiting sign-off, drafted by the workforce's drafter.
func (w *workforce) awaiting(t *testing.T, number int) string {
	t.Helper()
	return testsite.AwaitingDecision(t, w.pool, number, "Confidential advice.", w.drafter.ID)
}

// pause waits a moment before trying again, as a person would.
func pause(ctx context.Context) {
	select {
	case <-ctx.Done():
	case <-time.After(20 * time.Millisecond):
	}
}

// until retries an action until it succeeds, or ctx ends. It reports whether it succeeded.
func until(ctx context.Context, try func() bool) bool {
	for ctx.Err() == nil {
		if try() {
			return true
		}
		pause(ctx)
	}
	return false
}

// approveAll has each adviser approve in turn over HTTP, retrying what fails, and the
// decision maker sign when sign is set. Every write tried goes to record.
func (s signedIn) approveAll(ctx context.Context, slug string, sign bool, record func(loadgen.Write)) {
	for _, a := range s.advisers {
		until(ctx, func() bool {
			w, err := a.ApproveNext(ctx, slug)
			if errors.Is(err, loadgen.ErrNothingToDo) {
				return true // done already, perhaps by a try that was not acknowledged
			}
			if err != nil {
				return false
			}
			record(w)
			return w.Acked()
		})
	}
	if sign {
		until(ctx, func() bool {
			w, err := s.maker.Sign(ctx, slug)
			if errors.Is(err, loadgen.ErrNothingToDo) {
				return true
			}
			if err != nil {
				return false
			}
			record(w)
			return w.Acked()
		})
	}
}

// verifyRegister runs `decisions verify` on the database: every signed decision's hash and the
// whole audit chain.
func verifyRegister(t *testing.T, dbURL string) string {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), []string{"decisions", "verify"}, func(k string) string {
		if k == "DATABASE_URL" {
			return dbURL
		}
		return ""
	}, nil, &out)
	if err != nil || !strings.Contains(out.String(), "chain intact") {
		t.Errorf("decisions verify: %v\n%s", err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// writeCheck tallies what became of each write tried.
type writeCheck struct {
	acked, unackedPresent, unackedAbsent map[string]int
}

func newWriteCheck() *writeCheck {
	return &writeCheck{acked: map[string]int{}, unackedPresent: map[string]int{}, unackedAbsent: map[string]int{}}
}

// checkWrites checks each write against the database: an acknowledged one is there; one not
// acknowledged is wholly there or wholly absent. It also checks that each decision's approvals
// and signature have exactly their audit entries.
func checkWrites(t *testing.T, pool *pgxpool.Pool, writes []loadgen.Write) *writeCheck {
	t.Helper()
	ctx := context.Background()
	c := newWriteCheck()
	tally := func(w loadgen.Write, present bool) {
		switch {
		case w.Acked() && !present:
			t.Errorf("acknowledged %s %+v is not in the database", w.Kind, w)
		case w.Acked():
			c.acked[w.Kind]++
		case present:
			c.unackedPresent[w.Kind]++
		default:
			c.unackedAbsent[w.Kind]++
		}
	}
	slugs := map[string]bool{}
	for _, w := range writes {
		switch w.Kind {
		case "create":
			// An unacknowledged create has no slug: find it by its title, which only the
			// drafter's save (of acknowledged creates) changes.
			var n, drafters, created int
			err := pool.QueryRow(ctx, `
SELECT count(*), coalesce(sum((SELECT count(*) FROM decision_drafters x WHERE x.decision_id = d.id)), 0),
	coalesce(sum((SELECT count(*) FROM audit_log a WHERE a.decision_id = d.id AND a.event = 'created')), 0)
FROM decisions d WHERE d.title IN ($1, $1 || ', saved')`, w.Title).Scan(&n, &drafters, &created)
			if err != nil {
				t.Fatal(err)
			}
			if n > 1 || drafters != n || created != n {
				t.Errorf("create %q: %d decisions, %d drafter rows, %d created entries: half-written or doubled", w.Title, n, drafters, created)
			}
			tally(w, n == 1)
		case "save":
			var title, summary string
			var edited int
			err := pool.QueryRow(ctx, `
SELECT coalesce(title, ''), coalesce(summary, ''),
	(SELECT count(*) FROM audit_log a WHERE a.decision_id = d.id AND a.event = 'edited')
FROM decisions d WHERE slug = $1`, w.Slug).Scan(&title, &summary, &edited)
			if err != nil {
				t.Fatalf("saved draft %s: %v", w.Slug, err)
			}
			saved := title == w.Title && summary == w.Summary && edited == 1
			before := title == strings.TrimSuffix(w.Title, ", saved") && summary == "" && edited == 0
			if !saved && !before {
				t.Errorf("save %s: title %q, summary %q, %d edited entries: neither wholly saved nor wholly not", w.Slug, title, summary, edited)
			}
			tally(w, saved)
		case "approve":
			var present bool
			if err := pool.QueryRow(ctx, `
SELECT EXISTS (SELECT 1 FROM signoff_actions s JOIN decisions d ON d.id = s.decision_id
	WHERE d.slug = $1 AND s.step_kind = $2 AND s.action = 'approved' AND s.cleared_at IS NULL)`, w.Slug, w.Step).Scan(&present); err != nil {
				t.Fatal(err)
			}
			tally(w, present)
			slugs[w.Slug] = true
		case "sign":
			var present bool
			if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM signatures s JOIN decisions d ON d.id = s.decision_id WHERE d.slug = $1)`, w.Slug).Scan(&present); err != nil {
				t.Fatal(err)
			}
			tally(w, present)
			slugs[w.Slug] = true
		}
	}
	for slug := range slugs {
		var approvals, approvedEntries, signatures, signedEntries, publishedEntries int
		var status string
		if err := pool.QueryRow(ctx, `
SELECT d.status,
	(SELECT count(*) FROM signoff_actions s WHERE s.decision_id = d.id AND s.action = 'approved'),
	(SELECT count(*) FROM audit_log a WHERE a.decision_id = d.id AND a.event = 'approved'),
	(SELECT count(*) FROM signatures s WHERE s.decision_id = d.id),
	(SELECT count(*) FROM audit_log a WHERE a.decision_id = d.id AND a.event = 'signed'),
	(SELECT count(*) FROM audit_log a WHERE a.decision_id = d.id AND a.event = 'published')
FROM decisions d WHERE d.slug = $1`, slug).Scan(&status, &approvals, &approvedEntries, &signatures, &signedEntries, &publishedEntries); err != nil {
			t.Fatal(err)
		}
		if approvals != approvedEntries || signatures != signedEntries || signatures != publishedEntries ||
			(signatures == 1) != (status == "published") || approvals > len(faultChain) {
			t.Errorf("%s: status %s, %d approvals with %d entries, %d signatures with %d signed and %d published entries: half-written",
				slug, status, approvals, approvedEntries, signatures, signedEntries, publishedEntries)
		}
	}
	return c
}

// TestPostgresRestartsUnderLoad serves the register on a cluster of its own while readers
// read and staff write, stops PostgreSQL (fast, then immediate: a crash) and starts it again.
// While it is down the site answers at once with a 503 "temporarily unavailable" page and
// Retry-After, and /readyz says 503; once it is back the site serves again by itself. Every
// write acknowledged is in the database; every other is wholly there or wholly absent.
func TestPostgresRestartsUnderLoad(t *testing.T) {
	t.Parallel()
	testStart := time.Now()
	cl := pgcluster.Start(t)
	dbURL := cl.CreateDatabase(t, "register")
	const requestTimeout = 5 * time.Second
	// LOG_LEVEL info: the "serving" line says which port the server chose.
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "REQUEST_TIMEOUT": requestTimeout.String(), "DB_STATEMENT_TIMEOUT": "3s",
		"LOG_LEVEL": "info", "RATE_LIMIT_SEARCH": "off", "RATE_LIMIT_EXPORTS": "off", "MIGRATE_ON_START": "true"}, "serve")
	base := c.url(t) // the port the server chose: no restart here needs the same one
	go func() {
		for range c.log.lines { // the whole log is kept for a failure; nobody waits for more lines
		}
	}()
	staff := newWorkforce(t, dbURL)
	var slugs []string
	for i := range 8 {
		slugs = append(slugs, staff.awaiting(t, 9300+i))
	}
	in := staff.signIn(t, base)
	began := time.Now()
	t.Logf("set up: %v", time.Since(testStart).Round(time.Millisecond))

	var mu sync.Mutex
	var writes []loadgen.Write
	reads := map[int]int{}
	var readErrs []error
	var slowest time.Duration
	var acked atomic.Int64
	record := func(w loadgen.Write) {
		mu.Lock()
		defer mu.Unlock()
		writes = append(writes, w)
		if w.Acked() {
			acked.Add(1)
		}
	}
	outageReads := func() int {
		mu.Lock()
		defer mu.Unlock()
		return reads[http.StatusServiceUnavailable]
	}
	ctx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	var wg sync.WaitGroup
	paths := []string{"/", "/decisions", "/decisions/pcd-1682", "/decisions?q=social+media", "/api/v1/decisions/pcd-1682", "/readyz"}
	for i := range 3 {
		wg.Go(func() {
			client := newClient()
			for n := i; ctx.Err() == nil; n++ {
				began := time.Now()
				status, err := loadgen.Get(ctx, client, base+paths[n%len(paths)])
				took := time.Since(began)
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				if err != nil {
					readErrs = append(readErrs, err)
				}
				reads[status]++
				slowest = max(slowest, took)
				mu.Unlock()
				if status != http.StatusOK {
					pause(ctx) // as a person would, rather than spin on the 503 page
				}
			}
		})
	}
	wg.Go(func() { // the drafter starts decisions and saves each one's title and summary
		for n := 1; ctx.Err() == nil; n++ {
			title := fmt.Sprintf("Restart draft %d", n)
			w := in.drafter.CreateDraft(ctx, title)
			record(w)
			if !w.Acked() {
				pause(ctx)
				continue
			}
			until(ctx, func() bool {
				w, err := in.drafter.SaveTitle(ctx, w.Slug, title+", saved", fmt.Sprintf("Summary %d", n))
				if err == nil {
					record(w)
				}
				return err == nil
			})
		}
	})
	wg.Go(func() { // the advisers approve and the decision maker signs, decision by decision
		for _, slug := range slugs {
			in.approveAll(ctx, slug, true, record)
		}
	})

	// progress waits for n more acknowledged writes. The bound only stops a stuck test.
	progress := func(n int64) {
		t.Helper()
		target := acked.Load() + n
		for deadline := time.Now().Add(answerBound); acked.Load() < target; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("not %d writes acknowledged in %v; the log:\n%s", n, answerBound, c.log)
			}
		}
	}
	probe := newClient()
	progress(5)
	t.Logf("load running: %v", time.Since(began).Round(time.Millisecond))
	for _, mode := range []string{"fast", "immediate"} {
		cl.Stop(t, mode)
		for _, ask := range []struct {
			client *http.Client
			path   string
		}{{probe, "/decisions/pcd-1682"}, {probe, "/decisions?q=grant"}, {in.drafter.Client, "/work"}} {
			r := getWith(t, ask.client, base+ask.path)
			if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" || !strings.Contains(r.body, "temporarily unavailable") {
				t.Errorf("PostgreSQL stopped (%s): GET %s = %d, Retry-After %q; want 503, Retry-After, the temporarily unavailable page",
					mode, ask.path, r.status, r.header.Get("Retry-After"))
			}
		}
		if r := getWith(t, probe, base+"/readyz"); r.status != http.StatusServiceUnavailable {
			t.Errorf("PostgreSQL stopped (%s): GET /readyz = %d, want 503", mode, r.status)
		}
		// The load meets the outage too: a few more reads answered 503, counted, not timed.
		for seen := outageReads(); outageReads() < seen+3; time.Sleep(10 * time.Millisecond) {
		}
		cl.Start(t)
		back := time.Now()
		// The bound only stops a test whose site never comes back.
		recoverCtx, cancel := context.WithTimeout(context.Background(), answerBound)
		recovered := until(recoverCtx, func() bool {
			return getWith(t, probe, base+"/readyz").status == http.StatusOK && getWith(t, probe, base+"/decisions/pcd-1682").status == http.StatusOK
		})
		cancel()
		if !recovered {
			t.Fatalf("PostgreSQL stopped (%s) and started: the site did not serve again within %v; its log:\n%s", mode, answerBound, c.log)
		}
		t.Logf("PostgreSQL stopped (%s) and started: the site served again %v after the start, without a restart", mode, time.Since(back).Round(time.Millisecond))
		progress(5)
		t.Logf("load running again: %v", time.Since(began).Round(time.Millisecond))
	}
	stopLoad()
	wg.Wait()
	in.approveAll(context.Background(), slugs[len(slugs)-1], true, record) // a decision through the whole chain, after both

	check := checkWrites(t, staff.pool, writes)
	t.Logf("reads: %v (slowest %v; the request deadline is %v)", reads, slowest.Round(time.Millisecond), requestTimeout)
	t.Logf("writes acknowledged, all in the database: %v", check.acked)
	t.Logf("writes not acknowledged, wholly there: %v; wholly absent: %v", check.unackedPresent, check.unackedAbsent)
	t.Logf("%s", verifyRegister(t, dbURL))
	for status, n := range reads {
		if status != http.StatusOK && status != http.StatusServiceUnavailable {
			t.Errorf("%d reads answered %d: want only 200, or 503 while the database is down", n, status)
		}
	}
	if len(readErrs) > 0 {
		t.Errorf("%d reads had no answer, the first: %v", len(readErrs), readErrs[0])
	}
	if t.Failed() {
		for line := range strings.Lines(c.log.String()) {
			if !strings.Contains(line, `"status":503`) && !strings.Contains(line, `"status":200`) && !strings.Contains(line, `"status":303`) &&
				!strings.Contains(line, "database unavailable") {
				t.Log(strings.TrimSpace(line))
			}
		}
	}
	if reads[http.StatusServiceUnavailable] == 0 {
		t.Error("no read met the outage: the test did not test it")
	}
	for _, w := range writes {
		if errors.Is(w.Err, context.Canceled) {
			continue // cut short by the end of the load: not acknowledged, and checked as such
		}
		if w.Status == 0 || w.Status >= 500 && w.Status != http.StatusServiceUnavailable {
			t.Errorf("write %s %s = %d %v: want an answer, and 503 for the outage", w.Kind, w.Slug, w.Status, w.Err)
		}
	}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func getWith(t *testing.T, c *http.Client, u string) answer {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: b.String()}
}

// waitServing waits until the server at base answers /healthz, up to a bound only a server
// that never starts reaches.
func waitServing(t *testing.T, base string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), answerBound)
	defer cancel()
	client := newClient()
	if !until(ctx, func() bool {
		status, _ := loadgen.Get(ctx, client, base+"/healthz")
		return status == http.StatusOK
	}) {
		t.Fatalf("the server at %s did not start serving within %v", base, answerBound)
	}
}

// freePort is a loopback port nothing listens on now, for a server restarted on the same
// address; another process may take it meanwhile, so a server that need not be restarted on
// it listens on ADDR=127.0.0.1:0 and reports its port in its log instead.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
