package server

import "net/http"

// RecoverPanics exposes the panic middleware to the tests.
func (s *Server) RecoverPanics(next http.Handler) http.Handler { return s.recoverPanics(next) }
