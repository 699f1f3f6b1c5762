package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestAuditTakesTheHeadLast: an audited read of a decision another transaction has locked
// waits for the decision without holding the audit trail's head, so the locker can still
// append its own entries (once, with no deadlock to retry), and everyone else can append
// theirs meanwhile. Before the lock order, the read held the head while it waited, and the
// locker's own entry deadlocked against it.
func TestAuditTakesTheHeadLast(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	ctx := context.Background()
	var id int64
	err = pool.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, status)
		VALUES ('PCD', 9901, 'PCD 9901', 'pcd-9901', 'Locked while read', 'draft') RETURNING id`).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()

	runs := 0
	readDone := make(chan error, 1)
	err = st.InTx(ctx, func(tx *store.Store) error {
		runs++
		if err := tx.Exec(ctx, `SELECT id FROM decisions WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if runs == 1 {
			go func() {
				readDone <- st.Audit(ctx, store.System(now), id, store.EventPartTwoRead, map[string]string{"page": "test"})
			}()
			dbtest.WaitForLockWaiters(t, url, 1)
			if err := headFree(ctx, pool); err != nil {
				t.Errorf("while an audited read waits for the decision, the audit head is held: %v", err)
			}
		}
		return tx.Audit(ctx, store.System(now), id, store.EventEdited, map[string]string{"fields": "title"})
	})
	if err != nil || runs != 1 {
		t.Errorf("the locker's transaction = %v after %d runs, want success on the first", err, runs)
	}
	if err := <-readDone; err != nil {
		t.Errorf("the audited read = %v, want success", err)
	}
	var events []string
	rows, _ := pool.Query(ctx, `SELECT event FROM audit_log WHERE decision_id = $1 ORDER BY id`, id)
	events, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || len(events) != 2 || events[0] != store.EventEdited {
		t.Errorf("entries = %v, %v; want the edit, then the read", events, err)
	}
}

// headFree reports whether the audit trail's head could be locked now, without waiting.
func headFree(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT hash FROM audit_head FOR UPDATE NOWAIT`)
	return err
}

// TestInTxRetriesWhatLostARace: a transaction chosen to end a deadlock, or that lost a
// serialization race, runs again whole; the audit entries of the run that failed, and of a
// savepoint rolled back, are not appended.
func TestInTxRetriesWhatLostARace(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	before := entries(t, pool)
	runs := 0
	err := st.InTx(ctx, func(tx *store.Store) error {
		runs++
		if err := tx.Audit(ctx, store.System(time.Now()), 0, store.EventUserChanged, map[string]string{"run": fmt.Sprint(runs)}); err != nil {
			return err
		}
		_ = tx.InTx(ctx, func(sp *store.Store) error {
			_ = sp.Audit(ctx, store.System(time.Now()), 0, store.EventUserChanged, map[string]string{"savepoint": "rolled back"})
			return errors.New("roll the savepoint back")
		})
		if runs == 1 {
			return fmt.Errorf("append: %w", &pgconn.PgError{Code: "40P01"})
		}
		return nil
	})
	if err != nil || runs != 2 {
		t.Errorf("InTx = %v after %d runs, want success on the second", err, runs)
	}
	var detail string
	if err := pool.QueryRow(ctx, `SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, pool) - before; got != 1 || detail != `{"run":"2"}` {
		t.Errorf("%d entries appended, the last %s; want 1, from the second run", got, detail)
	}
	if rep, err := st.VerifyAuditChain(ctx); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain: %+v, %v", rep, err)
	}
}

func entries(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_log`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
