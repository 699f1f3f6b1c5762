package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/store"
)

func runSignedPDF(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("signed-pdf", `signed-pdf --missing

Makes the signed decision document (the PDF of a decision as signed, with its sign-off and
content hash) of every signed version of a decision signed in the register that has none yet
(each approved correction is a version with a document of its own): versions signed before
this command existed, and any whose document failed and is waiting to be tried again.
Decisions signed before the register existed (imported) and synthetic ones get none. Prints
each document made, and exits non-zero if any failed; those are tried again by the servers,
or by running this again. Needs Chromium (CHROMIUM_PATH, or chromium on the PATH) and the
document store the servers use (DOCUMENTS_URL).`, stdout)
	missing := fs.Bool("missing", false, "make the documents that are missing (required: nothing else is done)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if !*missing {
		fs.Usage()
		return errors.New("signed-pdf: say --missing")
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout})
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	blobs, err := blobstore.Open(ctx, cfg.DocumentsURL)
	if err != nil {
		return err
	}
	defer blobs.Close()
	pdf := signedpdf.New(signedpdf.Config{Path: cfg.ChromiumPath, Timeout: cfg.PDFTimeout})
	defer pdf.Close()
	srv, err := server.New(server.Deps{Store: st, Logger: slog.New(slog.NewTextHandler(stdout, nil)), BaseURL: cfg.BaseURL,
		OwnerName: cfg.OwnerName, Contact: cfg.Contact, PDF: pdf, Blobs: blobs,
		Sessions: auth.NewSessions(pool, auth.SessionConfig{IdleTimeout: time.Minute, Lifetime: time.Minute})})
	if err != nil {
		return err
	}
	n, err := st.EnqueueMissingSignedPDFs(ctx, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s waiting for a signed decision document\n", plural(n, "signed version"))
	var failed []error
	for {
		made, err := srv.MakeSignedPDF(ctx)
		if err != nil {
			failed = append(failed, err)
			fmt.Fprintln(stdout, "failed:", err)
		}
		if !made || ctx.Err() != nil {
			break
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("signed-pdf: %d failed", len(failed))
	}
	return nil
}
