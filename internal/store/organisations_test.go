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

// TestKeptNamesForgottenBackInDraft: a decision in sign-off keeps the names its approvers saw
// through a rename, but once returned to draft it is a draft like any other: it forgets them,
// takes the organisation's name now, and names the organisation a merged one went into.
func TestKeptNamesForgottenBackInDraft(t *testing.T) {
	t.Parallel()
	db := newSignoffDB(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	slug := db.awaiting(9301)
	var ho, mps int64
	if err := db.pool.QueryRow(ctx, `SELECT (SELECT id FROM organisations WHERE name = 'Home Office'),
		(SELECT id FROM organisations WHERE name = 'Metropolitan Police Service')`).Scan(&ho, &mps); err != nil {
		t.Fatal(err)
	}
	db.exec(`UPDATE decisions SET funder_id = $2 WHERE slug = $1`, slug, ho)
	db.exec(`INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, fy_start, basis, kind, label)
		SELECT id, 1, $2, $3, 500000, 2026, 'total', 'grant_accepted', 'Grant' FROM decisions WHERE slug = $1`, slug, ho, mps)
	var id int64
	if err := db.pool.QueryRow(ctx, `SELECT id FROM decisions WHERE slug = $1`, slug).Scan(&id); err != nil {
		t.Fatal(err)
	}
	names := func() (funder, lineFunder, recipient string) {
		t.Helper()
		c, err := db.st.Content(ctx, id)
		if err != nil || len(c.Funding) != 1 {
			t.Fatalf("content of %s: %+v, %v", slug, c, err)
		}
		return c.Funder, *c.Funding[0].Funder, *c.Funding[0].Recipient
	}
	act := store.System(now)
	if err := db.st.RenameOrganisation(ctx, act, ho, "Home Office (UK)"); err != nil {
		t.Fatal(err)
	}
	if err := db.st.MergeOrganisations(ctx, act, mps, ho); err != nil {
		t.Fatal(err)
	}
	if f, lf, r := names(); f != "Home Office" || lf != "Home Office" || r != "Metropolitan Police Service" {
		t.Errorf("in sign-off after the rename and merge: funder %q, line %q → %q; want the names approved", f, lf, r)
	}
	if _, err := db.pool.Exec(ctx, `DELETE FROM kept_organisation_names WHERE decision_id = $1`, id); err == nil {
		t.Error("a kept name of a decision in sign-off was removed")
	}

	hash := db.hash(t, slug)
	if err := db.st.Return(ctx, db.advisers["head_of_unit"].Act(now), slug, "head_of_unit", "Please check the funder.", hash); err != nil {
		t.Fatal(err)
	}
	if f, lf, r := names(); f != "Home Office (UK)" || lf != "Home Office (UK)" || r != "Home Office (UK)" {
		t.Errorf("back in draft: funder %q, line %q → %q; want the Home Office's name now, the MPS merged into it", f, lf, r)
	}
	var kept int
	if err := db.pool.QueryRow(ctx, `SELECT count(*) FROM kept_organisation_names WHERE decision_id = $1`, id).Scan(&kept); err != nil || kept != 0 {
		t.Errorf("back in draft, it keeps %d names (%v), want none", kept, err)
	}
	// A second rename while it is a draft: it takes that name too, and keeps none.
	if err := db.st.RenameOrganisation(ctx, act, ho, "Home Office of the UK"); err != nil {
		t.Fatal(err)
	}
	if f, _, _ := names(); f != "Home Office of the UK" {
		t.Errorf("draft after a second rename: funder %q", f)
	}
	// The signed decisions' kept names still cannot go.
	if _, err := db.pool.Exec(ctx, `DELETE FROM kept_organisation_names`); err == nil {
		t.Error("the kept names of signed decisions were removed")
	}
}
