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
	if c.Addr != ":8080" || c.DatabaseURL != DefaultDatabaseURL || c.LogLevel != slog.LevelInfo || c.ShutdownTimeout != 20*time.Second {
		t.Errorf("Load() = %+v", c)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	_, err := Load(env(map[string]string{
		"LOG_LEVEL": "loud", "LOG_FORMAT": "xml", "SHUTDOWN_TIMEOUT": "soon",
		"BASE_URL": "localhost", "DATABASE_URL": "mysql://x", "CONTACT": "ring us",
	}))
	if err == nil {
		t.Fatal("Load() accepted bad values")
	}
	for _, name := range []string{"LOG_LEVEL", "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "BASE_URL", "DATABASE_URL", "CONTACT"} {
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

func TestRedactedDatabaseURL(t *testing.T) {
	c := Config{DatabaseURL: "postgres://u:secret@h:1/db"}
	if got := c.RedactedDatabaseURL(); strings.Contains(got, "secret") {
		t.Errorf("RedactedDatabaseURL() = %q leaks the password", got)
	}
}
