package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/importer"
	"github.com/decision-register/decisions/internal/store"
)

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("import", `import [--dry-run] [--strict] [--report FILE] [--by NAME] FILE|DIR

Brings in decisions signed before the register existed, from the register's own public JSON
(what /api/v1/decisions/{slug} serves: a .json file of one decision or an array of them, or a
.jsonl file of one a line) or from the CSV layout of docs/import.md (decisions.csv, with its
funding lines in decisions.funding.csv), with their supporting documents beside them by file
name. Each decision is imported whole or not at all, with its provenance, an 'imported'
signature and an audit entry; the run is audited with its counts. Running it again changes
nothing: a record changed at its source since it was imported is reported, never overwritten.
Links to decisions not yet imported wait for them. Every problem is reported with its place.
It migrates the database first, even with --dry-run, whose checks read its tables.
It exits non-zero when any problem was found (each refused decision has at least one).`, stdout)
	dryRun := fs.Bool("dry-run", false, "check everything and report, writing no decision (the database is still migrated)")
	strict := fs.Bool("strict", false, "stop at the first decision with a problem (those before it are imported)")
	report := fs.String("report", "", "write the problems to this `file`, as CSV (file, line, reference, field, problem)")
	by := fs.String("by", getenv("USER"), "who is importing, for the provenance and the audit trail")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("import: name one file or directory")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: importer.DefaultWorkers + 1, StatementTimeout: 10 * time.Minute})
	if err != nil {
		return err
	}
	defer pool.Close()
	blobs, err := blobstore.Open(ctx, cfg.DocumentsURL)
	if err != nil {
		return err
	}
	defer blobs.Close()
	opts := importer.Options{Source: fs.Arg(0), DryRun: *dryRun, Strict: *strict, By: *by, Blobs: blobs,
		MaxDocumentBytes: cfg.DocumentMaxBytes}
	bar := newProgress(stdout)
	opts.Progress = bar.show
	start := time.Now()
	res, err := importer.Run(ctx, store.New(pool), opts)
	bar.finish()
	if err != nil {
		return err
	}
	if *report != "" {
		f, err := os.Create(*report)
		if err != nil {
			return fmt.Errorf("import: report: %w", err)
		}
		if err := importer.WriteReport(f, res.Problems); err != nil {
			f.Close()
			return fmt.Errorf("import: report: %w", err)
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("import: report: %w", err)
		}
	} else {
		for _, p := range res.Problems {
			fmt.Fprintln(stdout, p)
		}
	}
	verb := "imported"
	if *dryRun {
		verb = "would import"
	}
	fmt.Fprintf(stdout, "import: read %d decisions; %s %d, %d unchanged, %d refused; %d problems; %d links wait for decisions not yet imported (%s)\n",
		res.Read, verb, res.Imported, res.Unchanged, res.Refused, len(res.Problems), res.Pending, time.Since(start).Round(100*time.Millisecond))
	if res.Stopped {
		return errors.New("import: stopped at the first decision with a problem (--strict)")
	}
	if res.Refused > 0 || len(res.Problems) > 0 {
		return fmt.Errorf("import: %d problems", len(res.Problems))
	}
	return nil
}
