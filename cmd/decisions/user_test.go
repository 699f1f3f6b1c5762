package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// runCmd runs the command line against the database at dbURL and returns what it printed.
func runCmd(t *testing.T, dbURL string, stdin io.Reader, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	env := map[string]string{"DATABASE_URL": dbURL}
	err := run(context.Background(), append([]string{"decisions"}, args...), func(k string) string { return env[k] }, stdin, &out)
	return out.String(), err
}

func openPool(t *testing.T, dbURL string) (*pgxpool.Pool, *store.Store) {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, store.New(pool)
}

func TestUserAddDisableList(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, st := openPool(t, dbURL)
	ctx := context.Background()

	// A password on standard input (a pipe, not a terminal) is the one used.
	const password = "a long enough passphrase"
	out, err := runCmd(t, dbURL, strings.NewReader(password+"\n"), "user", "add", "--email", " Ada@Example.org ",
		"--name", "Ada Adviser", "--role", "adviser", "--role", "drafter", "--step", "finance,head-of-unit", "--step", "Legal")
	if err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	if strings.Contains(out, "Password") {
		t.Errorf("user add printed a password it was given:\n%s", out)
	}
	u, err := st.UserByEmail(ctx, "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(password, u.PasswordHash) {
		t.Error("the password from standard input does not sign in")
	}
	if got := strings.Join(u.Roles, ","); got != "adviser,drafter" {
		t.Errorf("roles = %s, want adviser,drafter", got)
	}
	if got := strings.Join(u.StepKinds, ","); got != "finance,head_of_unit,legal" {
		t.Errorf("steps = %s, want finance,head_of_unit,legal", got)
	}

	// No standard input: a password is generated and printed once.
	out, err = runCmd(t, dbURL, nil, "user", "add", "--email", "dm@example.org", "--name", "Dee Maker",
		"--role", "decision-maker", "--series", "pcd")
	if err != nil {
		t.Fatalf("user add with a generated password: %v\n%s", err, out)
	}
	_, generated, ok := strings.Cut(out, "Password (shown this once; pass it on securely): ")
	generated = strings.TrimSpace(generated)
	dm, err := st.UserByEmail(ctx, "dm@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !ok || len(generated) < auth.MinPasswordLength || !auth.CheckPassword(generated, dm.PasswordHash) {
		t.Errorf("user add did not print a working generated password:\n%s", out)
	}
	if strings.Join(dm.Roles, ",") != "decision_maker" || strings.Join(dm.Series, ",") != "PCD" {
		t.Errorf("decision maker's grants = %v %v", dm.Roles, dm.Series)
	}

	if out, err := runCmd(t, dbURL, nil, "user", "disable", "--email", "ada@example.org"); err != nil || !strings.Contains(out, "Disabled Ada Adviser") {
		t.Fatalf("user disable = %v\n%s", err, out)
	}
	if u, _ := st.UserByEmail(ctx, "ada@example.org"); u.DisabledAt == nil {
		t.Error("user disable left the account enabled")
	}

	out, err = runCmd(t, dbURL, nil, "user", "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "EMAIL NAME ROLES STEPS SERIES DISABLED" {
		t.Fatalf("user list:\n%s", out)
	}
	// Enabled accounts first; the disabled one last, with its date.
	if got := strings.Fields(lines[1]); strings.Join(got, " ") != "dm@example.org Dee Maker decision-maker - PCD -" {
		t.Errorf("user list row 1 = %q", lines[1])
	}
	if got := strings.Fields(lines[2]); len(got) != 7 || got[0] != "ada@example.org" || got[3] != "adviser,drafter" ||
		got[4] != "finance,head-of-unit,legal" || got[6] == "-" {
		t.Errorf("user list row 2 = %q", lines[2])
	}

	// Every change is on the audit trail, and the chain holds.
	var added, changed int
	for _, q := range []struct {
		event string
		n     *int
	}{{store.EventUserAdded, &added}, {store.EventUserChanged, &changed}} {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = $1 AND actor = 'command line'`, q.event).Scan(q.n); err != nil {
			t.Fatal(err)
		}
	}
	if added != 2 || changed != 1 {
		t.Errorf("audit trail has %d user_added and %d user_changed by the command line, want 2 and 1", added, changed)
	}
	if rep, err := st.VerifyAuditChain(ctx); err != nil || rep.BadID != 0 {
		t.Errorf("audit chain after user commands: %+v, %v", rep, err)
	}
}

func TestUserAddRefuses(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	if _, err := runCmd(t, dbURL, strings.NewReader("a long enough passphrase\n"), "user", "add", "--email", "taken@example.org",
		"--name", "First", "--role", "drafter"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"short password", "short\n", []string{"--email", "a@example.org", "--name", "A", "--role", "drafter"},
			"too short: it has 5 characters and needs at least 12"},
		{"empty standard input", "", []string{"--email", "a@example.org", "--name", "A", "--role", "drafter"}, "standard input held no password"},
		{"no email", "x", []string{"--name", "A", "--role", "drafter"}, "--email is required"},
		{"no role", "x", []string{"--email", "a@example.org", "--name", "A"}, "--role is required"},
		{"unknown role", "x", []string{"--email", "a@example.org", "--name", "A", "--role", "boss"}, `unknown role "boss"`},
		{"unknown step", "x", []string{"--email", "a@example.org", "--name", "A", "--role", "adviser", "--step", "catering"},
			`unknown step "catering": the steps are`},
		{"adviser without steps", "x", []string{"--email", "a@example.org", "--name", "A", "--role", "adviser"}, "Give --step"},
		{"steps without adviser", "x", []string{"--email", "a@example.org", "--name", "A", "--role", "drafter", "--step", "legal"},
			"add --role adviser"},
		{"unknown series", "x", []string{"--email", "a@example.org", "--name", "A", "--role", "decision-maker", "--series", "XYZ"},
			`unknown series "XYZ"`},
		{"taken email", "a long enough passphrase\n", []string{"--email", "Taken@example.org", "--name", "B", "--role", "drafter"},
			"already exists"},
		{"bad email", "a long enough passphrase\n", []string{"--email", "not an email", "--name", "B", "--role", "drafter"},
			"is not an email address"},
	}
	for _, tt := range tests {
		out, err := runCmd(t, dbURL, strings.NewReader(tt.stdin), append([]string{"user", "add"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: user add = %v, want an error saying %q\n%s", tt.name, err, tt.want, out)
		}
	}
	_, st := openPool(t, dbURL)
	users, err := st.Users(context.Background())
	if err != nil || len(users) != 1 {
		t.Errorf("after refused adds there are %d users (%v), want 1", len(users), err)
	}
	if _, err := runCmd(t, dbURL, nil, "user", "disable", "--email", "nobody@example.org"); err == nil ||
		!strings.Contains(err.Error(), "no account") {
		t.Errorf("user disable of an unknown email = %v", err)
	}
}

func TestUserCommandsHelp(t *testing.T) {
	t.Parallel()
	// --help needs no database: the environment is empty.
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"user", "add", "--help"}, []string{"Usage: decisions user add", "-email", "-name", "-role", "-step", "-series", "standard input"}},
		{[]string{"user", "disable", "--help"}, []string{"Usage: decisions user disable", "-email"}},
		{[]string{"user", "list", "--help"}, []string{"Usage: decisions user list"}},
		{[]string{"user", "--help"}, []string{"add", "disable", "list", "password"}},
		{[]string{"user", "password", "--help"}, []string{"Usage: decisions user password", "-email", "standard input", "change it"}},
		{[]string{"verify", "--help"}, []string{"Usage: decisions verify", "audit"}},
		{[]string{"--help"}, []string{"user add", "verify"}},
	} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"decisions"}, tt.args...), func(string) string { return "" }, nil, &out); err != nil {
			t.Errorf("%v: %v", tt.args, err)
		}
		for _, w := range tt.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v printed no %q:\n%s", tt.args, w, out.String())
			}
		}
	}
	// A command without flags has no empty "Flags:" heading.
	for _, args := range [][]string{{"user", "list", "--help"}, {"checkpoint", "sign", "--help"}} {
		var out bytes.Buffer
		if err := run(context.Background(), append([]string{"decisions"}, args...), func(string) string { return "" }, nil, &out); err != nil {
			t.Errorf("%v: %v", args, err)
		}
		if strings.Contains(out.String(), "Flags:") {
			t.Errorf("%v prints a Flags: heading with no flags under it:\n%s", args, out.String())
		}
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"decisions", "user", "promote"}, func(string) string { return "" }, nil, &out); err == nil {
		t.Error("user promote accepted")
	}
}

func TestUserPassword(t *testing.T) {
	t.Parallel()
	dbURL := dbtest.URL(t)
	pool, st := openPool(t, dbURL)
	ctx := context.Background()
	if out, err := runCmd(t, dbURL, strings.NewReader("the first passphrase\n"), "user", "add", "--email", "bo@example.org",
		"--name", "Bo Drafter", "--role", "drafter"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}

	// From standard input: used as given, never printed.
	const next = "the second passphrase"
	out, err := runCmd(t, dbURL, strings.NewReader(next+"\n"), "user", "password", "--email", "BO@example.org")
	if err != nil {
		t.Fatalf("user password: %v\n%s", err, out)
	}
	if strings.Contains(out, next) || !strings.Contains(out, "bo@example.org") {
		t.Errorf("user password printed:\n%s", out)
	}
	u, err := st.UserByEmail(ctx, "bo@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !auth.CheckPassword(next, u.PasswordHash) || auth.CheckPassword("the first passphrase", u.PasswordHash) {
		t.Error("the new password from standard input is not the one that works")
	}

	// With no input to read, one is generated and printed once.
	out, err = runCmd(t, dbURL, nil, "user", "password", "--email", "bo@example.org")
	if err != nil {
		t.Fatalf("user password (generated): %v\n%s", err, out)
	}
	_, generated, ok := strings.Cut(strings.TrimSpace(out), "Password (shown this once; pass it on securely): ")
	if !ok {
		t.Fatalf("no generated password printed:\n%s", out)
	}
	if u, _ = st.UserByEmail(ctx, "bo@example.org"); !auth.CheckPassword(generated, u.PasswordHash) {
		t.Error("the generated password does not work")
	}

	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = 'user_changed' AND detail LIKE '%"change":"password"%'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d password changes audited (%v), want 2", n, err)
	}
	for _, tt := range []struct {
		stdin io.Reader
		args  []string
		want  string
	}{
		{strings.NewReader("short\n"), []string{"--email", "bo@example.org"}, "too short"},
		{strings.NewReader(next + "\n"), []string{"--email", "nobody@example.org"}, "no account"},
		{nil, nil, "--email is required"},
	} {
		_, err := runCmd(t, dbURL, tt.stdin, append([]string{"user", "password"}, tt.args...)...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("user password %v = %v, want an error saying %q", tt.args, err, tt.want)
		}
	}
}
