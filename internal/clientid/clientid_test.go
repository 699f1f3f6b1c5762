package clientid

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
)

// TestForwardedClient walks X-Forwarded-For as a trusted proxy's request carries it.
func TestForwardedClient(t *testing.T) {
	s := Proxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	peer := netip.MustParseAddr("10.0.0.1")
	for _, tt := range []struct {
		name    string
		headers []string
		want    string
	}{
		{"no header: the proxy itself", nil, "10.0.0.1"},
		{"one client", []string{"203.0.113.7"}, "203.0.113.7"},
		{"a forged entry to the left is ignored", []string{"198.51.100.1, 203.0.113.7"}, "203.0.113.7"},
		{"proxies' own hops are skipped", []string{"203.0.113.7, 10.1.2.3, 10.0.0.9"}, "203.0.113.7"},
		{"several header lines are one list", []string{"198.51.100.1", "203.0.113.7", "10.0.0.9"}, "203.0.113.7"},
		{"every hop trusted: the left-most", []string{"10.9.9.9, 10.0.0.9"}, "10.9.9.9"},
		{"an address with a port", []string{"203.0.113.7:4711"}, "203.0.113.7"},
		{"IPv6 in brackets", []string{"[2001:db8::7]"}, "2001:db8::7"},
		{"IPv4-mapped IPv6", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"garbage written by the client, right of which is the client", []string{"<script>, 203.0.113.7"}, "203.0.113.7"},
		{"garbage next to the proxy: the proxy", []string{"203.0.113.7, unknown"}, "10.0.0.1"},
		{"empty entries", []string{" , "}, "10.0.0.1"},
	} {
		if got := s.forwardedClient(tt.headers, peer).String(); got != tt.want {
			t.Errorf("%s: forwardedClient(%q) = %s, want %s", tt.name, tt.headers, got, tt.want)
		}
	}
}

func TestValidRequestID(t *testing.T) {
	for id, want := range map[string]bool{
		"0123456789abcdef0123456789abcdef":     true, // nginx's $request_id
		"3f2a1b9c-04d5-4e6f-8a7b-9c0d1e2f3a4b": true,
		"":                                     false,
		"a b":                                  false,
		"id\nforged=1":                         false,
		string(make([]byte, 129)):              false,
	} {
		if got := validRequestID(id); got != want {
			t.Errorf("validRequestID(%q) = %t, want %t", id, got, want)
		}
	}
}

// TestIdentify: the client and the request id a request is given, from a trusted proxy or not,
// and the network it is counted against.
func TestIdentify(t *testing.T) {
	ps := Proxies{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tt := range []struct {
		name, peer, xff, id string
		wantAddr, wantNet   string
		wantKeptID          bool
	}{
		{"untrusted peer", "203.0.113.9:5000", "198.51.100.1", "abc", "203.0.113.9", "203.0.113.9", false},
		{"trusted proxy", "10.0.0.1:5000", "198.51.100.1", "abc", "198.51.100.1", "198.51.100.1", true},
		{"an id that could break a log line is replaced", "10.0.0.1:5000", "198.51.100.1", "a b", "198.51.100.1", "198.51.100.1", false},
		{"IPv6 is counted by its /64", "[2001:db8:1:2:3:4:5:6]:5000", "", "", "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", false},
	} {
		var gotAddr, gotNet, gotID string
		h := ps.Identify(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			gotAddr, gotNet, gotID = Address(r), Network(r), RequestID(r.Context())
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tt.peer
		if tt.xff != "" {
			r.Header.Set("X-Forwarded-For", tt.xff)
		}
		if tt.id != "" {
			r.Header.Set("X-Request-Id", tt.id)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if gotAddr != tt.wantAddr || gotNet != tt.wantNet {
			t.Errorf("%s: Address %q, Network %q; want %q, %q", tt.name, gotAddr, gotNet, tt.wantAddr, tt.wantNet)
		}
		if gotID == "" || w.Header().Get("X-Request-Id") != gotID || (gotID == tt.id) != tt.wantKeptID {
			t.Errorf("%s: request id %q (echoed %q), sent %q, want kept %v", tt.name, gotID, w.Header().Get("X-Request-Id"), tt.id, tt.wantKeptID)
		}
	}
}
