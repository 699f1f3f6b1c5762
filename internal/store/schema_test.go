package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// TestSchemaRejectsBadData checks that PostgreSQL itself refuses what must never be stored.
func TestSchemaRejectsBadData(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	addDraft(t, pool)
	tests := []struct {
		name, sql, wantCode string
	}{
		{"duplicate reference", `INSERT INTO decisions (series, number, reference, slug) VALUES ('PCD', 99999, 'PCD 1682', 'pcd-99999')`, "23505"},
		{"duplicate slug", `INSERT INTO decisions (series, number, reference, slug) VALUES ('PCD', 99999, 'PCD 99999', 'pcd-1682')`, "23505"},
		{"badly shaped slug", `INSERT INTO decisions (series, number, reference, slug) VALUES ('PCD', 99999, 'PCD 99999', 'PCD 99999')`, "23514"},
		{"unknown status", `UPDATE decisions SET status = 'maybe' WHERE reference = 'PCD 1682'`, "23514"},
		{"inferred without a note", `UPDATE decisions SET provenance_note = NULL WHERE reference = 'PCD 960'`, "23514"},
		{"zero amount", `UPDATE funding_lines SET amount_pence = 0 WHERE decision_id = ` + draft, "23514"},
		{"negative amount", `UPDATE funding_lines SET amount_pence = -5 WHERE decision_id = ` + draft, "23514"},
		{"unknown funding kind", `UPDATE funding_lines SET kind = 'gift' WHERE decision_id = ` + draft, "23514"},
		{"per year without years", `UPDATE funding_lines SET basis = 'per_year', fy_start = NULL, fy_end = NULL WHERE decision_id = ` + draft, "23514"},
		{"years backwards", `UPDATE funding_lines SET fy_end = fy_start - 1 WHERE decision_id = ` + draft, "23514"},
		{"self link", `INSERT INTO decision_links SELECT id, id, 'related' FROM decisions WHERE reference = 'PCD 99000'`, "23514"},
		{"duplicate link", `INSERT INTO decision_links SELECT from_decision_id, to_decision_id, kind FROM decision_links WHERE from_decision_id = ` + draft, "23505"},
		{"unknown link kind", `UPDATE decision_links SET kind = 'likes' WHERE from_decision_id = ` + draft, "23514"},
		{"section of part III", `UPDATE sections SET part = 3 WHERE decision_id = ` + draft, "23514"},
		{"signed title", `UPDATE decisions SET title = 'Changed' WHERE reference = 'PCD 1682'`, "42501"},
		{"signed funding", `UPDATE funding_lines SET amount_pence = 1 WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682')`, "42501"},
		{"signed section deleted", `DELETE FROM sections WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682')`, "42501"},
		{"signed decision deleted", `DELETE FROM decisions WHERE reference = 'PCD 1682'`, "42501"},
		{"link from a signed decision", `INSERT INTO decision_links SELECT d.id, o.id, 'related' FROM decisions d, decisions o WHERE d.reference = 'PCD 1682' AND o.reference = 'PCD 99000'`, "42501"},
		{"signature changed", `UPDATE signatures SET content_hash = repeat('0', 64)`, "42501"},
		{"signed funder renamed", `UPDATE organisations SET name = 'Renamed' WHERE name = 'Home Office'`, "42501"},
		{"signed funder deleted", `DELETE FROM organisations WHERE name = 'Home Office'`, "42501"},
		{"audit head deleted", `DELETE FROM audit_head`, "42501"},
		{"audit entry changed", `UPDATE audit_log SET actor = 'someone else'`, "42501"},
		{"audit entry deleted", `DELETE FROM audit_log`, "42501"},
		{"audit trail truncated", `TRUNCATE audit_log`, "42501"},
		{"published back to draft", `UPDATE decisions SET status = 'draft' WHERE reference = 'PCD 1682'`, "23514"},
		{"draft approved without a signature", `UPDATE decisions SET status = 'awaiting_signoff' WHERE reference = 'PCD 99000'; UPDATE decisions SET status = 'published' WHERE reference = 'PCD 99000'`, "23514"},
		{"amount over the maximum", fmt.Sprintf(`UPDATE funding_lines SET amount_pence = %d WHERE decision_id = `+draft, decision.MaxPence+1), "23514"},
		{"amount in another currency", `UPDATE funding_lines SET currency = 'EUR' WHERE decision_id = ` + draft, "23514"},
		{"financial year before the range", fmt.Sprintf(`UPDATE funding_lines SET fy_start = %d, fy_end = NULL WHERE decision_id = `+draft, decision.MinYear-1), "23514"},
		{"financial year after the range", fmt.Sprintf(`UPDATE funding_lines SET fy_start = %d, fy_end = NULL WHERE decision_id = `+draft, decision.MaxYear+1), "23514"},
	}
	for _, tt := range tests {
		_, err := pool.Exec(ctx, tt.sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != tt.wantCode {
			t.Errorf("%s: err = %v, want SQLSTATE %s", tt.name, err, tt.wantCode)
		}
	}
}

// TestSchemaMoneyAndYearEdges checks that the database accepts exactly the range the domain
// parsers accept: the smallest and largest amount and the first and last financial year.
func TestSchemaMoneyAndYearEdges(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	addDraft(t, pool)
	for _, sql := range []string{
		fmt.Sprintf(`UPDATE funding_lines SET amount_pence = %d WHERE decision_id = `+draft, decision.MinPence),
		fmt.Sprintf(`UPDATE funding_lines SET amount_pence = %d WHERE decision_id = `+draft, decision.MaxPence),
		fmt.Sprintf(`UPDATE funding_lines SET fy_start = %d, fy_end = %d WHERE decision_id = `+draft, decision.MinYear, decision.MaxYear),
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			t.Errorf("%s: %v, want it accepted", sql, err)
		}
	}
}

// TestInTxRollsBack writes inside a transaction, sees the write there, and checks that an error
// undoes it while a nil return keeps it.
func TestInTxRollsBack(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	st := store.New(pool)
	ctx := context.Background()
	addDraft(t, pool)
	setTitle := func(tx *store.Store, title string) error {
		if err := tx.Exec(ctx, `UPDATE decisions SET title = $1 WHERE slug = 'pcd-99000'`, title); err != nil {
			return err
		}
		d, err := tx.DecisionBySlug(ctx, staff, "pcd-99000")
		if err == nil && deref(d.Title) != title {
			err = fmt.Errorf("inside the transaction the title is %q, want %q", deref(d.Title), title)
		}
		return err
	}
	boom := errors.New("boom")
	err := st.InTx(ctx, func(tx *store.Store) error {
		if err := setTitle(tx, "Rolled back"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if d, err := st.DecisionBySlug(ctx, staff, "pcd-99000"); err != nil || deref(d.Title) != "A draft" {
		t.Errorf("after a failed InTx the title is %q (%v), want the write undone", deref(d.Title), err)
	}
	if err := st.InTx(ctx, func(tx *store.Store) error { return setTitle(tx, "Committed") }); err != nil {
		t.Fatalf("InTx = %v", err)
	}
	if d, err := st.DecisionBySlug(ctx, staff, "pcd-99000"); err != nil || deref(d.Title) != "Committed" {
		t.Errorf("after a successful InTx the title is %q (%v), want Committed", deref(d.Title), err)
	}
	if _, err := st.DecisionBySlug(ctx, staff, "pcd-0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DecisionBySlug(missing) = %v, want ErrNotFound", err)
	}
	if _, err := st.SlugByReference(ctx, staff, "PCD 0"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SlugByReference(missing) = %v, want ErrNotFound", err)
	}
}

// draft is PCD 99000's id, in SQL.
const draft = `(SELECT id FROM decisions WHERE reference = 'PCD 99000')`

// staff reads as a signed-in member of staff, who sees drafts.
var staff = store.Staff(1, time.Now())

// addDraft adds PCD 99000, a draft with a funding line, a link and a section: the seeded
// decisions are signed, so nothing about them can change.
func addDraft(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO decisions (series, number, reference, slug, title) VALUES ('PCD', 99000, 'PCD 99000', 'pcd-99000', 'A draft')`,
		`INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label, fy_start, fy_end)
			SELECT id, 1, 100, 'grant_accepted', 'grant', 2024, 2024 FROM decisions WHERE reference = 'PCD 99000'`,
		`INSERT INTO decision_links SELECT d.id, o.id, 'related' FROM decisions d, decisions o
			WHERE d.reference = 'PCD 99000' AND o.reference = 'PCD 1682'`,
		`INSERT INTO sections (decision_id, position, kind, heading, body)
			SELECT id, 1, 'other', 'Heading', 'Body' FROM decisions WHERE reference = 'PCD 99000'`,
	} {
		if _, err := pool.Exec(context.Background(), q); err != nil {
			t.Fatalf("add a draft: %v", err)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// TestDecisionPageIsOneSnapshot changes a decision's title and notes in one transaction while
// a page load is part-way through its batch: the page must show both changes or neither.
func TestDecisionPageIsOneSnapshot(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	ctx := context.Background()
	// One connection, its statements already prepared, so the batch runs straight through to the
	// lock instead of stopping at the lock while preparing, before reading anything.
	pool, err := pgxpool.New(ctx, url+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	st := store.New(pool)
	addDraft(t, pool)
	if _, err := st.DecisionBySlug(ctx, staff, "pcd-99000"); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	writer, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Rollback(ctx)
	for _, sql := range []string{
		`LOCK TABLE decision_notes IN ACCESS EXCLUSIVE MODE`,
		`UPDATE decisions SET title = 'Changed' WHERE slug = 'pcd-99000'`,
		`INSERT INTO decision_notes (decision_id, position, body) SELECT id, 99, 'Changed' FROM decisions WHERE slug = 'pcd-99000'`,
	} {
		if _, err := writer.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	type result struct {
		d   store.DecisionDetail
		err error
	}
	got := make(chan result, 1)
	go func() {
		d, err := st.DecisionBySlug(ctx, staff, "pcd-99000")
		got <- result{d, err}
	}()
	dbtest.WaitForLockWaiters(t, url, 1) // the batch has read the decision and waits for its notes
	if err := writer.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil {
		t.Fatal(r.err)
	}
	newTitle := deref(r.d.Title) == "Changed"
	newNote := strings.Contains(strings.Join(r.d.Notes, "|"), "Changed")
	if newTitle != newNote {
		t.Errorf("the page saw the new title: %t, the new note: %t; want one version of the decision", newTitle, newNote)
	}
}

// TestMigrationsGoDownAndUp runs every down migration, then every up migration again.
func TestMigrationsGoDownAndUp(t *testing.T) {
	t.Parallel()
	url := dbtest.URL(t)
	if err := store.MigrateDown(context.Background(), url); err != nil {
		t.Fatalf("down: %v", err)
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var tables int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables left after migrating down", tables)
	}
	if err := store.Migrate(context.Background(), url); err != nil {
		t.Fatalf("up again: %v", err)
	}
	v, dirty, err := store.MigrationVersion(context.Background(), url)
	if err != nil || dirty || v < 2 {
		t.Errorf("version = %d dirty=%t err=%v", v, dirty, err)
	}
	if _, err := store.New(pool).DecisionBySlug(context.Background(), store.Public(time.Now()), "pcd-1682"); err != nil {
		t.Errorf("PCD 1682 after down and up: %v", err)
	}
}

// TestPCD1682IsSeededInFull checks that every line of PCD 1682's Part I text is in one of
// its sections, in order.
func TestPCD1682IsSeededInFull(t *testing.T) {
	t.Parallel()
	d, err := store.New(dbtest.New(t)).DecisionBySlug(context.Background(), store.Public(time.Now()), "pcd-1682")
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../../migrations/seed/PCD-1682.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	part1 := text[strings.Index(text, "PART I - NON-CONFIDENTIAL"):strings.Index(text, "Signed decision document")]
	var all strings.Builder
	for _, s := range d.Sections {
		all.WriteString(s.Heading + "\n" + s.Body + "\n")
	}
	seeded := all.String()
	pos := 0
	for _, line := range strings.Split(part1, "\n")[1:] {
		line = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(line), "."))
		if line == "" || line == "-" {
			continue
		}
		i := strings.Index(seeded[pos:], line)
		if i < 0 {
			t.Errorf("line not seeded in order: %q", line)
			continue
		}
		pos += i
	}
	if len(d.Sections) != 7 {
		t.Errorf("PCD 1682 has %d sections, want 7", len(d.Sections))
	}
}

// TestSignedDecisionKeepsItsSalt: a signed decision's Part II salt is part of what was signed
// (the hash of its Part II), so the database refuses to change it, as it refuses its title.
func TestSignedDecisionKeepsItsSalt(t *testing.T) {
	t.Parallel()
	pool := dbtest.New(t)
	ctx := context.Background()
	for _, set := range []string{"part_two_salt = repeat('0', 32)", "title = 'Changed'"} {
		_, err := pool.Exec(ctx, `UPDATE decisions SET `+set+` WHERE id = (SELECT decision_id FROM signatures LIMIT 1)`)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("UPDATE a signed decision SET %s = %v, want it refused (42501)", set, err)
		}
	}
}
