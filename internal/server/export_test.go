package server

import "net/http"

// RecoverPanics exposes the panic middleware to the tests.
func (s *Server) RecoverPanics(next http.Handler) http.Handler { return s.recoverPanics(next) }

// Handle and NoRetry expose the error adapter and its retry guard to the tests.
func (s *Server) Handle(fn func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return s.handle(fn)
}

func NoRetry(r *http.Request) { noRetry(r) }
