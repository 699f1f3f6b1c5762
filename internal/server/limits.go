package server

import (
	"errors"
	"net/http"
	"strings"

	"github.com/decision-register/decisions/internal/admission"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/web/pages"
)

// RateLimit is how many requests one client may make in a window (admission.RateLimit), named
// here so that Deps's users need not import admission.
type RateLimit = admission.RateLimit

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
	return admission.Limiter(limit, clientid.Network, isUnlimited, func(w http.ResponseWriter, r *http.Request) {
		s.metrics.RateLimited(name)
		s.log.WarnContext(r.Context(), "rate limited", "limit", name, "address", clientid.Address(r),
			"request_id", clientid.RequestID(r.Context()))
		wait := admission.WaitWords(w.Header().Get("Retry-After"))
		if strings.HasPrefix(r.URL.Path, "/api/") {
			s.api.Refuse(w, r, http.StatusTooManyRequests,
				"Too many requests from your address: wait "+wait+" (the seconds in Retry-After), then try again.")
			return
		}
		if name == limitSignIn {
			s.renderSignInLimited(w, r, wait)
			return
		}
		s.serveError(w, r, tooManyRequests(r, wait))
	})
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

// admit bounds the requests handled at once (admission.Gate): past the bound a request waits
// admission.Wait for a slot, then gets the busy page. Downloads (isDownload) count against a
// smaller budget of their own. Health checks and static files, which never touch the database,
// are always let through.
func (s *Server) admit(next http.Handler) http.Handler {
	return s.gate.Admit(admissionClass, func(w http.ResponseWriter, r *http.Request, err error) {
		if errors.Is(err, admission.ErrBusy) {
			err = errBusy
		}
		s.serveError(w, r, err)
	})(next)
}

// admissionClass is the budget a request counts against.
func admissionClass(r *http.Request) admission.Class {
	switch p := r.URL.Path; {
	case p == "/healthz" || p == "/readyz" || strings.HasPrefix(p, "/static/"):
		return admission.Free
	case isDownload(p):
		return admission.Download
	}
	return admission.Page
}

// isDownload reports whether a path is a streamed export: the CSV, Atom and 360Giving files and
// the checkpoint lists (isExport's paths, but not the API, whose answers are pages of results).
func isDownload(path string) bool {
	return isExport(path) && !strings.HasPrefix(path, "/api/")
}
