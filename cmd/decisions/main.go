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
	"os/signal"
	"syscall"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

func main() {
	if err := run(context.Background(), os.Args, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "decisions:", err)
		os.Exit(1)
	}
}

const usage = `Usage: decisions [command]

Commands:
  serve            migrate the database, then serve the register (the default)
  migrate up       apply every migration
  migrate down     undo every migration
  migrate version  print the database's migration version

Environment:
`

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cmd := "serve"
	if len(args) > 1 {
		cmd = args[1]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" || (len(args) > 2 && (args[2] == "--help" || args[2] == "-h")) {
		printUsage(stdout)
		return nil
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logger := newLogger(cfg, stdout)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, logger)
	case "migrate":
		sub := "up"
		if len(args) > 2 {
			sub = args[2]
		}
		return migrate(cfg, sub, stdout)
	}
	printUsage(stdout)
	return fmt.Errorf("unknown command %q", cmd)
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	for _, v := range config.Vars {
		fmt.Fprintf(w, "  %-17s %s (default %q)\n", v.Name, v.Help, v.Default)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func migrate(cfg config.Config, sub string, stdout io.Writer) error {
	switch sub {
	case "up":
		return store.Migrate(cfg.DatabaseURL)
	case "down":
		return store.MigrateDown(cfg.DatabaseURL)
	case "version":
		v, dirty, err := store.MigrationVersion(cfg.DatabaseURL)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "version %d dirty=%t\n", v, dirty)
		return nil
	}
	return fmt.Errorf("unknown migrate command %q: use up, down or version", sub)
}

func serve(ctx context.Context, cfg config.Config, logger *slog.Logger) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	logger.Info("migrating", "database", cfg.RedactedDatabaseURL())
	if err := store.Migrate(cfg.DatabaseURL); err != nil {
		return err
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()

	sessions := auth.NewSessions(pool, auth.SessionConfig{IdleTimeout: cfg.SessionIdle, Lifetime: cfg.SessionLifetime,
		Secure: cfg.SecureCookies(), CleanupInterval: 5 * time.Minute})
	srv, err := server.New(server.Deps{Store: store.New(pool), Logger: logger, BaseURL: cfg.BaseURL, OwnerName: cfg.OwnerName,
		Sessions: sessions})
	if err != nil {
		return err
	}
	// Deferred decisions are released in this process, under the server's clock; the work
	// stops, and is waited for, before the pool closes.
	releaseCtx, stopReleases := context.WithCancel(ctx)
	released := make(chan struct{})
	go func() {
		defer close(released)
		srv.ReleaseDeferred(releaseCtx, time.Minute)
	}()
	defer func() {
		stopReleases()
		<-released
	}()
	httpServer := &http.Server{
		Addr:              cfg.Addr,
		Handler:           srv.Routes(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
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
	logger.Info("shutting down: finishing requests in flight", "timeout", cfg.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := httpServer.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}
