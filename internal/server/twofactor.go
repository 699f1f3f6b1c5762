package server

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Second factor: a password sign-in of someone with an authenticator app waits, half done, for
// their code; the session holds who and until when, and nobody is signed in meanwhile.
const (
	pendingUserKey  = "pending_user_id"
	pendingEpochKey = "pending_user_epoch"
	pendingNextKey  = "pending_next"
	pendingUntilKey = "pending_until" // Unix seconds
	// secondFactorDueKey marks a session whose person must set up a second factor first.
	secondFactorDueKey = "second_factor_due"
	// totpSetupKey holds the secret being set up, until a code from the app confirms it.
	totpSetupKey = "totp_setup_secret"
	// recoveryCodesKey holds the recovery codes just made, shown once.
	recoveryCodesKey = "recovery_codes"
)

const (
	secondFactorPath = "/account/two-factor"
	signInCodePath   = "/sign-in/code"
	// pendingFor is how long a person has to give their code after their password.
	pendingFor = 5 * time.Minute
)

// The ways of signing in with a second factor, as the audit trail records them.
const (
	authPasswordTOTP     = "password+totp"
	authPasswordRecovery = "password+recovery_code"
)

// askSecondFactor holds a sign-in whose password was right until the person gives a code.
func (s *Server) askSecondFactor(w http.ResponseWriter, r *http.Request, u store.User, next string) error {
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), pendingUserKey, u.ID)
	s.sessions.Put(r.Context(), pendingEpochKey, u.SessionEpoch)
	s.sessions.Put(r.Context(), pendingNextKey, next)
	s.sessions.Put(r.Context(), pendingUntilKey, s.now().Add(pendingFor).Unix())
	http.Redirect(w, r, signInCodePath, http.StatusSeeOther)
	return nil
}

// mustSetUpSecondFactor reports whether an admin requires u to set up a second factor: they
// sign or approve, and have none.
func (s *Server) mustSetUpSecondFactor(r *http.Request, u store.User) (bool, error) {
	if !u.Has(decision.RoleDecisionMaker) && !u.Has(decision.RoleAdviser) {
		return false, nil
	}
	a, err := s.store.AuthSettings(r.Context())
	if err != nil || !a.RequireSecondFactor {
		return false, err
	}
	totp, passkeys, err := s.store.SecondFactors(r.Context(), u.ID)
	return !totp && passkeys == 0, err
}

// secondFactorDue reports whether the session's person, signed in with a password alone, must
// set up a second factor before anything else because an admin has since required one of
// people who sign or approve (a sign-in after that is caught by completeSignIn).
func (s *Server) secondFactorDue(r *http.Request, u *store.User) bool {
	return u.SecondFactorRequired && !u.HasSecondFactor && s.authMethod(r) == authPassword &&
		(u.Has(decision.RoleDecisionMaker) || u.Has(decision.RoleAdviser))
}

// pendingUser is the person whose sign-in waits for a code, if any and still in time.
func (s *Server) pendingUser(r *http.Request) (store.User, bool, error) {
	id := s.sessions.GetInt64(r.Context(), pendingUserKey)
	if id == 0 || s.now().Unix() > s.sessions.GetInt64(r.Context(), pendingUntilKey) {
		return store.User{}, false, nil
	}
	u, err := s.store.UserByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, false, nil
	}
	if err != nil {
		return store.User{}, false, err
	}
	if u.DisabledAt != nil || u.SessionEpoch != s.sessions.GetInt(r.Context(), pendingEpochKey) {
		return store.User{}, false, nil
	}
	return u, true, nil
}

func (s *Server) handleSignInCodeForm(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil || !ok {
		if err == nil {
			http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		}
		return err
	}
	return s.renderSignInCode(w, r, u, http.StatusOK, "", "")
}

// renderSignInCode shows the sign-in's second step: "Use your passkey" for a person with
// passkeys, and the code field for one with an authenticator app; codeMsg and passkeyMsg say
// what was wrong with each.
func (s *Server) renderSignInCode(w http.ResponseWriter, r *http.Request, u store.User, status int, codeMsg, passkeyMsg string) error {
	totp, passkeys, err := s.store.SecondFactors(r.Context(), u.ID)
	if err != nil {
		return err
	}
	title := "Enter a code from your authenticator app"
	if passkeys > 0 {
		title = "Confirm it is you"
	}
	p := pages.SignInCodeProps{Page: s.page(r, title, "", signInCodePath), TOTP: totp, Passkey: passkeys > 0, PasskeyError: passkeyMsg,
		Code: components.Field{ID: "code", Name: "code", Label: "Code", Autocomplete: "one-time-code", Width: "10",
			Hint: "The 6-digit code your app shows now, or one of your recovery codes. Spaces are fine.", Error: codeMsg}}
	p.Errors = secondFactorErrors(codeMsg, passkeyMsg)
	if len(p.Errors) > 0 {
		p.Page.Title = "Error: " + title
	}
	s.render(w, r, status, pages.SignInCode(p))
	return nil
}

// secondFactorErrors are the error summary's entries for a code and a passkey.
func secondFactorErrors(codeMsg, passkeyMsg string) []components.FieldError {
	var errs []components.FieldError
	if passkeyMsg != "" {
		errs = append(errs, components.FieldError{FieldID: "passkey", Message: passkeyMsg})
	}
	if codeMsg != "" {
		errs = append(errs, components.FieldError{FieldID: "code", Message: codeMsg})
	}
	return errs
}

// handleSignInCode finishes a sign-in with the second factor: a code of a time step not used
// before, or an unused recovery code. Wrong codes are counted per person, as passwords are, and
// past maxPasswordFailures in the window none is checked.
func (s *Server) handleSignInCode(w http.ResponseWriter, r *http.Request) error {
	u, ok, err := s.pendingUser(r)
	if err != nil {
		return err
	}
	if !ok {
		http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
		return nil
	}
	code := r.PostFormValue("code")
	if strings.TrimSpace(code) == "" {
		return s.renderSignInCode(w, r, u, http.StatusUnprocessableEntity, "Enter the code your app shows, or a recovery code", "")
	}
	now := s.now()
	key := "second-factor:user:" + strconv.FormatInt(u.ID, 10)
	counts, err := s.store.SignInAttempt(r.Context(), []string{key}, now, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	if counts[0] > maxPasswordFailures {
		s.log.WarnContext(r.Context(), "second factor throttled", "user_id", u.ID, "client", clientid.Address(r),
			"request_id", clientid.RequestID(r.Context()))
		return s.renderSignInCode(w, r, u, http.StatusTooManyRequests, "Too many wrong codes. Wait 15 minutes, then try again", "")
	}
	method, msg, err := s.checkSecondFactor(r, u, code, now)
	if err != nil {
		return err
	}
	if msg != "" {
		s.log.InfoContext(r.Context(), "second factor refused", "user_id", u.ID, "client", clientid.Address(r),
			"request_id", clientid.RequestID(r.Context()))
		return s.renderSignInCode(w, r, u, http.StatusUnprocessableEntity, msg, "")
	}
	if err := s.store.ForgetAttempts(r.Context(), key); err != nil {
		return err
	}
	next := localPath(s.sessions.GetString(r.Context(), pendingNextKey))
	for _, k := range []string{pendingUserKey, pendingEpochKey, pendingNextKey, pendingUntilKey} {
		s.sessions.Remove(r.Context(), k)
	}
	return s.completeSignIn(w, r, u, method, next)
}

// checkSecondFactor checks a code of u's: their app's (each time step once) or a recovery code
// (each once). It returns how they authenticated, or what to tell them.
func (s *Server) checkSecondFactor(r *http.Request, u store.User, code string, now time.Time) (method, msg string, err error) {
	secret, err := s.store.TOTPSecret(r.Context(), u.ID)
	if errors.Is(err, store.ErrNotFound) {
		// Passkeys alone: no app, and no recovery codes either.
		return "", "You have no authenticator app set up: use your passkey", nil
	}
	if err != nil {
		return "", "", err
	}
	if step, ok := auth.TOTPStep(secret, code, now); ok {
		fresh, err := s.store.UseTOTPStep(r.Context(), u.ID, step)
		if err != nil || !fresh {
			return "", "This code has been used already. Wait for your app to show a new one, then enter that", err
		}
		return authPasswordTOTP, "", nil
	}
	used, err := s.store.UseRecoveryCode(r.Context(), u.ID, auth.HashRecoveryCode(code), now)
	if err != nil || used {
		return authPasswordRecovery, "", err
	}
	return "", "Enter the code your app shows now, or a recovery code you have not used", nil
}

// handleSecondFactorPage shows the person's second factor: the recovery codes just made (once),
// or that it is set up, or, when they have none, a new secret to add to their app, as a QR code
// and as text.
func (s *Server) handleSecondFactorPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderSecondFactor(w, r, http.StatusOK, "")
}

func (s *Server) renderSecondFactor(w http.ResponseWriter, r *http.Request, status int, msg string) error {
	u := userFrom(r)
	title := "Set up a second factor"
	p := pages.SecondFactorProps{Page: s.page(r, title, "", secondFactorPath), Required: s.sessions.GetBool(r.Context(), secondFactorDueKey)}
	if codes := s.sessions.PopString(r.Context(), recoveryCodesKey); codes != "" {
		p.Page.Title = "Your recovery codes"
		p.RecoveryCodes = strings.Split(codes, " ")
		s.render(w, r, status, pages.SecondFactor(p))
		return nil
	}
	_, passkeys, err := s.store.SecondFactors(r.Context(), u.ID)
	if err != nil {
		return err
	}
	p.Passkeys = passkeys
	_, err = s.store.TOTPSecret(r.Context(), u.ID)
	switch {
	case err == nil:
		p.Page.Title = "Your second factor"
		p.SetUp = true
		if p.CodesLeft, err = s.store.RecoveryCodesLeft(r.Context(), u.ID); err != nil {
			return err
		}
		s.render(w, r, status, pages.SecondFactor(p))
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	secret := s.sessions.GetString(r.Context(), totpSetupKey)
	if secret == "" {
		var err error
		if secret, _, err = auth.NewTOTPKey(s.ownerName, u.Email); err != nil {
			return err
		}
		s.sessions.Put(r.Context(), totpSetupKey, secret)
	}
	uri := "otpauth://totp/" + url.PathEscape(s.ownerName+":"+u.Email) + "?secret=" + secret + "&issuer=" + url.QueryEscape(s.ownerName) +
		"&algorithm=SHA1&digits=6&period=30"
	size, path, err := auth.QRPath(uri)
	if err != nil {
		return err
	}
	p.QRSize, p.QRPath = size, path
	for i := 0; i < len(secret); i += 4 {
		p.Secret = append(p.Secret, secret[i:min(i+4, len(secret))])
	}
	p.Code = components.Field{ID: "code", Name: "code", Label: "Code from your app", Autocomplete: "one-time-code", Width: "10",
		Hint: "The 6 digits your app shows for the register once you have added it. Spaces are fine.", Error: msg}
	if msg != "" {
		p.Page.Title = "Error: " + title
		p.Errors = []components.FieldError{{FieldID: "code", Message: msg}}
	}
	s.render(w, r, status, pages.SecondFactor(p))
	return nil
}

// handleSecondFactorSave confirms the secret being set up with a code from the app, and makes
// the person's recovery codes, shown once.
func (s *Server) handleSecondFactorSave(w http.ResponseWriter, r *http.Request) error {
	// Someone with a passkey confirms it is them before adding an app (passkeys.go).
	if sent, err := s.stepUp(w, r, secondFactorPath); sent || err != nil {
		return err
	}
	u := userFrom(r)
	secret := s.sessions.GetString(r.Context(), totpSetupKey)
	if secret == "" {
		http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
		return nil
	}
	code := r.PostFormValue("code")
	if strings.TrimSpace(code) == "" {
		return s.renderSecondFactor(w, r, http.StatusUnprocessableEntity, "Enter the code your app shows for the register")
	}
	now := s.now()
	key := "second-factor:user:" + strconv.FormatInt(u.ID, 10)
	counts, err := s.store.SignInAttempt(r.Context(), []string{key}, now, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	if counts[0] > maxPasswordFailures {
		return s.renderSecondFactor(w, r, http.StatusTooManyRequests, "Too many wrong codes. Wait 15 minutes, then try again")
	}
	step, ok := auth.TOTPStep(secret, code, now)
	if !ok {
		return s.renderSecondFactor(w, r, http.StatusUnprocessableEntity,
			"Enter the code your app shows now: check you added the code above, and that your device's clock is right")
	}
	codes, hashes := auth.NewRecoveryCodes()
	if err := s.store.SetTOTP(r.Context(), u.Act(now), u.ID, secret, step, hashes); err != nil {
		return err
	}
	if err := s.store.ForgetAttempts(r.Context(), key); err != nil {
		return err
	}
	s.sessions.Remove(r.Context(), totpSetupKey)
	s.sessions.Remove(r.Context(), secondFactorDueKey)
	s.sessions.Put(r.Context(), recoveryCodesKey, strings.Join(codes, " "))
	http.Redirect(w, r, secondFactorPath, http.StatusSeeOther)
	return nil
}
