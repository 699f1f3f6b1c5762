package fleet_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// chainSteps are the PCD series' sign-off steps, in order, as migrated.
var chainSteps = []string{"head_of_unit", "finance", "legal", "equalities", "data_protection", "chief_executive"}

// fleet is two instances of this release on one database, behind nginx, which the instances
// trust as their proxy.
type fleet struct {
	pool      *pgxpool.Pool
	store     *store.Store
	instances []*instance
	proxy     *proxy
}

func newFleet(t *testing.T, bins ...string) *fleet {
	t.Helper()
	dbURL := dbtest.URL(t)
	pool, err := store.Open(context.Background(), dbURL, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f := &fleet{pool: pool, store: store.New(pool)}
	for _, bin := range bins {
		f.instances = append(f.instances, startInstance(t, bin, map[string]string{"DATABASE_URL": dbURL,
			"TRUSTED_PROXIES": proxyAddr + "/32", "RELEASE_INTERVAL": "100ms", "LOG_LEVEL": "debug"}))
	}
	f.proxy = startProxy(t, f.instances...)
	return f
}

// TestFleet runs two instances behind nginx: a session made on one holds on the other,
// numbers taken at once through both are unique, a deferred decision is released once, and
// the client's address and the proxy's request id reach the instances' logs.
func TestFleet(t *testing.T) {
	t.Parallel()
	current, _ := binaries(t)
	f := newFleet(t, current, current)
	t.Run("sessions", f.testSessions)
	t.Run("numbering", f.testNumbering)
	t.Run("release", f.testRelease)
	t.Run("proxy headers", f.testProxyHeaders)
}

// testSessions signs in through one instance and carries on through the other; signing out
// through the second ends the session on the first.
func (f *fleet) testSessions(t *testing.T) {
	addUser(t, f.store, "sam@example.org", "Sam Staff", store.Grants{Roles: []string{"drafter"}})
	b := newBrowser(f.proxy.url)
	signIn(t, b.via(0), f.proxy.url, "sam@example.org")
	for _, n := range []int{1, 0, 1} {
		r := do(t, b.via(n), http.MethodGet, f.proxy.url+"/work", nil)
		if r.status != http.StatusOK || !strings.Contains(r.body, "Sam Staff") {
			t.Fatalf("GET /work through instance %d = %d, want 200 with the name", n, r.status)
		}
		if got := r.header.Get("X-Upstream"); got != f.instances[n].addr {
			t.Errorf("GET /work answered by %s, want instance %d (%s)", got, n, f.instances[n].addr)
		}
	}
	if r := do(t, b.via(1), http.MethodPost, f.proxy.url+"/sign-out", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("sign out through instance 1 = %d, want 303", r.status)
	}
	if r := do(t, b.via(0), http.MethodGet, f.proxy.url+"/work", nil); r.status != http.StatusSeeOther ||
		!strings.HasPrefix(r.header.Get("Location"), "/sign-in") {
		t.Errorf("GET /work through instance 0 after signing out on 1 = %d %q, want 303 to sign in", r.status, r.header.Get("Location"))
	}
}

// testNumbering starts decisions in one series through both instances at once: each gets a
// number of its own, with none skipped.
func (f *fleet) testNumbering(t *testing.T) {
	const perInstance = 8
	addUser(t, f.store, "dana@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	b := newBrowser(f.proxy.url)
	signIn(t, b.via(0), f.proxy.url, "dana@example.org")
	var mu sync.Mutex
	var slugs []string
	var wg sync.WaitGroup
	for n := range 2 {
		for i := range perInstance {
			wg.Go(func() {
				form := url.Values{"series": {"PCD"}, "title": {fmt.Sprintf("Started on instance %d, %d", n, i)}}
				r := do(t, b.via(n), http.MethodPost, f.proxy.url+"/decisions/new", form)
				if r.status != http.StatusSeeOther {
					t.Errorf("POST /decisions/new through instance %d = %d, want 303", n, r.status)
					return
				}
				mu.Lock()
				slugs = append(slugs, r.header.Get("Location"))
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, s := range slugs {
		if seen[s] {
			t.Errorf("two decisions were given %s", s)
		}
		seen[s] = true
	}
	var count, distinct, span int
	err := f.pool.QueryRow(context.Background(), `
SELECT count(*), count(DISTINCT number), max(number) - min(number) + 1
FROM decisions WHERE series = 'PCD' AND title LIKE 'Started on instance %'`).Scan(&count, &distinct, &span)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * perInstance; count != want || distinct != want || span != want {
		t.Errorf("decisions started: %d, numbers %d distinct over a span of %d; want %d of each", count, distinct, span, want)
	}
}

// testRelease signs several decisions for publication a moment after signing and lets both
// instances' release loops (every 100 ms) race for them: each is released, and audited,
// exactly once, by one instance or the other.
func (f *fleet) testRelease(t *testing.T) {
	ctx := context.Background()
	signer := newSigner(t, f.store)
	var ids []int64
	for number := 9001; number <= 9003; number++ {
		ids = append(ids, signer.sign(t, f.pool, number, 2*time.Second))
	}
	released := func(l logLine) bool { return l.msg() == "released deferred decisions" }
	deadline := time.Now().Add(2 * time.Minute) // a bound only a stopped loop reaches
	for {
		var published int
		if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM decisions WHERE id = ANY($1) AND status = 'published'`, ids).Scan(&published); err != nil {
			t.Fatal(err)
		}
		if published == len(ids) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deferred decisions released two minutes after their time", published, len(ids))
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Ten more rounds of each loop, counted in their logs: none may release again.
	round := func(l logLine) bool { return l.msg() == "release round done" }
	for _, in := range f.instances {
		want := len(in.log.matching(round)) + 10
		for deadline := time.Now().Add(60 * time.Second); len(in.log.matching(round)) < want; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) { // a bound only a stopped loop reaches
				t.Fatalf("%s: not ten more release rounds in 60 s", in.addr)
			}
		}
	}
	var audited int
	if err := f.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = $1 AND decision_id = ANY($2)`,
		store.EventReleased, ids).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != len(ids) {
		t.Errorf("%d release entries in the audit trail, want %d: one per decision", audited, len(ids))
	}
	total := 0
	for i, in := range f.instances {
		for _, l := range in.log.matching(released) {
			n, _ := l["count"].(float64)
			total += int(n)
			t.Logf("instance %d released %d", i, int(n))
		}
	}
	if total != len(ids) {
		t.Errorf("the instances logged %d releases between them, want %d", total, len(ids))
	}
}

// testProxyHeaders sends a forged X-Forwarded-For and X-Request-Id through nginx, and straight
// to an instance: behind the proxy the instance logs the real client (not the forged address,
// nor the proxy's) under the proxy's request id; straight, it believes neither header.
func (f *fleet) testProxyHeaders(t *testing.T) {
	forge := func(req *http.Request) {
		req.Header.Set("X-Forwarded-For", "198.51.100.66")
		req.Header.Set("X-Request-Id", "forged-by-the-client")
	}
	for _, tt := range []struct {
		name, url string
		viaProxy  bool
	}{
		{"through the proxy", f.proxy.url + "/glossary?through=proxy", true},
		{"straight to an instance", "http://" + f.instances[0].addr + "/glossary?through=none", false},
	} {
		req, _ := http.NewRequest(http.MethodGet, tt.url, nil)
		forge(req)
		req.Header.Set("X-Backend", "0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		id := resp.Header.Get("X-Request-Id")
		if resp.StatusCode != http.StatusOK || id == "" || id == "forged-by-the-client" {
			t.Errorf("%s: GET /glossary = %d with X-Request-Id %q, want 200 and an id of the server's or the proxy's", tt.name, resp.StatusCode, id)
		}
		line, err := f.instances[0].log.waitFor(func(l logLine) bool {
			return l.msg() == "request" && l.str("request_id") == id
		}, time.Minute, nil) // a bound only a line never written reaches
		if err != nil {
			t.Fatalf("%s: instance 0 logged no request with id %q: %v", tt.name, id, err)
		}
		if got := line.str("client"); got != "127.0.0.1" {
			t.Errorf("%s: the instance logged client %q, want 127.0.0.1: neither the forged address nor the proxy's %s", tt.name, got, proxyAddr)
		}
		if tt.viaProxy && !f.proxy.logged(t, "request_id="+id+" ") {
			t.Errorf("%s: nginx's access log has no request %s: the instance did not keep the proxy's id", tt.name, id)
		}
	}
}

// signer is the staff who take a decision through the PCD chain: an adviser per step and a
// decision maker.
type signer struct {
	store    *store.Store
	advisers map[string]store.User
	maker    store.User
}

func newSigner(t *testing.T, st *store.Store) *signer {
	t.Helper()
	s := &signer{store: st, advisers: map[string]store.User{}}
	for _, k := range chainSteps {
		s.advisers[k] = addUser(t, st, strings.ReplaceAll(k, "_", "-")+"@example.org", "Adviser "+k,
			store.Grants{Roles: []string{"adviser"}, StepKinds: []string{k}})
	}
	s.maker = addUser(t, st, "dmpc@example.org", "Sophie Signer", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}})
	return s
}

// sign makes decision PCD number, awaiting sign-off, straight in SQL (drafting has its own
// pages and tests), has every step approve it and signs it for publication after deferral
// (from the moment of signing, so a slow machine cannot turn it into an immediate one), or now.
func (s *signer) sign(t *testing.T, pool *pgxpool.Pool, number int, deferral time.Duration) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := pool.QueryRow(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status)
VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Embargoed grant ' || $1::text,
	'To accept a grant.', 'awaiting_signoff')
RETURNING id`, number).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	slug := fmt.Sprintf("pcd-%d", number)
	c, err := s.store.Content(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	hash := decision.ContentHash(c)
	for _, k := range chainSteps {
		if err := s.store.Approve(ctx, s.advisers[k].Act(time.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
	at := time.Now()
	in := store.SignInput{Outcome: store.OutcomeApproved, Interests: store.InterestsNone, PublishAt: at.Add(deferral), SeenHash: hash}
	if deferral > 0 {
		in.DeferralReason = "Embargo."
	}
	if err := s.store.Sign(ctx, s.maker.Act(at), slug, in); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRollingDeploy runs this release and the next (its stylesheet changed) side by side
// behind nginx: a page from either loads its stylesheet and script whichever instance the
// proxy sends those requests to.
func TestRollingDeploy(t *testing.T) {
	t.Parallel()
	current, next := binaries(t)
	f := newFleet(t, current, next)
	hrefs := regexp.MustCompile(`(?:href|src)="(/static/[^"]+\.[0-9a-f]{10}\.(?:css|js))"`)
	var cssOf [2]string
	b := newBrowser(f.proxy.url)
	for page := range 2 {
		r := do(t, b.via(page), http.MethodGet, f.proxy.url+"/", nil)
		if r.status != http.StatusOK {
			t.Fatalf("GET / through instance %d = %d", page, r.status)
		}
		assets := hrefs.FindAllStringSubmatch(r.body, -1)
		if len(assets) < 2 {
			t.Fatalf("the home page from instance %d names %d fingerprinted files, want its stylesheet and script", page, len(assets))
		}
		for _, a := range assets {
			if strings.HasSuffix(a[1], ".css") {
				cssOf[page] = a[1]
			}
			var bodies [2]string
			for from := range 2 {
				got := do(t, b.via(from), http.MethodGet, f.proxy.url+a[1], nil)
				if got.status != http.StatusOK {
					t.Errorf("GET %s (named by release %d's page) through instance %d = %d, want 200", a[1], page, from, got.status)
				}
				bodies[from] = got.body
			}
			if bodies[0] != bodies[1] {
				t.Errorf("%s differs between the instances", a[1])
			}
			if strings.HasSuffix(a[1], ".css") && strings.Contains(bodies[0], nextReleaseMarker) != (page == 1) {
				t.Errorf("%s from release %d's page: has the next release's change %t, want %t", a[1], page, !(page == 1), page == 1)
			}
		}
	}
	if cssOf[0] == cssOf[1] {
		t.Errorf("both releases name the stylesheet %s: the test needs them to differ", cssOf[0])
	}
}
