// Package testsite serves the register's real routes, on a fresh migrated database, over HTTP on
// loopback: the one way handler, browser and benchmark tests stand up the site. It also makes
// staff accounts and signed-in clients, and holds the clock the site tells time by.
package testsite

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/auth/authtest"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/checkpoint"
	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/document"
	"github.com/decision-register/decisions/internal/metrics"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

// BaseURL is the public address the test site believes it has; it appears on printed pages.
const BaseURL = "http://localhost:8080"

// Password is every test user's password.
const Password = "correct horse battery staple"

// Site is a running test site.
type Site struct {
	URL  string        // where the test server listens
	Pool *pgxpool.Pool // the requests' pool
	// Replica is the public's reads' pool (server.Deps.Replica): a second pool on the same
	// database whose transactions are read-only, so a public path that writes fails as it would
	// on a real replica. Nil with Options.PrimaryReads.
	Replica *pgxpool.Pool
	Probe   *pgxpool.Pool // the readiness checks' one connection
	Server  *server.Server
	Store   *store.Store
	Handler http.Handler
	Clock   *Clock
	Blobs   *blobstore.Store // the documents' bytes, in a directory of the test's own
	Metrics *metrics.Metrics // what the site counts; serve Metrics.Handler() to scrape it
	// BaseURL is the public address the site believes it has (Options.BaseURL).
	BaseURL string
}

// Options change the site from the defaults a test needs least often.
type Options struct {
	RequestTimeout time.Duration // zero: no per-request deadline
	MaxConns       int32         // zero: pgxpool's default
	// DocumentMaxBytes is the largest document a drafter may attach; zero: the default, 25 MB.
	DocumentMaxBytes int64
	MaxConcurrent    int // zero: no bound on requests handled at once
	MaxDownloads     int // zero: no bound on downloads streamed at once
	// SearchRate and ExportRate are per-client limits; zero: none, so tests can make as many
	// requests as they like.
	SearchRate, ExportRate server.RateLimit
	// SignInRate limits each client's sign-in attempts; zero: none.
	SignInRate server.RateLimit
	// Log, when set, also receives the site's log, as JSON lines, for tests that read it.
	Log io.Writer
	// DatabaseURL is a database to serve instead of a fresh one (a fault test's own cluster).
	DatabaseURL    string
	TrustedProxies []netip.Prefix
	// BaseURL is the public address the site believes it has; empty for BaseURL. An https
	// one makes cookies Secure and sends Strict-Transport-Security, as in production.
	BaseURL     string
	Checkpoints *checkpoint.Signer // signs checkpoints of the audit chain; nil for none
	// PrimaryReads sends the public's reads to the requests' pool, as with no DATABASE_READ_URL;
	// by default they go to a read-only pool of their own (Site.Replica).
	PrimaryReads bool
	// SessionIdle signs staff out after this long without a request; zero: an hour.
	SessionIdle time.Duration
	// SSO offers single sign-on with this provider; its RedirectURL is filled in with the
	// site's own address. Nil for none.
	SSO *auth.OIDCConfig
	// LocalhostBase makes BaseURL the listener's own address by the name localhost
	// (http://localhost:PORT), for browser tests of passkeys: a passkey is bound to BASE_URL's
	// host, which must be a domain (browsers refuse 127.0.0.1), and the browser opens the site there.
	LocalhostBase bool
}

// New starts a site on its own database; both are gone when the test ends.
func New(t testing.TB) *Site {
	t.Helper()
	return NewWith(t, Options{})
}

// NewWith starts a site with options.
func NewWith(t testing.TB, o Options) *Site {
	t.Helper()
	url := o.DatabaseURL
	if url == "" {
		url = dbtest.URL(t)
	}
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
	var replica *pgxpool.Pool
	if !o.PrimaryReads {
		replica, err = store.Open(context.Background(), url, store.PoolOptions{MaxConns: o.MaxConns, ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(replica.Close)
	}
	blobs, err := blobstore.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	clock := &Clock{now: time.Now()}
	base := o.BaseURL
	if base == "" {
		base = BaseURL
	}
	st := store.New(pool)
	logger := Logger(t)
	if o.Log != nil {
		logger = slog.New(slog.NewMultiHandler(logger.Handler(), slog.NewJSONHandler(o.Log, nil)))
	}
	m := metrics.New()
	m.WatchPool("requests", pool)
	m.WatchPool("probe", probe)
	var reads *store.Store
	if replica != nil {
		m.WatchPool("replica", replica)
		reads = store.New(replica)
	}
	// The listener comes first: single sign-on's redirect URL is the site's own address.
	ts := httptest.NewUnstartedServer(nil)
	siteURL := "http://" + ts.Listener.Addr().String()
	if o.LocalhostBase {
		_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
		base = "http://localhost:" + port
	}
	var sso *auth.OIDC
	if o.SSO != nil {
		c := *o.SSO
		c.RedirectURL = siteURL + server.SSOCallbackPath
		sso = auth.NewOIDC(c, clock.Now)
	}
	srv, err := server.New(server.Deps{
		SSO:     sso,
		Store:   st,
		Replica: reads,
		Probe:   store.New(probe),
		Sessions: auth.NewSessions(pool, auth.SessionConfig{IdleTimeout: cmp.Or(o.SessionIdle, time.Hour), Lifetime: 12 * time.Hour,
			Secure: strings.HasPrefix(base, "https://")}),
		Logger:           logger,
		BaseURL:          base,
		OwnerName:        "Mayor’s Office for Policing and Crime",
		Clock:            clock.Now,
		Contact:          config.DefaultContact,
		RequestTimeout:   o.RequestTimeout,
		Blobs:            blobs,
		DocumentMaxBytes: o.DocumentMaxBytes,
		MaxConcurrent:    o.MaxConcurrent,
		MaxDownloads:     o.MaxDownloads,
		SearchRate:       o.SearchRate,
		ExportRate:       o.ExportRate,
		SignInRate:       o.SignInRate,
		Metrics:          m,
		TrustedProxies:   o.TrustedProxies,
		Checkpoints:      o.Checkpoints,
		Passwords:        authtest.Passwords,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Routes()
	ts.Config.Handler = h
	ts.Start()
	t.Cleanup(ts.Close)
	return &Site{URL: ts.URL, BaseURL: base, Pool: pool, Replica: replica, Probe: probe, Server: srv, Store: st, Handler: h, Clock: clock, Blobs: blobs, Metrics: m}
}

// Clock is the site's clock, which tests move.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now tells the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var passwordHash = sync.OnceValue(func() string {
	h, err := authtest.HashPassword(Password)
	if err != nil {
		panic(err)
	}
	return h
})

// User adds an active member of staff whose password is Password.
func (s *Site) User(t testing.TB, email, name string, g store.Grants) store.User {
	t.Helper()
	ctx := context.Background()
	id, err := s.Store.CreateUser(ctx, store.System(s.Clock.Now()), email, name, passwordHash(), g)
	if err != nil {
		t.Fatalf("add user %s: %v", email, err)
	}
	u, err := s.Store.UserByID(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Client is an HTTP client with its own cookies that never follows redirects, so tests see
// each response as it is. With an email, it has signed in as that user.
func (s *Site) Client(t testing.TB, email string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if email == "" {
		return c
	}
	form := url.Values{"email": {email}, "password": {Password}}
	resp, err := c.Post(s.URL+"/sign-in", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("sign in as %s: %v", email, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as %s = %d, want 303", email, resp.StatusCode)
	}
	return c
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

// Attach stores body as a supporting document of the decision with slug, straight to the blob
// store and the database (no drafting journey, no edit), for tests that need a decision with
// documents. The database still refuses it on a signed decision.
func (s *Site) Attach(t testing.TB, slug, name string, body []byte) document.File {
	t.Helper()
	f, err := s.ingest(context.Background(), s.Pool, slug, name, body)
	if err != nil {
		t.Fatalf("attach %s to %s: %v", name, slug, err)
	}
	return f
}

func (s *Site) ingest(ctx context.Context, db interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, slug, name string, body []byte) (document.File, error) {
	f, err := document.Ingest(ctx, s.Blobs, bytes.NewReader(body), document.DefaultMaxBytes)
	if err != nil {
		return document.File{}, err
	}
	_, err = db.Exec(ctx, `
INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, extracted_text, added_at)
SELECT d.id, coalesce((SELECT max(position) FROM documents WHERE decision_id = d.id), 0) + 1, 'supporting', $2, $3, $4, $5, $6, $7
FROM decisions d WHERE d.slug = $1`, slug, name, f.MediaType, f.Size, f.SHA256, f.Text, s.Clock.Now())
	return f, err
}

// Doc is a supporting document for Published.
type Doc struct {
	Name string
	Body []byte
}

// Published adds a published decision with a title, a summary and docs, signed as a decision
// signed before the register existed, in one transaction (its documents cannot be added once it
// is signed); it returns the slug and the documents as stored.
func (s *Site) Published(t testing.TB, number int, title string, docs ...Doc) (string, []document.File) {
	t.Helper()
	ctx := context.Background()
	slug := "pcd-" + strconv.Itoa(number)
	var files []document.File
	dbtest.Publish(t, s.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed)
VALUES ('PCD', $1::integer, 'PCD ' || $1::integer::text, $2, $3, 'A decision made for a test.', 'published', '2026-11-02')`, number, slug, title)
		for _, d := range docs {
			if err != nil {
				break
			}
			var f document.File
			if f, err = s.ingest(ctx, tx, slug, d.Name, d.Body); err == nil {
				files = append(files, f)
			}
		}
		return err
	})
	return slug, files
}

// AwaitingDecision makes PCD decision number, awaiting sign-off, with a recommendation, a
// Part I section, a Part II section holding partTwo, a funding line and its drafters, straight
// in SQL (drafting has its own pages), and returns its slug.
func AwaitingDecision(t testing.TB, pool *pgxpool.Pool, number int, partTwo string, drafters ...int64) string {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := pool.QueryRow(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status)
VALUES ('PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, 'Violence reduction grant ' || $1::text,
	'To accept a grant.', 'awaiting_signoff')
RETURNING id`, number).Scan(&id)
	if err != nil {
		t.Fatalf("insert decision: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO recommendations (decision_id, position, body) VALUES ($1, 1, 'Accept the grant of £2,755,000.')`,
		`INSERT INTO sections (decision_id, part, position, kind, heading, body) VALUES
			($1, 1, 1, 'introduction_and_background', 'Introduction and background', 'The public reasons.'),
			($1, 2, 1, 'other', 'Confidential facts and advice', $2)`,
		`INSERT INTO funding_lines (decision_id, position, amount_pence, kind, label) VALUES ($1, 1, 275500000, 'grant_accepted', 'Home Office grant')`,
	} {
		args := []any{id}
		if strings.Contains(q, "$2") {
			args = append(args, partTwo)
		}
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("insert content: %v", err)
		}
	}
	for _, d := range drafters {
		if _, err := pool.Exec(ctx, `INSERT INTO decision_drafters (decision_id, user_id) VALUES ($1, $2)`, id, d); err != nil {
			t.Fatalf("insert drafter: %v", err)
		}
	}
	return fmt.Sprintf("pcd-%d", number)
}

// SecondStore is a store over a pool of its own on the site's database, as a second server
// instance would have.
func SecondStore(t testing.TB, s *Site) *store.Store {
	t.Helper()
	pool, err := store.Open(context.Background(), s.Pool.Config().ConnString(), store.PoolOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return store.New(pool)
}
