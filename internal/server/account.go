package server

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

const userKey ctxKey = iota + 100

// Throttling of failed sign-ins, counted in the database so every instance sees them. A
// client is an IPv4 address or an IPv6 /64 (clientNetwork): one host holds a whole /64.
//
// The hard limits key on the client, never on the account alone: a limit on the account alone
// (as there was) lets anyone lock a named person out, a decision maker kept from signing by six
// wrong guesses from anywhere. So one client may try one account maxPairFailures times and any
// accounts maxClientFailures times. Against one account from many clients the account is
// slowed, not shut: once it has had maxAccountFailures failures from anywhere, each client gets
// only maxPairUnderAttack tries at it, and the person, from a client of their own that has not
// failed twice, still signs in with the right password. Each guess from a botnet costs it a
// client and is logged; a password of twelve characters or more outlasts that.
const (
	throttleWindow     = 15 * time.Minute
	maxPairFailures    = 5  // one client at one account
	maxClientFailures  = 20 // one client at any accounts
	maxAccountFailures = 5  // every client at one account, past which maxPairUnderAttack holds
	maxPairUnderAttack = 2
	// maxPasswordFailures is how many wrong current passwords one signed-in person may give the
	// change-password form in the window: a borrowed session must not become a way to guess it.
	maxPasswordFailures = 5
)

// signInThrottled decides from this attempt's counts (each including it) whether it is refused
// without checking the password.
func signInThrottled(pair, client, account int) bool {
	return pair > maxPairFailures || client > maxClientFailures ||
		(account > maxAccountFailures && pair > maxPairUnderAttack)
}

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
		if s.sso != nil && u.SSORequired && s.authMethod(r) != authSSO {
			// An admin has since required single sign-on of this account: a session signed in
			// otherwise ends, and the sign-in page says why.
			s.sessions.Remove(r.Context(), sessionUserKey)
			s.sessions.Put(r.Context(), ssoNowRequiredKey, true)
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
// staffOnlyKey marks a request for a page only staff can reach: its shell says so.
type staffOnlyKey struct{}

func (s *Server) requireStaff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userFrom(r) == nil {
			s.signedOut(w, r)
			return
		}
		if u := userFrom(r); u.MustChangePassword && r.URL.Path != passwordPath {
			// A one-time password an admin set is changed before anything else is done with it.
			http.Redirect(w, r, passwordPath, http.StatusSeeOther)
			return
		}
		if (s.sessions.GetBool(r.Context(), secondFactorDueKey) || s.secondFactorDue(r, userFrom(r))) && r.URL.Path != secondFactorPath &&
			r.URL.Path != passwordPath && !strings.HasPrefix(r.URL.Path, passkeysPath) {
			// An admin requires a second factor of people who sign or approve: set up first.
			http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), staffOnlyKey{}, true)))
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
	// SignedOut says why the person was sent to sign in (signedOutIdle, signedOutKept), if so.
	SignedOut string
}

func (s *Server) handleSignInForm(w http.ResponseWriter, r *http.Request) error {
	if userFrom(r) != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.renderSignIn(w, r, http.StatusOK, signInForm{Next: localPath(r.URL.Query().Get("next")),
		SignedOut: r.URL.Query().Get("signed_out")}, nil)
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
	if s.sso != nil {
		p.SSOName = s.sso.Name()
	}
	if p.SignedOutHeading, p.SignedOut = s.signedOutMessage(f.SignedOut); p.SignedOut != "" {
		p.SignedOutWhy = f.SignedOut
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
		Next: localPath(r.PostFormValue("next")), SignedOut: r.PostFormValue("signed_out")}
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
	keys := signInKeys(f.Email, clientid.Network(r))
	// The attempt counts before the password is checked, so simultaneous guesses are throttled.
	counts, err := s.store.SignInAttempt(r.Context(), keys[:], now, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	u, err := s.store.UserByEmail(r.Context(), f.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	known := err == nil
	if signInThrottled(counts[0], counts[1], counts[2]) {
		// No password check: a throttled guess must cost the server nothing.
		return s.signInFailed(w, r, f, u, known, true)
	}
	if known && counts[2] == maxAccountFailures+1 {
		s.log.WarnContext(r.Context(), "many failed sign-ins for one account: each client is now held to "+
			strconv.Itoa(maxPairUnderAttack)+" tries at it", "user_id", u.ID, "request_id", clientid.RequestID(r.Context()))
	}
	hash := ""
	if known && u.DisabledAt == nil {
		hash = u.PasswordHash
	}
	// The password is checked even when the account is unknown, so every answer takes as long.
	ok, err := s.checkPassword(r.Context(), f.Password, hash)
	if err != nil {
		return err
	}
	if !ok {
		return s.signInFailed(w, r, f, u, known, false)
	}
	if s.sso != nil && !u.BreakGlass {
		// Asked only once the password is right, so the answer tells a guesser nothing.
		a, err := s.store.AuthSettings(r.Context())
		if err != nil {
			return err
		}
		if a.RequireSSO {
			f.Password = ""
			s.renderSignIn(w, r, http.StatusForbidden, f, map[string]string{
				"email": "Your organisation signs you in: use the button " + strconv.Quote("Sign in with "+s.sso.Name()) + " instead of a password"})
			return nil
		}
	}
	if err := s.store.SignedIn(r.Context(), keys[2], keys[0], keys[1], now); err != nil {
		return err
	}
	// A person with a second factor is not signed in until they give it (twofactor.go).
	if totp, passkeys, err := s.store.SecondFactors(r.Context(), u.ID); err != nil {
		return err
	} else if totp || passkeys > 0 {
		return s.askSecondFactor(w, r, u, f.Next)
	}
	return s.completeSignIn(w, r, u, authPassword, f.Next)
}

// completeSignIn signs u in on this browser, under a new session token, audits how, and sends
// them on: to choose their own password or set up a second factor first when they must.
func (s *Server) completeSignIn(w http.ResponseWriter, r *http.Request, u store.User, method, next string) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionUserKey, u.ID)
	s.sessions.Put(r.Context(), sessionEpochKey, u.SessionEpoch)
	s.sessions.Put(r.Context(), sessionAuthKey, method)
	if method != authPassword {
		s.sessions.Put(r.Context(), sessionStrongAtKey, s.now().Unix())
	}
	if err := s.recordSessionOwner(w, r, u.ID); err != nil {
		return err
	}
	if err := s.store.Audit(r.Context(), u.Act(s.now()), 0, store.EventSignInSucceeded, map[string]string{"method": method}); err != nil {
		return err
	}
	if method == authPassword {
		must, err := s.mustSetUpSecondFactor(r, u)
		if err != nil {
			return err
		}
		if must {
			s.sessions.Put(r.Context(), secondFactorDueKey, true)
		}
	}
	switch {
	case u.MustChangePassword:
		http.Redirect(w, r, passwordPath, http.StatusSeeOther)
	case s.sessions.GetBool(r.Context(), secondFactorDueKey):
		http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
	default:
		http.Redirect(w, r, next, http.StatusSeeOther)
	}
	return nil
}

// passwordPath is where a person changes their password, and must first when an admin set it.
const passwordPath = "/account/password"

// signInKeys are the throttle's keys for an attempt: the client at the account typed, the
// client, and the account typed (whether or not it exists).
func signInKeys(email, client string) [3]string {
	account := "account:" + store.NormaliseEmail(email)
	return [3]string{account + " client:" + client, "client:" + client, account}
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
	return s.passwords.Check(password, hash), nil
}

// signInFailed answers a failed sign-in. It is logged, never audited: the audit trail is
// permanent (no entry can be erased, not even under a UK GDPR request), while what people type
// into a sign-in form is sometimes their password in the wrong box, and anyone could grow the
// trail without limit. The log, kept for its retention period, names the account only by id when
// one exists, and never the text typed. A failed attempt is not an act of the person, so no
// entry is kept even for a real account; a success is audited.
func (s *Server) signInFailed(w http.ResponseWriter, r *http.Request, f signInForm, u store.User, known, throttled bool) error {
	msg, status := "Enter a correct email address and password", http.StatusUnprocessableEntity
	attrs := []any{"client", clientid.Address(r), "request_id", clientid.RequestID(r.Context())}
	if known {
		attrs = append(attrs, "user_id", u.ID)
	}
	if throttled {
		msg, status = "Too many failed attempts to sign in. Wait 15 minutes, then try again", http.StatusTooManyRequests
		s.log.WarnContext(r.Context(), "sign-in throttled", attrs...)
	} else {
		s.log.InfoContext(r.Context(), "sign-in failed", attrs...)
	}
	f.Password = ""
	s.renderSignIn(w, r, status, f, map[string]string{"email": msg})
	return nil
}

// renderSignInLimited answers a client past the sign-in route's rate limit with the sign-in
// form and what to do, checking nothing: every attempt costs a password check's 64 MiB.
func (s *Server) renderSignInLimited(w http.ResponseWriter, r *http.Request, wait string) {
	f := signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next"))}
	s.renderSignIn(w, r, http.StatusTooManyRequests, f, map[string]string{
		"email": "Too many attempts to sign in from your connection. Wait " + wait + ", then try again"})
}

// handleSignOut ends the session. One signed in with the provider goes on to the provider's
// logout, when it has one, which sends the person back to the home page.
func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	to := "/"
	if s.sso != nil && s.sessions.GetString(r.Context(), sessionAuthKey) == authSSO && userFrom(r) != nil {
		if end := s.sso.LogoutURL(r.Context(), s.sessions.GetString(r.Context(), ssoIDTokenKey), s.baseURL+"/"); end != "" {
			to = end
		}
	}
	if err := s.forgetSessionOwner(w, r); err != nil {
		return err
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
