package main

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/decision-register/decisions/internal/dbtest"
)

// contentTables are the tables whose triggers keep signed content and the audit trail as they are.
var contentTables = []string{"decisions", "recommendations", "sections", "funding_lines", "decision_links", "signatures", "audit_log"}

// tamper runs statements in one transaction with the tables' own triggers disabled (ALTER TABLE
// ... DISABLE TRIGGER USER, which the tables' owner may do; session_replication_role would need
// a superuser): what someone holding the database's keys could do behind the application's back.
func tamper(t *testing.T, dbURL string, stmts ...string) {
	t.Helper()
	tamperTables(t, dbURL, contentTables, stmts...)
}

// tamperTables is tamper with the triggers of tables disabled.
func tamperTables(t *testing.T, dbURL string, tables []string, stmts ...string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		for _, table := range tables {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+table+` DISABLE TRIGGER USER`); err != nil {
				return err
			}
		}
		for _, q := range stmts {
			tag, err := tx.Exec(ctx, q)
			if err != nil {
				return err
			}
			if tag.RowsAffected() != 1 {
				t.Fatalf("%s changed %d rows, want 1", q, tag.RowsAffected())
			}
		}
		for _, table := range tables {
			if _, err := tx.Exec(ctx, `ALTER TABLE `+table+` ENABLE TRIGGER USER`); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("tamper: %v", err)
	}
}

func TestVerifyCleanDatabase(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	out, err := runCmd(t, dbURL, nil, "verify")
	if err != nil {
		t.Fatalf("verify on a clean database = %v\n%s", err, out)
	}
	// The ten seeded decisions were attested when the database was migrated.
	if !strings.Contains(out, "checked 10 signed decisions: all match") {
		t.Errorf("verify printed:\n%s\nwant the ten seeded decisions checked", out)
	}
	if !regexp.MustCompile(`checked \d+ audit entries: chain intact`).MatchString(out) {
		t.Errorf("verify printed:\n%s\nwant the audit chain checked", out)
	}
}

func TestSignedContentCannotBeUpdated(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{
		`UPDATE decisions SET title = 'Something else' WHERE reference = 'PCD 1682'`,
		`UPDATE recommendations SET body = 'Something else' WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682')`,
		`UPDATE audit_log SET detail = '{}'`,
	} {
		_, err := conn.Exec(context.Background(), q)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
			t.Errorf("%s = %v, want the trigger's refusal (42501)", q, err)
		}
	}
	if out, err := runCmd(t, dbURL, nil, "verify"); err != nil {
		t.Errorf("verify after refused updates = %v\n%s", err, out)
	}
}

// TestVerifyFindsTampering changes the record behind the triggers' backs; each change must make
// `decisions verify` fail and name what was changed.
func TestVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stmts   []string
		want    []string // in the error
		wantOut []string // in what was printed
	}{
		{
			name:    "audit entry forged",
			stmts:   []string{`UPDATE audit_log SET detail = '{"reference":"PCD 9999"}' WHERE id = (SELECT min(id) + 2 FROM audit_log)`},
			want:    []string{"audit entry {{third}} is bad"},
			wantOut: []string{"chain broken at entry {{third}}: its hash does not match its contents"},
		},
		{
			name: "signed title changed and the signature rewritten to match",
			stmts: []string{`UPDATE decisions SET title = 'Forged' WHERE reference = 'PCD 1682'`,
				`UPDATE signatures SET content_hash = repeat('a', 64) WHERE decision_id = (SELECT id FROM decisions WHERE reference = 'PCD 1682')`},
			want:    []string{"decision PCD 1682 does not match its signature"},
			wantOut: []string{"the first is PCD 1682"},
		},
		{
			name:    "the last audit entries cut off",
			stmts:   []string{`DELETE FROM audit_log WHERE id = (SELECT max(id) FROM audit_log)`},
			want:    []string{"the audit trail's end does not match its head"},
			wantOut: []string{"the trail's end is wrong"},
		},
		{
			name:  "audit entry removed",
			stmts: []string{`DELETE FROM audit_log WHERE id = (SELECT min(id) + 2 FROM audit_log)`},
			// The gap shows at the entry after the removed one.
			want:    []string{"audit entry {{fourth}} is bad"},
			wantOut: []string{"chain broken at entry {{fourth}}: its previous hash does not match"},
		},
		{
			name:    "signed title changed",
			stmts:   []string{`UPDATE decisions SET title = title || ' (amended)' WHERE reference = 'PCD 1682'`},
			want:    []string{"decision PCD 1682 does not match its signature"},
			wantOut: []string{"checked 10 signed decisions: 1 do not match; the first is PCD 1682", "chain intact"},
		},
		{
			name: "Part II added to a signed decision",
			stmts: []string{`INSERT INTO sections (decision_id, position, part, kind, heading, body)
				SELECT id, 99, 2, 'other', 'Confidential facts', 'Added after signing' FROM decisions WHERE reference = 'PCD 545'`},
			want:    []string{"decision PCD 545 does not match its signature"},
			wantOut: []string{"the first is PCD 545"},
		},
		{
			name:    "signed funding changed",
			stmts:   []string{`UPDATE funding_lines SET amount_pence = amount_pence + 100 WHERE id = (SELECT min(f.id) FROM funding_lines f JOIN decisions d ON d.id = f.decision_id WHERE d.reference = 'PCD 1215')`},
			want:    []string{"decision PCD 1215 does not match its signature"},
			wantOut: []string{"the first is PCD 1215"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dbURL := dbtest.URL(t)
			pool, _ := openPool(t, dbURL)
			var first int64
			if err := pool.QueryRow(context.Background(), `SELECT min(id) FROM audit_log`).Scan(&first); err != nil {
				t.Fatal(err)
			}
			ids := strings.NewReplacer("{{third}}", itoa(first+2), "{{fourth}}", itoa(first+3))
			tamper(t, dbURL, tt.stmts...)
			out, err := runCmd(t, dbURL, nil, "verify")
			if err == nil {
				t.Fatalf("verify after tampering succeeded:\n%s", out)
			}
			for _, w := range tt.want {
				if w = ids.Replace(w); !strings.Contains(err.Error(), w) {
					t.Errorf("verify error = %q, want it to say %q", err, w)
				}
			}
			for _, w := range tt.wantOut {
				if w = ids.Replace(w); !strings.Contains(out, w) {
					t.Errorf("verify printed:\n%s\nwant %q", out, w)
				}
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
