package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/store"
)

func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("verify", `verify

Recomputes the canonical content hash of every signed decision (and of every decision
imported as signed before the register existed) and compares it with the hash its signature
holds (for a corrected decision, its latest version's); compares who signed, in what role,
when, what they declared, when it is published, and each approval behind the signature, with
what the audit trail recorded; names any approved, published or withdrawn decision that was
never signed; checks every recorded version of a corrected decision (its bytes against its
hash, the first against the signature, each later one against the audit trail); then
recomputes every hash of the audit trail and checks each entry's link to the one before. Every
check reads one snapshot, so writes while it runs are not seen. Prints what it checked, and
exits non-zero on any mismatch, naming the first bad decision and the first bad audit entry.

With --checkpoints, it also proves that today's audit chain extends every signed checkpoint
given (a copy of /checkpoints.json, or its address): each checkpoint's signature verifies with
the register's public key (--key, or fetched from /checkpoints/key beside the checkpoints'
address), and the chain's entry at the checkpoint's length has the hash it signed. A chain
rewritten and recomputed by whoever holds the database passes the plain check, but not this.`, stdout)
	cpFrom := fs.String("checkpoints", "", "a `FILE or URL` of signed checkpoints to check the audit chain against")
	keyFrom := fs.String("key", "", "the `FILE or URL` of the public key that signed the checkpoints (PEM); default: /checkpoints/key beside a --checkpoints URL")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	var cps []checkpoint.Checkpoint
	var pub ed25519.PublicKey
	if *cpFrom != "" {
		var err error
		if cps, pub, err = loadCheckpoints(ctx, *cpFrom, *keyFrom); err != nil {
			return err
		}
	}
	lengths := make([]int64, len(cps))
	for i, c := range cps {
		lengths[i] = c.Entries
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()

	// Every check reads one snapshot: entries appended while it runs are not seen at all.
	all, err := st.VerifyRegister(ctx, lengths...)
	if err != nil {
		return err
	}
	sigs, vers, plans, chain := all.Signatures, all.Versions, all.Plans, all.Chain
	var failed []string
	if sigs.BadID == 0 {
		fmt.Fprintf(stdout, "checked %s: all match\n", plural(sigs.Decisions, "signed decision"))
	} else {
		fmt.Fprintf(stdout, "checked %s: %d do not match; the first is %s (decision %d): %s\n",
			plural(sigs.Decisions, "signed decision"), sigs.Mismatches, sigs.BadReference, sigs.BadID, sigs.Problem)
		failed = append(failed, "decision "+sigs.BadReference+" does not match its signature")
	}

	if vers.Problem == "" {
		fmt.Fprintf(stdout, "checked %s of corrected decisions: all match\n", plural(vers.Versions, "signed version"))
	} else {
		fmt.Fprintf(stdout, "checked %s of corrected decisions: version %d of %s does not hold: %s\n",
			plural(vers.Versions, "signed version"), vers.BadNumber, vers.BadReference, vers.Problem)
		failed = append(failed, fmt.Sprintf("version %d of %s does not hold", vers.BadNumber, vers.BadReference))
	}

	if plans.BadID == 0 {
		fmt.Fprintf(stdout, "checked %s of the forward plan: all match the audit trail\n", plural(plans.Plans, "published plan"))
	} else {
		fmt.Fprintf(stdout, "checked %s of the forward plan: plan %d does not hold: %s\n", plural(plans.Plans, "published plan"), plans.BadID, plans.Problem)
		failed = append(failed, fmt.Sprintf("published plan %d does not hold", plans.BadID))
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
	if len(cps) > 0 {
		if chain.BadID != 0 {
			fmt.Fprintf(stdout, "checkpoints not checked: the chain itself is broken\n")
		} else if bad := checkCheckpoints(cps, pub, chain, stdout); bad != "" {
			failed = append(failed, bad)
		}
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

// checkCheckpoints compares each checkpoint with the chain as it is, printing what it found,
// and returns what failed first, or "".
func checkCheckpoints(cps []checkpoint.Checkpoint, pub ed25519.PublicKey, chain store.ChainReport, stdout io.Writer) string {
	bad, first := 0, ""
	for _, c := range cps {
		name := fmt.Sprintf("checkpoint %d (%s, signed %s)", c.ID, plural(int(c.Entries), "audit entry"), c.At.UTC().Format(time.RFC3339))
		problem := ""
		if err := checkpoint.Verify(pub, c); err != nil {
			problem = err.Error()
		} else if got, ok := chain.HashAt[c.Entries]; !ok {
			problem = fmt.Sprintf("today's chain has only %s: entries were removed after it was signed", plural(chain.Entries, "audit entry"))
		} else if got != c.Head {
			problem = fmt.Sprintf("today's chain has %s at entry %d, but the checkpoint signed %s: the audit trail was rewritten after the checkpoint was signed", got, c.Entries, c.Head)
		}
		if problem == "" {
			continue
		}
		bad++
		fmt.Fprintf(stdout, "%s: %s\n", name, problem)
		if first == "" {
			first = "the audit chain does not extend " + name
		}
	}
	if bad == 0 {
		fmt.Fprintf(stdout, "checked %s against key %s: today's chain extends every one\n", plural(len(cps), "checkpoint"), checkpoint.KeyID(pub))
	} else {
		fmt.Fprintf(stdout, "checked %s against key %s: %d not extended by today's chain\n", plural(len(cps), "checkpoint"), checkpoint.KeyID(pub), bad)
	}
	return first
}

// loadCheckpoints reads checkpoints and the key that signed them, each from a file or a URL. A
// key not given comes from /checkpoints/key beside a checkpoints URL.
func loadCheckpoints(ctx context.Context, from, keyFrom string) ([]checkpoint.Checkpoint, ed25519.PublicKey, error) {
	b, err := readFileOrURL(ctx, from)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoints: %w", err)
	}
	cps, err := checkpoint.ParseList(b)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoints %s: %w", from, err)
	}
	if keyFrom == "" {
		u, err := url.Parse(from)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
			return nil, nil, errors.New("--checkpoints names a file: give the register's public key with --key FILE or URL (it is published at /checkpoints/key)")
		}
		keyFrom = (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: "/checkpoints/key"}).String()
	}
	kb, err := readFileOrURL(ctx, keyFrom)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint key: %w", err)
	}
	pub, err := checkpoint.ParsePublicKey(kb)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint key %s: %w", keyFrom, err)
	}
	return cps, pub, nil
}

// readFileOrURL reads a local file, or an http(s) address's body (up to 64 MiB).
func readFileOrURL(ctx context.Context, from string) ([]byte, error) {
	if !strings.HasPrefix(from, "http://") && !strings.HasPrefix(from, "https://") {
		return os.ReadFile(from)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, from, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", from, resp.Status)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 64<<20))
}
