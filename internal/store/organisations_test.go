package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestOrganisationNamesHeldByTheDatabase: what keeps signed content true under renames holds
// whatever the application does. A rename in plain SQL of an organisation that signed
// decisions name, without their names kept, is refused; a kept name must be the organisation's
// name when written, and never changes; a merged organisation's name never changes.
func TestOrganisationNamesHeldByTheDatabase(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	refused := func(what, sql string, args ...any) {
		t.Helper()
		_, err := pool.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			t.Errorf("%s: %v, want refused by the database", what, err)
		}
	}
	refused("rename in SQL", `UPDATE organisations SET name = 'Home Office (UK)' WHERE name = 'Home Office'`)
	refused("keep a name it does not have", `
INSERT INTO kept_organisation_names (decision_id, organisation_id, name)
SELECT d.id, o.id, 'Not its name' FROM decisions d, organisations o WHERE d.reference = 'PCD 1682' AND o.name = 'Home Office'`)
	act := store.System(time.Now())
	var ho, mps int64
	if err := pool.QueryRow(ctx, `SELECT (SELECT id FROM organisations WHERE name = 'Home Office'),
		(SELECT id FROM organisations WHERE name = 'Metropolitan Police Service')`).Scan(&ho, &mps); err != nil {
		t.Fatal(err)
	}
	if err := st.RenameOrganisation(ctx, act, ho, "Home Office (UK)"); err != nil {
		t.Fatalf("RenameOrganisation: %v", err)
	}
	var kept int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM kept_organisation_names WHERE organisation_id = $1 AND name = 'Home Office'`, ho).Scan(&kept); err != nil || kept != 10 {
		t.Errorf("kept names of the Home Office: %d (%v), want the ten seeded decisions'", kept, err)
	}
	refused("change a kept name", `UPDATE kept_organisation_names SET name = 'Home Office (UK)'`)
	refused("remove a kept name", `DELETE FROM kept_organisation_names`)
	rep, err := st.VerifySignatures(ctx)
	if err != nil || rep.Mismatches != 0 || rep.Decisions != 10 {
		t.Errorf("verify after the rename: %+v, %v", rep, err)
	}
	if err := st.MergeOrganisations(ctx, act, mps, ho); err != nil {
		t.Fatalf("MergeOrganisations: %v", err)
	}
	refused("rename a merged organisation", `UPDATE organisations SET name = 'MPS' WHERE id = $1`, mps)
	refused("merge into itself", `UPDATE organisations SET merged_into = id WHERE id = $1`, ho)
	if err := st.MergeOrganisations(ctx, act, ho, ho); !errors.Is(err, store.ErrOrgSelfMerge) {
		t.Errorf("merge into itself: %v, want ErrOrgSelfMerge", err)
	}
	if err := st.MergeOrganisations(ctx, act, mps, ho); !errors.Is(err, store.ErrOrgMerged) {
		t.Errorf("merge a merged organisation again: %v, want ErrOrgMerged", err)
	}
	// A second rename keeps the name the decisions were signed with, not the one between.
	if err := st.RenameOrganisation(ctx, act, ho, "Home Office of the UK"); err != nil {
		t.Fatalf("second rename: %v", err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM kept_organisation_names WHERE organisation_id = $1 AND name = 'Home Office'`, ho).Scan(&kept); err != nil || kept != 10 {
		t.Errorf("after a second rename, %d (%v) decisions keep the signed name, want 10", kept, err)
	}
	if rep, err := st.VerifySignatures(ctx); err != nil || rep.Mismatches != 0 {
		t.Errorf("verify after the merge: %+v, %v", rep, err)
	}
}
