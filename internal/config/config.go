// Package config owns the service's settings: read once from the environment, with defaults
// that work on a developer's machine, and checked in one pass.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/threesixty"
	"github.com/decision-register/decisions/internal/workday"
)

// ErrNoDatabaseURL means DATABASE_URL is unset. It has no default: each clone's private cluster
// has a port of its own (.ci/devdb), so any fixed default could name another clone's database.
var ErrNoDatabaseURL = errors.New("DATABASE_URL is not set: `make run` sets it for the private cluster, or run `.ci/devdb url`")

// DefaultContact is the public page of the Mayor’s Office for Policing and Crime, which links
// to its contact details.
const DefaultContact = "https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/about-mayors-office-policing-and-crime-mopac"

// The values of SIGNED_PDF_WORKER.
const (
	SignedPDFInServer = "in-server"
	SignedPDFExternal = "external"
)

// Config is the service's settings.
type Config struct {
	DatabaseURL     string
	Addr            string
	BaseURL         string
	OwnerName       string
	Contact         string
	LogLevel        slog.Level
	LogFormat       string
	ShutdownTimeout time.Duration
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	DrainDelay      time.Duration
	RequestTimeout  time.Duration
	ExportTimeout   time.Duration
	// DBMaxConns and DBStatementTimeout are zero when DATABASE_URL's own setting applies.
	DBMaxConns         int32
	DBStatementTimeout time.Duration
	// ThreeSixtyPrefix starts the identifiers of the 360Giving exports.
	ThreeSixtyPrefix string
	// ChromiumPath is the browser that prints signed decision documents; "" looks on the PATH.
	ChromiumPath string
	PDFTimeout   time.Duration
	// SignedPDFWorker says who prints them: "in-server", each serve process in the
	// background, or "external", only `decisions signed-pdf --worker` processes.
	SignedPDFWorker string
	// DocumentsURL is where documents' bytes are kept: a directory, a file:// URL, or an s3://
	// URL (in a binary built with -tags s3).
	DocumentsURL     string
	DocumentMaxBytes int64
	// CheckpointKeyFile is the private key that signs checkpoints of the audit chain; empty
	// for none.
	CheckpointKeyFile string
	// MetricsAddr is where Prometheus metrics are served; empty for nowhere.
	MetricsAddr   string
	MaxConcurrent int
	// MaxDownloads bounds the exports streaming at once, apart from MaxConcurrent, so slow
	// downloads (each up to ExportTimeout) cannot take the slots pages need.
	MaxDownloads int
	// SearchRate and ExportRate are per-client limits; zero Requests for none.
	SearchRate, ExportRate Rate
	// SignInRate limits each client's sign-in attempts; zero Requests for none.
	SignInRate Rate
	// DatabaseReadURL is a read replica for the public's reads; empty means DatabaseURL.
	DatabaseReadURL string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For and X-Request-Id count.
	TrustedProxies []netip.Prefix
	// ReleaseInterval is how often deferred decisions whose time has come are released.
	ReleaseInterval time.Duration
	// MigrateOnStart makes serve apply migrations first, for a single instance.
	MigrateOnStart bool
	// Calendar is the working-day calendar: the shipped bank holidays, overridden by
	// BANK_HOLIDAYS_FILE.
	Calendar *workday.Calendar
	// ReminderInterval is how often each instance looks for reminders due.
	ReminderInterval time.Duration
	// ForwardPlanDay is the day of the month (London, 1 to 28) the forward plan is published
	// by the schedule; 0 turns the schedule off.
	ForwardPlanDay int
	// SMTPURL is where notices are sent; empty keeps them (shown on "Your work") unsent.
	SMTPURL string
	SMTP    notice.SMTPConfig
	// MailFrom is the From of every notice.
	MailFrom string
	// NoticeInterval is how often each instance looks for notices due (retries, digests),
	// besides being woken by each new notice.
	NoticeInterval time.Duration
	// OIDC is single sign-on with an OpenID provider; its Issuer is "" when there is none.
	OIDC OIDC
}

// OIDC is single sign-on's settings (docs/sso.md).
type OIDC struct {
	Issuer, ClientID, ClientSecret string
	// Name is the provider's name on the sign-in page's button.
	Name string
	// GroupRoles maps a provider group to a register role; nil when off.
	GroupRoles map[string]string
}

// Rate is a number of requests per window, read from "N/DURATION" such as "120/1m", or "off".
type Rate struct {
	Requests int
	Window   time.Duration
}

// ParseRate reads a rate: "120/1m" is 120 requests a minute; "off" (or "0") is no limit.
func ParseRate(v string) (Rate, error) {
	if v == "off" || v == "0" {
		return Rate{}, nil
	}
	n, w, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(n)
	window, werr := time.ParseDuration(w)
	if !ok || err != nil || werr != nil || count < 1 || window < time.Second {
		return Rate{}, fmt.Errorf("%q is not a rate like 120/1m (a number of requests, at least 1, per a duration of at least 1s) or off", v)
	}
	return Rate{Requests: count, Window: window}, nil
}

// SecureCookies reports whether the site is served over HTTPS, so cookies must be too.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// baseFromAddr is the address a browser on this machine reaches ADDR at, so that a server
// started with only ADDR=:9090 still prints links (paper copies, notices) that work. A port
// chosen by the kernel (":0") is not known yet: the default stands.
func baseFromAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "0" || port == "" {
		return varDefault("BASE_URL")
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	if port == "80" {
		return "http://" + host
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Var documents one environment variable. One with no Default is required.
type Var struct {
	Name, Default, Help string
}

// Vars lists every setting, for `decisions serve --help` and the README.
var Vars = []Var{
	{"DATABASE_URL", "", "PostgreSQL connection URL, required: `make run` and `make test` set it for this clone's private cluster, `.ci/devdb url` prints it"},
	{"ADDR", ":8080", "address the HTTP server listens on"},
	{"BASE_URL", "http://localhost:8080", "the public address of the site, printed on paper copies and in notices, and whose host passkeys are bound to; unset, http://localhost with ADDR's port (and host, when ADDR names one)"},
	{"OWNER_NAME", "Mayor’s Office for Policing and Crime", "the public body that keeps the register"},
	{"CONTACT", DefaultContact, "how to contact the owner, named in the accessibility statement: an email address or an https:// address"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text for people, json for log collectors"},
	{"SHUTDOWN_TIMEOUT", "20s", "how long a shutdown waits for requests in flight before cancelling them"},
	{"DRAIN_DELAY", "5s", "how long /readyz answers 503 before a shutdown begins, so load balancers stop sending requests"},
	{"REQUEST_TIMEOUT", "10s", "the longest a request may take; its database queries are cancelled then"},
	{"EXPORT_TIMEOUT", "2m", "the longest a download (CSV, Atom, JSON, the API) may stream, instead of REQUEST_TIMEOUT"},
	{"DB_MAX_CONNS", "10", "connections in the pool; when unset, pool_max_conns in DATABASE_URL wins over the default"},
	{"DB_STATEMENT_TIMEOUT", "5s", "the longest one query may run; when unset, statement_timeout in DATABASE_URL wins over the default"},
	{"MAX_CONCURRENT_REQUESTS", "64", "requests handled at once; past it a request waits up to a second for a turn, then gets a 503 busy page"},
	{"MAX_CONCURRENT_DOWNLOADS", "4", "exports (CSV, Atom, 360Giving, checkpoint lists) streamed at once, counted apart from MAX_CONCURRENT_REQUESTS; past it a download waits up to a second, then gets a 503 busy page"},
	{"RATE_LIMIT_SEARCH", "120/1m", "per client address: searches and lists, API calls and verifications, as N/DURATION, or off"},
	{"RATE_LIMIT_EXPORTS", "20/1m", "per client address: CSV and Atom downloads, as N/DURATION, or off"},
	{"RATE_LIMIT_SIGN_IN", "10/1m", "per client address (an IPv6 /64 counts as one): attempts to sign in, right or wrong, as N/DURATION, or off; failed attempts are also throttled per account and client for 15 minutes"},
	{"METRICS_ADDR", "", "address to serve Prometheus metrics on, at /metrics, apart from the public site (like 127.0.0.1:9464); unset for none"},
	{"SESSION_IDLE_TIMEOUT", "30m", "staff are signed out after this long without a request"},
	{"SESSION_LIFETIME", "12h", "staff are signed out this long after signing in, whatever they do"},
	{"THREESIXTY_PREFIX", threesixty.DefaultPrefix, "the publisher prefix 360Giving issued to the owner (360G-…), starting every identifier in /360giving.json and .csv; the default says none has been issued"},
	{"CHROMIUM_PATH", "", "the headless Chromium that prints signed decision documents; when unset, chromium, chromium-browser or google-chrome on the PATH. Without one, signing works and the documents wait"},
	{"PDF_TIMEOUT", "60s", "the longest one signed decision document may take to print; the browser is stopped then and the print tried again later"},
	{"SIGNED_PDF_WORKER", SignedPDFInServer, "who prints signed decision documents: in-server, each serve process in the background (Chromium runs in its process tree), or external, only `decisions signed-pdf --worker` processes (deploy/decisions-signed-pdf.service), so the web server never starts a browser"},
	{"DOCUMENTS_URL", "data/documents", "where documents are kept, each under its SHA-256: a directory (created when missing; relative to the working directory), a file:///… URL, or, in a binary built with -tags s3, an S3-compatible bucket, s3://bucket?region=…&endpoint=…&use_path_style=true (credentials from the AWS environment variables)"},
	{"DOCUMENT_MAX_BYTES", "26214400", "the largest document a drafter may attach, in bytes (25 MB)"},
	{"DATABASE_READ_URL", "", "optional: a read replica (postgres:// URL) for what the public reads: pages, search, exports, the API; staff and every write use DATABASE_URL"},
	{"TRUSTED_PROXIES", "", "optional: reverse proxies (comma-separated CIDRs or addresses, such as 127.0.0.1/32) whose X-Forwarded-For gives the client's address and whose X-Request-Id is kept"},
	{"RELEASE_INTERVAL", "1m", "how often each instance checks for deferred decisions whose publication time has come"},
	{"MIGRATE_ON_START", "false", "true: serve applies migrations before it starts (one instance); otherwise run `decisions migrate up` first, and serve refuses a database that is behind"},
	{"SMTP_URL", "", "where notices go by e-mail: smtp://[user:password@]host[:port] (port 25; STARTTLS when the server offers it, ?starttls=required to insist) or smtps://[user:password@]host[:port] (port 465, TLS throughout); unset, notices are kept and shown on \"Your work\" and serve warns at start"},
	{"MAIL_FROM", "Decision Register <decisions@localhost>", "the From of every notice, like Decision Register <decisions@example.org>"},
	{"NOTICE_INTERVAL", "1m", "how often each instance looks for notices due (retries and digests); a new notice wakes every instance at once"},
	{"BANK_HOLIDAYS_FILE", "", "optional: a bank holiday list in gov.uk's bank-holidays.json format (england-and-wales division) that replaces the shipped list (2018-2028) for each year it lists holidays in and extends it to new years; read at start"},
	{"FORWARD_PLAN_DAY", "0", "the day of the month (1 to 28, London) the forward plan is published as a dated snapshot by the schedule, checked every `REMINDER_INTERVAL`; 0 (the default) leaves it to admins"},
	{"REMINDER_INTERVAL", "5m", "how often each instance looks for steps whose reminder or escalation is due"},
	{"OIDC_ISSUER", "", "optional: the OpenID Connect provider's issuer URL (https://login.microsoftonline.com/TENANT/v2.0, https://accounts.google.com), offering single sign-on beside passwords (docs/sso.md); the provider sends people back to BASE_URL/sign-in/sso/callback"},
	{"OIDC_CLIENT_ID", "", "with OIDC_ISSUER: the register's client (application) id at the provider"},
	{"OIDC_CLIENT_SECRET", "", "with OIDC_ISSUER: the register's client secret at the provider, or set OIDC_CLIENT_SECRET_FILE instead"},
	{"OIDC_CLIENT_SECRET_FILE", "", "with OIDC_ISSUER: a file holding the client secret (a mounted secret), instead of OIDC_CLIENT_SECRET"},
	{"OIDC_PROVIDER_NAME", "your organisation's account", "the provider's name on the sign-in page's button, \"Sign in with …\", such as Microsoft or Google"},
	{"OIDC_GROUP_ROLES", "", "optional, off when unset: provider groups mapped to register roles, as GROUP=ROLE pairs separated by commas (roles: drafter, adviser, decision_maker, admin); each single sign-on then gives the person exactly the mapped roles their groups name, and leaves their other roles alone"},
	{"CHECKPOINT_KEY_FILE", "", "the Ed25519 private key (PEM) that signs checkpoints of the audit chain, daily and after every signature, made by `decisions checkpoint key`; unset, none are signed"},
}

// Load reads the settings through getenv, filling in defaults.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return varDefault(name)
	}
	c := Config{
		DatabaseURL:       get("DATABASE_URL"),
		Addr:              get("ADDR"),
		BaseURL:           strings.TrimRight(get("BASE_URL"), "/"),
		OwnerName:         get("OWNER_NAME"),
		Contact:           get("CONTACT"),
		LogFormat:         get("LOG_FORMAT"),
		ChromiumPath:      get("CHROMIUM_PATH"),
		ThreeSixtyPrefix:  get("THREESIXTY_PREFIX"),
		CheckpointKeyFile: get("CHECKPOINT_KEY_FILE"),
	}
	if strings.TrimSpace(getenv("BASE_URL")) == "" {
		c.BaseURL = baseFromAddr(c.Addr)
	}
	var errs []error
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	duration := func(name string, min time.Duration) time.Duration {
		d, err := time.ParseDuration(get(name))
		if err != nil || d < min {
			errs = append(errs, fmt.Errorf("%s: %q is not a duration of at least %s, like %s", name, get(name), min, varDefault(name)))
		}
		return d
	}
	c.ShutdownTimeout = duration("SHUTDOWN_TIMEOUT", time.Millisecond)
	c.DrainDelay = duration("DRAIN_DELAY", 0)
	c.RequestTimeout = duration("REQUEST_TIMEOUT", time.Millisecond)
	c.ExportTimeout = duration("EXPORT_TIMEOUT", time.Millisecond)
	c.DBStatementTimeout = duration("DB_STATEMENT_TIMEOUT", time.Millisecond)
	c.PDFTimeout = duration("PDF_TIMEOUT", time.Second)
	n, err := strconv.ParseInt(get("DB_MAX_CONNS"), 10, 32)
	if err != nil || n < 1 {
		errs = append(errs, fmt.Errorf("DB_MAX_CONNS: %q is not a whole number, 1 or more", get("DB_MAX_CONNS")))
	}
	c.DBMaxConns = int32(n)
	c.SignedPDFWorker = get("SIGNED_PDF_WORKER")
	if c.SignedPDFWorker != SignedPDFInServer && c.SignedPDFWorker != SignedPDFExternal {
		errs = append(errs, fmt.Errorf("SIGNED_PDF_WORKER: %q is not %s or %s", c.SignedPDFWorker, SignedPDFInServer, SignedPDFExternal))
	}
	c.DocumentsURL = get("DOCUMENTS_URL")
	if strings.Contains(c.DocumentsURL, "://") {
		if du, err := url.Parse(c.DocumentsURL); err != nil || (du.Scheme != "file" && du.Scheme != "s3") {
			errs = append(errs, fmt.Errorf("DOCUMENTS_URL: %q is not a file:// or s3:// URL or a directory", c.DocumentsURL))
		} else if du.Scheme == "s3" && !blobstore.S3 {
			errs = append(errs, fmt.Errorf("DOCUMENTS_URL: %w", blobstore.ErrNoS3))
		}
	}
	c.DocumentMaxBytes, err = strconv.ParseInt(get("DOCUMENT_MAX_BYTES"), 10, 64)
	if err != nil || c.DocumentMaxBytes < 1 {
		errs = append(errs, fmt.Errorf("DOCUMENT_MAX_BYTES: %q is not a whole number of bytes, 1 or more", get("DOCUMENT_MAX_BYTES")))
	}
	c.ReleaseInterval = duration("RELEASE_INTERVAL", 10*time.Millisecond)
	c.NoticeInterval = duration("NOTICE_INTERVAL", 10*time.Millisecond)
	c.ReminderInterval = duration("REMINDER_INTERVAL", 10*time.Millisecond)
	if c.ForwardPlanDay, err = strconv.Atoi(get("FORWARD_PLAN_DAY")); err != nil || c.ForwardPlanDay < 0 || c.ForwardPlanDay > 28 {
		errs = append(errs, fmt.Errorf("FORWARD_PLAN_DAY: %q is not a day of the month from 1 to 28, or 0 for no schedule", get("FORWARD_PLAN_DAY")))
	}
	if c.Calendar, err = workday.Load(get("BANK_HOLIDAYS_FILE")); err != nil {
		errs = append(errs, fmt.Errorf("BANK_HOLIDAYS_FILE: %w", err))
	}
	c.MailFrom = get("MAIL_FROM")
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || a.Address == "" {
		errs = append(errs, fmt.Errorf("MAIL_FROM: %q is not an address, like Decision Register <decisions@example.org>", c.MailFrom))
	}
	if c.SMTPURL = get("SMTP_URL"); c.SMTPURL != "" {
		if c.SMTP, err = notice.ParseSMTPURL(c.SMTPURL); err != nil {
			errs = append(errs, err)
		}
	}
	switch v := get("MIGRATE_ON_START"); v {
	case "true", "false":
		c.MigrateOnStart = v == "true"
	default:
		errs = append(errs, fmt.Errorf("MIGRATE_ON_START: %q is not true or false", v))
	}
	if c.TrustedProxies, err = ParseProxies(get("TRUSTED_PROXIES")); err != nil {
		errs = append(errs, fmt.Errorf("TRUSTED_PROXIES: %w", err))
	}
	m, err := strconv.Atoi(get("MAX_CONCURRENT_REQUESTS"))
	if err != nil || m < 1 {
		errs = append(errs, fmt.Errorf("MAX_CONCURRENT_REQUESTS: %q is not a whole number, 1 or more", get("MAX_CONCURRENT_REQUESTS")))
	}
	c.MaxConcurrent = m
	d, err := strconv.Atoi(get("MAX_CONCURRENT_DOWNLOADS"))
	if err != nil || d < 1 {
		errs = append(errs, fmt.Errorf("MAX_CONCURRENT_DOWNLOADS: %q is not a whole number, 1 or more", get("MAX_CONCURRENT_DOWNLOADS")))
	}
	c.MaxDownloads = d
	rate := func(name string) Rate {
		r, err := ParseRate(get(name))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
		return r
	}
	c.SearchRate, c.ExportRate = rate("RATE_LIMIT_SEARCH"), rate("RATE_LIMIT_EXPORTS")
	c.SignInRate = rate("RATE_LIMIT_SIGN_IN")
	c.MetricsAddr = get("METRICS_ADDR")
	c.SessionIdle = duration("SESSION_IDLE_TIMEOUT", time.Second)
	c.SessionLifetime = duration("SESSION_LIFETIME", time.Second)
	if _, err := ParseContact(c.Contact); err != nil {
		errs = append(errs, fmt.Errorf("CONTACT: %w", err))
	}
	if !threesixty.ValidPrefix(c.ThreeSixtyPrefix) {
		errs = append(errs, fmt.Errorf("THREESIXTY_PREFIX: %q is not a 360Giving prefix: 360G- then letters and digits, like 360G-mopac", c.ThreeSixtyPrefix))
	}
	if !schemeAndHostOnly(c.BaseURL) {
		errs = append(errs, fmt.Errorf("BASE_URL: %q must be the site's scheme and host only, like https://decisions.example.org (no path, query or user:password)", c.BaseURL))
	}
	c.DatabaseReadURL = get("DATABASE_READ_URL")
	if c.DatabaseReadURL != "" {
		if _, err := pgxpool.ParseConfig(c.DatabaseReadURL); err != nil || !strings.HasPrefix(c.DatabaseReadURL, "postgres") {
			errs = append(errs, errors.New("DATABASE_READ_URL: not a postgres:// URL"))
		}
	}
	u, err := url.Parse(c.DatabaseURL)
	if c.DatabaseURL == "" {
		errs = append(errs, ErrNoDatabaseURL)
	} else if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, errors.New("DATABASE_URL: not a postgres:// URL"))
	} else if _, err := pgxpool.ParseConfig(c.DatabaseURL); err != nil {
		// Checked here, so a bad pool setting stops the command before it migrates.
		errs = append(errs, fmt.Errorf("DATABASE_URL: %w", err))
	} else {
		// A setting in the URL counts unless the variable is set too.
		if u.Query().Has("pool_max_conns") && strings.TrimSpace(getenv("DB_MAX_CONNS")) == "" {
			c.DBMaxConns = 0
		}
		if u.Query().Has("statement_timeout") && strings.TrimSpace(getenv("DB_STATEMENT_TIMEOUT")) == "" {
			c.DBStatementTimeout = 0
		}
	}
	c.OIDC, err = loadOIDC(get)
	if err != nil {
		errs = append(errs, err)
	}
	return c, errors.Join(errs...)
}

// loadOIDC reads single sign-on's settings: all of issuer, client id and secret, or none.
func loadOIDC(get func(string) string) (OIDC, error) {
	o := OIDC{Issuer: get("OIDC_ISSUER"), ClientID: get("OIDC_CLIENT_ID"), ClientSecret: get("OIDC_CLIENT_SECRET"),
		Name: get("OIDC_PROVIDER_NAME")}
	var errs []error
	if f := get("OIDC_CLIENT_SECRET_FILE"); f != "" {
		if o.ClientSecret != "" {
			errs = append(errs, errors.New("OIDC_CLIENT_SECRET_FILE: set it or OIDC_CLIENT_SECRET, not both"))
		}
		b, err := os.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("OIDC_CLIENT_SECRET_FILE: %w", err))
		}
		o.ClientSecret = strings.TrimSpace(string(b))
	}
	if o.Issuer == "" {
		if o.ClientID != "" || o.ClientSecret != "" {
			errs = append(errs, errors.New("OIDC_ISSUER: not set, but OIDC_CLIENT_ID or its secret is: set all three for single sign-on, or none"))
		}
		return OIDC{}, errors.Join(errs...)
	}
	u, err := url.Parse(o.Issuer)
	local := err == nil && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1")
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || !(u.Scheme == "https" || u.Scheme == "http" && local) {
		errs = append(errs, fmt.Errorf("OIDC_ISSUER: %q is not an https:// issuer URL, like https://accounts.google.com", o.Issuer))
	}
	if o.ClientID == "" {
		errs = append(errs, errors.New("OIDC_CLIENT_ID: required with OIDC_ISSUER"))
	}
	if o.ClientSecret == "" {
		errs = append(errs, errors.New("OIDC_CLIENT_SECRET: required with OIDC_ISSUER (or OIDC_CLIENT_SECRET_FILE)"))
	}
	if v := get("OIDC_GROUP_ROLES"); v != "" {
		o.GroupRoles = map[string]string{}
		for _, pair := range strings.Split(v, ",") {
			group, role, ok := strings.Cut(strings.TrimSpace(pair), "=")
			group, role = strings.TrimSpace(group), strings.TrimSpace(role)
			if !ok || group == "" || !slices.Contains(decision.Roles, role) {
				errs = append(errs, fmt.Errorf("OIDC_GROUP_ROLES: %q is not GROUP=ROLE with a role of drafter, adviser, decision_maker or admin", pair))
				continue
			}
			o.GroupRoles[group] = role
		}
	}
	return o, errors.Join(errs...)
}

// ParseProxies reads TRUSTED_PROXIES: CIDRs or single addresses, separated by commas or spaces.
func ParseProxies(v string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not an address or a CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

func varDefault(name string) string {
	for _, v := range Vars {
		if v.Name == name {
			return v.Default
		}
	}
	return ""
}

// schemeAndHostOnly reports whether raw is an http(s) address with a host and nothing else:
// pages append their own paths to it, and it is printed on paper copies.
func schemeAndHostOnly(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" &&
		u.User == nil && u.Opaque == "" && u.Path == "" && u.RawQuery == "" && !u.ForceQuery && u.Fragment == ""
}

// Contact is CONTACT read: an email address, or a web page that says how to get in touch.
type Contact struct {
	Email bool   // Href is a mailto: address
	Href  string // the link to it
	Site  string // the web page's host without "www.", such as "london.gov.uk"
}

// ParseContact reads CONTACT, an email address or an http(s) address. It is the one place that
// decides what the value means: Load validates with it and the accessibility statement links with it.
func ParseContact(c string) (Contact, error) {
	if local, domain, ok := strings.Cut(c, "@"); ok && !strings.Contains(c, "://") {
		if local == "" || !strings.Contains(domain, ".") || strings.ContainsAny(c, " <>\"") {
			return Contact{}, fmt.Errorf("%q is not an email address", c)
		}
		return Contact{Email: true, Href: "mailto:" + c}, nil
	}
	u, err := url.Parse(c)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return Contact{}, fmt.Errorf("%q is neither an email address nor an http(s) address", c)
	}
	return Contact{Href: c, Site: strings.TrimPrefix(u.Hostname(), "www.")}, nil
}

// RedactedDatabaseURL is the database URL with its password hidden, for logs.
func (c Config) RedactedDatabaseURL() string { return Redacted(c.DatabaseURL) }

// Redacted is a database URL with its password hidden, for logs.
func Redacted(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
