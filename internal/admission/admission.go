// Package admission owns how much work the server takes on: each client's rate of costly
// requests, and the requests handled at once, so a slow or stuck database cannot pile up
// goroutines and memory behind its pool. It knows HTTP and nothing of pages: callers say how
// a refusal is answered.
package admission

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"github.com/decision-register/decisions/internal/decision"
)

// RateLimit is how many requests one client may make in a window; zero Requests means no limit.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// Limiter refuses a client's requests past limit, per key (clientid.Network, say), with refuse;
// Retry-After (the window's length) is set before refuse is called. Requests exempt reports
// true for are never counted. Counts are kept in this process: behind several instances a
// client gets each instance's allowance, which only bounds each instance's work, as intended.
func Limiter(limit RateLimit, key func(*http.Request) string, exempt func(*http.Request) bool,
	refuse http.HandlerFunc) func(http.Handler) http.Handler {
	if limit.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	limiter := httprate.LimitBy(limit.Requests, limit.Window,
		func(r *http.Request) (string, error) { return key(r), nil },
		httprate.WithLimitHandler(refuse))
	return func(next http.Handler) http.Handler {
		limited := limiter(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if exempt != nil && exempt(r) {
				next.ServeHTTP(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}

// WaitWords says a Retry-After in seconds as a person would: "1 minute", "30 seconds".
func WaitWords(retryAfter string) string {
	n, err := strconv.Atoi(retryAfter)
	switch {
	case err != nil || n <= 0:
		return "a minute"
	case n%3600 == 0:
		return decision.Plural(n/3600, "hour")
	case n%60 == 0:
		return decision.Plural(n/60, "minute")
	}
	return decision.Plural(n, "second")
}

// Wait is how long a request waits for a slot when every slot is taken: long enough to absorb
// a burst, short enough that a stuck database turns into quick 503s, not a queue.
const Wait = time.Second

// ErrBusy is why a request was refused a slot: every slot stayed taken for Wait.
var ErrBusy = errors.New("admission: every slot is taken")

// Class is which budget a request counts against.
type Class int

const (
	// Page requests share the bound on requests handled at once.
	Page Class = iota
	// Download requests (streamed exports) have a smaller budget of their own: each may stream
	// for minutes, and a handful of slow ones must not take the slots page views need.
	Download
	// Free requests (health checks, static files: no database) are always let through.
	Free
)

// Gate bounds the requests handled at once: past its bound, a request waits Wait for a slot,
// then is refused.
type Gate struct {
	pages, downloads chan struct{} // a slot per request being handled, when bounded
}

// NewGate bounds pages and downloads at once; zero means no bound.
func NewGate(maxPages, maxDownloads int) *Gate {
	return &Gate{pages: make(chan struct{}, max(maxPages, 0)), downloads: make(chan struct{}, max(maxDownloads, 0))}
}

// Admitted is how many requests hold a page slot.
func (g *Gate) Admitted() int { return len(g.pages) }

// Downloading is how many downloads hold a slot of their own budget.
func (g *Gate) Downloading() int { return len(g.downloads) }

// Admit is the middleware: it classes each request by classify and refuses one that got no
// slot with refuse, passing ErrBusy, or the request's context error when it ended waiting.
func (g *Gate) Admit(classify func(*http.Request) Class, refuse func(http.ResponseWriter, *http.Request, error)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if cap(g.pages) == 0 && cap(g.downloads) == 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var slots chan struct{}
			switch classify(r) {
			case Page:
				slots = g.pages
			case Download:
				slots = g.downloads
			}
			if cap(slots) == 0 {
				next.ServeHTTP(w, r)
				return
			}
			select {
			case slots <- struct{}{}:
			default:
				t := time.NewTimer(Wait)
				select {
				case slots <- struct{}{}:
					t.Stop()
				case <-t.C:
					refuse(w, r, ErrBusy)
					return
				case <-r.Context().Done():
					t.Stop()
					refuse(w, r, r.Context().Err())
					return
				}
			}
			defer func() { <-slots }()
			next.ServeHTTP(w, r)
		})
	}
}
