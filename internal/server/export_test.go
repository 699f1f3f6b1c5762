package server

import "net/http"

// RecoverPanics exposes the panic middleware to the tests.
func (s *Server) RecoverPanics(next http.Handler) http.Handler { return s.recoverPanics(next) }

// Handle and NoRetry expose the error adapter and its retry guard to the tests.
func (s *Server) Handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return s.handle(fn)
}

func NoRetry(r *http.Request) { noRetry(r) }

// WithFlash runs h in a session holding the flash message msg under key ("" for none), and
// PopFlash pops it as pages do.
func (s *Server) WithFlash(key, msg string, h http.Handler) http.Handler {
	return s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if msg != "" {
			s.sessions.Put(r.Context(), key, msg)
		}
		h.ServeHTTP(w, r)
	}))
}

func (s *Server) PopFlash(r *http.Request, key string) string { return s.popFlash(r, key) }
