package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

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
