// Command soak runs a mixed load against a running register for a long while, at a bounded
// rate: the public reading pages, searching and downloading, and staff starting and saving
// drafts, approving and signing. Every 30 seconds it prints the server's memory (RSS from
// /proc, Go heap from its metrics), goroutines, pool use and the answers so far by class, and
// at the end whether memory and goroutines stayed flat and no request got a 5xx. `make soak`
// runs it (see .ci/soak); it is not part of CI.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/loadgen"
	"github.com/decision-register/decisions/internal/store"
)

func main() {
	if err := soak(); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

const password = "soak password, not for use"

func soak() error {
	base := flag.String("base", "http://127.0.0.1:18091", "the register's address")
	metricsURL := flag.String("metrics", "http://127.0.0.1:18092/metrics", "the register's metrics")
	pid := flag.Int("pid", 0, "the server's process id, for its RSS")
	duration := flag.Duration("duration", 10*time.Minute, "how long to run")
	rate := flag.Int("rate", 40, "requests a second, all clients together")
	every := flag.Duration("every", 30*time.Second, "how often to print figures")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	// A third of the staff's turns approve and a third sign: enough decisions for all of them.
	turns := int(duration.Seconds())*(*rate)/10/3 + 1
	people, err := setUp(ctx, *base, turns)
	if err != nil {
		return err
	}
	t := &tally{status: map[int]int{}, acked: map[string]int{}}
	// One ticker paces everything: each tick, one action, drawn by weight.
	tick := time.NewTicker(time.Second / time.Duration(*rate))
	defer tick.Stop()
	end := time.After(*duration)
	report := time.NewTicker(*every)
	defer report.Stop()
	reader := loadgen.NewClient(loadgen.Timeout)
	reads := []string{"/", "/decisions", "/decisions/pcd-1682", "/decisions?q=social+media", "/decisions?q=knife+crime&sort=newest",
		"/decisions?fy=2024-25", "/decisions.csv?q=grant", "/decisions.atom", "/api/v1/decisions?q=hub", "/api/v1/decisions/pcd-1682",
		"/decisions/pcd-1682/verify", "/glossary", "/static/favicon.svg"}
	var wg sync.WaitGroup
	work := make(chan func(), 64) // a few workers, so one slow answer does not stall the pace
	for range 8 {
		wg.Go(func() {
			for f := range work {
				f()
			}
		})
	}
	start := time.Now()
	var first, last sample
	fmt.Printf("%8s %8s %10s %10s %10s %8s %6s %6s %6s %6s\n", "elapsed", "requests", "RSS MB", "heap MB", "goroutines", "pool", "2xx/3xx", "4xx", "429", "5xx")
	n := 0
	writes := 0
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-end:
			break loop
		case <-report.C:
			s := measure(*pid, *metricsURL)
			if first.rss == 0 {
				first = s
			}
			last = s
			t.print(time.Since(start), s)
		case <-tick.C:
			n++
			switch {
			case n%10 == 0: // a tenth are staff writes, in turn
				writes++
				w := writes
				work <- func() { t.add(people.write(ctx, w)...) }
			default:
				path := reads[rand.IntN(len(reads))]
				work <- func() {
					status, err := loadgen.Get(ctx, reader, *base+path)
					t.addRead(status, err)
				}
			}
		}
	}
	close(work)
	wg.Wait()
	final := measure(*pid, *metricsURL)
	t.print(time.Since(start), final)
	if first.rss == 0 {
		first = final
	}
	last = final
	fmt.Printf("\nstaff writes acknowledged: %v\n", t.acked)
	fmt.Printf("first sample to last: RSS %.1f → %.1f MB, heap %.1f → %.1f MB, goroutines %.0f → %.0f\n",
		first.rss, last.rss, first.heap, last.heap, first.goroutines, last.goroutines)
	if t.server() > 0 || t.failed > 0 {
		return fmt.Errorf("%d answers were 5xx and %d requests had no answer", t.server(), t.failed)
	}
	fmt.Println("no 5xx, every request answered")
	return nil
}

// setUp adds the staff the soak signs in as, a one-step chain for its series and decisions
// awaiting sign-off, and signs in.
func setUp(ctx context.Context, base string, decisions int) (*staff, error) {
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		return nil, errors.New("DATABASE_URL is not set: the soak adds its staff there")
	}
	pool, err := store.Open(ctx, url, store.PoolOptions{MaxConns: 2})
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	st := store.New(pool)
	hash, err := auth.HashPassword(password)
	if err != nil {
		return nil, err
	}
	suffix := strconv.FormatInt(time.Now().Unix(), 36)
	users := []struct {
		email string
		g     store.Grants
	}{
		{"soak-drafter-" + suffix + "@example.org", store.Grants{Roles: []string{"drafter"}}},
		{"soak-adviser-" + suffix + "@example.org", store.Grants{Roles: []string{"adviser"}, StepKinds: []string{"head_of_unit"}}},
		{"soak-maker-" + suffix + "@example.org", store.Grants{Roles: []string{"decision_maker"}, Series: []string{"PCD"}}},
	}
	var signedIn []*loadgen.Staff
	var drafterID int64
	for _, u := range users {
		id, err := st.CreateUser(ctx, store.System(time.Now()), u.email, u.email, hash, u.g)
		if err != nil {
			return nil, err
		}
		if drafterID == 0 {
			drafterID = id
		}
		s, err := loadgen.SignIn(ctx, loadgen.NewClient(loadgen.Timeout), base, u.email, password)
		if err != nil {
			return nil, err
		}
		signedIn = append(signedIn, s)
	}
	if err := st.SetSeriesChain(ctx, store.System(time.Now()), "PCD", []string{"head_of_unit"}); err != nil {
		return nil, err
	}
	awaiting, err := awaitingDecisions(ctx, pool, decisions, drafterID)
	if err != nil {
		return nil, err
	}
	return &staff{drafter: signedIn[0], adviser: signedIn[1], maker: signedIn[2], awaiting: awaiting}, nil
}

// staff is the soak's staff at work, in turn: the drafter starts a decision and saves its
// title and summary; the adviser approves the next decision awaiting sign-off; the decision
// maker signs the next one approved.
type staff struct {
	drafter, adviser, maker *loadgen.Staff
	mu                      sync.Mutex
	awaiting                []string // decisions awaiting sign-off, oldest first
	approved                []string // approved, waiting for the signature
}

func (s *staff) next(list *[]string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(*list) == 0 {
		return "", false
	}
	slug := (*list)[0]
	*list = (*list)[1:]
	return slug, true
}

func (s *staff) write(ctx context.Context, n int) []loadgen.Write {
	switch n % 3 {
	case 1:
		if slug, ok := s.next(&s.awaiting); ok {
			w, err := s.adviser.ApproveNext(ctx, slug)
			if err != nil {
				return []loadgen.Write{{Kind: "approve", Slug: slug, Err: err}}
			}
			if w.Acked() {
				s.mu.Lock()
				s.approved = append(s.approved, slug)
				s.mu.Unlock()
			}
			return []loadgen.Write{w}
		}
	case 2:
		if slug, ok := s.next(&s.approved); ok {
			w, err := s.maker.Sign(ctx, slug)
			if err != nil {
				return []loadgen.Write{{Kind: "sign", Slug: slug, Err: err}}
			}
			return []loadgen.Write{w}
		}
	}
	created := s.drafter.CreateDraft(ctx, fmt.Sprintf("Soak decision %d", n))
	out := []loadgen.Write{created}
	if created.Acked() {
		if w, err := s.drafter.SaveTitle(ctx, created.Slug, fmt.Sprintf("Soak decision %d, saved", n), "A decision made by the soak."); err == nil {
			out = append(out, w)
		} else {
			out = append(out, loadgen.Write{Kind: "save", Slug: created.Slug, Err: err})
		}
	}
	return out
}

// awaitingDecisions adds n decisions awaiting sign-off, drafted by drafterID, straight in SQL
// (the drafting pages' own journey is the drafter's part of the soak).
func awaitingDecisions(ctx context.Context, pool *pgxpool.Pool, n int, drafterID int64) ([]string, error) {
	var first int
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(number), 0) + 1 FROM decisions WHERE series = 'PCD'`).Scan(&first); err != nil {
		return nil, err
	}
	var slugs []string
	for i := range n {
		number := first + i
		_, err := pool.Exec(ctx, `
WITH d AS (
	INSERT INTO decisions (series, number, reference, slug, title, summary, status)
	VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Soak grant ' || $1::text, 'To accept a grant.', 'awaiting_signoff')
	RETURNING id),
r AS (INSERT INTO recommendations (decision_id, position, body) SELECT id, 1, 'Accept the grant.' FROM d),
s AS (INSERT INTO sections (decision_id, part, position, kind, heading, body)
	SELECT id, 1, 1, 'introduction_and_background', 'Introduction and background', 'The reasons.' FROM d),
f AS (INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label) SELECT id, 1, 100000, 'grant_accepted', 'Grant' FROM d)
INSERT INTO decision_drafters (decision_id, user_id) SELECT id, $2 FROM d`, number, drafterID)
		if err != nil {
			return nil, fmt.Errorf("add a decision awaiting sign-off: %w", err)
		}
		slugs = append(slugs, fmt.Sprintf("pcd-%d", number))
	}
	return slugs, nil
}

type tally struct {
	mu     sync.Mutex
	acked  map[string]int // staff writes acknowledged, by kind
	status map[int]int
	failed int
	first  error
}

func (t *tally) addRead(status int, err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err != nil {
		t.failed++
		if t.first == nil {
			t.first = err
		}
		return
	}
	t.status[status]++
}

func (t *tally) add(ws ...loadgen.Write) {
	for _, w := range ws {
		t.addRead(w.Status, w.Err)
		if w.Acked() {
			t.mu.Lock()
			t.acked[w.Kind]++
			t.mu.Unlock()
		}
	}
}

func (t *tally) server() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for s, c := range t.status {
		if s >= 500 {
			n += c
		}
	}
	return n
}

func (t *tally) print(elapsed time.Duration, s sample) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ok, client, limited, server, total int
	for status, c := range t.status {
		total += c
		switch {
		case status == http.StatusTooManyRequests:
			limited += c
		case status >= 500:
			server += c
		case status >= 400:
			client += c
		default:
			ok += c
		}
	}
	fmt.Printf("%8s %8d %10.1f %10.1f %10.0f %8s %6d %6d %6d %6d\n", elapsed.Round(time.Second), total+t.failed, s.rss, s.heap, s.goroutines,
		fmt.Sprintf("%.0f/%.0f", s.poolAcquired, s.poolTotal), ok, client, limited, server)
	if t.failed > 0 {
		fmt.Printf("         %d requests had no answer; the first: %v\n", t.failed, t.first)
	}
}

// sample is the server's figures at one moment.
type sample struct {
	rss, heap, goroutines, poolAcquired, poolTotal float64
}

func measure(pid int, metricsURL string) sample {
	var s sample
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				s.rss = kb / 1024
			}
		}
	}
	resp, err := http.Get(metricsURL)
	if err != nil {
		return s
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, _ := strconv.ParseFloat(value, 64)
		switch name {
		case "go_memstats_heap_alloc_bytes":
			s.heap = v / (1 << 20)
		case "go_goroutines":
			s.goroutines = v
		case `decisions_db_pool_acquired_conns{pool="requests"}`:
			s.poolAcquired = v
		case `decisions_db_pool_total_conns{pool="requests"}`:
			s.poolTotal = v
		}
	}
	return s
}
