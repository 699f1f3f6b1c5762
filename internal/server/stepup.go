package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Step-up: signing a decision or clearing a step asks a person who has a second factor (or who
// signed in with the provider) to give it again when they last did more than stepUpAfter ago.
const (
	// sessionStrongAtKey is when the session's person last gave their second factor or signed
	// in with the provider, in Unix seconds.
	sessionStrongAtKey = "auth_strong_at"
	stepUpAfter        = 15 * time.Minute
	confirmPath        = "/account/confirm"
	// stepUpFormKey holds the forms step-ups interrupted (keptStepUps by page, as JSON), and
	// stepUpFormLife is how long it waits for its person to come back to it.
	stepUpFormKey  = "step_up_form"
	stepUpFormLife = 30 * time.Minute
)

// keptStepUp is a form whose sending a step-up interrupted: kept in the sender's session (on
// the server, never in an address), given back once, to the same person, on the page it came
// from, so nothing typed is lost. It is only filled in again: the person presses the button
// once more, having confirmed who they are.
type keptStepUp struct {
	UserID int64      `json:"user_id"`
	Page   string     `json:"page"`   // where the form is, and the person comes back to
	Action string     `json:"action"` // where it was sent
	Until  int64      `json:"until"`  // Unix seconds
	Form   url.Values `json:"form"`
}

// maxKeptStepUps bounds the forms kept in one session: one a page, the oldest dropped first.
const maxKeptStepUps = 8

// keptStepUps reads the forms the session keeps, by the page each waits on, without those out
// of time. One a page, so a form sent on a second page does not replace the first one's.
func (s *Server) keptStepUps(r *http.Request) map[string]keptStepUp {
	kept := map[string]keptStepUp{}
	if raw := s.sessions.GetString(r.Context(), stepUpFormKey); raw != "" && json.Unmarshal([]byte(raw), &kept) != nil {
		kept = map[string]keptStepUp{} // written by an older version: forms expire within 30 minutes anyway
	}
	now := s.now().Unix()
	for page, k := range kept {
		if now > k.Until {
			delete(kept, page)
		}
	}
	return kept
}

func (s *Server) putKeptStepUps(r *http.Request, kept map[string]keptStepUp) error {
	if len(kept) == 0 {
		s.sessions.Remove(r.Context(), stepUpFormKey)
		return nil
	}
	b, err := json.Marshal(kept)
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), stepUpFormKey, string(b))
	return nil
}

// keepStepUpForm keeps the form r sent, for its person to find on page after the step-up.
func (s *Server) keepStepUpForm(r *http.Request, page string) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	kept := s.keptStepUps(r)
	for len(kept) >= maxKeptStepUps {
		oldest := ""
		for p, k := range kept {
			if oldest == "" || k.Until < kept[oldest].Until {
				oldest = p
			}
		}
		delete(kept, oldest)
	}
	kept[page] = keptStepUp{UserID: userFrom(r).ID, Page: page, Action: r.URL.Path,
		Until: s.now().Add(stepUpFormLife).Unix(), Form: r.PostForm}
	return s.putKeptStepUps(r, kept)
}

// takeStepUpForm gives back, once, the form a step-up interrupted on this page, when it is
// the signed-in person's and still in time; the form's values and where it was sent. Forms
// kept for other pages wait there.
func (s *Server) takeStepUpForm(r *http.Request) (url.Values, string, bool) {
	kept := s.keptStepUps(r)
	k, ok := kept[r.URL.Path]
	if !ok {
		return nil, "", false
	}
	delete(kept, r.URL.Path)
	if err := s.putKeptStepUps(r, kept); err != nil {
		return nil, "", false
	}
	if u := userFrom(r); u == nil || u.ID != k.UserID {
		return nil, "", false
	}
	return k.Form, k.Action, true
}

// authMethod is how the session's person last proved who they are.
func (s *Server) authMethod(r *http.Request) string {
	if m := s.sessions.GetString(r.Context(), sessionAuthKey); m != "" {
		return m
	}
	return authPassword // a session from before methods were recorded
}

// strongAct is the signed-in person's act now, recording how they authenticated.
func (s *Server) strongAct(r *http.Request) store.Act {
	act := userFrom(r).Act(s.now())
	act.Auth = s.authMethod(r)
	return act
}

// stepUp sends the person to confirm who they are, and back to next afterwards (with the form
// they sent kept for them there: keptStepUp), when they have
// something stronger than a password (a second factor, or the provider) and last used it more
// than stepUpAfter ago; it reports whether it did. A person with a password alone has nothing
// more to give: the audit trail records "password" for them.
func (s *Server) stepUp(w http.ResponseWriter, r *http.Request, next string) (bool, error) {
	strong := s.authMethod(r) == authSSO
	if !strong {
		totp, passkeys, err := s.store.SecondFactors(r.Context(), userFrom(r).ID)
		if err != nil || (!totp && passkeys == 0) {
			return false, err
		}
	}
	at := time.Unix(s.sessions.GetInt64(r.Context(), sessionStrongAtKey), 0)
	if s.now().Sub(at) <= stepUpAfter {
		return false, nil
	}
	if r.Method == http.MethodPost {
		if err := s.keepStepUpForm(r, next); err != nil {
			return false, err
		}
	}
	http.Redirect(w, r, confirmPath+"?next="+url.QueryEscape(next), http.StatusSeeOther)
	return true, nil
}

func (s *Server) handleConfirmForm(w http.ResponseWriter, r *http.Request) error {
	return s.renderConfirm(w, r, http.StatusOK, localPath(r.URL.Query().Get("next")), "", "")
}

// renderConfirm shows the step-up page: a passkey, a code or the provider, as the person has;
// codeMsg and passkeyMsg say what was wrong with each.
func (s *Server) renderConfirm(w http.ResponseWriter, r *http.Request, status int, next, codeMsg, passkeyMsg string) error {
	totp, passkeys, err := s.store.SecondFactors(r.Context(), userFrom(r).ID)
	if err != nil {
		return err
	}
	title := "Confirm it is you"
	p := pages.ConfirmProps{Page: s.page(r, title, "", confirmPath), Next: next, TOTP: totp, Passkey: passkeys > 0, PasskeyError: passkeyMsg,
		Code: components.Field{ID: "code", Name: "code", Label: "Code", Autocomplete: "one-time-code", Width: "10",
			Hint: "The 6-digit code your app shows now, or one of your recovery codes. Spaces are fine.", Error: codeMsg}}
	if s.authMethod(r) == authSSO && s.sso != nil {
		p.SSOName = s.sso.Name()
	}
	p.Errors = secondFactorErrors(codeMsg, passkeyMsg)
	if len(p.Errors) > 0 {
		p.Page.Title = "Error: " + title
	}
	s.render(w, r, status, pages.Confirm(p))
	return nil
}

// handleConfirm checks the second factor of a signed-in person asked to confirm who they are,
// throttled as at sign-in, and sends them back.
func (s *Server) handleConfirm(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	next := localPath(r.PostFormValue("next"))
	if s.viaProvider(w, r, next) {
		return nil
	}
	now := s.now()
	key := "second-factor:user:" + strconv.FormatInt(u.ID, 10)
	counts, err := s.store.SignInAttempt(r.Context(), []string{key}, now, now.Add(-throttleWindow))
	if err != nil {
		return err
	}
	if counts[0] > maxPasswordFailures {
		return s.renderConfirm(w, r, http.StatusTooManyRequests, next, "Too many wrong codes. Wait 15 minutes, then try again", "")
	}
	if totp, passkeys, err := s.store.SecondFactors(r.Context(), u.ID); err != nil {
		return err
	} else if !totp && passkeys == 0 {
		http.Redirect(w, r, next, http.StatusSeeOther) // nothing to confirm with
		return nil
	}
	method, msg, err := s.checkSecondFactor(r, *u, r.PostFormValue("code"), now)
	if err != nil {
		return err
	}
	if msg != "" {
		s.log.InfoContext(r.Context(), "step-up refused", "user_id", u.ID, "client", clientid.Address(r),
			"request_id", clientid.RequestID(r.Context()))
		return s.renderConfirm(w, r, http.StatusUnprocessableEntity, next, msg, "")
	}
	if err := s.store.ForgetAttempts(r.Context(), key); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionAuthKey, method)
	s.sessions.Put(r.Context(), sessionStrongAtKey, now.Unix())
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// viaProvider sends someone signed in with the provider back to the confirm page, which asks
// the provider for a fresh sign-in, and reports whether it did: a code or a passkey of theirs
// must not stand in for that (nor turn their session into a password one).
func (s *Server) viaProvider(w http.ResponseWriter, r *http.Request, next string) bool {
	if s.authMethod(r) != authSSO {
		return false
	}
	http.Redirect(w, r, confirmPath+"?next="+url.QueryEscape(next), http.StatusSeeOther)
	return true
}
