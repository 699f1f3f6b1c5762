package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/loadgen"
	"github.com/decision-register/decisions/internal/store"
)

// mixTally counts a concurrent mix's requests by kind and answer, and keeps what went wrong.
type mixTally struct {
	mu       sync.Mutex
	statuses map[string]map[int]int
	problems []string
}

// note records one answer; want lists the statuses that kind of request may get.
func (m *mixTally) note(kind string, status int, err error, want ...int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.statuses[kind] == nil {
		m.statuses[kind] = map[int]int{}
	}
	m.statuses[kind][status]++
	switch {
	case err != nil:
		m.problems = append(m.problems, fmt.Sprintf("%s: %v", kind, err))
	case !slices.Contains(want, status):
		m.problems = append(m.problems, fmt.Sprintf("%s = %d, want one of %v", kind, status, want))
	}
}

func (m *mixTally) String() string {
	var b strings.Builder
	total := 0
	for _, kind := range slices.Sorted(func(yield func(string) bool) {
		for k := range m.statuses {
			if !yield(k) {
				return
			}
		}
	}) {
		n := 0
		for _, c := range m.statuses[kind] {
			n += c
		}
		total += n
		fmt.Fprintf(&b, "  %-28s %4d %v\n", kind, n, m.statuses[kind])
	}
	fmt.Fprintf(&b, "  %-28s %4d", "all", total)
	return b.String()
}

// TestConcurrentWorkKeepsItsAuditTrail runs, against the real `decisions serve` over HTTP, the
// mix that once deadlocked on the audit trail: failed sign-ins from many client addresses, Part
// II reads (each an audited read) of decisions being edited and signed off, draft edits,
// approvals, signatures, and `decisions verify`, all at once. Each worker makes a fixed number of
// requests. No request may fail (no 5xx), every action must be recorded whole, the log must not
// mention a deadlock or a serialization failure, and the chain must verify.
func TestConcurrentWorkKeepsItsAuditTrail(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	// Deadlines far past any lock wait: a request that times out on a loaded machine (argon2id
	// checks queue for their memory) would be a 503 this test is not about. A deadlock is
	// detected in a second, whatever the deadlines.
	c := start(t, map[string]string{"DATABASE_URL": dbURL, "TRUSTED_PROXIES": "127.0.0.1/32",
		"REQUEST_TIMEOUT": "2m", "DB_STATEMENT_TIMEOUT": "2m",
		"RATE_LIMIT_SEARCH": "off", "RATE_LIMIT_EXPORTS": "off", "RATE_LIMIT_SIGN_IN": "off"}, "serve")
	base := c.url(t)
	go func() {
		for range c.log.lines { // the whole log is kept for the checks; nobody waits for lines
		}
	}()
	staff := newWorkforce(t, dbURL)
	const (
		edited     = 3  // decisions the drafter edits while they are read
		signed     = 4  // decisions advised on and signed while they are read
		saves      = 12 // edits of each edited decision
		reads      = 12 // Part II reads of each decision, by each reader
		signIns    = 12 // failed sign-ins by each of two clients
		verifyRuns = 4
	)
	var editSlugs, signSlugs []string
	for i := range edited {
		editSlugs = append(editSlugs, staff.awaiting(t, 9400+i))
	}
	for i := range signed {
		signSlugs = append(signSlugs, staff.awaiting(t, 9500+i))
	}
	in := staff.signIn(t, base)
	ctx := context.Background()
	tally := &mixTally{statuses: map[string]map[int]int{}}
	var wg sync.WaitGroup

	readPartTwo := func(kind string, s *loadgen.Staff, path string) {
		for range reads {
			status, err := loadgen.Get(ctx, s.Client, base+path)
			tally.note(kind, status, err, http.StatusOK)
		}
	}
	for i, slug := range editSlugs {
		wg.Go(func() { // the drafter saves the title, reading the form's version each time
			for n := range saves {
				w, err := in.drafter.SaveTitle(ctx, slug, fmt.Sprintf("Edited decision %d, save %d", i, n+1), "A summary.")
				tally.note("draft edit (GET form + POST)", w.Status, err, http.StatusSeeOther)
			}
		})
		wg.Go(func() { readPartTwo("Part II read: draft form", in.drafter, "/decisions/"+slug+"/edit/part-two") })
		wg.Go(func() { readPartTwo("Part II read: decision page", in.maker, "/decisions/"+slug) })
	}
	for _, slug := range signSlugs {
		wg.Go(func() { // each adviser approves in turn (reading the sign-off page), then the decision maker signs
			for _, a := range in.advisers {
				w, err := a.ApproveNext(ctx, slug)
				tally.note("approval (GET + POST)", w.Status, err, http.StatusSeeOther)
			}
			w, err := in.maker.Sign(ctx, slug)
			tally.note("signature (GET + POST)", w.Status, err, http.StatusSeeOther)
		})
		wg.Go(func() { readPartTwo("Part II read: decision page", in.maker, "/decisions/"+slug) })
	}
	for i := range 2 {
		wg.Go(func() { // failed sign-ins, each from its own client address behind the proxy
			client := newClient()
			for n := range signIns {
				form := url.Values{"email": {fmt.Sprintf("nobody-%d-%d@example.org", i, n)}, "password": {"wrong"}}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sign-in", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i*signIns+n+1))
				resp, err := client.Do(req)
				status := 0
				if err == nil {
					status = resp.StatusCode
					resp.Body.Close()
				}
				tally.note("failed sign-in", status, err, http.StatusUnprocessableEntity)
			}
		})
	}
	wg.Go(func() {
		for range verifyRuns {
			var out strings.Builder
			err := run(ctx, []string{"decisions", "verify"}, func(k string) string {
				if k == "DATABASE_URL" {
					return dbURL
				}
				return ""
			}, nil, &out)
			if err == nil && !strings.Contains(out.String(), "chain intact") {
				err = fmt.Errorf("printed %q", out.String())
			}
			// verify reads everything in one snapshot, so a run in the middle of the load must
			// find the chain intact too (issue 15 item 3).
			tally.note("decisions verify", 0, err, 0)
		}
	})
	wg.Wait()

	t.Logf("requests made, by kind and status:\n%s", tally)
	for _, p := range tally.problems {
		t.Error(p)
	}
	log := c.log.String()
	// The codes as pgx writes them ("(SQLSTATE 40001)"): a bare "40001" also matches a timestamp's
	// nanoseconds (CI once saw 18:03:24.400014645).
	for _, bad := range []string{"deadlock detected", "SQLSTATE 40P01", "SQLSTATE 40001", "could not serialize", `"status":5`} {
		if strings.Contains(log, bad) {
			t.Errorf("the server's log mentions %q", bad)
		}
	}
	if t.Failed() {
		t.Logf("the server's log:\n%s", log)
	}
	checkMixRecorded(t, staff.pool, editSlugs, signSlugs, saves)
	// Failed sign-ins are logged, never written to the permanent trail (what was typed may be a
	// password): each one's log line, none in the trail.
	if n := strings.Count(log, `"msg":"sign-in failed"`); n != 2*signIns {
		t.Errorf("%d failed sign-ins logged, want %d", n, 2*signIns)
	}
	t.Logf("%s", verifyRegister(t, dbURL))
}

// checkMixRecorded checks that every action of the mix is in the register, whole: each save of
// each edited decision, each approval and signature; and no failed sign-in.
func checkMixRecorded(t *testing.T, pool *pgxpool.Pool, editSlugs, signSlugs []string, saves int) {
	t.Helper()
	ctx := context.Background()
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, q, args...).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	const entries = `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id WHERE d.slug = $1 AND a.event = $2`
	for i, slug := range editSlugs {
		var title string
		if err := pool.QueryRow(ctx, `SELECT title FROM decisions WHERE slug = $1`, slug).Scan(&title); err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("Edited decision %d, save %d", i, saves)
		if n := count(entries, slug, store.EventEdited); n != saves || title != want {
			t.Errorf("%s: %d edits audited, title %q; want %d and %q", slug, n, title, saves, want)
		}
	}
	for _, slug := range signSlugs {
		approvals, signatures := count(entries, slug, store.EventApproved), count(entries, slug, store.EventSigned)
		status := ""
		_ = pool.QueryRow(ctx, `SELECT status FROM decisions WHERE slug = $1`, slug).Scan(&status)
		if approvals != len(faultChain) || signatures != 1 || status != "published" {
			t.Errorf("%s: %d approvals and %d signatures audited, status %s; want %d, 1, published",
				slug, approvals, signatures, status, len(faultChain))
		}
	}
	if n := count(`SELECT count(*) FROM audit_log WHERE event = $1`, store.EventSignInFailed); n != 0 {
		t.Errorf("%d failed sign-ins audited, want none", n)
	}
}
