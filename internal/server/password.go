package server

import (
	"net/http"
	"strconv"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// passwordFlashKey holds the confirmation shown after a password change.
const passwordFlashKey = "password_flash"

// passwordForm is a person's change of their own password.
type passwordForm struct{ Current, New, Confirm string }

// Validate checks the form's own rules; whether the current password is right is the
// handler's check, against the stored hash.
func (f passwordForm) Validate(forced bool) map[string]string {
	errs := map[string]string{}
	if f.Current == "" && !forced {
		errs["current-password"] = "Enter your current password"
	}
	switch {
	case f.New == "":
		errs["new-password"] = "Enter a new password"
	case len([]rune(f.New)) < auth.MinPasswordLength:
		errs["new-password"] = "Enter a new password of at least " + strconv.Itoa(auth.MinPasswordLength) + " characters"
	case f.New == f.Current && !forced:
		errs["new-password"] = "Enter a new password that is different from your current one"
	}
	if errs["new-password"] == "" && f.Confirm != f.New {
		errs["confirm-password"] = "Enter the same new password again"
	}
	return errs
}

func (s *Server) handlePasswordForm(w http.ResponseWriter, r *http.Request) error {
	s.renderPassword(w, r, http.StatusOK, nil)
	return nil
}

func (s *Server) renderPassword(w http.ResponseWriter, r *http.Request, status int, errs map[string]string) {
	forced := userFrom(r).MustChangePassword
	title := "Change your password"
	if forced {
		title = "Choose your own password"
	}
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.ChangePasswordProps{
		Page:  s.page(r, title, "", "/account/password"),
		Flash: s.popFlash(r, passwordFlashKey),
		Current: components.Field{ID: "current-password", Name: "current_password", Label: "Current password",
			Type: "password", Autocomplete: "current-password", Error: errs["current-password"]},
		New: components.Field{ID: "new-password", Name: "new_password", Label: "New password",
			Hint: "At least " + strconv.Itoa(auth.MinPasswordLength) + " characters. A few unrelated words make a long password easy to remember.",
			Type: "password", Autocomplete: "new-password", Error: errs["new-password"]},
		Confirm: components.Field{ID: "confirm-password", Name: "confirm_password", Label: "New password again",
			Type: "password", Autocomplete: "new-password", Error: errs["confirm-password"]},
		Forced: forced,
	}
	for _, id := range []string{"current-password", "new-password", "confirm-password"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.ChangePassword(p))
}

// handlePasswordChange changes the signed-in person's password. The session carries on under
// a new token, as after signing in.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	f := passwordForm{Current: r.PostFormValue("current_password"), New: r.PostFormValue("new_password"),
		Confirm: r.PostFormValue("confirm_password")}
	// A one-time password was checked at this session's sign-in, moments ago: it is not asked
	// for again (and a session left open cannot be used to change a chosen password).
	forced := u.MustChangePassword
	errs := f.Validate(forced)
	if errs["current-password"] == "" && !forced {
		ok, throttled, err := s.checkCurrentPassword(r, u, f.Current)
		if err != nil {
			return err
		}
		if throttled {
			errs["current-password"] = "Too many wrong current passwords. Wait 15 minutes, then try again"
			s.renderPassword(w, r, http.StatusTooManyRequests, errs)
			return nil
		}
		if !ok {
			errs["current-password"] = "Your current password is not right"
		}
	}
	if len(errs) > 0 {
		s.renderPassword(w, r, http.StatusUnprocessableEntity, errs)
		return nil
	}
	hash, err := s.passwords.Hash(f.New)
	if err != nil {
		return err
	}
	if err := s.store.SetPassword(r.Context(), u.Act(s.now()), u.ID, hash); err != nil {
		return err
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	// This session carries on under the new epoch; the person's other sessions end.
	s.sessions.Put(r.Context(), sessionEpochKey, u.SessionEpoch+1)
	if forced {
		s.sessions.Put(r.Context(), passwordFlashKey, "Your password has been saved: use it from now on")
	} else {
		s.sessions.Put(r.Context(), passwordFlashKey, "Your password has been changed")
	}
	http.Redirect(w, r, "/account/password", http.StatusSeeOther)
	return nil
}

// checkCurrentPassword checks the password a signed-in person gives as their current one.
// Attempts are counted per person, as sign-in counts them, before the check: someone at a
// borrowed session (a desk left signed in) must not be able to guess the password through this
// form and so take the account over. Past maxPasswordFailures in the window nothing is checked;
// the right password clears the count.
func (s *Server) checkCurrentPassword(r *http.Request, u *store.User, password string) (ok, throttled bool, err error) {
	now := s.now()
	key := "password:user:" + strconv.FormatInt(u.ID, 10)
	counts, err := s.store.SignInAttempt(r.Context(), []string{key}, now, now.Add(-throttleWindow))
	if err != nil {
		return false, false, err
	}
	if counts[0] > maxPasswordFailures {
		s.log.WarnContext(r.Context(), "change of password throttled", "user_id", u.ID, "client", clientid.Address(r),
			"request_id", clientid.RequestID(r.Context()))
		return false, true, nil
	}
	if ok, err = s.checkPassword(r.Context(), password, u.PasswordHash); err != nil || !ok {
		return false, false, err
	}
	return true, false, s.store.ForgetAttempts(r.Context(), key)
}
