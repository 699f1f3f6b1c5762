package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
)

// syntheticBatch is how many decisions go in one COPY transaction: big enough that COPY's
// per-statement cost vanishes, small enough that the audit head is not held for long.
const syntheticBatch = 2000

func runSeedSynthetic(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("seed-synthetic", `seed-synthetic --count N --seed S [--force]

Adds N made-up decisions, marked as synthetic, for load runs and demonstrations: several
series, decision makers and funders, multi-paragraph sections, funding over several
financial years, funding chains, some Part II, some drafts, some deferred and a few rejected.
The same seed gives the same decisions. Signed ones get an 'imported' signature over their
content hash and an audit entry, so `+"`decisions verify`"+` checks them like the rest. It
migrates the database first, and refuses to run on a database that holds staff accounts or
decisions drafted by people, unless --force is given.`, stdout)
	count := fs.Int("count", 1000, "how many `decisions` to add")
	seed := fs.Uint64("seed", 1, "the random `seed`: the same seed gives the same decisions")
	force := fs.Bool("force", false, "run even on a database that holds records entered by people")
	bulk := fs.String("bulk", "auto", "`auto`, on or off: load first and index afterwards on both cores "+
		"(auto: when adding at least "+fmt.Sprint(bulkFrom)+" decisions, and at least as many as the register holds)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *count < 1 {
		return errors.New("seed-synthetic: --count must be 1 or more")
	}
	if *bulk != "auto" && *bulk != "on" && *bulk != "off" {
		return fmt.Errorf("seed-synthetic: --bulk is auto, on or off, not %q", *bulk)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	// A batch's COPY is one statement that may outlast the timeout meant for page queries,
	// all the more on a busy machine. Two connections: one loads while the other derives.
	pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: 2, StatementTimeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	bar := newPhaseProgress(stdout)
	if err := finishBulkLoad(ctx, cfg.DatabaseURL, pool, bar); err != nil {
		return err
	}

	state, err := st.SyntheticState(ctx)
	if err != nil {
		return err
	}
	if state.PeopleWork > 0 && !*force {
		return fmt.Errorf("seed-synthetic: this database holds %d staff accounts or decisions drafted by people; "+
			"synthetic decisions would mix with them. Use an empty database, or --force if you mean it", state.PeopleWork)
	}
	orgs, err := st.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		return err
	}
	// A second run with the same seed goes on from the first instead of repeating it.
	gen := synthetic.New(*seed+uint64(state.Synthetic), state.LastNumber, time.Now())

	// Generating and hashing (Go) overlaps loading (PostgreSQL): two batches in flight.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan []store.SyntheticDecision, 2)
	go func() {
		defer close(batches)
		for made := 0; made < *count; {
			b := make([]store.SyntheticDecision, 0, min(syntheticBatch, *count-made))
			for len(b) < cap(b) {
				b = append(b, gen.Next())
			}
			made += len(b)
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	// Never in bulk on a register people work in (--force): dropping and building its indexes
	// would hold their writes for minutes.
	if *bulk == "on" && state.PeopleWork > 0 {
		return fmt.Errorf("seed-synthetic: --bulk on drops the register's indexes while it loads; this database holds %d staff accounts or decisions drafted by people. Use --bulk off", state.PeopleWork)
	}
	useBulk := state.PeopleWork == 0 && (*bulk == "on" || *bulk == "auto" && *count >= bulkFrom && *count >= state.Decisions)
	if !useBulk {
		bar.begin("loading", "decisions", "decisions loaded", *count)
		loaded := 0
		for b := range batches {
			if err := st.LoadSynthetic(ctx, b, orgs, time.Now()); err != nil {
				return fmt.Errorf("seed-synthetic after %d decisions: %w", loaded, err)
			}
			loaded += len(b)
			bar.set(loaded)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		bar.printf("seed-synthetic: added %d synthetic decisions (seed %d); the database now holds %d\n",
			loaded, *seed, state.Synthetic+loaded)
		return nil
	}

	release, err := store.LockBulkLoad(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer release()
	start := time.Now()
	load, err := st.StartBulkLoad(ctx, start)
	if err != nil {
		return err
	}
	bar.printf("seed-synthetic: bulk load: %d indexes dropped, to build again once the decisions are in\n", len(load.Indexes))
	// Each batch's search documents are derived on the second connection while the next batch
	// loads on the first; once loading ends, both derive what is left.
	type idRange struct {
		lo, hi int64
		n      int
	}
	ranges := make(chan idRange, *count/syntheticBatch+1)
	var derived atomic.Int64
	derive := func() {
		for r := range ranges {
			if ctx.Err() != nil {
				return
			}
			if _, err := st.DeriveRange(ctx, r.lo, r.hi, false); err != nil {
				cancel(err)
				return
			}
			derived.Add(int64(r.n))
		}
	}
	var wg sync.WaitGroup
	wg.Go(derive)
	bar.begin("loading", "decisions", "decisions loaded", *count)
	loaded := 0
	for b := range batches {
		lo, hi, err := st.LoadSyntheticUnderived(ctx, b, orgs, time.Now())
		if err != nil {
			cancel(err)
			close(ranges)
			wg.Wait()
			return fmt.Errorf("seed-synthetic after %d decisions (`decisions migrate up` finishes the load): %w", loaded, err)
		}
		ranges <- idRange{lo, hi, len(b)}
		loaded += len(b)
		bar.set(loaded)
	}
	close(ranges)
	loadedIn := time.Since(start)
	bar.begin("deriving", "decisions", "decisions' search documents built", *count)
	bar.startedAt(start)
	bar.set(int(derived.Load()))
	wg.Go(derive)
	tick, finished := time.NewTicker(200*time.Millisecond), wgDone(&wg)
	for waiting := true; waiting; {
		select {
		case <-tick.C:
			bar.set(int(derived.Load()))
		case <-finished:
			waiting = false
		}
	}
	tick.Stop()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("seed-synthetic after %d decisions (`decisions migrate up` finishes the load): %w", loaded, err)
	}
	bar.set(int(derived.Load()))
	derivedIn := time.Since(start)
	if err := store.FinishBulkLoad(ctx, pool, load, true, bar.phase); err != nil {
		return fmt.Errorf("seed-synthetic: %w (`decisions migrate up` finishes the load)", err)
	}
	el := time.Since(start)
	bar.printf("seed-synthetic: added %d synthetic decisions (seed %d) in %s (%.0f a second: loaded in %s, derived by %s, indexed by %s); the database now holds %d\n",
		loaded, *seed, el.Round(100*time.Millisecond), float64(loaded)/el.Seconds(), loadedIn.Round(100*time.Millisecond),
		derivedIn.Round(100*time.Millisecond), el.Round(100*time.Millisecond), state.Synthetic+loaded)
	return nil
}

// bulkFrom is the fewest decisions --bulk=auto loads in bulk: below it, dropping and building
// the indexes costs more than keeping them.
const bulkFrom = 5000

// wgDone is closed when wg's goroutines have all returned.
func wgDone(wg *sync.WaitGroup) <-chan struct{} {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

// finishBulkLoad finishes a bulk load an earlier run left unfinished (killed, or failed), if
// there is one, saying so.
func finishBulkLoad(ctx context.Context, dbURL string, pool *pgxpool.Pool, bar *phaseProgress) error {
	if _, err := store.New(pool).UnfinishedBulkLoad(ctx); errors.Is(err, store.ErrNotFound) {
		return nil
	}
	release, err := store.LockBulkLoad(ctx, dbURL)
	if err != nil {
		return err
	}
	defer release()
	load, err := store.New(pool).UnfinishedBulkLoad(ctx) // a run that held the lock may have finished it
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	start := time.Now()
	bar.printf("finishing the bulk load started at %s: deriving what it left, building %d indexes\n",
		load.StartedAt.Format(time.RFC3339), len(load.Indexes))
	if err := store.FinishBulkLoad(ctx, pool, load, false, bar.phase); err != nil {
		return fmt.Errorf("finish the bulk load started at %s: %w", load.StartedAt.Format(time.RFC3339), err)
	}
	bar.printf("finished the bulk load in %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}
