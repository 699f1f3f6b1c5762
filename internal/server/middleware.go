package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/decision-register/decisions/internal/clientid"
)

// ctxKey keys the server's values in a request's context.
type ctxKey int

// recoverPanics turns a panic into a logged 500 page instead of a dropped connection.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.serveError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
		}()
		next.ServeHTTP(w, r)
	})
}

// logRequests writes one line per request: method, route pattern, status, duration, id; and
// counts it in the metrics.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.inFlight.Add(1)
		// Counted out before the line is written, so a shutdown that follows a logged request
		// never finds it still in flight; the deferred count-out is for a panic.
		handled := false
		defer func() {
			if !handled {
				s.inFlight.Add(-1)
			}
		}()
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		handled = true
		s.inFlight.Add(-1)
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		took := time.Since(start)
		s.metrics.Request(r.Method, route, ww.Status(), took)
		s.log.LogAttrs(r.Context(), s.levelFor(r, route, ww.Status()), "request",
			slog.String("method", r.Method), slog.String("route", route), slog.String("path", r.URL.Path),
			slog.Int("status", ww.Status()), slog.Duration("duration", took),
			slog.String("request_id", clientid.RequestID(r.Context())), slog.String("client", clientid.Address(r)))
	})
}

// limitDuration gives each request a deadline, so a stuck query cannot hold a connection and a
// goroutine for ever; the store's queries stop when it passes. A download streams for longer,
// under its own deadline, and the server's write timeout (meant for pages) moves with it.
func (s *Server) limitDuration(next http.Handler) http.Handler {
	if s.requestTimeout <= 0 && s.exportTimeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.requestTimeout
		if isExport(r.URL.Path) && s.exportTimeout > 0 {
			limit = s.exportTimeout
			if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(limit + 5*time.Second)); err != nil {
				s.log.WarnContext(r.Context(), "export write deadline", "err", err)
			}
		}
		if limit <= 0 {
			next.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), limit)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// isExport reports whether a path is a download of data: /decisions.csv, .atom, the API and
// any other .csv or .json document.
func isExport(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasSuffix(path, ".csv") ||
		strings.HasSuffix(path, ".atom") || strings.HasSuffix(path, ".json")
}

// redirectSlashes moves "/decisions/" to "/decisions". The target is rebuilt from the decoded
// path with one leading slash and every unsafe byte escaped, so it can only name a path on this
// site: browsers drop tabs and newlines and read "\" as "/", which would turn a copied-through
// "/%09/evil.example/" or "/%5Cevil.example/" into "//evil.example", another host.
func redirectSlashes(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if len(p) <= 1 || !strings.HasSuffix(p, "/") {
			next.ServeHTTP(w, r)
			return
		}
		target := (&url.URL{Path: "/" + strings.Trim(p, "/")}).EscapedPath()
		// The query goes on as sent: re-encoding would reorder its parameters. It cannot move
		// the target off the site, because the path before it is rebuilt, and the request's
		// parser has already refused control characters in it.
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

// errUnstorableInput answers a form or an address holding what no text in the register can:
// a NUL, or bytes that are not UTF-8. PostgreSQL refuses both; a browser sends neither from
// a form it rendered, so this is for hand-made requests, and a page saying so is enough.
var errUnstorableInput = &pageError{
	Status:  http.StatusBadRequest,
	Heading: "Something you sent cannot be stored",
	Message: "It contains a character the register cannot keep (a NUL, or bytes that are not UTF-8 text). Go back, remove it and try again.",
}

// refuseUnstorableInput answers a posted form holding a NUL or invalid UTF-8 with 400, and
// a path holding one with the 404 page (no address on the site has one), before any handler
// passes them to the database. Query strings are left to their handlers, which say which
// parameter is wrong (the search does).
func (s *Server) refuseUnstorableInput(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !storable(r.URL.Path) {
			s.serveError(w, r, errPageNotFound)
			return
		}
		bad := false
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil {
				s.serveError(w, r, &pageError{Status: http.StatusBadRequest, Heading: "The form could not be read",
					Message: "Go back and try again."})
				return
			}
			for k, vs := range r.PostForm {
				bad = bad || !storable(k)
				for _, v := range vs {
					bad = bad || !storable(v)
				}
			}
		}
		if bad {
			s.serveError(w, r, errUnstorableInput)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func storable(v string) bool { return utf8.ValidString(v) && !strings.ContainsRune(v, 0) }

// contentSecurityPolicy allows only the site's own files: no inline script or style.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// hstsPolicy keeps browsers on HTTPS for a year once they have seen the site over it. It leaves
// out includeSubDomains and preload: the register's host is often a subdomain of its owner's,
// whose other hosts are not ours to commit to HTTPS.
const hstsPolicy = "max-age=31536000"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		if s.hsts {
			h.Set("Strict-Transport-Security", hstsPolicy)
		}
		h.Set("Content-Security-Policy", s.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		next.ServeHTTP(w, r)
	})
}

// levelFor is a request's log level: errors for 5xx, warnings for 4xx and for requests cut
// short before answering. A draining server's /readyz 503 is expected: it is how the load
// balancer learns to stop sending requests, so it is not an error.
func (s *Server) levelFor(r *http.Request, route string, status int) slog.Level {
	switch {
	case route == "/readyz" && status == http.StatusServiceUnavailable && s.draining.Load():
		return slog.LevelInfo
	case status == 0 && r.Context().Err() != nil:
		return slog.LevelWarn
	case status >= 500:
		return slog.LevelError
	case status >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}
