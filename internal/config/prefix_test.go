package config

import (
	"strings"
	"testing"
)

// TestBadPrefixSaidOnce: a bad THREESIXTY_PREFIX is one error, not the same one twice.
func TestBadPrefixSaidOnce(t *testing.T) {
	env := map[string]string{"DATABASE_URL": "postgres://localhost/decisions", "THREESIXTY_PREFIX": "nope"}
	_, err := Load(func(k string) string { return env[k] })
	if err == nil || strings.Count(err.Error(), "THREESIXTY_PREFIX") != 1 {
		t.Errorf("Load with a bad prefix: %v, want THREESIXTY_PREFIX named once", err)
	}
}
