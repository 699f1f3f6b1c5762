package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

const userUsage = `Usage: decisions user <command> [flags]

Commands:
  add       add a member of staff with their roles
  disable   disable an account: its sessions stop working at once
  list      list every account with its roles and status
  password  set a new password for an account

Run "decisions user <command> --help" for a command's flags.
`

// passwords hashes the passwords set from the command line and is the server's
// (server.Deps.Passwords). The package's TestMain puts a cheap one in its place, for the test
// binary's commands and the server it runs as a child: a hash records its parameters, so what
// the tests store is checked at that cost, and the commands' own code runs unchanged.
var passwords = auth.Production

// cliActor is who the audit trail records for changes made from the command line.
func cliActor() store.Act { return store.Act{Name: "command line", At: time.Now()} }

func runUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, userUsage)
		if len(args) == 0 {
			return errors.New("user: name a command: add, disable, list or password")
		}
		return nil
	}
	switch args[0] {
	case "add":
		return userAdd(ctx, args[1:], getenv, stdin, stdout)
	case "disable":
		return userDisable(ctx, args[1:], getenv, stdout)
	case "list":
		return userList(ctx, args[1:], getenv, stdout)
	case "password":
		return userPassword(ctx, args[1:], getenv, stdin, stdout)
	}
	fmt.Fprint(stdout, userUsage)
	return fmt.Errorf("unknown user command %q", args[0])
}

// listFlag collects a flag given several times, or once with commas: --step finance,legal.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// newFlagSet makes a command's flag set, printing its usage to w.
func newFlagSet(name, synopsis string, w io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(w)
	fs.Usage = func() {
		fmt.Fprintf(w, "Usage: decisions %s\n", synopsis)
		n := 0
		fs.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			fmt.Fprint(w, "\nFlags:\n")
			fs.PrintDefaults()
		}
	}
	return fs
}

// parseFlags parses args, treating --help as a successful request for the usage. It returns
// done when there is nothing more to do.
func parseFlags(fs *flag.FlagSet, args []string) (done bool, err error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return true, err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return true, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return false, nil
}

// openStore connects to the database the environment names.
func openStore(ctx context.Context, getenv func(string) string) (*store.Store, func(), error) {
	cfg, err := config.Load(getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("configuration: %w", err)
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout})
	if err != nil {
		return nil, nil, err
	}
	return store.New(pool), pool.Close, nil
}

func userAdd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("user add", `user add --email E --name N --role R [--role R...] [--step finance,legal] [--series PCD]

Adds a member of staff. The password is read from the first line of standard input when it
is not a terminal (echo "$PASSWORD" | decisions user add ...); otherwise one is generated
and printed once. Passwords have at least `+fmt.Sprint(auth.MinPasswordLength)+` characters.`, stdout)
	email := fs.String("email", "", "the person's `email` address, which they sign in with (required)")
	name := fs.String("name", "", "the person's full `name`, as shown on approvals and signatures (required)")
	var roles, steps, series listFlag
	fs.Var(&roles, "role", "a `role`: drafter, adviser, decision-maker or admin; repeat for several (required)")
	fs.Var(&steps, "step", "for an adviser: the `steps` they clear, by short name, e.g. finance,legal,head-of-unit")
	fs.Var(&series, "series", "for a decision maker: the `series` they sign for, e.g. PCD")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	var problems []string
	if strings.TrimSpace(*email) == "" {
		problems = append(problems, "--email is required")
	}
	if strings.TrimSpace(*name) == "" {
		problems = append(problems, "--name is required")
	}
	var g store.Grants
	for _, r := range roles {
		role, ok := decision.ParseRole(r)
		if !ok {
			problems = append(problems, fmt.Sprintf("unknown role %q: use drafter, adviser, decision-maker or admin", r))
			continue
		}
		if !slices.Contains(g.Roles, role) {
			g.Roles = append(g.Roles, role)
		}
	}
	if len(roles) == 0 {
		problems = append(problems, "--role is required: drafter, adviser, decision-maker or admin")
	}
	if len(problems) > 0 {
		return fmt.Errorf("user add: %s", strings.Join(problems, "; "))
	}

	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	if g.StepKinds, err = stepKindCodes(ctx, st, steps); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	if g.Series, err = seriesNames(ctx, st, series); err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	for _, flagName := range []string{"roles", "steps", "series"} {
		if p := decision.GrantProblems(g.Roles, g.StepKinds, g.Series)[flagName]; p != "" {
			problems = append(problems, cliWords(p))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("user add: %s", strings.Join(problems, "; "))
	}

	password, generated, err := readPassword(stdin)
	if err != nil {
		return fmt.Errorf("user add: %w", err)
	}
	hash, err := passwords.Hash(password)
	if err != nil {
		return err
	}
	id, err := st.CreateUser(ctx, cliActor(), *email, *name, hash, g)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("user add: an account with the email address %s already exists", store.NormaliseEmail(*email))
	}
	if _, ok := store.IsCheckViolation(err); ok {
		return fmt.Errorf("user add: %q is not an email address the register accepts", *email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s <%s> (user %d): %s\n", strings.TrimSpace(*name), store.NormaliseEmail(*email), id, describeGrants(g))
	if generated {
		fmt.Fprintf(stdout, "Password (shown this once; pass it on securely): %s\n", password)
	}
	return nil
}

// cliWords turns a form's advice into the command line's flags.
func cliWords(s string) string {
	return strings.NewReplacer("Choose the steps", "Give --step for the steps", "Choose the series", "Give --series for the series",
		"choose the adviser role, or no steps", "add --role adviser, or leave out --step",
		"choose the decision maker role, or no series", "add --role decision-maker, or leave out --series",
		"Choose at least one role", "Give at least one --role").Replace(s)
}

// stepKindCodes checks step kinds typed by short name against the register's, returning codes.
func stepKindCodes(ctx context.Context, st *store.Store, typed []string) ([]string, error) {
	if len(typed) == 0 {
		return nil, nil
	}
	kinds, err := st.StepKinds(ctx)
	if err != nil {
		return nil, err
	}
	var known, codes []string
	for _, k := range kinds {
		known = append(known, strings.ReplaceAll(k.Code, "_", "-"))
	}
	for _, s := range typed {
		code := decision.StepKindCode(s)
		if !slices.ContainsFunc(kinds, func(k store.StepKind) bool { return k.Code == code }) {
			return nil, fmt.Errorf("unknown step %q: the steps are %s", s, strings.Join(known, ", "))
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	return codes, nil
}

// seriesNames checks series against those the register knows.
func seriesNames(ctx context.Context, st *store.Store, typed []string) ([]string, error) {
	if len(typed) == 0 {
		return nil, nil
	}
	known, err := st.KnownSeries(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range typed {
		name, ok := decision.ParseSeries(s)
		if !ok || !slices.Contains(known, name) {
			return nil, fmt.Errorf("unknown series %q: the series are %s", s, strings.Join(known, ", "))
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out, nil
}

// readPassword reads the first line of standard input when it is not a terminal, or generates
// a password when it is one (or there is none).
func readPassword(stdin io.Reader) (password string, generated bool, err error) {
	if stdin == nil || isTerminal(stdin) {
		return auth.GeneratePassword(), true, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read the password from standard input: %w", err)
	}
	password = strings.TrimRight(line, "\r\n")
	if n := utf8.RuneCountInString(password); n < auth.MinPasswordLength {
		if n == 0 {
			return "", false, fmt.Errorf("standard input held no password: give one of at least %d characters, "+
				"or run the command in a terminal to have one generated", auth.MinPasswordLength)
		}
		return "", false, fmt.Errorf("the password from standard input is too short: it has %d characters and needs at least %d",
			n, auth.MinPasswordLength)
	}
	return password, false, nil
}

// isTerminal reports whether r is a character device such as a terminal. A pipe or a file is
// not; reading its mode needs no dependency beyond os.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func describeGrants(g store.Grants) string {
	var parts []string
	var roles []string
	for _, r := range g.Roles {
		roles = append(roles, decision.RoleFlag(r))
	}
	parts = append(parts, "roles "+strings.Join(roles, ", "))
	if len(g.StepKinds) > 0 {
		parts = append(parts, "steps "+strings.ReplaceAll(strings.Join(g.StepKinds, ", "), "_", "-"))
	}
	if len(g.Series) > 0 {
		parts = append(parts, "series "+strings.Join(g.Series, ", "))
	}
	return strings.Join(parts, "; ")
}

// accountByEmail opens the database and finds the account a command names by --email.
func accountByEmail(ctx context.Context, cmd, email string, getenv func(string) string) (*store.Store, store.User, func(), error) {
	if strings.TrimSpace(email) == "" {
		return nil, store.User{}, nil, errors.New(cmd + ": --email is required")
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return nil, store.User{}, nil, err
	}
	u, err := st.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		err = fmt.Errorf("%s: there is no account with the email address %s", cmd, store.NormaliseEmail(email))
	}
	if err != nil {
		closeDB()
		return nil, store.User{}, nil, err
	}
	return st, u, closeDB, nil
}

func userDisable(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("user disable", `user disable --email E

Disables an account: the person can no longer sign in, and their sessions stop working at once.
Their approvals and signatures stay on the record.`, stdout)
	email := fs.String("email", "", "the account's `email` address (required)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	st, u, closeDB, err := accountByEmail(ctx, "user disable", *email, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	if u.DisabledAt != nil {
		fmt.Fprintf(stdout, "%s <%s> was already disabled on %s\n", u.Name, u.Email, u.DisabledAt.Format(time.DateOnly))
		return nil
	}
	if err := st.SetUserDisabled(ctx, cliActor(), u.ID, true); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Disabled %s <%s>\n", u.Name, u.Email)
	return nil
}

func userPassword(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	fs := newFlagSet("user password", `user password --email E

Sets a new password for an account, for someone who has forgotten theirs. The password is read
from the first line of standard input when it is not a terminal (echo "$PASSWORD" | decisions
user password ...); otherwise one is generated and printed once. Passwords have at least `+
		fmt.Sprint(auth.MinPasswordLength)+` characters. Ask the person to change it after signing in.`, stdout)
	email := fs.String("email", "", "the account's `email` address (required)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	st, u, closeDB, err := accountByEmail(ctx, "user password", *email, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	password, generated, err := readPassword(stdin)
	if err != nil {
		return fmt.Errorf("user password: %w", err)
	}
	hash, err := passwords.Hash(password)
	if err != nil {
		return err
	}
	if err := st.SetPassword(ctx, cliActor(), u.ID, hash); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Set a new password for %s <%s>\n", u.Name, u.Email)
	if generated {
		fmt.Fprintf(stdout, "Password (shown this once; pass it on securely): %s\n", password)
	}
	if u.DisabledAt != nil {
		fmt.Fprintln(stdout, "The account is disabled: the person cannot sign in until an admin enables it.")
	}
	return nil
}

func userList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("user list", `user list

Lists every account: email, name, roles, the steps an adviser clears, the series a decision
maker signs for, and when the account was disabled.`, stdout)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	users, err := st.Users(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLES\tSTEPS\tSERIES\tDISABLED")
	for _, u := range users {
		var roles []string
		for _, r := range u.Roles {
			roles = append(roles, decision.RoleFlag(r))
		}
		disabled := "-"
		if u.DisabledAt != nil {
			disabled = u.DisabledAt.Format(time.DateOnly)
		}
		// Roles and steps are spelt as user add takes them.
		var steps []string
		for _, k := range u.StepKinds {
			steps = append(steps, strings.ReplaceAll(k, "_", "-"))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, orDash(strings.Join(roles, ",")),
			orDash(strings.Join(steps, ",")), orDash(strings.Join(u.Series, ",")), disabled)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(users) == 0 {
		fmt.Fprintln(stdout, "No accounts yet: add one with decisions user add.")
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
