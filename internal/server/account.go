package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

const userKey ctxKey = iota + 100

// Throttling of failed sign-ins, counted in the database so every instance sees them.
const (
	throttleWindow     = 15 * time.Minute
	maxAccountFailures = 5  // per email address typed, whether or not such an account exists
	maxAddressFailures = 20 // per client address
)

// sessionUserKey holds the signed-in user's id in the session, and sessionEpochKey the epoch
// the user had then: when a password change moves it on, older sessions stop working.
const (
	sessionUserKey  = "user_id"
	sessionEpochKey = "user_epoch"
)

// loadUser puts the signed-in, active user (if any) in the request's context. A disabled
// account's session stops working at once.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := s.sessions.GetInt64(r.Context(), sessionUserKey)
		if id == 0 {
			next.ServeHTTP(w, r)
			return
		}
		u, err := s.store.UserByID(r.Context(), id)
		if store.IsDeadConnection(err) && r.Context().Err() == nil {
			// A read: tried once more on a new connection, as in handle.
			s.resetPools()
			u, err = s.store.UserByID(r.Context(), id)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serveError(w, r, err)
			return
		}
		if err != nil || u.DisabledAt != nil || s.sessions.GetInt(r.Context(), sessionEpochKey) != u.SessionEpoch {
			s.sessions.Remove(r.Context(), sessionUserKey)
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey, &u)))
	})
}

// userFrom is the signed-in user, or nil.
func userFrom(r *http.Request) *store.User {
	u, _ := r.Context().Value(userKey).(*store.User)
	return u
}

// requireStaff sends a signed-out person to sign in, and back to the page afterwards.
func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userFrom(r) == nil {
			next := r.URL.RequestURI()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				next = r.URL.Path
			}
			http.Redirect(w, r, "/sign-in?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireRole lets through only people holding role; others get the page refused explains.
// It runs after requireStaff.
func (s *Server) requireRole(role string, refused *pageError) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u := userFrom(r); u == nil || !u.Has(role) {
				s.serveError(w, r, refused)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// localPath keeps a "next" address on this site: a path, never another host.
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\t\r\n") {
		return "/work"
	}
	return u.RequestURI()
}

type signInForm struct {
	Email, Password, Next string
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) error {
	if userFrom(r) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.renderSignIn(w, r, http.StatusOK, signInForm{Next: localPath(r.URL.Query().Get("next"))}, nil)
	return nil
}

func (s *Server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm, errs map[string]string) {
	title := "Sign in"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.SignInProps{
		Page:     s.page(r, title, "", "/sign-in"),
		Email:    components.Field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "username", Value: f.Email, Error: errs["email"]},
		Password: components.Field{ID: "password", Name: "password", Label: "Password", Type: "password", Autocomplete: "current-password", Error: errs["password"]},
		Next:     f.Next,
	}
	for _, id := range []string{"email", "password"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.SignIn(p))
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	f := signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Password: r.PostFormValue("password"),
		Next: localPath(r.PostFormValue("next"))}
	errs := map[string]string{}
	if f.Email == "" {
		errs["email"] = "Enter your email address"
	}
	if f.Password == "" {
		errs["password"] = "Enter your password"
	}
	if len(errs) > 0 {
		s.renderSignIn(w, r, http.StatusUnprocessableEntity, f, errs)
		return nil
	}
	now := s.now()
	accountKey, addressKey := "account:"+store.NormaliseEmail(f.Email), "address:"+clientAddress(r)
	// The attempt counts before the password is checked, so simultaneous guesses are throttled.
	counts, err := s.store.SignInAttempt(r.Context(), []string{accountKey, addressKey}, now, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	throttled := counts[0] > maxAccountFailures || counts[1] > maxAddressFailures
	u, err := s.store.UserByEmail(r.Context(), f.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	hash := ""
	if err == nil && u.DisabledAt == nil {
		hash = u.PasswordHash
	}
	// The password is checked even when throttled or unknown, so every answer takes as long.
	ok, err := s.checkPassword(r.Context(), f.Password, hash)
	if err != nil {
		return err
	}
	if !ok || throttled {
		return s.signInFailed(w, r, f, throttled, now)
	}
	if err := s.store.SignedIn(r.Context(), accountKey, addressKey, now); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionUserKey, u.ID)
	s.sessions.Put(r.Context(), sessionEpochKey, u.SessionEpoch)
	if err := s.store.Audit(r.Context(), u.Act(now), 0, store.EventSignInSucceeded, nil); err != nil {
		return err
	}
	http.Redirect(w, r, f.Next, http.StatusSeeOther)
	return nil
}

// checkPassword checks a password with at most a few checks at once: each argon2id check takes
// 64 MiB, so a burst of sign-ins must queue rather than exhaust memory.
func (s *Server) checkPassword(ctx context.Context, password, hash string) (bool, error) {
	select {
	case s.passwordChecks <- struct{}{}:
	case <-ctx.Done():
		return false, ctx.Err()
	}
	defer func() { <-s.passwordChecks }()
	return auth.CheckPassword(password, hash), nil
}

// signInFailed answers a failed sign-in. Failures are audited, but not those while throttled:
// anyone could otherwise grow the trail, which can never shrink, without limit.
func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, f signInForm, throttled bool, now time.Time) error {
	msg, status := "Enter a correct email address and password", http.StatusUnprocessableEntity
	if throttled {
		msg, status = "Too many failed attempts to sign in. Wait 15 minutes, then try again", http.StatusTooManyRequests
		s.log.WarnContext(r.Context(), "sign-in throttled", "address", clientAddress(r), "request_id", requestIDFrom(r.Context()))
	} else {
		err := s.store.Audit(r.Context(), store.System(now), 0, store.EventSignInFailed,
			map[string]string{"email": store.NormaliseEmail(f.Email), "address": clientAddress(r)})
		if err != nil {
			return err
		}
	}
	f.Password = ""
	s.renderSignIn(w, r, status, f, map[string]string{"email": msg})
	return nil
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
