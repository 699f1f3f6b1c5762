package server_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/testsite"
)

// TestClientAddressBehindProxy signs in wrongly with a forged X-Forwarded-For and X-Request-Id,
// and reads the address the log recorded for the attempt: the forged one counts only
// when the peer is a trusted proxy, and then only the hop the proxy wrote.
func TestClientAddressBehindProxy(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		trusted     string
		xff         string
		wantAddress string
		wantKeptID  bool
	}{
		{"no proxy configured: the peer, whatever the header says", "", "203.0.113.7", "127.0.0.1", false},
		{"an untrusted peer's header is ignored", "10.0.0.0/8", "203.0.113.7", "127.0.0.1", false},
		{"a trusted proxy's header gives the client", "127.0.0.0/8", "203.0.113.7", "203.0.113.7", true},
		{"a client's forged entry before the proxy's is ignored", "127.0.0.0/8", "198.51.100.66, 203.0.113.7", "203.0.113.7", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			proxies, err := parsePrefixes(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			var log logBuffer
			site := testsite.NewWith(t, testsite.Options{TrustedProxies: proxies, Log: &log})
			form := url.Values{"email": {"nobody@example.org"}, "password": {"wrong"}}
			req, _ := http.NewRequest(http.MethodPost, site.URL+"/sign-in", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", tt.xff)
			req.Header.Set("X-Request-Id", "proxy-id-0123")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("POST /sign-in = %d, want 422", resp.StatusCode)
			}
			if kept := resp.Header.Get("X-Request-Id") == "proxy-id-0123"; kept != tt.wantKeptID || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("X-Request-Id = %q; kept the incoming one: %t, want %t", resp.Header.Get("X-Request-Id"), kept, tt.wantKeptID)
			}
			failed := log.lines(t, "sign-in failed")
			if len(failed) != 1 {
				t.Fatalf("%d \"sign-in failed\" log lines, want 1", len(failed))
			}
			address, _ := failed[0]["client"].(string)
			if address != tt.wantAddress {
				t.Errorf("audited address = %q, want %q", address, tt.wantAddress)
			}
		})
	}
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	if s == "" {
		return nil, nil
	}
	p, err := netip.ParsePrefix(s)
	return []netip.Prefix{p}, err
}
