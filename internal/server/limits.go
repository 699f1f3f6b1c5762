package server

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/web/pages"
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
	limitSignIn  = "sign-in"
)

// rateLimit refuses a client's requests past limit with 429 and Retry-After (the window's
// length), per client (clientid.Network: an IPv6 /64 is one client), as sign-in throttling counts.
// Counts are kept in this process: behind several instances a client gets each instance's
// allowance, which only bounds each instance's work, as intended. The list of decisions with no
// search at all is never counted: it is cheap (its first rows newest first), and it is where
// the 429 page sends a limited visitor, so it must answer them.
func (s *Server) rateLimit(name string, limit RateLimit) func(http.Handler) http.Handler {
	if limit.Requests <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	limiter := httprate.LimitBy(limit.Requests, limit.Window,
		func(r *http.Request) (string, error) { return clientid.Network(r), nil },
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			s.metrics.RateLimited(name)
			s.log.WarnContext(r.Context(), "rate limited", "limit", name, "address", clientid.Address(r),
				"request_id", clientid.RequestID(r.Context()))
			wait := waitWords(w.Header().Get("Retry-After"))
			if strings.HasPrefix(r.URL.Path, "/api/") {
				s.writeJSON(w, r, http.StatusTooManyRequests, APIError{Errors: []APIFieldError{{
					Message: "Too many requests from your address: wait " + wait + " (the seconds in Retry-After), then try again."}}})
				return
			}
			if name == limitSignIn {
				s.renderSignInLimited(w, r, wait)
				return
			}
			s.serveError(w, r, tooManyRequests(r, wait))
		}))
	return func(next http.Handler) http.Handler {
		limited := limiter(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if isUnlimited(r) {
				next.ServeHTTP(w, r)
				return
			}
			limited.ServeHTTP(w, r)
		})
	}
}

// isUnlimited reports whether r is the plain list of decisions: no search, no filter, no page.
func isUnlimited(r *http.Request) bool {
	return r.URL.Path == "/decisions" && r.URL.RawQuery == ""
}

// tooManyRequests is the 429 page: how long to wait, in words, and only links that answer a
// limited visitor (the home page, the decision the request was about, the list with no search),
// never the limited address again.
func tooManyRequests(r *http.Request, wait string) *pageError {
	links := []pages.ErrorLink{{Href: "/", Text: "Go to the home page"}}
	if slug, ok := decisionOf(r.URL.Path); ok {
		links = append(links, pages.ErrorLink{Href: "/decisions/" + slug, Text: "Go back to the decision"})
	}
	links = append(links, pages.ErrorLink{Href: "/decisions", Text: "Browse all decisions, newest first"})
	return &pageError{
		Status:  http.StatusTooManyRequests,
		Heading: "Too many requests",
		Message: "You have made a lot of searches or downloads in a short time. Wait " + wait + ", then try again.",
		Hint: "Decision pages and the list of all decisions still work while you wait. " +
			"If you need the whole register regularly, download it once as CSV rather than page by page.",
		Links:   links,
		Limited: true,
	}
}

// decisionOf is the slug of the decision a path under /decisions/{slug}/ is about.
func decisionOf(path string) (string, bool) {
	rest, ok := strings.CutPrefix(path, "/decisions/")
	if !ok {
		return "", false
	}
	slug, _, _ := strings.Cut(rest, "/")
	// Slugs are lower-case letters, digits and hyphens; anything else is not linked back to.
	if slug == "" || strings.Trim(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
		return "", false
	}
	return slug, true
}

// waitWords says a Retry-After in seconds as a person would: "1 minute", "30 seconds".
func waitWords(retryAfter string) string {
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

// admissionWait is how long a request waits for a slot when every slot is taken: long enough
// to absorb a burst, short enough that a stuck database turns into quick 503s, not a queue.
const admissionWait = time.Second

// admit bounds the requests handled at once, so a slow or stuck database cannot pile up
// goroutines and memory behind the pool: past max, a request waits admissionWait for a slot,
// then gets the busy page. Downloads (isDownload) count against a smaller budget of their own:
// each may stream for up to the export timeout, and a handful of slow ones must not take the
// slots page views need. Health checks and static files, which never touch the database, are
// always let through.
func (s *Server) admit(next http.Handler) http.Handler {
	if cap(s.slots) == 0 && cap(s.downloadSlots) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		slots := s.slots
		if isDownload(p) {
			slots = s.downloadSlots
		}
		if cap(slots) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			t := time.NewTimer(admissionWait)
			select {
			case slots <- struct{}{}:
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
		defer func() { <-slots }()
		next.ServeHTTP(w, r)
	})
}

// isDownload reports whether a path is a streamed export: the CSV, Atom and 360Giving files and
// the checkpoint lists (isExport's paths, but not the API, whose answers are pages of results).
func isDownload(path string) bool {
	return isExport(path) && !strings.HasPrefix(path, "/api/")
}
