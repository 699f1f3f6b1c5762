// Package testsite serves the register's real routes, on a fresh migrated database, over HTTP on
// loopback: the one way handler, browser and benchmark tests stand up the site.
package testsite

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

// BaseURL is the public address the test site believes it has; it appears on printed pages.
const BaseURL = "http://localhost:8080"

// Site is a running test site.
type Site struct {
	URL     string // where the test server listens
	Pool    *pgxpool.Pool
	Handler http.Handler
}

// New starts a site on its own database; both are gone when the test ends.
func New(t testing.TB) *Site {
	t.Helper()
	pool := dbtest.New(t)
	srv, err := server.New(server.Deps{
		Store:     store.New(pool),
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL:   BaseURL,
		OwnerName: "Mayor’s Office for Policing and Crime",
		Contact:   config.DefaultContact,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Routes()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Site{URL: ts.URL, Pool: pool, Handler: h}
}
