package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

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
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *count < 1 {
		return errors.New("seed-synthetic: --count must be 1 or more")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	// A batch's COPY is one statement that may outlast the timeout meant for page queries,
	// all the more on a busy machine.
	pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: 2, StatementTimeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)

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
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
	start := time.Now()
	loaded, nextReport := 0, *count/10
	for b := range batches {
		if err := st.LoadSynthetic(ctx, b, orgs, time.Now()); err != nil {
			return fmt.Errorf("seed-synthetic after %d decisions: %w", loaded, err)
		}
		loaded += len(b)
		if loaded >= nextReport || loaded == *count {
			el := time.Since(start)
			fmt.Fprintf(stdout, "seed-synthetic: %d of %d decisions loaded in %s (%.0f a second)\n",
				loaded, *count, el.Round(100*time.Millisecond), float64(loaded)/el.Seconds())
			nextReport = loaded + max(*count/10, 1)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed-synthetic: added %d synthetic decisions (seed %d); the database now holds %d\n",
		loaded, *seed, state.Synthetic+loaded)
	return nil
}
