// Package config owns the service's settings: read once from the environment, with defaults
// that work on a developer's machine, and checked in one pass.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// DefaultDatabaseURL is the private cluster `make run` starts (see .ci/devdb).
const DefaultDatabaseURL = "postgres://postgres:postgres@127.0.0.1:54329/decisions?sslmode=disable"

// DefaultContact is the public page of the Mayor’s Office for Policing and Crime, which links
// to its contact details.
const DefaultContact = "https://www.london.gov.uk/programmes-strategies/mayors-office-policing-and-crime-mopac/about-mayors-office-policing-and-crime-mopac"

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
}

// SecureCookies reports whether the site is served over HTTPS, so cookies must be too.
func (c Config) SecureCookies() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Var documents one environment variable.
type Var struct {
	Name, Default, Help string
}

// Vars lists every setting, for `decisions serve --help` and the README.
var Vars = []Var{
	{"DATABASE_URL", DefaultDatabaseURL, "PostgreSQL connection URL"},
	{"ADDR", ":8080", "address the HTTP server listens on"},
	{"BASE_URL", "http://localhost:8080", "the public address of the site, printed on paper copies"},
	{"OWNER_NAME", "Mayor’s Office for Policing and Crime", "the public body that keeps the register"},
	{"CONTACT", DefaultContact, "how to contact the owner, named in the accessibility statement: an email address or an https:// address"},
	{"LOG_LEVEL", "info", "debug, info, warn or error"},
	{"LOG_FORMAT", "text", "text for people, json for log collectors"},
	{"SHUTDOWN_TIMEOUT", "20s", "how long a graceful shutdown waits for requests in flight"},
	{"SESSION_IDLE_TIMEOUT", "30m", "staff are signed out after this long without a request"},
	{"SESSION_LIFETIME", "12h", "staff are signed out this long after signing in, whatever they do"},
}

// Load reads the settings through getenv, filling in defaults.
func Load(getenv func(string) string) (Config, error) {
	get := func(name string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		for _, v := range Vars {
			if v.Name == name {
				return v.Default
			}
		}
		return ""
	}
	c := Config{
		DatabaseURL: get("DATABASE_URL"),
		Addr:        get("ADDR"),
		BaseURL:     strings.TrimRight(get("BASE_URL"), "/"),
		OwnerName:   get("OWNER_NAME"),
		Contact:     get("CONTACT"),
		LogFormat:   get("LOG_FORMAT"),
	}
	var errs []error
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL"))); err != nil {
		errs = append(errs, fmt.Errorf("LOG_LEVEL: %w", err))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	d, err := time.ParseDuration(get("SHUTDOWN_TIMEOUT"))
	if err != nil || d <= 0 {
		errs = append(errs, fmt.Errorf("SHUTDOWN_TIMEOUT: %q is not a positive duration like 20s", get("SHUTDOWN_TIMEOUT")))
	}
	c.ShutdownTimeout = d
	c.SessionIdle = positiveDuration(get, "SESSION_IDLE_TIMEOUT", &errs)
	c.SessionLifetime = positiveDuration(get, "SESSION_LIFETIME", &errs)
	if !schemeAndHostOnly(c.BaseURL) {
		errs = append(errs, fmt.Errorf("BASE_URL: %q must be the site's scheme and host only, like https://decisions.example.org (no path, query or user:password)", c.BaseURL))
	}
	if !validContact(c.Contact) {
		errs = append(errs, fmt.Errorf("CONTACT: %q is neither an email address nor an http(s) address", c.Contact))
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		errs = append(errs, errors.New("DATABASE_URL: not a postgres:// URL"))
	}
	return c, errors.Join(errs...)
}

func positiveDuration(get func(string) string, name string, errs *[]error) time.Duration {
	d, err := time.ParseDuration(get(name))
	if err != nil || d <= 0 {
		*errs = append(*errs, fmt.Errorf("%s: %q is not a positive duration like 30m", name, get(name)))
	}
	return d
}

// schemeAndHostOnly reports whether raw is an http(s) address with a host and nothing else:
// pages append their own paths to it, and it is printed on paper copies.
func schemeAndHostOnly(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Hostname() != "" &&
		u.User == nil && u.Opaque == "" && u.Path == "" && u.RawQuery == "" && !u.ForceQuery && u.Fragment == ""
}

// validContact reports whether c is an email address or an http(s) address.
func validContact(c string) bool {
	if local, domain, ok := strings.Cut(c, "@"); ok && !strings.Contains(c, "://") {
		return local != "" && strings.Contains(domain, ".") && !strings.ContainsAny(c, " <>\"")
	}
	u, err := url.Parse(c)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// RedactedDatabaseURL is the database URL with its password hidden, for logs.
func (c Config) RedactedDatabaseURL() string {
	u, err := url.Parse(c.DatabaseURL)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}
