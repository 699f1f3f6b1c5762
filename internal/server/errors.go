package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

// pageError is an error a user can act on: its status and words become the error page.
type pageError struct {
	Status     int
	Heading    string
	Message    string
	Hint       string
	ShowSearch bool
	Query      string
	// Links replace the usual "Browse all decisions" with where to go instead.
	Links []pages.ErrorLink
	// Limited leaves out of the shell the links a rate-limited visitor would be refused at.
	Limited bool
}

func (e *pageError) Error() string { return e.Heading + ": " + e.Message }

var (
	errPageNotFound = &pageError{
		Status:     http.StatusNotFound,
		Heading:    "Page not found",
		Message:    "If you typed the web address, check it is correct. If you pasted the web address, check you copied the entire address.",
		ShowSearch: true,
	}
	errBusy = &pageError{
		Status:  http.StatusServiceUnavailable,
		Heading: "Sorry, the service is busy",
		Message: "Try again in a few minutes. Nothing you entered has been lost.",
	}
	errUnavailable = &pageError{
		Status:  http.StatusServiceUnavailable,
		Heading: "Sorry, the service is temporarily unavailable",
		Message: "The register cannot reach its database just now. Try again in a few seconds. If you were saving a change, check whether it was saved before making it again.",
	}
	errMethodNotAllowed = &pageError{
		Status:  http.StatusMethodNotAllowed,
		Heading: "That action is not allowed here",
		Message: "This address cannot be used that way.",
	}
)

// retryAfter is the Retry-After of a 503, in seconds: a database restart takes about this long.
const retryAfter = "5"

// handle adapts a handler that returns an error to http.HandlerFunc. A read (GET or HEAD) that
// failed because its database connection was dead, before it sent anything, is tried once more
// on a new connection: after a database restart the pool still holds connections that look
// idle and well (pgxpool only pings one idle for over a second), and the first request to take
// one would otherwise get a 503. A GET that writes (a Part II read's audit entry, a popped flash)
// does it through auditPartTwoRead or popFlash, which mark it (noRetry), and is never run twice.
func (s *Server) handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sw := &sentWriter{ResponseWriter: w}
		g := &retryGuard{}
		r = r.WithContext(context.WithValue(r.Context(), retryGuardKey{}, g))
		err := fn(sw, r)
		if err != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) && !sw.sent && !g.wrote.Load() &&
			store.IsDeadConnection(err) && r.Context().Err() == nil {
			s.log.WarnContext(r.Context(), "database connection lost: reading again on a new one", "err", err,
				"request_id", clientid.RequestID(r.Context()), "path", r.URL.Path)
			s.metrics.ReadRetried()
			s.resetPools()
			err = fn(sw, r)
		}
		if err != nil {
			s.serveError(w, r, err)
		}
	}
}

// retryGuard notes that a request has written (an audit entry of a Part II read, a session
// value popped): a GET that did must not run again, or the write is made twice (or lost).
type retryGuard struct{ wrote atomic.Bool }

type retryGuardKey struct{}

// noRetry marks r as having written, before the write, so handle does not run it again even
// when the write's own connection died after the database committed it.
func noRetry(r *http.Request) {
	if g, ok := r.Context().Value(retryGuardKey{}).(*retryGuard); ok {
		g.wrote.Store(true)
	}
}

// wrote reports whether r has written (noRetry): such a response is not a read to repeat, to
// keep or to answer 304 to.
func wrote(r *http.Request) bool {
	g, ok := r.Context().Value(retryGuardKey{}).(*retryGuard)
	return ok && g.wrote.Load()
}

// popFlash takes the one-time message under key from the session, marking the request when
// there was one: run again, the page would have lost it.
func (s *Server) popFlash(r *http.Request, key string) string {
	v := s.sessions.PopString(r.Context(), key)
	if v != "" {
		noRetry(r)
	}
	return v
}

// recordPartTwoRead records in the audit trail that the person asking was shown decision id's
// Part II. The request is marked first: run again, the read would be recorded twice.
func (s *Server) recordPartTwoRead(r *http.Request, id int64, detail map[string]string) error {
	noRetry(r)
	return s.store.Audit(r.Context(), userFrom(r).Act(s.now()), id, store.EventPartTwoRead, detail)
}

// sentWriter notes whether anything has been sent, after which a request cannot be tried again.
type sentWriter struct {
	http.ResponseWriter
	sent bool
}

func (w *sentWriter) WriteHeader(code int) {
	w.sent = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *sentWriter) Write(b []byte) (int, error) {
	w.sent = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer (deadlines, flushing).
func (w *sentWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// resetInterval is shorter than any restart of PostgreSQL takes (stop and start, 0.2 s at the
// least here), so the first failure after each restart resets the pools.
const resetInterval = 100 * time.Millisecond

// resetPools drops the pools' idle connections (those in use go when released): after one is
// found dead the others, made before the same restart, are too, and each would fail a request.
// The error does not say which pool it came from, so both go; at most every resetInterval, so
// while one database is down for a while the other's connections are not churned by every
// failed request.
func (s *Server) resetPools() {
	now, last := time.Now().UnixNano(), s.lastReset.Load()
	if now-last < int64(resetInterval) || !s.lastReset.CompareAndSwap(last, now) {
		return
	}
	s.store.Reset()
	s.replica.Reset()
}

// serveError is the one place an error becomes a response. Users see a page in words they
// can act on, never err.Error(); anything unexpected is logged with the request id.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	httpcache.DropValidators(w)
	var pe *pageError
	switch {
	case errors.As(err, &pe):
	case errors.Is(err, store.ErrNotFound):
		pe = errPageNotFound
	case errors.Is(err, store.ErrConflict):
		pe = &pageError{Status: http.StatusConflict, Heading: "Someone else changed this",
			Message: "Your change was not saved because it conflicts with another. Reload the page and try again."}
	case errors.Is(err, store.ErrLocked):
		pe = &pageError{Status: http.StatusConflict, Heading: "This record cannot change",
			Message: "It has been signed, or it is part of the audit trail: the register keeps it exactly as it is."}
	case errors.Is(err, decision.ErrNotAllowed):
		pe = &pageError{Status: http.StatusForbidden, Heading: "You cannot do that", Message: err.Error()}
	case errors.As(err, new(*store.CheckError)):
		// A handler that knows the field shows the message beside it; this is the backstop.
		pe = &pageError{Status: http.StatusUnprocessableEntity, Heading: "That change was not saved",
			Message: "Something in it is not allowed by the register's rules. Go back, check what you entered and try again."}
	case errors.Is(r.Context().Err(), context.Canceled):
		// The client went away, or a shutdown cut the request short: there is no one to answer,
		// but the log says why the request ended without a status.
		reason := "the client went away"
		if cause := context.Cause(r.Context()); cause != nil && !errors.Is(cause, context.Canceled) {
			reason = cause.Error()
		}
		s.log.WarnContext(r.Context(), "request cancelled", "reason", reason, "err", err,
			"request_id", clientid.RequestID(r.Context()), "method", r.Method, "path", r.URL.Path)
		return
	case store.IsUnavailable(err):
		// The next request gets new connections, not another of the dead ones.
		if store.IsDeadConnection(err) {
			s.resetPools()
		}
		s.log.ErrorContext(r.Context(), "database unavailable", "err", err, "request_id", clientid.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path)
		pe = errUnavailable
	case errors.Is(err, context.DeadlineExceeded) || store.IsTimeout(err):
		s.log.ErrorContext(r.Context(), "request timed out", "err", err, "request_id", clientid.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path)
		pe = errBusy
	default:
		s.log.ErrorContext(r.Context(), "request failed", "err", err, "request_id", clientid.RequestID(r.Context()),
			"method", r.Method, "path", r.URL.Path)
		pe = &pageError{Status: http.StatusInternalServerError, Heading: "Sorry, there is a problem with the service",
			Message: "Try again later. Nothing you entered has been lost."}
	}
	links := pe.Links
	if len(links) == 0 && (pe.Status == http.StatusForbidden || pe.Status == http.StatusConflict) {
		links = backLinks(r)
	}
	// The page must render even when the request's deadline has passed: templ stops on a done context.
	r = r.WithContext(context.WithoutCancel(r.Context()))
	page := s.page(r, pe.Heading, "", r.URL.Path)
	page.Limited = pe.Limited
	props := pages.ErrorProps{
		Page:       page,
		Links:      links,
		Heading:    pe.Heading,
		Message:    pe.Message,
		Hint:       pe.Hint,
		ShowSearch: pe.ShowSearch,
		Query:      pe.Query,
	}
	if pe.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if pe.Status >= 500 {
		props.RequestID = clientid.RequestID(r.Context())
	}
	s.render(w, r, pe.Status, pages.Error(props))
}

// backLinks lead a person refused an action back to where they were: the page they sent the
// form from (its Referer, when it is a page of this site), and the decision the address names.
// Nil leaves the usual link to the list of decisions.
func backLinks(r *http.Request) []pages.ErrorLink {
	var links []pages.ErrorLink
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") &&
		!strings.HasPrefix(ref.Path, "//") && !strings.ContainsRune(ref.Path, '\\') {
		links = append(links, pages.ErrorLink{Href: (&url.URL{Path: ref.Path, RawQuery: ref.RawQuery}).String(),
			Text: "Go back to the page you were on"})
	}
	if slug, err := slugParam(r); err == nil {
		links = append(links, pages.ErrorLink{Href: "/decisions/" + slug, Text: "Go to the decision"})
	}
	if len(links) > 0 {
		links = append(links, pages.ErrorLink{Href: "/decisions", Text: "Browse all decisions"})
	}
	return links
}
