// Package clientid works out who a request is from, behind trusted reverse proxies, and gives
// it an id: the client's address and network that throttles, rate limits and logs key on, and
// the request id that log lines share.
package clientid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientKey
)

// Proxies are the networks whose X-Forwarded-For and X-Request-Id are believed (TRUSTED_PROXIES).
type Proxies []netip.Prefix

// Identify works out who a request is from and gives it an id, before anything logs it. Behind
// a reverse proxy the peer is the proxy, so the client is read from X-Forwarded-For, but only
// when the peer is one of the trusted proxies: anyone else could write any address there and
// escape the throttles. An X-Request-Id from a trusted proxy is kept, so the proxy's log line
// and ours share an id; otherwise one is made. Either way it is echoed in the response.
func (ps Proxies) Identify(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		peer, ok := peerAddr(r)
		client := peer.String()
		if !ok {
			client = r.RemoteAddr
		}
		trusted := ok && ps.trusts(peer)
		if trusted {
			client = ps.forwardedClient(r.Header.Values("X-Forwarded-For"), peer).String()
		}
		id := r.Header.Get("X-Request-Id")
		if !trusted || !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = context.WithValue(ctx, clientKey, client)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Address is the address the request came from: the peer's, or, from a trusted proxy,
// the right-most address in X-Forwarded-For that is not a trusted proxy's. Throttles, rate
// limits and logs all key on it.
func Address(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey).(string); ok {
		return c
	}
	if peer, ok := peerAddr(r); ok {
		return peer.String()
	}
	return r.RemoteAddr
}

// Network is who throttles and rate limits count a request against: the client's IPv4
// address, or its IPv6 /64, since one host (a home, a rented server) is given a whole /64 and
// can take a new address from it for every request.
func Network(r *http.Request) string {
	a, err := netip.ParseAddr(Address(r))
	if err != nil {
		return Address(r)
	}
	if a.Is6() && !a.Is4In6() {
		return netip.PrefixFrom(a.WithZone(""), 64).Masked().String()
	}
	return a.Unmap().String()
}

// RequestID is the id Identify gave the request, "" outside it.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

func (ps Proxies) trusts(a netip.Addr) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// forwardedClient walks X-Forwarded-For from the right, past the trusted proxies' own
// addresses: the first one that is not a trusted proxy's was written by a trusted proxy about
// its peer, so it is the client; whatever lies to its left the client wrote and may be forged.
// When every hop is trusted the left-most is the client; an entry that is not an address ends
// the walk at the last hop known, since a trusted proxy never writes one.
func (ps Proxies) forwardedClient(headers []string, peer netip.Addr) netip.Addr {
	hops := strings.Split(strings.Join(headers, ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, ok := parseHop(hops[i])
		if !ok {
			return client
		}
		client = a
		if !ps.trusts(a) {
			return a
		}
	}
	return client
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a port or in brackets.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	if a, err := netip.ParseAddr(strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")); err == nil {
		return a.Unmap(), true
	}
	return netip.Addr{}, false
}

func peerAddr(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// validRequestID accepts ids such as nginx's $request_id (32 hex digits) or a UUID, and
// nothing that could break a log line.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_.:", c)) {
			return false
		}
	}
	return true
}

func newRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
