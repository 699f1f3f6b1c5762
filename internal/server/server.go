// Package server owns the register's HTTP side: routes, middleware, handlers, and turning
// errors into error pages. It knows nothing of SQL text; the store does.
package server

import (
	"cmp"
	"context"
	"fmt"
	"github.com/decision-register/decisions/internal/workday"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the date printed on paper is London's, whatever the host's zone files

	"github.com/alexedwards/scs/v2"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/decision-register/decisions/internal/admission"
	"github.com/decision-register/decisions/internal/api"
	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/document"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/metrics"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/threesixty"
	"github.com/decision-register/decisions/web/layout"
	"github.com/decision-register/decisions/web/pages"
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
	Contact   string // how to reach the owner: an email address or a web address
	Sessions  *scs.SessionManager
	// Clock tells the time wherever time decides something (publication, throttling, the
	// date on printed pages); nil means the system clock.
	Clock func() time.Time
	// RequestTimeout bounds each request; zero means no bound.
	RequestTimeout time.Duration
	// MaxConcurrent bounds the requests handled at once (see admit); zero means no bound.
	MaxConcurrent int
	// MaxDownloads bounds the exports streamed at once, apart from MaxConcurrent; zero means
	// no bound.
	MaxDownloads int
	// SearchRate and ExportRate limit each client's searches, API calls and verifications, and
	// its CSV and Atom downloads; zero values mean no limit.
	SearchRate, ExportRate RateLimit
	// SignInRate limits each client's POSTs to /sign-in, right or wrong; zero means no limit.
	SignInRate RateLimit
	// Metrics counts requests, sign-off actions and refusals; nil makes a set nobody serves.
	Metrics *metrics.Metrics
	// ExportTimeout bounds a download instead (see isExport); zero means RequestTimeout.
	ExportTimeout time.Duration
	// ThreeSixtyPrefix starts the 360Giving exports' identifiers; "" is threesixty.DefaultPrefix.
	ThreeSixtyPrefix string
	// Blobs keeps documents' bytes under their SHA-256. Nil only in tests that touch no
	// document: attaching or downloading one is then an error.
	Blobs *blobstore.Store
	// DocumentMaxBytes is the largest document a drafter may attach; zero means
	// document.DefaultMaxBytes.
	DocumentMaxBytes int64
	// PDF prints signed decision documents; nil leaves them waiting (see MakeSignedPDFs).
	PDF PDFRenderer

	// Replica serves what anyone may read (public pages, search, exports, the API) to people
	// not signed in: a streaming replica's pool, say. Nil means Store.
	Replica *store.Store
	// ReplicaProbe checks the replica for readiness, as Probe does the primary; nil when there
	// is no replica.
	ReplicaProbe *store.Store
	// TrustedProxies are the networks whose X-Forwarded-For and X-Request-Id are believed.
	TrustedProxies []netip.Prefix
	// Checkpoints signs checkpoints of the audit chain; nil signs none.
	Checkpoints *checkpoint.Signer
	// Passwords hashes the passwords people set and checks sign-ins; nil means auth.Production.
	// Tests pass a cheap one (authtest.Passwords), so the accounts they make cost microseconds.
	Passwords *auth.Passwords
	// Mail says notices are sent by e-mail (SMTP_URL is set); without it they are only kept
	// and shown on "Your work".
	Mail bool
	// Calendar counts working days for the clock on every step; nil is the shipped calendar.
	Calendar *workday.Calendar
	// SSO signs staff in with an OpenID provider; nil offers passwords only.
	SSO *auth.OIDC
}

// PDFRenderer prints the signed decision document (signedpdf.Renderer does, with Chromium).
type PDFRenderer interface {
	Render(ctx context.Context, p pages.SignedDocumentProps) ([]byte, error)
}

// Server serves the register's pages.
type Server struct {
	store          *store.Store
	replica        *store.Store
	probe          *store.Store
	replicaProbe   *store.Store
	trustedProxies clientid.Proxies
	log            *slog.Logger
	baseURL        string
	ownerName      string
	contact        string
	now            func() time.Time
	requestTimeout time.Duration
	exportTimeout  time.Duration
	threeSixty     threesixty.Builder
	assets         *assets
	sessions       *scs.SessionManager
	draining       atomic.Bool
	inFlight       atomic.Int64  // requests being handled now
	lastReset      atomic.Int64  // when the pools were last reset (resetPools), in Unix nanoseconds
	passwordChecks chan struct{} // a slot per password check running
	compressor     *compressor
	metrics        *metrics.Metrics
	gate           *admission.Gate // the requests and downloads handled at once, when bounded
	searchRate     RateLimit
	exportRate     RateLimit
	signInRate     RateLimit
	pages          *httpcache.Pages[pageKey] // public decision pages, while the register has not changed
	states         *stateReads               // the register's state, read for many public requests at once
	api            *api.API
	// build names this program, so a deploy changes every page's ETag (see cache.go).
	build   string
	started time.Time
	// blobs holds documents' bytes; maxDocument is the largest a drafter may attach.
	blobs       *blobstore.Store
	maxDocument int64
	pdf         PDFRenderer
	signed      chan struct{} // a decision was signed here: its document is due
	signer      *checkpoint.Signer
	hsts        bool // the site is served over HTTPS: tell browsers never to use plain HTTP
	passwords   *auth.Passwords
	mail        bool // notices are e-mailed
	// calendar is the configured working-day calendar; holidays the one in force, with the
	// newest uploaded bank-holiday file over it (see calendarNow).
	calendar *workday.Calendar
	holidays struct {
		sync.Mutex
		version int64
		cal     *workday.Calendar
	}
	sso *auth.OIDC // single sign-on; nil when there is no provider
	// passkeys is the WebAuthn relying party, for BASE_URL's host and origin.
	passkeys *webauthn.WebAuthn
	csp      string // the pages' Content-Security-Policy
}

// maxPasswordChecks bounds the argon2id checks running at once (64 MiB each).
const maxPasswordChecks = 4

// New builds a server, fingerprinting the embedded static files.
func New(d Deps) (*Server, error) {
	a, err := loadAssets(static.FS)
	if err != nil {
		return nil, fmt.Errorf("load static files: %w", err)
	}
	if d.Sessions == nil {
		return nil, fmt.Errorf("server: no session manager")
	}
	maxDocument := d.DocumentMaxBytes
	if maxDocument <= 0 {
		maxDocument = document.DefaultMaxBytes
	}
	now := d.Clock
	if now == nil {
		now = time.Now
	}
	comp, err := newCompressor()
	if err != nil {
		return nil, err
	}
	pages, err := httpcache.NewPages[pageKey](httpcache.PagesBytes, httpcache.PagesMaxAge)
	if err != nil {
		return nil, err
	}
	probe, replica := d.Probe, d.Replica
	if probe == nil {
		probe = d.Store
	}
	if replica == nil {
		replica = d.Store
	}
	prefix := d.ThreeSixtyPrefix
	if prefix == "" {
		prefix = threesixty.DefaultPrefix
	}
	m := d.Metrics
	if m == nil {
		m = metrics.New()
	}
	passwords := d.Passwords
	if passwords == nil {
		passwords = auth.Production
	}
	s := &Server{store: d.Store, replica: replica, probe: probe, replicaProbe: d.ReplicaProbe, trustedProxies: d.TrustedProxies,
		log: d.Logger, baseURL: d.BaseURL, ownerName: d.OwnerName, contact: d.Contact, now: now,
		requestTimeout: d.RequestTimeout, exportTimeout: d.ExportTimeout, assets: a, sessions: d.Sessions,
		passwords: passwords, passwordChecks: make(chan struct{}, maxPasswordChecks), compressor: comp, build: buildID(a), started: time.Now(),
		pages: pages, metrics: m, gate: admission.NewGate(d.MaxConcurrent, d.MaxDownloads),
		searchRate: d.SearchRate, exportRate: d.ExportRate, signInRate: d.SignInRate, blobs: d.Blobs, maxDocument: maxDocument,
		pdf: d.PDF, signed: make(chan struct{}, 1),
		threeSixty: threesixty.Builder{Prefix: prefix, BaseURL: d.BaseURL},
		signer:     d.Checkpoints, hsts: strings.HasPrefix(d.BaseURL, "https://"), mail: d.Mail,
		calendar: cmp.Or(d.Calendar, workday.Published()), sso: d.SSO}
	s.states = &stateReads{now: now, read: func(ctx context.Context, at time.Time, slugs []string) (store.RegisterState, map[string]string, error) {
		return s.replica.RegisterStates(ctx, at, slugs)
	}}
	// A BASE_URL whose host is no domain (an IP address) can have no passkeys: the rest of the
	// site works, and the passkey routes answer 404.
	if pk, err := auth.NewPasskeys(d.BaseURL, cmp.Or(d.OwnerName, "Decision Register")); err == nil {
		s.passkeys = pk
	} else if d.Logger != nil {
		d.Logger.Warn("passkeys are off: BASE_URL's host is not a domain", "err", err)
	}
	s.csp = contentSecurityPolicy
	if s.sso != nil && s.sso.Origin() != "" {
		// Browsers check form-action on a form's redirects too: starting single sign-on and
		// signing out of it are forms the register sends on to the provider.
		s.csp = strings.Replace(s.csp, "form-action 'self'", "form-action 'self' "+s.sso.Origin(), 1)
	}
	s.api = api.New(api.Deps{BaseURL: d.BaseURL, Log: d.Logger, NotModified: s.exportNotModified, ServeError: s.serveError,
		Reader: func(r *http.Request) (*store.Store, store.Access) { return s.reader(r), s.access(r) }})
	// A session that cannot be loaded or saved (the database is down) gets the same page as
	// any other failure, a 503 saying to try again, not scs's bare 500.
	d.Sessions.ErrorFunc = s.serveError
	return s, nil
}

// InFlight is how many requests are being handled now.
func (s *Server) InFlight() int64 { return s.inFlight.Load() }

// Admitted is how many requests are past the bound on requests handled at once (see admit).
func (s *Server) Admitted() int { return s.gate.Admitted() }

// Downloading is how many downloads hold a slot of their own budget (see admit).
func (s *Server) Downloading() int { return s.gate.Downloading() }

// Drain makes /readyz answer 503 from now on, so a load balancer stops sending requests before
// the server shuts down. Everything else keeps answering.
func (s *Server) Drain() {
	s.draining.Store(true)
}

// page fills in the shell's values for a page at path, for the person asking.
func (s *Server) page(r *http.Request, title, nav, path string) layout.Page {
	p := layout.Page{
		Title:     title,
		Assets:    layout.Assets{CSS: s.assets.url("app.css"), JS: s.assets.url("app.js"), Favicon: s.assets.url("favicon.svg")},
		Nav:       nav,
		OwnerName: s.ownerName,
		URL:       s.baseURL + path,
		Printed:   s.now().In(london()).Format(dateLayout),
		StaffOnly: r.Context().Value(staffOnlyKey{}) != nil,
	}
	if u := userFrom(r); u != nil {
		p.UserName = u.Name
		p.Admin = u.Has("admin")
		p.IdleSeconds = int(s.sessions.IdleTimeout / time.Second)
	}
	return p
}

// reader is the store that answers the person asking's reads. The public's go to the replica,
// which may lag the primary by a moment: harmless for pages anyone may read, and it keeps them
// up while the primary restarts. Staff read the primary, so they always see their own writes,
// and every write goes there.
func (s *Server) reader(r *http.Request) *store.Store {
	if userFrom(r) == nil {
		return s.replica
	}
	return s.store
}

// access is what the person asking may read.
func (s *Server) access(r *http.Request) store.Access {
	if u := userFrom(r); u != nil {
		return store.Staff(u.ID, s.now())
	}
	return store.Public(s.now())
}
