package server

import (
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/httprate"
)

// RateLimit is how many requests one client may make in a window; zero Requests means no limit.
type RateLimit struct {
	Requests int
	Window   time.Duration
}

// The limits' names, in the 429's log line and the metrics.
const (
	limitSearch  = "search"
	limitExports = "exports"
)

// rateLimit refuses a client's requests past limit with 429 and Retry-After (the window's
// length), per client address: the same address sign-in throttling counts (clientAddress).
// Counts are kept in this process: behind several instances a client gets each instance's
// allowance, which only bounds each instance's work, as intended.
func (s *Server) rateLimit(name string, limit RateLimit) func(http.Handler) http.Handler {
	if limit.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	return httprate.Limit(limit.Requests, limit.Window,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) { return clientAddress(r), nil }),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			s.metrics.RateLimited(name)
			s.log.WarnContext(r.Context(), "rate limited", "limit", name, "address", clientAddress(r),
				"request_id", requestIDFrom(r.Context()))
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.writeJSON(w, r, http.StatusTooManyRequests, APIError{Errors: []APIFieldError{{
					Message: "Too many requests from your address: wait the number of seconds in Retry-After, then try again."}}})
				return
			}
			s.serveError(w, r, errTooManyRequests)
		}))
}

var errTooManyRequests = &pageError{
	Status:  http.StatusTooManyRequests,
	Heading: "Too many requests",
	Message: "You have made a lot of searches or downloads in a short time. Wait a minute, then try again.",
	Hint:    "If you need the whole register regularly, download it once as CSV rather than page by page.",
}

// admissionWait is how long a request waits for a slot when every slot is taken: long enough
// to absorb a burst, short enough that a stuck database turns into quick 503s, not a queue.
const admissionWait = time.Second

// admit bounds the requests handled at once, so a slow or stuck database cannot pile up
// goroutines and memory behind the pool: past max, a request waits admissionWait for a slot,
// then gets the busy page. Health checks and static files, which never touch the database,
// are always let through.
func (s *Server) admit(next http.Handler) http.Handler {
	if cap(s.slots) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := r.URL.Path; p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case s.slots <- struct{}{}:
		default:
			t := time.NewTimer(admissionWait)
			select {
			case s.slots <- struct{}{}:
				t.Stop()
			case <-t.C:
				s.serveError(w, r, errBusy)
				return
			case <-r.Context().Done():
				t.Stop()
				s.serveError(w, r, r.Context().Err())
				return
			}
		}
		defer func() { <-s.slots }()
		next.ServeHTTP(w, r)
	})
}
