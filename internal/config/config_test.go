package config

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatalf("Load() error: %v", err)
	}
	if c.Addr != ":8080" || c.DatabaseURL != DefaultDatabaseURL || c.LogLevel != slog.LevelInfo || c.ShutdownTimeout != 20*time.Second ||
		c.DrainDelay != 5*time.Second || c.RequestTimeout != 10*time.Second || c.DBMaxConns != 10 || c.DBStatementTimeout != 5*time.Second {
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
		"DB_MAX_CONNS": "0", "DB_STATEMENT_TIMEOUT": "fast",
	}))
	if err == nil {
		t.Fatal("Load() accepted bad values")
	}
	for _, name := range []string{"LOG_LEVEL", "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "BASE_URL", "DATABASE_URL", "CONTACT",
		"DRAIN_DELAY", "REQUEST_TIMEOUT", "DB_MAX_CONNS", "DB_STATEMENT_TIMEOUT"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not name %s", err, name)
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
