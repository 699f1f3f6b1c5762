package server

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// Single sign-on's secrets for the sign-in under way, and how the session was signed in.
const (
	ssoStateKey    = "sso_state"
	ssoNonceKey    = "sso_nonce"
	ssoVerifierKey = "sso_verifier"
	ssoNextKey     = "sso_next"
	// ssoFreshKey is when a step-up sent the person to sign in again (Unix seconds), and
	// ssoStepUpUserKey who they were: the provider must sign in that person, just now.
	ssoFreshKey      = "sso_fresh_at"
	ssoStepUpUserKey = "sso_step_up_user"
	// ssoIDTokenKey keeps the ID token, to name the session at the provider's logout.
	ssoIDTokenKey = "sso_id_token"
	// sessionAuthKey says how the session was signed in: "password" or "sso".
	sessionAuthKey = "auth_method"
	// ssoNowRequiredKey marks a session ended because single sign-on became required of its
	// person, for the sign-in page to say so.
	ssoNowRequiredKey = "sso_now_required"
)

// The ways a person signed in, as the audit trail records them.
const (
	authPassword = "password"
	authSSO      = "sso"
)

// SSOCallbackPath is where the provider sends people back: BASE_URL + this is the redirect
// URI registered with it.
const SSOCallbackPath = "/sign-in/sso/callback"

// handleSSOStart sends the person to the provider, keeping the flow's state, nonce and PKCE
// verifier in their session (under a new token: nothing from before the sign-in survives it).
func (s *Server) handleSSOStart(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil {
		return errPageNotFound
	}
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	f := auth.NewFlow()
	// Someone already signed in who goes to the provider is stepping up, whichever button
	// sent them: otherwise a borrowed session's silent sign-in there would count as a fresh one.
	f.Fresh = r.PostFormValue("fresh") == "yes" || userFrom(r) != nil
	to, err := s.sso.AuthURL(r.Context(), f)
	if err != nil {
		s.log.ErrorContext(r.Context(), "single sign-on unavailable", "err", err, "request_id", clientid.RequestID(r.Context()))
		return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedUnavailable, Err: err}, nil)
	}
	s.sessions.Put(r.Context(), ssoStateKey, f.State)
	s.sessions.Put(r.Context(), ssoNonceKey, f.Nonce)
	s.sessions.Put(r.Context(), ssoVerifierKey, f.Verifier)
	s.sessions.Put(r.Context(), ssoNextKey, localPath(r.PostFormValue("next")))
	s.sessions.Remove(r.Context(), ssoFreshKey)
	s.sessions.Remove(r.Context(), ssoStepUpUserKey)
	if f.Fresh {
		s.sessions.Put(r.Context(), ssoFreshKey, s.now().Unix())
		if u := userFrom(r); u != nil {
			s.sessions.Put(r.Context(), ssoStepUpUserKey, u.ID)
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// handleSSOCallback finishes a single sign-on: the state must be the one this browser's session
// started (and is used up, so a replayed callback finds none), the code is exchanged with the
// PKCE verifier, the ID token is checked (signature, issuer, audience, expiry, nonce), and the
// provider's subject must be linked to an enabled account, or be linked now by a verified
// e-mail of an account an admin added. Anything else is refused with a plain page and an audit
// entry, and no session.
func (s *Server) handleSSOCallback(w http.ResponseWriter, r *http.Request) error {
	if s.sso == nil {
		return errPageNotFound
	}
	ctx := r.Context()
	f := auth.Flow{State: s.sessions.PopString(ctx, ssoStateKey), Nonce: s.sessions.PopString(ctx, ssoNonceKey),
		Verifier: s.sessions.PopString(ctx, ssoVerifierKey)}
	next := localPath(s.sessions.PopString(ctx, ssoNextKey))
	if at, ok := s.sessions.Pop(ctx, ssoFreshKey).(int64); ok {
		f.Fresh, f.Started = true, time.Unix(at, 0)
	}
	stepUpUser, _ := s.sessions.Pop(ctx, ssoStepUpUserKey).(int64)
	q := r.URL.Query()
	if f.State == "" || q.Get("state") != f.State {
		return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedState}, nil)
	}
	if e := q.Get("error"); e != "" {
		return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedProvider, Err: errors.New(e)}, nil)
	}
	id, err := s.sso.Exchange(ctx, f, q.Get("code"))
	if ref, ok := errors.AsType[*auth.Refusal](err); ok {
		return s.ssoRefused(r, ref, nil)
	} else if err != nil {
		return err
	}
	u, err := s.store.UserBySubject(ctx, s.sso.Issuer(), id.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if u, err = s.linkBySubject(r, id); err != nil {
			return err
		}
		if u.ID == 0 {
			return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedUnlinked}, map[string]string{"subject": id.Subject})
		}
	case err != nil:
		return err
	}
	if u.DisabledAt != nil {
		return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedDisabled}, map[string]string{"subject": id.Subject,
			"user_id": strconv.FormatInt(u.ID, 10)})
	}
	if stepUpUser != 0 && u.ID != stepUpUser {
		// Confirming who you are is not a way to become someone else.
		return s.ssoRefused(r, &auth.Refusal{Reason: auth.RefusedAnother}, map[string]string{"subject": id.Subject,
			"user_id": strconv.FormatInt(stepUpUser, 10)})
	}
	now := s.now()
	// A token without a groups claim says nothing about groups: roles stay as they are.
	if gr := s.sso.GroupRoles(); len(gr) > 0 && id.Groups != nil {
		var want []string
		for _, g := range id.Groups {
			if role, ok := gr[g]; ok {
				want = append(want, role)
			}
		}
		managed := slices.Sorted(maps.Values(gr))
		if err := s.store.SyncRoles(ctx, u.Act(now), u.ID, slices.Compact(managed), want); err != nil {
			return err
		}
	}
	if err := s.sessions.RenewToken(ctx); err != nil {
		return err
	}
	s.sessions.Put(ctx, sessionUserKey, u.ID)
	s.sessions.Put(ctx, sessionEpochKey, u.SessionEpoch)
	s.sessions.Put(ctx, sessionAuthKey, authSSO)
	s.sessions.Put(ctx, sessionStrongAtKey, now.Unix())
	s.sessions.Put(ctx, ssoIDTokenKey, id.IDToken)
	if err := s.recordSessionOwner(w, r, u.ID); err != nil {
		return err
	}
	if err := s.store.Audit(ctx, u.Act(now), 0, store.EventSignInSucceeded, map[string]string{"method": authSSO}); err != nil {
		return err
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// linkBySubject links the provider's subject to the account an admin added for the e-mail the
// provider has verified, and returns it; a zero User when there is none to link (no verified
// e-mail, no such account, or the account is linked to another subject there already). A
// disabled account is returned unlinked, to be refused.
func (s *Server) linkBySubject(r *http.Request, id auth.Identity) (store.User, error) {
	if !id.EmailVerified || id.Email == "" {
		return store.User{}, nil
	}
	u, err := s.store.UserByEmail(r.Context(), id.Email)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, nil
	}
	if err != nil || u.DisabledAt != nil {
		return u, err
	}
	err = s.store.LinkIdentity(r.Context(), u.Act(s.now()), u.ID, s.sso.Issuer(), id.Subject)
	if errors.Is(err, store.ErrConflict) {
		return store.User{}, nil
	}
	return u, err
}

// ssoRefusals words each refusal for the person refused.
var ssoRefusals = map[string]string{
	auth.RefusedState:       "This sign-in was not started in this browser, or it has already been used. Start again from the sign-in page.",
	auth.RefusedProvider:    "Your organisation's sign-in service did not sign you in. Start again from the sign-in page.",
	auth.RefusedUnlinked:    "There is no account on the register for you. Ask an admin to add you, with the email address your organisation knows you by.",
	auth.RefusedDisabled:    "Your account on the register has been disabled. Ask an admin if you need it again.",
	auth.RefusedNotFresh:    "Your organisation's sign-in service did not ask you to sign in again, so the register cannot tell it is you at the keyboard. Nothing has been recorded. Go back to the decision and try again; if this happens again, tell your admin.",
	auth.RefusedAnother:     "You signed in again as someone else. Nothing has been recorded. Go back to the decision and sign in again as yourself.",
	auth.RefusedUnavailable: "Your organisation's sign-in service cannot be reached just now. Try again in a few minutes, or sign in with your email address and password if you have one.",
}

// ssoRefused answers a refused single sign-on with a plain page, and records the refusal in
// the audit trail and the log. Its entries are bounded by the sign-in rate limit on both
// routes, and hold no text anyone typed: the reason, and the provider's subject only when the
// provider vouched for it.
func (s *Server) ssoRefused(r *http.Request, ref *auth.Refusal, detail map[string]string) error {
	if detail == nil {
		detail = map[string]string{}
	}
	detail["reason"] = ref.Reason
	attrs := []any{"reason", ref.Reason, "client", clientid.Address(r), "request_id", clientid.RequestID(r.Context())}
	if ref.Err != nil {
		attrs = append(attrs, "err", ref.Err)
	}
	s.log.WarnContext(r.Context(), "single sign-on refused", attrs...)
	if err := s.store.Audit(r.Context(), store.Act{Name: "single sign-on", At: s.now()}, 0, store.EventSSORefused, detail); err != nil {
		return err
	}
	msg, ok := ssoRefusals[ref.Reason]
	if !ok {
		msg = "Your organisation's sign-in service sent an answer the register cannot trust, so you have not been signed in. Start again from the sign-in page; if this happens again, tell your admin."
	}
	status := http.StatusForbidden
	if ref.Reason == auth.RefusedUnavailable {
		status = http.StatusBadGateway
	}
	return &pageError{Status: status, Heading: "You have not been signed in", Message: msg,
		Links: []pages.ErrorLink{{Href: "/sign-in", Text: "Go to the sign-in page"}}}
}

// signInSettingsForm is the admins' choice of how staff sign in.
type signInSettingsForm struct {
	RequireSSO          bool
	RequireSecondFactor bool
	BreakGlass          []int64 // the accounts that keep their password
}

func (s *Server) handleAdminSignIn(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.AuthSettings(r.Context())
	if err != nil {
		return err
	}
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	f := signInSettingsForm{RequireSSO: a.RequireSSO, RequireSecondFactor: a.RequireSecondFactor}
	for _, u := range users {
		if u.BreakGlass {
			f.BreakGlass = append(f.BreakGlass, u.ID)
		}
	}
	return s.renderAdminSignIn(w, r, http.StatusOK, f, users, nil)
}

// handleAdminSignInSave saves how staff sign in. Single sign-on can be required only when it is
// set up, and only with a break-glass admin left to sign in while the provider is down.
func (s *Server) handleAdminSignInSave(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	f := signInSettingsForm{RequireSSO: r.PostFormValue("require_sso") == "yes",
		RequireSecondFactor: r.PostFormValue("require_second_factor") == "yes"}
	chosen := r.PostForm["break_glass"]
	glassAdmin := false
	for _, u := range users {
		if slices.Contains(chosen, strconv.FormatInt(u.ID, 10)) {
			f.BreakGlass = append(f.BreakGlass, u.ID)
			glassAdmin = glassAdmin || (u.Has("admin") && u.DisabledAt == nil)
		}
	}
	errs := map[string]string{}
	if f.RequireSSO && s.sso == nil {
		errs["require-sso"] = "Single sign-on is not set up, so it cannot be required: ask your operator to set it up first"
	} else if f.RequireSSO && !glassAdmin {
		errs["break-glass"] = "Choose at least one admin who keeps their password, so someone can sign in while the sign-in service is down"
	}
	if len(errs) > 0 {
		return s.renderAdminSignIn(w, r, http.StatusUnprocessableEntity, f, users, errs)
	}
	act := userFrom(r).Act(s.now())
	settings := store.AuthSettings{RequireSSO: f.RequireSSO, RequireSecondFactor: f.RequireSecondFactor}
	if settings.SessionsEnded, settings.SessionsToSetUp, err = s.sessionsReached(r, settings, users, f.BreakGlass); err != nil {
		return err
	}
	err = s.store.InTx(r.Context(), func(tx *store.Store) error {
		for _, u := range users {
			if on := slices.Contains(f.BreakGlass, u.ID); on != u.BreakGlass {
				if err := tx.SetBreakGlass(r.Context(), act, u.ID, on); err != nil {
					return err
				}
			}
		}
		return tx.SetAuthSettings(r.Context(), act, settings)
	})
	if err != nil {
		return err
	}
	s.adminRedirect(w, r, "/admin/sign-in", "How staff sign in has been saved")
	return nil
}

// sessionsReached counts the sessions signed in now that settings reach at their next request
// (loadUser and requireStaff act on them there): password sessions of accounts that are not
// break-glass, which end when single sign-on is required, and password-only sessions of people
// who sign or approve without a second factor, sent to set one up when one is required.
func (s *Server) sessionsReached(r *http.Request, settings store.AuthSettings, users []store.User, breakGlass []int64) (ended, toSetUp int, err error) {
	if !settings.RequireSSO && !settings.RequireSecondFactor {
		return 0, 0, nil
	}
	data, err := s.store.LiveSessions(r.Context(), s.now())
	if err != nil {
		return 0, 0, err
	}
	byID := make(map[int64]store.User, len(users))
	for _, u := range users {
		byID[u.ID] = u
	}
	for _, b := range data {
		_, values, err := s.sessions.Codec.Decode(b)
		if err != nil {
			continue // not one this register wrote: nobody is signed in on it
		}
		id, _ := values[sessionUserKey].(int64)
		u, ok := byID[id]
		if !ok || u.DisabledAt != nil {
			continue
		}
		method, _ := values[sessionAuthKey].(string)
		switch {
		case settings.RequireSSO && s.sso != nil && method != authSSO && !slices.Contains(breakGlass, id):
			ended++
		case settings.RequireSecondFactor && (method == authPassword || method == "") && !u.HasSecondFactor &&
			(u.Has(decision.RoleDecisionMaker) || u.Has(decision.RoleAdviser)):
			toSetUp++
		}
	}
	return ended, toSetUp, nil
}

func (s *Server) renderAdminSignIn(w http.ResponseWriter, r *http.Request, status int, f signInSettingsForm, users []store.User, errs map[string]string) error {
	title := "How staff sign in"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.AdminSignInProps{Page: s.page(r, title, "admin", "/admin/sign-in"), Flash: s.popAdminFlash(r)}
	provider := "the sign-in service"
	if s.sso != nil {
		p.Provider, provider = s.sso.Name(), s.sso.Name()
	}
	p.Require = components.Choice{ID: "require-sso", Name: "require_sso", Legend: "Single sign-on", Error: errs["require-sso"],
		Options: []components.Option{{Value: "yes", Label: "Require single sign-on", Checked: f.RequireSSO,
			Hint: "Everyone signs in with " + provider + ", except the accounts below that keep their password."}}}
	p.SecondFactor = components.Choice{ID: "require-second-factor", Name: "require_second_factor", Legend: "Second factor",
		Options: []components.Option{{Value: "yes", Label: "Require a second factor of decision makers and advisers", Checked: f.RequireSecondFactor,
			Hint: "Those who sign in with a password are asked to set up an authenticator app at their next sign-in, before anything else."}}}
	p.BreakGlass = components.Choice{ID: "break-glass", Name: "break_glass", Legend: "Accounts that keep their password",
		Hint:  "Break-glass accounts: a way in for admins while " + provider + " is down. Keep them few, with long passwords.",
		Error: errs["break-glass"]}
	for _, u := range users {
		if u.DisabledAt != nil || (!u.Has("admin") && !slices.Contains(f.BreakGlass, u.ID)) {
			continue
		}
		p.BreakGlass.Options = append(p.BreakGlass.Options, components.Option{Value: strconv.FormatInt(u.ID, 10),
			Label: u.Name + " (" + u.Email + ")", Checked: slices.Contains(f.BreakGlass, u.ID)})
	}
	for _, id := range []string{"require-sso", "break-glass"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.AdminSignIn(p))
	return nil
}
