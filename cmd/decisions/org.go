package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/threesixty"
)

const orgUsage = `Usage: decisions org <command> [flags]

Commands:
  list     list the organisations the register names, with their org-ids
  set-id   record (or clear) an organisation's org-id

Run "decisions org <command> --help" for a command's flags.
`

func runOrg(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, orgUsage)
		if len(args) == 0 {
			return errors.New("org: name a command: list or set-id")
		}
		return nil
	}
	switch args[0] {
	case "list":
		return orgList(ctx, args[1:], getenv, stdout)
	case "set-id":
		return orgSetID(ctx, args[1:], getenv, stdout)
	}
	fmt.Fprint(stdout, orgUsage)
	return fmt.Errorf("unknown org command %q", args[0])
}

func orgList(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("org list", `org list

Lists every organisation the register names (funders and recipients), with its org-id.guide
identifier, or "-" when none is recorded.`, stdout)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	orgs, err := st.Organisations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tORG-ID")
	for _, o := range orgs {
		id := "-"
		if o.OrgID != nil {
			id = *o.OrgID
		}
		fmt.Fprintf(tw, "%s\t%s\n", o.Name, id)
	}
	return tw.Flush()
}

func orgSetID(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("org set-id", `org set-id --name NAME (--org-id ID | --clear)

Records an organisation's identifier from org-id.guide (a register's code, then the
organisation's number in it: GB-CHC-1092948 for a charity, GB-COH-01234567 for a company),
used for it in the 360Giving exports. Record only an identifier checked against its register:
the register never guesses one. --clear removes it. The change is written to the audit trail.`, stdout)
	name := fs.String("name", "", "the organisation's `name`, exactly as the register spells it (required; see org list)")
	orgID := fs.String("org-id", "", "its org-id.guide `identifier`")
	clear := fs.Bool("clear", false, "remove the organisation's org-id")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	id := strings.TrimSpace(*orgID)
	switch {
	case strings.TrimSpace(*name) == "":
		return errors.New("org set-id: --name is required")
	case *clear && id != "":
		return errors.New("org set-id: give --org-id or --clear, not both")
	case !*clear && id == "":
		return errors.New("org set-id: --org-id is required (or --clear to remove one)")
	case !*clear && !threesixty.ValidOrgID(id):
		return fmt.Errorf("org set-id: %q is not an org-id: a register's code then the organisation's number in it, like GB-CHC-1092948", id)
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	err = st.SetOrgID(ctx, cliActor(), strings.TrimSpace(*name), id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("org set-id: the register names no organisation %q (decisions org list shows them)", *name)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("org set-id: another organisation already has the org-id %s", id)
	case err != nil:
		return err
	}
	if id == "" {
		fmt.Fprintf(stdout, "Cleared the org-id of %s\n", *name)
	} else {
		fmt.Fprintf(stdout, "Recorded %s as the org-id of %s\n", id, *name)
	}
	return nil
}
