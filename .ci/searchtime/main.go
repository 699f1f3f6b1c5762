// Command searchtime times store.Search, as a search page calls it, for each query given, with
// two callers at once (one a core), and prints p50 and p95 in milliseconds and the plan chosen;
// with -explain, EXPLAIN (ANALYZE, BUFFERS) of the statements each search ran, for
// .ci/loadrun. It reads DATABASE_URL.
//
//	go run ./.ci/searchtime [-n 40] [-explain] 'q=knife' 'q=grant&fy=2021-22&funder=Home+Office' ...
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "searchtime:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context) error {
	n := flag.Int("n", 40, "searches per query and caller")
	explain := flag.Bool("explain", false, "print EXPLAIN (ANALYZE, BUFFERS) of each search's statements")
	flag.Parse()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	acc := store.Public(time.Now())
	fmt.Printf("%-58s %8s %8s %7s  %s\n", "query", "p50 ms", "p95 ms", "count", "plan")
	for _, raw := range flag.Args() {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return err
		}
		q, err := search.Parse(search.ParamsOf(v), false)
		if err != nil {
			return fmt.Errorf("%s: %w", raw, err)
		}
		page, err := st.Search(ctx, acc, q, 20) // warm
		if err != nil {
			return fmt.Errorf("%s: %w", raw, err)
		}
		var mu sync.Mutex
		var times []time.Duration
		var wg sync.WaitGroup
		errs := make(chan error, 2)
		for range 2 {
			wg.Go(func() {
				for range *n {
					start := time.Now()
					if _, err := st.Search(ctx, acc, q, 20); err != nil {
						errs <- err
						return
					}
					mu.Lock()
					times = append(times, time.Since(start))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return fmt.Errorf("%s: %w", raw, err)
		}
		slices.Sort(times)
		ms := func(p float64) float64 {
			return float64(times[min(len(times)-1, int(p*float64(len(times))))].Microseconds()) / 1000
		}
		count := fmt.Sprint(page.Count)
		if page.Capped {
			count = ">" + count
		}
		plan, err := st.SearchPlanName(ctx, acc, q)
		if err != nil {
			return err
		}
		fmt.Printf("%-58s %8.1f %8.1f %7s  %s\n", raw, ms(0.5), ms(0.95), count, plan)
		if *explain {
			out, err := st.ExplainSearch(ctx, acc, q, 20)
			if err != nil {
				return err
			}
			fmt.Println(out)
		}
	}
	return nil
}
