package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/store"
)

// Signed out for want of activity: the warning before it, the form posted after it, and the
// sign-in page that says why.

// keptFormLife is how long a form posted after its sender's session expired waits for them to
// sign in again.
const keptFormLife = 24 * time.Hour

// Why the sign-in page was shown, in its signed_out parameter.
const (
	signedOutIdle = "idle" // the session expired
	signedOutKept = "kept" // the session expired, and the form posted on it was kept
	signedOutSSO  = "sso"  // an admin required single sign-on of a person signed in with a password
)

// keepablePath is a draft's part, whose form is kept when posted after its sender's session
// expired (the pages with long text; a file upload is not kept).
var keepablePath = regexp.MustCompile(`^/decisions/[a-z0-9-]+/edit/(sections/)?[a-z0-9-]+$`)

// ownerCookie names the cookie that says whose the browser's last sign-in was. The session's
// own cookie expires with the session (scs gives it the session's expiry), so this one, of its
// own, lasts as long as a session could (SESSION_LIFETIME): after the session has gone, it
// says whom a form sent on it belongs to. It holds a random token; session_owners maps the
// token's SHA-256 to the person. Under HTTPS it has the __Host- prefix, like the session's.
func (s *Server) ownerCookie() string {
	if s.sessions.Cookie.Secure {
		return "__Host-register_owner"
	}
	return "register_owner"
}

// tokenSHA256 names an owner token as session_owners keys it.
func tokenSHA256(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// idleMinutes says how long without a request signs staff out, in words.
func (s *Server) idleMinutes() string {
	m := max(1, int(s.sessions.IdleTimeout.Round(time.Minute)/time.Minute))
	if m == 1 {
		return "1 minute"
	}
	return strconv.Itoa(m) + " minutes"
}

// recordSessionOwner notes, after a sign-in, that the browser's sessions until the next are
// this person's: a token in a cookie of its own, and its SHA-256 in session_owners.
func (s *Server) recordSessionOwner(w http.ResponseWriter, r *http.Request, userID int64) error {
	now := s.now()
	token := startToken()
	if err := s.store.RecordSessionOwner(r.Context(), tokenSHA256(token), userID, now.Add(s.sessions.Lifetime), now); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.ownerCookie(), Value: token, Path: "/", MaxAge: int(s.sessions.Lifetime / time.Second),
		HttpOnly: true, Secure: s.sessions.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// forgetSessionOwner ends what recordSessionOwner noted, at sign-out.
func (s *Server) forgetSessionOwner(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(s.ownerCookie())
	if err != nil {
		return nil
	}
	if err := s.store.ForgetSessionOwner(r.Context(), tokenSHA256(c.Value)); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: s.ownerCookie(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.sessions.Cookie.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// signedOut sends a person with no signed-in session to the sign-in page, and back to where
// they were afterwards. When the browser still holds a session of someone's that has expired,
// the sign-in page says why; a draft's form posted on it is kept for that person, and given
// back when they return to the form signed in (as them: never to anyone else).
func (s *Server) signedOut(w http.ResponseWriter, r *http.Request) {
	next := r.URL.RequestURI()
	post := r.Method != http.MethodGet && r.Method != http.MethodHead
	if post {
		next = r.URL.Path
	}
	q := url.Values{"next": {next}}
	if s.sessions.PopBool(r.Context(), ssoNowRequiredKey) {
		q.Set("signed_out", signedOutSSO)
	} else if owner, err := s.expiredSessionOwner(r); err != nil {
		s.serveError(w, r, err)
		return
	} else if owner != 0 {
		q.Set("signed_out", signedOutIdle)
		if post && keepablePath.MatchString(r.URL.Path) && !isMultipart(r) {
			if err := r.ParseForm(); err != nil {
				s.serveError(w, r, errBadForm)
				return
			}
			now := s.now()
			if err := s.store.KeepForm(r.Context(), owner, r.URL.Path, r.PostForm, now, now.Add(keptFormLife)); err != nil {
				s.serveError(w, r, err)
				return
			}
			s.log.InfoContext(r.Context(), "form kept after the session expired", "user_id", owner, "request_id", clientid.RequestID(r.Context()))
			q.Set("signed_out", signedOutKept)
		}
	}
	http.Redirect(w, r, "/sign-in?"+q.Encode(), http.StatusSeeOther)
}

// expiredSessionOwner is the person who last signed in on the browser, asked when it is no
// longer signed in: its session expired. 0 when nobody did, or they signed out.
func (s *Server) expiredSessionOwner(r *http.Request) (int64, error) {
	c, err := r.Cookie(s.ownerCookie())
	if err != nil || c.Value == "" {
		return 0, nil
	}
	owner, err := s.store.SessionOwner(r.Context(), tokenSHA256(c.Value), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	return owner, err
}

// signedOutMessage is what the sign-in page says about why the person is there.
func (s *Server) signedOutMessage(why string) (heading, body string) {
	switch why {
	case signedOutIdle:
		return "You were signed out after " + s.idleMinutes() + " without activity", "Sign in again to carry on."
	case signedOutSSO:
		if s.sso != nil {
			return "Your organisation now signs you in with " + s.sso.Name(),
				"An admin has turned on single sign-on, so you have been signed out. Use the button " +
					strconv.Quote("Sign in with "+s.sso.Name()) + " to sign in again."
		}
	case signedOutKept:
		return "You were signed out after " + s.idleMinutes() + " without activity",
			"What you were saving has been kept. Sign in again and you will be taken back to it, with your text as you left it."
	}
	return "", ""
}

// handleKeepAlive answers the timeout warning's "Stay signed in": for a signed-in person the
// request itself moves their session's idle expiry on (a read saves the session).
func (s *Server) handleKeepAlive(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "no-store")
	if userFrom(r) == nil {
		w.WriteHeader(http.StatusUnauthorized)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
