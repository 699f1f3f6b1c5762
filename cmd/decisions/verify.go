package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("verify", `verify

Recomputes the canonical content hash of every signed decision (and of every decision
imported as signed before the register existed) and compares it with the hash its signature
holds (for a corrected decision, its latest version's); checks every recorded version of a
corrected decision (its bytes against its hash, the first against the signature, each later
one against the audit trail); then recomputes every hash of the audit trail and checks each entry's link to the one
before. Prints what it checked, and exits non-zero on any mismatch, naming the first bad
decision and the first bad audit entry.`, stdout)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()

	var failed []string
	sigs, err := st.VerifySignatures(ctx)
	if err != nil {
		return err
	}
	if sigs.BadID == 0 {
		fmt.Fprintf(stdout, "checked %s: all match\n", plural(sigs.Decisions, "signed decision"))
	} else {
		fmt.Fprintf(stdout, "checked %s: %d do not match; the first is %s (decision %d): %s\n",
			plural(sigs.Decisions, "signed decision"), sigs.Mismatches, sigs.BadReference, sigs.BadID, sigs.Problem)
		failed = append(failed, "decision "+sigs.BadReference+" does not match its signature")
	}

	vers, err := st.VerifyVersions(ctx)
	if err != nil {
		return err
	}
	if vers.Problem == "" {
		fmt.Fprintf(stdout, "checked %s of corrected decisions: all match\n", plural(vers.Versions, "signed version"))
	} else {
		fmt.Fprintf(stdout, "checked %s of corrected decisions: version %d of %s does not hold: %s\n",
			plural(vers.Versions, "signed version"), vers.BadNumber, vers.BadReference, vers.Problem)
		failed = append(failed, fmt.Sprintf("version %d of %s does not hold", vers.BadNumber, vers.BadReference))
	}

	chain, err := st.VerifyAuditChain(ctx)
	if err != nil {
		return err
	}
	switch chain.BadID {
	case 0:
		fmt.Fprintf(stdout, "checked %s: chain intact; its head is %s (keep it: a later run must reach it)\n",
			plural(chain.Entries, "audit entry"), chain.Head)
	case -1:
		fmt.Fprintf(stdout, "checked %s: the trail's end is wrong: %s\n", plural(chain.Entries, "audit entry"), chain.Problem)
		failed = append(failed, "the audit trail's end does not match its head")
	default:
		fmt.Fprintf(stdout, "checked %s: chain broken at entry %d: %s\n", plural(chain.Entries, "audit entry"), chain.BadID, chain.Problem)
		failed = append(failed, fmt.Sprintf("audit entry %d is bad", chain.BadID))
	}
	if len(failed) > 0 {
		return errors.New("verify failed: " + strings.Join(failed, "; "))
	}
	return nil
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "entry") {
		return fmt.Sprintf("%d %sentries", n, strings.TrimSuffix(noun, "entry"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
