package server

import (
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// Routes returns the handler for every route. Middleware runs in the order written,
// outermost first.
func (s *Server) Routes() http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RedirectSlashes)
	r.Use(requestID)
	r.Use(s.recoverPanics)
	r.Use(s.logRequests)
	r.Use(securityHeaders)
	r.Use(http.NewCrossOriginProtection().Handler)
	r.Use(s.sessions.LoadAndSave)
	r.Use(s.loadUser)
	// HEAD is answered by the GET handlers, for link checkers and monitors.
	r.Use(middleware.GetHead)

	r.Get("/healthz", s.handleHealthz)
	r.Get("/readyz", s.handleReadyz)
	r.Get("/static/{name}", s.assets.serve)

	r.Get("/", s.handle(s.handleHome))
	r.Get("/accessibility", s.handle(s.handleAccessibility))
	r.Get("/decisions", s.handle(s.handleDecisionList))
	r.Get("/decisions/{slug}", s.handle(s.handleDecisionShow))
	r.Get("/decisions/{slug}/canonical", s.handle(s.handleCanonical))
	r.Get("/decisions/{slug}/verify", s.handle(s.handleVerify))

	r.Get("/sign-in", s.handle(s.handleSignInForm))
	r.Post("/sign-in", s.handle(s.handleSignIn))
	r.Post("/sign-out", s.handle(s.handleSignOut))

	r.Group(func(r chi.Router) {
		r.Use(s.requireStaff)
		r.Get("/work", s.handle(s.handleWork))
		r.Get("/decisions/{slug}/signoff", s.handle(s.handleSignoff))
		r.Post("/decisions/{slug}/signoff", s.handle(s.handleSignoffAct))
		r.Post("/decisions/{slug}/sign", s.handle(s.handleSign))
	})

	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errPageNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errMethodNotAllowed }))
	return r
}
