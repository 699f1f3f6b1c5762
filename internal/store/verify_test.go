package store_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

func TestVerifySignatures(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()

	rep, err := st.VerifySignatures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Decisions != 10 || rep.Mismatches != 0 || rep.BadID != 0 {
		t.Fatalf("clean database: %+v, want 10 checked and none bad", rep)
	}

	// Change two signed decisions' text behind the triggers' backs (the table's owner may
	// disable its triggers): both are counted, and the first by id is named.
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		for _, q := range []string{
			`ALTER TABLE decisions DISABLE TRIGGER USER`,
			`UPDATE decisions SET summary = summary || ' Amended.' WHERE reference IN ('PCD 1682', 'PCD 1215')`,
			`ALTER TABLE decisions ENABLE TRIGGER USER`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var firstID int64
	var firstRef string
	if err := pool.QueryRow(ctx, `SELECT id, reference FROM decisions WHERE reference IN ('PCD 1682', 'PCD 1215') ORDER BY id LIMIT 1`).
		Scan(&firstID, &firstRef); err != nil {
		t.Fatal(err)
	}
	rep, err = st.VerifySignatures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Decisions != 10 || rep.Mismatches != 2 || rep.BadID != firstID || rep.BadReference != firstRef ||
		!strings.Contains(rep.Problem, "the content was changed") {
		t.Errorf("after tampering: %+v, want 2 mismatches, the first %s (%d)", rep, firstRef, firstID)
	}
}

func TestKnownSeries(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	series, err := st.KnownSeries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(series, "PCD") || !slices.IsSorted(series) {
		t.Errorf("KnownSeries = %v, want PCD among them, sorted", series)
	}
}

// A writer appending to the trail while verify runs never makes it report tampering: each run
// reads the trail, its head and the signatures in one snapshot. Before that, about one run in
// five beside a writer reported entries cut off the trail's end.
func TestVerifyBesideWriter(t *testing.T) {
	t.Parallel()
	st := store.New(dbtest.New(t))
	ctx := context.Background()
	const runs = 60
	appended := make(chan struct{}, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if writeErr = st.Audit(ctx, store.System(time.Now()), 0, "sign_in_failed", nil); writeErr != nil {
				return
			}
			select {
			case appended <- struct{}{}:
			default:
			}
		}
	})
	alarms := 0
	for i := range runs {
		<-appended // each run starts with the writer mid-stream
		var (
			problem string
			err     error
		)
		if i%2 == 0 {
			var rep store.ChainReport
			rep, err = st.VerifyAuditChain(ctx)
			problem = rep.Problem
		} else {
			var rep store.RegisterReport
			rep, err = st.VerifyRegister(ctx)
			problem = rep.Chain.Problem + rep.Signatures.Problem + rep.Versions.Problem
		}
		if err != nil {
			t.Fatal(err)
		}
		if problem != "" {
			if alarms == 0 {
				t.Errorf("run %d reported tampering on an untampered trail: %s", i, problem)
			}
			alarms++
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if alarms > 0 {
		t.Errorf("%d of %d verify runs beside a writer reported tampering, want none", alarms, runs)
	}
}
