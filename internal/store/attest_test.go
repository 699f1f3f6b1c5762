package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/migrations"
)

// Nothing is attested that was never signed. A decision written as published without a
// signature is refused when its transaction commits; one that got into the table anyway (its
// triggers turned off) stays unsigned through `migrate up`, which attests only the seeded
// references, and verify names it. Before, the insert went through and the next `migrate up`
// gave it an 'imported' signature that verify then vouched for.
func TestNothingAttestedThatWasNeverSigned(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	ctx := context.Background()
	pool, err := store.Open(ctx, url, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)

	for _, status := range []string{"published", "withdrawn"} {
		_, err = pool.Exec(ctx, `INSERT INTO decisions (series, number, reference, slug, title, status, withdrawn_at, withdrawal_reason)
			VALUES ('PCD', 7776, 'PCD 7776', 'pcd-7776', 'Never signed', $1, now(), 'A reason')`, status)
		if !refusedBy(err, "decisions_signed") {
			t.Errorf("INSERT a %s decision with no signature: %v, want refused by decisions_signed", status, err)
		}
	}
	// Whoever holds the database can still put one there.
	_, err = pool.Exec(ctx, `BEGIN; ALTER TABLE decisions DISABLE TRIGGER USER;
INSERT INTO decisions (series, number, reference, slug, title, status) VALUES ('PCD', 7777, 'PCD 7777', 'pcd-7777', 'Never signed', 'published');
ALTER TABLE decisions ENABLE TRIGGER USER; COMMIT`)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Migrate(ctx, url); err != nil {
		t.Fatal(err)
	}
	var kind string
	err = pool.QueryRow(ctx, `SELECT g.kind FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE d.slug = 'pcd-7777'`).Scan(&kind)
	if !errors.Is(err, pgx.ErrNoRows) {
		t.Errorf("after migrate up PCD 7777 has a signature (kind %q, %v), want none", kind, err)
	}
	rep, err := st.VerifySignatures(ctx)
	if err != nil || rep.Mismatches != 1 || rep.BadReference != "PCD 7777" || rep.Problem != "it is published but it was never signed" {
		t.Errorf("VerifySignatures = %+v, %v; want PCD 7777 named as never signed", rep, err)
	}

	// The seeded references, and only they, were attested.
	rows, err := pool.Query(ctx, `SELECT d.reference FROM signatures g JOIN decisions d ON d.id = g.decision_id WHERE g.kind = 'imported' ORDER BY d.number`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(got, migrations.SeededReferences) {
		t.Errorf("imported signatures on %v, %v; want the seeded references %v", got, err, migrations.SeededReferences)
	}
}

// refusedBy reports whether err is PostgreSQL refusing a write by the named constraint.
func refusedBy(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.ConstraintName == constraint
}

// Two instances migrating at once may both find a decision to attest: the one whose signature
// loses the race adds no audit entry (before, it added a second 'imported' entry for a
// signature it never wrote).
func TestAttestLosingTheRaceAuditsNothing(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	ctx := context.Background()
	pool, err := store.Open(ctx, url, store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	_, err = pool.Exec(ctx, `BEGIN; ALTER TABLE decisions DISABLE TRIGGER USER;
INSERT INTO decisions (series, number, reference, slug, title, status) VALUES ('PCD', 7778, 'PCD 7778', 'pcd-7778', 'Attested twice', 'published');
ALTER TABLE decisions ENABLE TRIGGER USER; COMMIT`)
	if err != nil {
		t.Fatal(err)
	}
	// The winner: its signature written, not yet committed.
	winner, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer winner.Rollback(ctx)
	if _, err := store.OnTx(winner).AttestImported(ctx, time.Now(), []string{"PCD 7778"}); err != nil {
		t.Fatal(err)
	}
	// The loser lists the decision as unsigned, then waits on the winner's signature.
	lost := make(chan error, 1)
	var n int
	go func() {
		var err error
		n, err = st.AttestImported(ctx, time.Now(), []string{"PCD 7778"})
		lost <- err
	}()
	dbtest.WaitForLockWaiters(t, url, 1)
	if err := winner.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-lost; err != nil {
		t.Fatalf("the losing attestation: %v", err)
	}
	var entries int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log a JOIN decisions d ON d.id = a.decision_id
WHERE d.reference = 'PCD 7778' AND a.event = $1`, store.EventImported).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if entries != 1 || n != 0 {
		t.Errorf("%d imported entries for PCD 7778 and the loser counted %d attested; want 1 and 0", entries, n)
	}
}
