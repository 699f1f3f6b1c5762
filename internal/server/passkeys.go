package server

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Passkeys (WebAuthn) as a second factor: a person adds them on /account/passkeys, and uses one
// after their password at sign-in, or to confirm who they are before signing (step-up). Each
// ceremony is asked for by the page's script (a POST answering the options as JSON), whose
// challenge the session keeps, for that purpose only, once, for auth.PasskeyCeremonyFor; the
// script then posts the browser's answer in an ordinary form, so every outcome is a page.
const (
	passkeysPath        = "/account/passkeys"
	signInPasskeyPath   = "/sign-in/passkey"
	confirmPasskeyPath  = "/account/confirm/passkey"
	passkeyCeremonyKey  = "passkey_ceremony"
	passkeyFlashKey     = "passkey_flash"
	authPasswordPasskey = "password+passkey"
	// passkeyNameMax is the longest name a person may give a passkey.
	passkeyNameMax = 100
)

// passkeysOn answers 404 on the passkey routes when the site can have no passkeys (see New).
func (s *Server) passkeysOn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.passkeys == nil {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// The purposes a ceremony is started for: an answer for one is no good for another.
const (
	ceremonyRegister = "register"
	ceremonySignIn   = "sign-in"
	ceremonyConfirm  = "confirm"
)

// ceremony is a passkey ceremony under way, as the session keeps it.
type ceremony struct {
	Purpose string               `json:"purpose"`
	UserID  int64                `json:"user_id"`
	Until   int64                `json:"until"` // Unix seconds, by the server's clock
	Data    webauthn.SessionData `json:"data"`
}

func (s *Server) startCeremony(r *http.Request, purpose string, userID int64, d *webauthn.SessionData) error {
	b, err := json.Marshal(ceremony{Purpose: purpose, UserID: userID, Until: s.now().Add(auth.PasskeyCeremonyFor).Unix(), Data: *d})
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), passkeyCeremonyKey, string(b))
	return nil
}

// takeCeremony takes the session's ceremony out of it (so its challenge is used once), and
// reports whether it was one for purpose and userID, still in time.
func (s *Server) takeCeremony(r *http.Request, purpose string, userID int64) (webauthn.SessionData, bool) {
	var c ceremony
	raw := s.sessions.PopString(r.Context(), passkeyCeremonyKey)
	if raw == "" || json.Unmarshal([]byte(raw), &c) != nil || c.Purpose != purpose || c.UserID != userID || s.now().Unix() > c.Until {
		return webauthn.SessionData{}, false
	}
	return c.Data, true
}

func (s *Server) passkeyUser(r *http.Request, u store.User) (auth.PasskeyUser, error) {
	keys, err := s.store.Passkeys(r.Context(), u.ID)
	return auth.PasskeyUser{User: u, Keys: keys}, err
}

// confirmedToManage sends a person who has a second factor, and last gave it more than
// stepUpAfter ago, to confirm who they are before managing their passkeys (see stepUp): a
// borrowed session must not add a passkey of its own, or remove the person's. It reports
// whether it did.
func (s *Server) confirmedToManage(w http.ResponseWriter, r *http.Request) (sent bool, err error) {
	return s.stepUp(w, r, passkeysPath)
}

// handlePasskeys lists the person's passkeys, with a form to add one.
func (s *Server) handlePasskeys(w http.ResponseWriter, r *http.Request) error {
	if sent, err := s.confirmedToManage(w, r); sent || err != nil {
		return err
	}
	return s.renderPasskeys(w, r, http.StatusOK, "", "")
}

func (s *Server) renderPasskeys(w http.ResponseWriter, r *http.Request, status int, name, msg string) error {
	u := userFrom(r)
	keys, err := s.store.Passkeys(r.Context(), u.ID)
	if err != nil {
		return err
	}
	title := "Your passkeys"
	p := pages.PasskeysProps{Page: s.page(r, title, "", passkeysPath), Flash: s.popFlash(r, passkeyFlashKey),
		Required: s.sessions.GetBool(r.Context(), secondFactorDueKey),
		Name: components.Field{ID: "name", Name: "name", Label: "Name of the passkey", Value: name, Width: "20", Error: msg,
			Hint: "So you can tell your passkeys apart, such as “Work laptop” or “Blue security key”."}}
	for _, k := range keys {
		row := pages.PasskeyRow{ID: k.ID, Name: k.Name, Added: formatLondonDay(k.CreatedAt)}
		if k.LastUsedAt != nil {
			row.LastUsed = formatLondonDay(*k.LastUsedAt)
		}
		p.Keys = append(p.Keys, row)
	}
	if msg != "" {
		p.Page.Title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "name", Message: msg}}
	}
	s.render(w, r, status, pages.Passkeys(p))
	return nil
}

// handlePasskeyCreateOptions starts adding a passkey: the options for the browser's
// navigator.credentials.create, as JSON.
func (s *Server) handlePasskeyCreateOptions(w http.ResponseWriter, r *http.Request) error {
	if sent, err := s.confirmedToManage(w, r); sent || err != nil {
		return err
	}
	u := userFrom(r)
	pu, err := s.passkeyUser(r, *u)
	if err != nil {
		return err
	}
	creation, data, err := s.passkeys.BeginRegistration(pu,
		webauthn.WithExclusions(webauthn.Credentials(pu.WebAuthnCredentials()).CredentialDescriptors()))
	if err != nil {
		return err
	}
	if err := s.startCeremony(r, ceremonyRegister, u.ID, data); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, creation)
	return nil
}

// handlePasskeyAdd keeps the passkey the browser made, under the name given.
func (s *Server) handlePasskeyAdd(w http.ResponseWriter, r *http.Request) error {
	if sent, err := s.confirmedToManage(w, r); sent || err != nil {
		return err
	}
	u := userFrom(r)
	name := strings.TrimSpace(r.PostFormValue("name"))
	answer := r.PostFormValue("credential")
	switch {
	case name == "":
		s.takeCeremony(r, ceremonyRegister, u.ID)
		return s.renderPasskeys(w, r, http.StatusUnprocessableEntity, name, "Enter a name for your passkey")
	case len([]rune(name)) > passkeyNameMax:
		s.takeCeremony(r, ceremonyRegister, u.ID)
		return s.renderPasskeys(w, r, http.StatusUnprocessableEntity, name, "Name must be "+strconv.Itoa(passkeyNameMax)+" characters or fewer")
	case answer == "":
		s.takeCeremony(r, ceremonyRegister, u.ID)
		return s.renderPasskeys(w, r, http.StatusUnprocessableEntity, name,
			"Your browser did not make a passkey. Press “Add a passkey” and follow your browser’s steps, or use an authenticator app instead")
	}
	data, ok := s.takeCeremony(r, ceremonyRegister, u.ID)
	if !ok {
		if err := s.passkeyRefused(r, *u, ceremonyRegister, auth.PasskeyRefusedCeremony, nil); err != nil {
			return err
		}
		return s.renderPasskeys(w, r, http.StatusForbidden, name, "Your passkey was not added: it took too long, or was sent twice. Press “Add a passkey” again")
	}
	pu, err := s.passkeyUser(r, *u)
	if err != nil {
		return err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes([]byte(answer))
	if err != nil {
		if err := s.passkeyRefused(r, *u, ceremonyRegister, auth.PasskeyRefusedMalformed, err); err != nil {
			return err
		}
		return s.renderPasskeys(w, r, http.StatusForbidden, name, "Your passkey was not added: your browser’s answer could not be read. Try again")
	}
	cred, err := s.passkeys.CreateCredential(pu, data, parsed)
	if err != nil {
		if err := s.passkeyRefused(r, *u, ceremonyRegister, auth.PasskeyRefusedInvalid, err); err != nil {
			return err
		}
		return s.renderPasskeys(w, r, http.StatusForbidden, name, "Your passkey was not added: your browser’s answer did not check. Try again")
	}
	totp, before, err := s.store.SecondFactors(r.Context(), u.ID)
	if err != nil {
		return err
	}
	_, err = s.store.AddPasskey(r.Context(), u.Act(s.now()), auth.PasskeyFromCredential(u.ID, name, cred))
	if errors.Is(err, store.ErrConflict) {
		return s.renderPasskeys(w, r, http.StatusConflict, name, "This passkey is added already")
	}
	if err != nil {
		return err
	}
	if !totp && before == 0 {
		// Their first second factor, added in this session: nothing stronger to confirm with
		// before managing it for now (step-up counts from here).
		s.sessions.Put(r.Context(), sessionStrongAtKey, s.now().Unix())
	}
	s.sessions.Remove(r.Context(), secondFactorDueKey)
	s.sessions.Put(r.Context(), passkeyFlashKey, "Passkey “"+name+"” added. Signing in with your password now also asks for a passkey.")
	http.Redirect(w, r, passkeysPath, http.StatusSeeOther)
	return nil
}

// passkeyOf is one of the signed-in person's passkeys, by the route's id.
func (s *Server) passkeyOf(r *http.Request) (store.Passkey, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		return store.Passkey{}, store.ErrNotFound
	}
	keys, err := s.store.Passkeys(r.Context(), userFrom(r).ID)
	if err != nil {
		return store.Passkey{}, err
	}
	for _, k := range keys {
		if k.ID == id {
			return k, nil
		}
	}
	return store.Passkey{}, store.ErrNotFound
}

// handlePasskeyRemoveForm asks "Are you sure?" before a passkey is removed.
func (s *Server) handlePasskeyRemoveForm(w http.ResponseWriter, r *http.Request) error {
	if sent, err := s.confirmedToManage(w, r); sent || err != nil {
		return err
	}
	k, err := s.passkeyOf(r)
	if err != nil {
		return err
	}
	totp, n, err := s.store.SecondFactors(r.Context(), userFrom(r).ID)
	if err != nil {
		return err
	}
	p := pages.PasskeyRemoveProps{Page: s.page(r, "Remove the passkey “"+k.Name+"”?", "", passkeysPath), ID: k.ID, Name: k.Name,
		Last: !totp && n == 1}
	s.render(w, r, http.StatusOK, pages.PasskeyRemove(p))
	return nil
}

// handlePasskeyRemove removes one of the person's passkeys.
func (s *Server) handlePasskeyRemove(w http.ResponseWriter, r *http.Request) error {
	if sent, err := s.confirmedToManage(w, r); sent || err != nil {
		return err
	}
	k, err := s.passkeyOf(r)
	if err != nil {
		return err
	}
	u := userFrom(r)
	if err := s.store.RemovePasskey(r.Context(), u.Act(s.now()), u.ID, k.ID); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), passkeyFlashKey, "Passkey “"+k.Name+"” removed.")
	http.Redirect(w, r, passkeysPath, http.StatusSeeOther)
	return nil
}

// beginPasskeyAssertion answers the options for navigator.credentials.get for u's passkeys, and
// keeps the challenge for purpose; 404 when u has none.
func (s *Server) beginPasskeyAssertion(w http.ResponseWriter, r *http.Request, u store.User, purpose string) error {
	pu, err := s.passkeyUser(r, u)
	if err != nil {
		return err
	}
	if len(pu.Keys) == 0 {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no passkeys"})
		return nil
	}
	assertion, data, err := s.passkeys.BeginLogin(pu)
	if err != nil {
		return err
	}
	if err := s.startCeremony(r, purpose, u.ID, data); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, assertion)
	return nil
}

// checkPasskey checks the browser's answer to an assertion started for purpose: a signature by
// one of u's passkeys over this session's challenge, from the site's origin, with a signature
// counter that moved on. It records the use, or the refusal (in the log and the audit trail),
// and returns what to tell the person ("" when it passed). An empty answer (the person
// cancelled, or the browser has no passkey) is the handlers' to explain (noPasskeyAnswer).
func (s *Server) checkPasskey(r *http.Request, u store.User, purpose, answer string) (string, error) {
	refuse := func(reason string, cause error) (string, error) {
		if err := s.passkeyRefused(r, u, purpose, reason, cause); err != nil {
			return "", err
		}
		if msg, ok := passkeyRefusals[reason]; ok {
			return msg, nil
		}
		return "Your passkey was not accepted. Try again, or use another way to confirm it is you", nil
	}
	data, ok := s.takeCeremony(r, purpose, u.ID)
	if !ok {
		return refuse(auth.PasskeyRefusedCeremony, nil)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(answer))
	if err != nil {
		return refuse(auth.PasskeyRefusedMalformed, err)
	}
	pu, err := s.passkeyUser(r, u)
	if err != nil {
		return "", err
	}
	cred, err := s.passkeys.ValidateLogin(pu, data, parsed)
	if err != nil {
		return refuse(auth.PasskeyRefusal(err), err)
	}
	if cred.Authenticator.CloneWarning {
		return refuse(auth.PasskeyRefusedCounter, nil)
	}
	fresh, err := s.store.UsePasskey(r.Context(), u.ID, cred.ID, int64(cred.Authenticator.SignCount), cred.Flags.BackupState, s.now())
	if err != nil {
		return "", err
	}
	if !fresh {
		return refuse(auth.PasskeyRefusedCounter, nil)
	}
	return "", nil
}

// noPasskeyAnswer is what a person is told when their browser sent no passkey: they cancelled,
// or the browser found none. The ceremony is over: its challenge is dropped.
const noPasskeyAnswer = "Your browser did not use a passkey. Press “Use your passkey” and follow your browser’s steps"

// passkeyRefusals words the refusals a person can do something about.
var passkeyRefusals = map[string]string{
	auth.PasskeyRefusedCeremony: "Your passkey was not accepted: it took too long, or the same answer was sent twice. Press “Use your passkey” again",
	auth.PasskeyRefusedUnknown:  "That passkey is not one of yours on the register. Choose a passkey you added here, or use another way to confirm it is you",
	auth.PasskeyRefusedCounter:  "That passkey was refused because it may have been copied. Use another way to confirm it is you, then remove the passkey and add it again",
}

// passkeyRefused records a refused passkey in the log and the audit trail (the reason, and
// what it was for: never the browser's answer). Its entries are bounded by the sign-in rate
// limit and the person's second-factor throttle.
func (s *Server) passkeyRefused(r *http.Request, u store.User, purpose, reason string, cause error) error {
	attrs := []any{"user_id", u.ID, "reason", reason, "purpose", purpose, "client", clientid.Address(r),
		"request_id", clientid.RequestID(r.Context())}
	if cause != nil {
		attrs = append(attrs, "err", cause)
	}
	s.log.WarnContext(r.Context(), "passkey refused", attrs...)
	return s.store.Audit(r.Context(), u.Act(s.now()), 0, store.EventPasskeyRefused, map[string]string{"reason": reason, "purpose": purpose})
}

// secondFactorThrottled counts an attempt at u's second factor and reports whether it is one
// too many (see handleSignInCode).
func (s *Server) secondFactorThrottled(r *http.Request, u store.User, now time.Time) (key string, throttled bool, err error) {
	key = "second-factor:user:" + strconv.FormatInt(u.ID, 10)
	counts, err := s.store.SignInAttempt(r.Context(), []string{key}, now, now.Add(-throttleWindow))
	if err != nil {
		return key, false, err
	}
	return key, counts[0] > maxPasswordFailures, nil
}

func (s *Server) handleSignInPasskeyOptions(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "no sign-in waiting"})
		return nil
	}
	return s.beginPasskeyAssertion(w, r, u, ceremonySignIn)
}

// handleSignInPasskey finishes a sign-in with a passkey, throttled as codes are.
func (s *Server) handleSignInPasskey(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	if r.PostFormValue("credential") == "" {
		s.takeCeremony(r, ceremonySignIn, u.ID)
		return s.renderSignInCode(w, r, u, http.StatusUnprocessableEntity, "", noPasskeyAnswer)
	}
	now := s.now()
	key, throttled, err := s.secondFactorThrottled(r, u, now)
	if err != nil {
		return err
	}
	if throttled {
		s.takeCeremony(r, ceremonySignIn, u.ID)
		return s.renderSignInCode(w, r, u, http.StatusTooManyRequests, "", "Too many failed tries. Wait 15 minutes, then try again")
	}
	msg, err := s.checkPasskey(r, u, ceremonySignIn, r.PostFormValue("credential"))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.renderSignInCode(w, r, u, http.StatusForbidden, "", msg)
	}
	if err := s.store.ForgetAttempts(r.Context(), key); err != nil {
		return err
	}
	next := localPath(s.sessions.GetString(r.Context(), pendingNextKey))
	for _, k := range []string{pendingUserKey, pendingEpochKey, pendingNextKey, pendingUntilKey} {
		s.sessions.Remove(r.Context(), k)
	}
	return s.completeSignIn(w, r, u, authPasswordPasskey, next)
}

func (s *Server) handleConfirmPasskeyOptions(w http.ResponseWriter, r *http.Request) error {
	return s.beginPasskeyAssertion(w, r, *userFrom(r), ceremonyConfirm)
}

// handleConfirmPasskey confirms who a signed-in person is with a passkey (step-up), throttled
// as codes are, and sends them back.
func (s *Server) handleConfirmPasskey(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	next := localPath(r.PostFormValue("next"))
	if s.viaProvider(w, r, next) {
		return nil
	}
	if r.PostFormValue("credential") == "" {
		s.takeCeremony(r, ceremonyConfirm, u.ID)
		return s.renderConfirm(w, r, http.StatusUnprocessableEntity, next, "", noPasskeyAnswer)
	}
	now := s.now()
	key, throttled, err := s.secondFactorThrottled(r, *u, now)
	if err != nil {
		return err
	}
	if throttled {
		s.takeCeremony(r, ceremonyConfirm, u.ID)
		return s.renderConfirm(w, r, http.StatusTooManyRequests, next, "", "Too many failed tries. Wait 15 minutes, then try again")
	}
	msg, err := s.checkPasskey(r, *u, ceremonyConfirm, r.PostFormValue("credential"))
	if err != nil {
		return err
	}
	if msg != "" {
		return s.renderConfirm(w, r, http.StatusForbidden, next, "", msg)
	}
	if err := s.store.ForgetAttempts(r.Context(), key); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionAuthKey, authPasswordPasskey)
	s.sessions.Put(r.Context(), sessionStrongAtKey, now.Unix())
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}
