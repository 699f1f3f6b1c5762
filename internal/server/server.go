// Package server owns the register's HTTP side: routes, middleware, handlers, and turning
// errors into error pages. It knows nothing of SQL text; the store does.
package server

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/layout"
	"github.com/decision-register/decisions/web/static"
)

// Deps are what the server needs from outside.
type Deps struct {
	Store *store.Store
	// Probe answers readiness checks on a connection of its own, so a pool busy with requests
	// never makes a healthy instance look unready. Nil means Store, for tests that do not care.
	Probe     *store.Store
	Logger    *slog.Logger
	BaseURL   string // the site's public address, without a trailing slash
	OwnerName string
	// RequestTimeout bounds each request; zero means no bound.
	RequestTimeout time.Duration
}

// Server serves the register's pages.
type Server struct {
	store          *store.Store
	probe          *store.Store
	log            *slog.Logger
	baseURL        string
	ownerName      string
	requestTimeout time.Duration
	assets         *assets
	draining       atomic.Bool
}

// New builds a server, fingerprinting the embedded static files.
func New(d Deps) (*Server, error) {
	a, err := loadAssets(static.FS)
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	probe := d.Probe
	if probe == nil {
		probe = d.Store
	}
	return &Server{store: d.Store, probe: probe, log: d.Logger, baseURL: d.BaseURL, ownerName: d.OwnerName,
		requestTimeout: d.RequestTimeout, assets: a}, nil
}

// Drain makes /readyz answer 503 from now on, so a load balancer stops sending requests before
// the server shuts down. Everything else keeps answering.
func (s *Server) Drain() {
	s.draining.Store(true)
}

// page fills in the shell's values for a page at path.
func (s *Server) page(title, nav, path string) layout.Page {
	return layout.Page{
		Title:     title,
		Assets:    layout.Assets{CSS: s.assets.url("app.css"), JS: s.assets.url("app.js"), Favicon: s.assets.url("favicon.svg")},
		Nav:       nav,
		OwnerName: s.ownerName,
		URL:       s.baseURL + path,
	}
}
