// Command decisions runs the Decision Register: its web server and its maintenance tasks.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/metrics"
	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "decisions:", err)
		os.Exit(1)
	}
}

const usage = `Usage: decisions [command]

Commands:
  serve                            migrate the database, then serve the register (the default)
  migrate up                       apply every migration
  migrate version                  print the database's migration version and whether it is dirty
  migrate force N                  record version N and clear the dirty flag, after putting right
                                   by hand a migration that failed part-way; runs no SQL
  migrate down ` + dropAllTables + `  undo every migration: drops every table and all its data
  user add                         add a member of staff (decisions user add --help)
  user disable                     disable a member of staff's account
  user list                        list staff accounts, their roles and status
  user password                    set a new password for an account
  org list                         list the organisations the register names, with their org-ids
  org set-id                       record an organisation's org-id, for 360Giving data
                                   (decisions org set-id --help)
  seed-synthetic                   add N made-up decisions for load runs
                                   (decisions seed-synthetic --help)
  import FILE|DIR                  bring in decisions signed outside the register, from its public
                                   JSON or a CSV (docs/import.md; decisions import --help)
  signed-pdf --missing             make the signed decision documents that are missing
                                   (decisions signed-pdf --help)
  verify                           recompute every signed decision's hash and the audit chain;
                                   exit non-zero on any mismatch; --checkpoints FILE|URL also
                                   checks the chain extends each signed checkpoint
  checkpoint key --out FILE        generate the key that signs checkpoints of the audit chain
  checkpoint sign                  sign a checkpoint now (CHECKPOINT_KEY_FILE)

Environment:
`

// dropAllTables must be given to migrate down, so no one loses the register by a slip.
const dropAllTables = "--drop-all-tables"

func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
	// These commands have a flag set each, and print their own usage with --help.
	switch cmd {
	case "user":
		return runUser(ctx, args[2:], getenv, stdin, stdout)
	case "verify":
		return runVerify(ctx, args[2:], getenv, stdout)
	case "org":
		return runOrg(ctx, args[2:], getenv, stdout)
	case "checkpoint":
		return runCheckpoint(ctx, args[2:], getenv, stdout)
	case "seed-synthetic":
		return runSeedSynthetic(ctx, args[2:], getenv, stdout)
	case "signed-pdf":
		return runSignedPDF(ctx, args[2:], getenv, stdout)
	case "import":
		return runImport(ctx, args[2:], getenv, stdout)
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" || (len(args) > 2 && (args[2] == "--help" || args[2] == "-h")) {
		printUsage(stdout)
		return nil
	}
	if cmd != "serve" && cmd != "migrate" {
		printUsage(stdout)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logger := newLogger(cfg, stdout)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cmd == "migrate" {
		return migrate(ctx, cfg, args[2:], stdout)
	}
	return serve(ctx, stop, cfg, logger)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	for _, v := range config.Vars {
		if v.Default == "" {
			fmt.Fprintf(w, "  %-21s %s\n", v.Name, v.Help)
			continue
		}
		fmt.Fprintf(w, "  %-21s %s (default %q)\n", v.Name, v.Help, v.Default)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func migrate(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	sub := "up"
	if len(args) > 0 {
		sub = args[0]
	}
	switch {
	case sub == "up" && len(args) <= 1:
		if err := store.Migrate(ctx, cfg.DatabaseURL); err != nil {
			return err
		}
		// A bulk load (seed-synthetic) killed part-way left derived columns and indexes to build.
		pool, err := store.Open(ctx, cfg.DatabaseURL, store.PoolOptions{MaxConns: 2, StatementTimeout: 10 * time.Minute})
		if err != nil {
			return err
		}
		defer pool.Close()
		return finishBulkLoad(ctx, cfg.DatabaseURL, pool, newPhaseProgress(stdout))
	case sub == "down":
		if len(args) != 2 || args[1] != dropAllTables {
			return fmt.Errorf("migrate down drops every table and all the data in them: to do it, run `decisions migrate down %s`", dropAllTables)
		}
		return store.MigrateDown(ctx, cfg.DatabaseURL)
	case sub == "force" && len(args) == 2:
		v, err := strconv.Atoi(args[1])
		if err != nil || v < -1 {
			return fmt.Errorf("migrate force: %q is not a migration version (a number, or -1 for none)", args[1])
		}
		return store.MigrateForce(ctx, cfg.DatabaseURL, v)
	case sub == "version" && len(args) <= 1:
		v, dirty, err := store.MigrationVersion(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		if v < 0 {
			fmt.Fprintln(stdout, "no migration applied")
			return nil
		}
		fmt.Fprintf(stdout, "version %d dirty=%t\n", v, dirty)
		return nil
	}
	return fmt.Errorf("unknown migrate command %q: use up, version, force N or down %s", strings.Join(args, " "), dropAllTables)
}

// serve migrates, then serves until ctx ends (SIGINT or SIGTERM). Then it drains: /readyz answers
// 503 for DRAIN_DELAY while requests are still served; then it stops accepting connections and
// waits up to SHUTDOWN_TIMEOUT for requests in flight, cancels any still running, and closes
// the pools. A second signal ends the drain and the wait at once (requests still in flight are
// cancelled) and restores the default handling, so a third kills the process.
func serve(ctx context.Context, stopSignals context.CancelFunc, cfg config.Config, logger *slog.Logger) error {
	// The key is read before anything else, so a wrong path stops the start at once.
	var signer *checkpoint.Signer
	if cfg.CheckpointKeyFile != "" {
		var err error
		if signer, err = checkpoint.LoadSigner(cfg.CheckpointKeyFile); err != nil {
			return err
		}
		logger.Info("signing checkpoints of the audit chain", "key_id", checkpoint.KeyID(signer.Public()))
	} else {
		logger.Warn("CHECKPOINT_KEY_FILE is not set: no checkpoints of the audit chain are signed")
	}
	if err := prepareSchema(ctx, cfg, logger); err != nil {
		return err
	}
	pool, probe, err := openPools(ctx, cfg.DatabaseURL, cfg, false)
	if err != nil {
		return err
	}
	defer pool.Close()
	defer probe.Close()
	if load, err := store.New(pool).UnfinishedBulkLoad(ctx); err == nil {
		logger.Warn("a bulk load (seed-synthetic) is unfinished: searches miss some decisions and lists are slow until `decisions migrate up` finishes it",
			"started_at", load.StartedAt, "indexes_missing", len(load.Indexes))
	}
	replica, replicaProbe := store.New(pool), (*store.Store)(nil)
	var replicaPool *pgxpool.Pool
	if cfg.DatabaseReadURL != "" {
		rpool, rprobe, err := openPools(ctx, cfg.DatabaseReadURL, cfg, true)
		if err != nil {
			return fmt.Errorf("read replica: %w", err)
		}
		defer rpool.Close()
		defer rprobe.Close()
		replicaPool = rpool
		replica, replicaProbe = store.New(rpool), store.New(rprobe)
		logger.Info("public reads from a replica", "database", config.Redacted(cfg.DatabaseReadURL))
	}
	sessions := auth.NewSessions(pool, auth.SessionConfig{IdleTimeout: cfg.SessionIdle, Lifetime: cfg.SessionLifetime,
		Secure: cfg.SecureCookies(), CleanupInterval: 5 * time.Minute})
	blobs, err := blobstore.Open(ctx, cfg.DocumentsURL)
	if err != nil {
		return err
	}
	defer blobs.Close()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		logger.Warn("pdftotext is not installed: PDF documents cannot be attached until it is (Debian: apt-get install poppler-utils)")
	}
	// The signed decision documents are printed by a Chromium started on demand; without one,
	// signing still works and the documents wait (see MakeSignedPDFs). With an external worker,
	// this process never starts a browser.
	var pdf server.PDFRenderer // nil, not a nil *Renderer: the server tells nil apart
	if cfg.SignedPDFWorker == config.SignedPDFInServer {
		renderer := signedpdf.New(signedpdf.Config{Path: cfg.ChromiumPath, Timeout: cfg.PDFTimeout})
		defer renderer.Close()
		pdf = renderer
		if err := signedpdf.Available(cfg.ChromiumPath); err != nil {
			logger.Warn("signed decision documents will wait until Chromium is installed", "err", err)
		}
	} else {
		logger.Info("signed decision documents are printed by `decisions signed-pdf --worker`, not here", "SIGNED_PDF_WORKER", cfg.SignedPDFWorker)
	}
	m := metrics.New()
	m.WatchPool("requests", pool)
	m.WatchPool("probe", probe)
	if replicaPool != nil {
		m.WatchPool("replica", replicaPool)
	}
	var sso *auth.OIDC
	if o := cfg.OIDC; o.Issuer != "" {
		sso = auth.NewOIDC(auth.OIDCConfig{Issuer: o.Issuer, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Name: o.Name,
			RedirectURL: cfg.BaseURL + server.SSOCallbackPath, GroupRoles: o.GroupRoles}, time.Now)
		logger.Info("single sign-on offered", "issuer", o.Issuer, "client_id", o.ClientID, "group_roles", len(o.GroupRoles) > 0)
	}
	srv, err := server.New(server.Deps{Store: store.New(pool), Probe: store.New(probe), Replica: replica, ReplicaProbe: replicaProbe,
		Logger: logger, BaseURL: cfg.BaseURL, OwnerName: cfg.OwnerName, Contact: cfg.Contact, Sessions: sessions,
		RequestTimeout: cfg.RequestTimeout, ExportTimeout: cfg.ExportTimeout, MaxConcurrent: cfg.MaxConcurrent, MaxDownloads: cfg.MaxDownloads, Metrics: m,
		SearchRate: server.RateLimit(cfg.SearchRate), ExportRate: server.RateLimit(cfg.ExportRate), SignInRate: server.RateLimit(cfg.SignInRate),
		Blobs: blobs, DocumentMaxBytes: cfg.DocumentMaxBytes, PDF: pdf, TrustedProxies: cfg.TrustedProxies,
		ThreeSixtyPrefix: cfg.ThreeSixtyPrefix, Checkpoints: signer, Passwords: passwords, Mail: cfg.SMTPURL != "",
		Calendar: cfg.Calendar, SSO: sso})
	if err != nil {
		return err
	}
	if err := srv.PublishAssets(ctx); err != nil {
		return err
	}
	if cfg.MetricsAddr != "" {
		stopMetrics, err := serveMetrics(cfg.MetricsAddr, m, logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}
	// Deferred decisions are released in this process, under the server's clock; the work
	// stops, and is waited for, before the pool closes.
	releaseCtx, stopReleases := context.WithCancel(ctx)
	released := make(chan struct{})
	go func() {
		defer close(released)
		srv.ReleaseDeferred(releaseCtx, cfg.ReleaseInterval)
	}()
	reminded := make(chan struct{})
	go func() {
		defer close(reminded)
		srv.SendReminders(releaseCtx, cfg.ReminderInterval)
	}()
	planned := make(chan struct{})
	go func() {
		defer close(planned)
		srv.PublishPlans(releaseCtx, cfg.ReminderInterval, cfg.ForwardPlanDay)
	}()
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		if pdf != nil {
			srv.MakeSignedPDFs(releaseCtx, time.Minute)
		}
	}()
	// Checkpoints: checked hourly, signed when the newest is a day old.
	checkpointed := make(chan struct{})
	go func() {
		defer close(checkpointed)
		srv.SignCheckpoints(releaseCtx, time.Hour)
	}()
	// Stored files no document names (an upload refused after its bytes were kept) are
	// removed once a day old; checked hourly.
	swept := make(chan struct{})
	go func() {
		defer close(swept)
		srv.SweepBlobs(releaseCtx, time.Hour)
	}()
	// Alert subscriptions never confirmed are deleted 7 days on; checked hourly.
	forgotten := make(chan struct{})
	go func() {
		defer close(forgotten)
		srv.DeleteUnconfirmedAlerts(releaseCtx, time.Hour)
	}()
	// Notices go by e-mail from every instance: each is claimed by one.
	delivered := make(chan struct{})
	if cfg.SMTPURL == "" {
		close(delivered)
		logger.Warn("SMTP_URL is not set: notices are kept, and shown on \"Your work\", but no e-mail is sent")
	} else {
		logger.Info("notices are sent by e-mail", "smtp", notice.RedactSMTPURL(cfg.SMTPURL), "from", cfg.MailFrom)
		w := &notice.Worker{Store: store.New(pool), Mailer: notice.NewSMTP(cfg.SMTP, 30*time.Second, nil), From: cfg.MailFrom,
			BaseURL: cfg.BaseURL, Log: logger}
		go func() {
			defer close(delivered)
			w.Run(releaseCtx, cfg.NoticeInterval)
		}()
	}
	defer func() {
		stopReleases()
		<-released
		<-reminded
		<-planned
		<-delivered
		<-printed
		<-checkpointed
		<-swept
		<-forgotten
	}()
	// Requests get a context of their own, not ctx: a signal must let them finish, and only the
	// end of the shutdown timeout cancels them.
	requestsCtx, cancelRequests := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancelRequests(nil)
	httpServer, shutdownBegun := newHTTPServer(cfg, srv, logger, requestsCtx)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	logger.Info("serving", "addr", ln.Addr().String(), "url", cfg.BaseURL)

	errc := make(chan error, 1)
	go func() { errc <- httpServer.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	now, stopNow := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopNow()
	context.AfterFunc(now, stopNow)
	stopSignals()
	drain(now, srv, cfg.DrainDelay, logger)
	err = shutdown(now, httpServer, srv.InFlight, cancelRequests, cfg.ShutdownTimeout, logger)
	<-shutdownBegun // its log line comes before "stopped"
	if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	pool.Close() // waits for queries being cancelled, at most pgx's one-second cancel deadline
	logger.Info("stopped")
	return err
}

// prepareSchema migrates when MIGRATE_ON_START says so (one instance, as `make run` once did);
// otherwise migrations are a step of their own, `decisions migrate up`, run once before a new
// release starts, and serve only checks that the database is not behind.
func prepareSchema(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	if cfg.MigrateOnStart {
		logger.Info("migrating", "database", cfg.RedactedDatabaseURL())
		return store.Migrate(ctx, cfg.DatabaseURL)
	}
	have, want, err := store.CheckSchema(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	if have > want {
		logger.Info("the database has a newer release's migrations; this release runs on it until replaced",
			"database_version", have, "program_version", want)
	}
	return nil
}

// serveMetrics serves /metrics on a listener of its own, apart from the public site, until the
// returned function stops it.
func serveMetrics(addr string, m *metrics.Metrics, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for metrics on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	logger.Info("serving metrics", "addr", ln.Addr().String())
	go func() { _ = hs.Serve(ln) }()
	return func() { _ = hs.Close() }, nil
}

// openPools opens the requests' pool on the database at url (the primary, or the replica) and
// the readiness checks' own one-connection pool. A replica's pool is read-only even when the
// URL names a primary, so the public's reads can never write.
func openPools(ctx context.Context, url string, cfg config.Config, readOnly bool) (pool, probe *pgxpool.Pool, err error) {
	opts := store.PoolOptions{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.DBStatementTimeout, ReadOnly: readOnly}
	if pool, err = store.Open(ctx, url, opts); err != nil {
		return nil, nil, err
	}
	if probe, err = store.OpenProbe(ctx, url); err != nil {
		pool.Close()
		return nil, nil, err
	}
	return pool, probe, nil
}

// newHTTPServer builds the HTTP server. The channel closes once Shutdown has closed the listener,
// after logging that it has.
func newHTTPServer(cfg config.Config, srv *server.Server, logger *slog.Logger, requestsCtx context.Context) (*http.Server, <-chan struct{}) {
	hs := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv.Routes(),
		BaseContext:       func(net.Listener) context.Context { return requestsCtx },
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	begun := make(chan struct{})
	hs.RegisterOnShutdown(func() {
		logger.Info("shutting down: no new connections; finishing requests in flight", "timeout", cfg.ShutdownTimeout)
		close(begun)
	})
	return hs, begun
}

// drain makes /readyz answer 503 for delay before the shutdown begins, so a load balancer takes
// the instance out of rotation while it still answers everything else. It ends early when now
// does (a second signal).
func drain(now context.Context, srv *server.Server, delay time.Duration, logger *slog.Logger) {
	srv.Drain()
	if delay <= 0 {
		return
	}
	logger.Info("draining: /readyz answers 503 while requests are still served; a second signal stops at once", "delay", delay)
	select {
	case <-time.After(delay):
	case <-now.Done():
		logger.Warn("second signal: ending the drain")
	}
}

// shutdown stops accepting connections and waits up to timeout for requests in flight, or until
// now ends (a second signal); then it cancels the ones left, whose queries PostgreSQL stops, and
// closes their connections.
func shutdown(now context.Context, hs *http.Server, inFlight func() int64, cancelRequests context.CancelCauseFunc, timeout time.Duration, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(now, timeout)
	defer cancel()
	err := hs.Shutdown(ctx)
	var why string
	switch {
	case err != nil && inFlight() == 0:
		// Cut short with no request running: only idle connections were left to close.
		return hs.Close()
	case errors.Is(err, context.Canceled):
		why = "on a second signal"
		logger.Warn("second signal: cancelling the requests still in flight")
	case errors.Is(err, context.DeadlineExceeded):
		why = "after " + timeout.String()
		logger.Warn("shutdown timeout: cancelling the requests still in flight", "timeout", timeout)
	default:
		return err
	}
	err = fmt.Errorf("shutdown: requests still in flight %s were cancelled", why)
	cancelRequests(err) // the cause each cancelled request logs
	if closeErr := hs.Close(); closeErr != nil {
		return fmt.Errorf("shutdown: %w", closeErr)
	}
	return err
}
