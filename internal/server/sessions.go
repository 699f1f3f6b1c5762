package server

import (
	"net/http"
	"reflect"
	"time"

	"github.com/alexedwards/scs/v2"
)

// loadAndSaveSession is scs's LoadAndSave, but a request that changes nothing in its session
// saves it only when it is a read. scs marks every session changed when it is loaded (an
// idle timeout is in use, so each save moves the expiry on), and saves it after the handler,
// in a statement the request's deadline does not bound: a POST that had saved a draft then
// waited on the session's row (held by another request of the same person) for as long as
// PostgreSQL allowed, and answered 503 for a change that was made. The next page read moves
// the idle expiry on instead; a sign-in, sign-out or flash message changes the session and is
// saved as before.
func (s *Server) loadAndSaveSession(next http.Handler) http.Handler {
	sm := s.sessions
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Cookie")
		var token string
		if c, err := r.Cookie(sm.Cookie.Name); err == nil {
			token = c.Value
		}
		ctx, err := sm.Load(r.Context(), token)
		if err != nil {
			sm.ErrorFunc(w, r, err)
			return
		}
		sr := r.WithContext(ctx)
		before := sessionValues(sm, sr)
		sw := &sessionWriter{ResponseWriter: w}
		sw.commit = func() {
			if read := r.Method == http.MethodGet || r.Method == http.MethodHead; !read && sm.Token(ctx) == token &&
				sm.Status(ctx) == scs.Modified && reflect.DeepEqual(before, sessionValues(sm, sr)) {
				return
			}
			switch sm.Status(ctx) {
			case scs.Modified:
				token, expiry, err := sm.Commit(ctx)
				if err != nil {
					sm.ErrorFunc(w, sr, err)
					return
				}
				sm.WriteSessionCookie(ctx, w, token, expiry)
			case scs.Destroyed:
				sm.WriteSessionCookie(ctx, w, "", time.Time{})
			}
		}
		next.ServeHTTP(sw, sr)
		sw.save()
	})
}

// sessionValues is a copy of what a session holds.
func sessionValues(sm *scs.SessionManager, r *http.Request) map[string]any {
	vs := map[string]any{}
	for _, k := range sm.Keys(r.Context()) {
		vs[k] = sm.Get(r.Context(), k)
	}
	return vs
}

// sessionWriter saves the session before the response's first byte, so its cookie goes with
// the headers.
type sessionWriter struct {
	http.ResponseWriter
	commit func()
	saved  bool
}

func (w *sessionWriter) save() {
	if !w.saved {
		w.saved = true
		w.commit()
	}
}

func (w *sessionWriter) WriteHeader(code int) {
	w.save()
	w.ResponseWriter.WriteHeader(code)
}

func (w *sessionWriter) Write(b []byte) (int, error) {
	w.save()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer (deadlines, flushing).
func (w *sessionWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
