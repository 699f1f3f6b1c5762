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

	r.Get("/sign-in", s.handle(s.handleSignInForm))
	r.Post("/sign-in", s.handle(s.handleSignIn))
	r.Post("/sign-out", s.handle(s.handleSignOut))

	// Staff accounts and sign-off chains: admins only.
	r.Group(func(r chi.Router) {
		r.Use(s.requireStaff, s.requireAdmin)
		r.Get("/admin/users", s.handle(s.handleAdminUsers))
		r.Get("/admin/users/new", s.handle(s.handleAdminUserNew))
		r.Post("/admin/users/new", s.handle(s.handleAdminUserCreate))
		r.Get("/admin/users/{id}", s.handle(s.handleAdminUser))
		r.Post("/admin/users/{id}", s.handle(s.handleAdminUserUpdate))
		r.Get("/admin/users/{id}/disable", s.handle(s.handleAdminUserStatus(true)))
		r.Post("/admin/users/{id}/disable", s.handle(s.handleAdminUserStatus(true)))
		r.Get("/admin/users/{id}/enable", s.handle(s.handleAdminUserStatus(false)))
		r.Post("/admin/users/{id}/enable", s.handle(s.handleAdminUserStatus(false)))
		r.Get("/admin/chains/{series}", s.handle(s.handleAdminChain))
		r.Post("/admin/chains/{series}", s.handle(s.handleAdminChainSave))
	})

	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errPageNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errMethodNotAllowed }))
	return r
}
