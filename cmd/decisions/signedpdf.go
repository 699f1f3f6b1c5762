package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/store"
)

func runSignedPDF(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("signed-pdf", `signed-pdf --missing | --worker

--missing makes the signed decision document (the PDF of a decision as signed, with its
sign-off and content hash) of every signed version of a decision signed in the register that
has none yet (each approved correction is a version with a document of its own): versions
signed before this command existed, and any whose document failed and is waiting to be tried
again. Decisions signed before the register existed (imported) and synthetic ones get none.
Prints each document made, and exits non-zero if any failed; those are tried again by the
servers, or by running this again.

--worker prints the documents as they fall due, until SIGINT or SIGTERM, as each serve process
does in the background unless SIGNED_PDF_WORKER=external: run it as its own service
(deploy/decisions-signed-pdf.service) so no browser runs in the web server's process tree. Any
number may run: each job goes to one of them.

Both need Chromium (CHROMIUM_PATH, or chromium on the PATH) and the document store the servers
use (DOCUMENTS_URL).`, stdout)
	missing := fs.Bool("missing", false, "make the documents that are missing, then exit")
	worker := fs.Bool("worker", false, "print documents as they fall due, until stopped")
	every := fs.Duration("interval", 15*time.Second, "with --worker: how often to look for documents due")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *missing == *worker || *every <= 0 {
		fs.Usage()
		return errors.New("signed-pdf: say --missing or --worker")
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
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	if *worker {
		logger = newLogger(cfg, stdout)
	}
	srv, err := server.New(server.Deps{Store: st, Logger: logger, BaseURL: cfg.BaseURL,
		OwnerName: cfg.OwnerName, Contact: cfg.Contact, PDF: pdf, Blobs: blobs,
		Sessions: auth.NewSessions(pool, auth.SessionConfig{IdleTimeout: time.Minute, Lifetime: time.Minute})})
	if err != nil {
		return err
	}
	if *worker {
		return printSignedPDFs(ctx, srv, cfg, *every, logger)
	}
	return makeMissingSignedPDFs(ctx, st, srv, stdout)
}

// printSignedPDFs is the worker: it claims and prints due documents, exactly as a serve process
// does in the background, until a signal. A print under way when it comes is stopped, and its
// claim's lease runs out so another worker takes the job over.
func printSignedPDFs(ctx context.Context, srv *server.Server, cfg config.Config, every time.Duration, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := signedpdf.Available(cfg.ChromiumPath); err != nil {
		logger.Warn("signed decision documents will wait until Chromium is installed", "err", err)
	}
	logger.Info("printing signed decision documents as they fall due", "interval", every)
	srv.MakeSignedPDFs(ctx, every)
	logger.Info("stopped")
	return nil
}

func makeMissingSignedPDFs(ctx context.Context, st *store.Store, srv *server.Server, stdout io.Writer) error {
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
