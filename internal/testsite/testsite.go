// Package testsite serves the register's real routes, on a fresh migrated database, over HTTP on
// loopback: the one way handler, browser and benchmark tests stand up the site.
package testsite

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

// BaseURL is the public address the test site believes it has; it appears on printed pages.
const BaseURL = "http://localhost:8080"

// Site is a running test site.
type Site struct {
	URL     string        // where the test server listens
	Pool    *pgxpool.Pool // the requests' pool
	Probe   *pgxpool.Pool // the readiness checks' one connection
	Server  *server.Server
	Handler http.Handler
}

// Options change the site from the defaults a test needs least often.
type Options struct {
	RequestTimeout time.Duration // zero: no per-request deadline
	MaxConns       int32         // zero: pgxpool's default
}

// New starts a site on its own database; both are gone when the test ends.
func New(t testing.TB) *Site {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith starts a site with options.
func NewWith(t testing.TB, o Options) *Site {
	t.Helper()
	url := dbtest.URL(t)
	pool, err := store.Open(context.Background(), url, store.PoolOptions{MaxConns: o.MaxConns})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	probe, err := store.OpenProbe(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(probe.Close)
	srv, err := server.New(server.Deps{
		Store:          store.New(pool),
		Probe:          store.New(probe),
		Logger:         Logger(t),
		BaseURL:        BaseURL,
		OwnerName:      "Mayor’s Office for Policing and Crime",
		RequestTimeout: o.RequestTimeout,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Routes()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Site{URL: ts.URL, Pool: pool, Probe: probe, Server: srv, Handler: h}
}

// Logger writes to the test's own output, shown when the test fails, so a 500 in a test shows
// its cause. Benchmarks log errors only: a line per request would swamp them.
func Logger(t testing.TB) *slog.Logger {
	level := slog.LevelInfo
	if _, ok := t.(*testing.B); ok {
		level = slog.LevelError
	}
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: level}))
}
