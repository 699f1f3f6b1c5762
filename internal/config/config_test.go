package config

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/blobstore"
)

const testDatabaseURL = "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"

// env is m over a DATABASE_URL, the one variable with no default.
func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		if k == "DATABASE_URL" {
			return testDatabaseURL
		}
		return ""
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != testDatabaseURL || c.LogLevel != slog.LevelInfo || c.ShutdownTimeout != 20*time.Second ||
		c.DrainDelay != 5*time.Second || c.RequestTimeout != 10*time.Second || c.DBMaxConns != 10 || c.DBStatementTimeout != 5*time.Second ||
		c.DocumentsURL != "data/documents" || c.DocumentMaxBytes != 25<<20 || c.SignedPDFWorker != SignedPDFInServer {
		t.Errorf("Load() = %+v", c)
	}
}

// TestPoolSettings checks where the pool's size and statement timeout come from: the variable
// when set, else the URL's own setting (left to pgx: zero here), else the default.
func TestPoolSettings(t *testing.T) {
	const withPool = "postgres://u:p@h:5432/db?pool_max_conns=8&statement_timeout=1000"
	tests := []struct {
		env         map[string]string
		conns       int32
		stmtTimeout time.Duration
	}{
		{map[string]string{}, 10, 5 * time.Second},
		{map[string]string{"DATABASE_URL": withPool}, 0, 0},
		{map[string]string{"DATABASE_URL": withPool, "DB_MAX_CONNS": "3", "DB_STATEMENT_TIMEOUT": "2s"}, 3, 2 * time.Second},
		{map[string]string{"DB_MAX_CONNS": "25", "DB_STATEMENT_TIMEOUT": "250ms"}, 25, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		c, err := Load(env(tt.env))
		if err != nil || c.DBMaxConns != tt.conns || c.DBStatementTimeout != tt.stmtTimeout {
			t.Errorf("Load(%v) = %d conns, %s, %v; want %d, %s", tt.env, c.DBMaxConns, c.DBStatementTimeout, err, tt.conns, tt.stmtTimeout)
		}
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	_, err := Load(env(map[string]string{
		"LOG_LEVEL": "loud", "LOG_FORMAT": "xml", "SHUTDOWN_TIMEOUT": "soon",
		"BASE_URL": "localhost", "DATABASE_URL": "mysql://x", "CONTACT": "ring us", "DRAIN_DELAY": "-1s", "REQUEST_TIMEOUT": "0s",
		"DB_MAX_CONNS": "0", "DB_STATEMENT_TIMEOUT": "fast", "DOCUMENTS_URL": "ftp://files.example", "DOCUMENT_MAX_BYTES": "25MB",
		"MAX_CONCURRENT_REQUESTS": "0", "MAX_CONCURRENT_DOWNLOADS": "some", "RATE_LIMIT_SEARCH": "lots", "RATE_LIMIT_EXPORTS": "5/1ms",
		"DATABASE_READ_URL": "mysql://replica", "TRUSTED_PROXIES": "10.0.0.0/8, the proxy", "RELEASE_INTERVAL": "often",
		"MIGRATE_ON_START": "yes", "SIGNED_PDF_WORKER": "elsewhere",
	}))
	if err == nil {
		t.Fatal("Load() accepted bad values")
	}
	for _, name := range []string{"LOG_LEVEL", "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "BASE_URL", "DATABASE_URL", "CONTACT",
		"DRAIN_DELAY", "REQUEST_TIMEOUT", "DB_MAX_CONNS", "DB_STATEMENT_TIMEOUT", "DOCUMENTS_URL", "DOCUMENT_MAX_BYTES",
		"MAX_CONCURRENT_REQUESTS", "MAX_CONCURRENT_DOWNLOADS", "RATE_LIMIT_SEARCH", "RATE_LIMIT_EXPORTS",
		"DATABASE_READ_URL", "TRUSTED_PROXIES", "RELEASE_INTERVAL", "MIGRATE_ON_START", "SIGNED_PDF_WORKER"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

// TestLimits reads the bound on requests at once, the per-client rates and the metrics address.
func TestLimits(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.MaxConcurrent != 64 || c.MaxDownloads != 4 || c.SearchRate != (Rate{120, time.Minute}) || c.ExportRate != (Rate{20, time.Minute}) || c.MetricsAddr != "" {
		t.Errorf("Load() defaults: %d at once, search %+v, exports %+v, metrics %q, %v", c.MaxConcurrent, c.SearchRate, c.ExportRate, c.MetricsAddr, err)
	}
	c, err = Load(env(map[string]string{"MAX_CONCURRENT_REQUESTS": "8", "MAX_CONCURRENT_DOWNLOADS": "2", "RATE_LIMIT_SEARCH": "off", "RATE_LIMIT_EXPORTS": "3/10s",
		"METRICS_ADDR": "127.0.0.1:9464"}))
	if err != nil || c.MaxConcurrent != 8 || c.MaxDownloads != 2 || c.SearchRate != (Rate{}) || c.ExportRate != (Rate{3, 10 * time.Second}) || c.MetricsAddr != "127.0.0.1:9464" {
		t.Errorf("Load() set: %d at once, search %+v, exports %+v, metrics %q, %v", c.MaxConcurrent, c.SearchRate, c.ExportRate, c.MetricsAddr, err)
	}
	for _, bad := range []string{"", "10", "10/", "/1m", "0/1m", "-1/1m", "10/0s", "10/1ms", "ten/1m", "10/minute"} {
		if r, err := ParseRate(bad); err == nil {
			t.Errorf("ParseRate(%q) = %+v, want an error", bad, r)
		}
	}
}

func TestBaseURLIsSchemeAndHostOnly(t *testing.T) {
	tests := []struct {
		in   string
		want string // the BaseURL kept, or "" for refused
	}{
		{"https://decisions.example.org", "https://decisions.example.org"},
		{"https://decisions.example.org/", "https://decisions.example.org"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"https://example.org/register", ""},
		{"https://example.org?x=1", ""},
		{"https://example.org/?", ""},
		{"https://example.org#top", ""},
		{"https://user:secret@example.org", ""},
		{"ftp://example.org", ""},
		{"example.org", ""},
		{"https://", ""},
		{"https://:8080", ""},
		{"https://example.org:port", ""},
	}
	for _, tt := range tests {
		c, err := Load(env(map[string]string{"BASE_URL": tt.in}))
		switch {
		case tt.want == "" && (err == nil || !strings.Contains(err.Error(), "BASE_URL")):
			t.Errorf("Load(BASE_URL=%q) = %q, %v; want it refused", tt.in, c.BaseURL, err)
		case tt.want != "" && (err != nil || c.BaseURL != tt.want):
			t.Errorf("Load(BASE_URL=%q) = %q, %v; want %q", tt.in, c.BaseURL, err, tt.want)
		}
	}
}

func TestLoadContact(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil || c.Contact != DefaultContact {
		t.Errorf("Load() Contact = %q, %v; want the default %q", c.Contact, err, DefaultContact)
	}
	for _, v := range []string{"accessibility@example.org", "https://example.org/contact"} {
		c, err := Load(env(map[string]string{"CONTACT": v}))
		if err != nil || c.Contact != v {
			t.Errorf("Load(CONTACT=%q) Contact = %q, %v", v, c.Contact, err)
		}
	}
}

func TestParseContact(t *testing.T) {
	tests := []struct {
		in   string
		want Contact
		ok   bool
	}{
		{"accessibility@example.org", Contact{Email: true, Href: "mailto:accessibility@example.org"}, true},
		{"https://www.london.gov.uk/contact", Contact{Href: "https://www.london.gov.uk/contact", Site: "london.gov.uk"}, true},
		{"http://example.org", Contact{Href: "http://example.org", Site: "example.org"}, true},
		{"", Contact{}, false},
		{"ring us", Contact{}, false},
		{"a@b", Contact{}, false},
		{"@example.org", Contact{}, false},
		{"javascript:alert(1)", Contact{}, false},
		{"https://", Contact{}, false},
	}
	for _, tt := range tests {
		got, err := ParseContact(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseContact(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRedactedDatabaseURL(t *testing.T) {
	c := Config{DatabaseURL: "postgres://u:secret@h:1/db"}
	if got := c.RedactedDatabaseURL(); strings.Contains(got, "secret") {
		t.Errorf("RedactedDatabaseURL() = %q leaks the password", got)
	}
}

// TestDatabaseURLRequired checks that an unset DATABASE_URL stops the command with one line
// saying where to get one, instead of falling back to a port another clone's cluster may hold.
func TestDatabaseURLRequired(t *testing.T) {
	for _, v := range []string{"", "  "} {
		_, err := Load(env(map[string]string{"DATABASE_URL": v}))
		if !errors.Is(err, ErrNoDatabaseURL) || strings.Contains(err.Error(), "\n") {
			t.Errorf("Load with DATABASE_URL=%q = %v, want ErrNoDatabaseURL alone", v, err)
		}
	}
	if !strings.Contains(ErrNoDatabaseURL.Error(), ".ci/devdb url") {
		t.Errorf("%q does not say where to get a URL", ErrNoDatabaseURL)
	}
}

// TestPoolSettingsChecked checks that pgxpool's settings in DATABASE_URL are checked on load,
// before anything migrates, not when the pool opens.
func TestPoolSettingsChecked(t *testing.T) {
	for _, q := range []string{"&pool_max_conns=zz", "&pool_max_conn_lifetime=forever", "&pool_max_conns=0"} {
		_, err := Load(env(map[string]string{"DATABASE_URL": testDatabaseURL + q}))
		if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || strings.Contains(err.Error(), ":p@") {
			t.Errorf("Load with %s = %v, want an error naming DATABASE_URL, without the password", q, err)
		}
	}
}

func TestParseProxies(t *testing.T) {
	got, err := ParseProxies("10.0.0.0/8, 192.168.1.7 ::1,2001:db8::/32 10.1.2.3/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.168.1.7/32", "::1/128", "2001:db8::/32", "10.0.0.0/8"}
	if len(got) != len(want) {
		t.Fatalf("ParseProxies = %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("ParseProxies[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	if ps, err := ParseProxies(""); err != nil || len(ps) != 0 {
		t.Errorf("ParseProxies(\"\") = %v, %v; want none: no proxy is trusted by default", ps, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.org", "10.0.0.1:80"} {
		if _, err := ParseProxies(bad); err == nil {
			t.Errorf("ParseProxies(%q) accepted it", bad)
		}
	}
}

// TestDocumentsS3NeedsTheTag: an s3:// DOCUMENTS_URL stops a binary built without -tags s3 at
// once, with a message naming the tag; one built with it takes the URL.
func TestDocumentsS3NeedsTheTag(t *testing.T) {
	_, err := Load(env(map[string]string{"DOCUMENTS_URL": "s3://documents?region=eu-west-2"}))
	if blobstore.S3 {
		if err != nil {
			t.Errorf("Load(s3://) with -tags s3 = %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "DOCUMENTS_URL") || !strings.Contains(err.Error(), "-tags s3") {
		t.Errorf("Load(s3://) without -tags s3 = %v, want an error naming DOCUMENTS_URL and the tag", err)
	}
}

// TestBaseURLFollowsAddr: a server started on another port without BASE_URL still prints links
// that reach it; BASE_URL, when set, wins.
func TestBaseURLFollowsAddr(t *testing.T) {
	tests := []struct{ addr, base, want string }{
		{"", "", "http://localhost:8080"},
		{":9090", "", "http://localhost:9090"},
		{"0.0.0.0:9090", "", "http://localhost:9090"},
		{"127.0.0.1:9191", "", "http://127.0.0.1:9191"},
		{"[::1]:9191", "", "http://[::1]:9191"},
		{":80", "", "http://localhost"},
		{"127.0.0.1:0", "", "http://localhost:8080"},
		{":9090", "https://decisions.example.org/", "https://decisions.example.org"},
	}
	for _, tt := range tests {
		c, err := Load(env(map[string]string{"ADDR": tt.addr, "BASE_URL": tt.base}))
		if err != nil {
			t.Fatalf("ADDR=%q BASE_URL=%q: %v", tt.addr, tt.base, err)
		}
		if c.BaseURL != tt.want {
			t.Errorf("ADDR=%q BASE_URL=%q: BaseURL = %q, want %q", tt.addr, tt.base, c.BaseURL, tt.want)
		}
	}
}
