package server

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

var errNotAdmin = &pageError{
	Status:  http.StatusForbidden,
	Heading: "You cannot use this page",
	Message: "Only admins manage staff accounts and sign-off chains. Ask an admin if something about your account needs to change.",
}

// Session keys of the admin pages' post/redirect/get: a success message, and the password of
// an account just added, shown once on its page and then gone from the session.
const (
	adminFlashKey           = "admin_flash"
	adminNewPasswordKey     = "admin_new_password"
	adminNewPasswordUserKey = "admin_new_password_user"
	adminPasswordResetKey   = "admin_password_reset" // set when the password shown is a reset's
)

func (s *Server) adminRedirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		s.sessions.Put(r.Context(), adminFlashKey, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (s *Server) popAdminFlash(r *http.Request) string {
	return s.popFlash(r, adminFlashKey)
}

// adminLists are the names a user's grants are chosen from.
type adminLists struct {
	kinds  []store.StepKind
	series []string
}

func (s *Server) adminLists(r *http.Request) (adminLists, error) {
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return adminLists{}, err
	}
	series, err := s.store.KnownSeries(r.Context())
	if err != nil {
		return adminLists{}, err
	}
	return adminLists{kinds: kinds, series: series}, nil
}

func (l adminLists) kindName(code string) string {
	for _, k := range l.kinds {
		if k.Code == code {
			return k.Name
		}
	}
	return code
}

func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return err
	}
	lists, err := s.adminLists(r)
	if err != nil {
		return err
	}
	p := pages.AdminUsersProps{Page: s.page(r, "Staff accounts", "admin", "/admin/users"), Flash: s.popAdminFlash(r),
		Series: lists.series}
	for _, u := range users {
		var roles, steps []string
		for _, role := range u.Roles {
			roles = append(roles, decision.RoleName(role))
		}
		for _, k := range u.StepKinds {
			steps = append(steps, lists.kindName(k))
		}
		p.Users = append(p.Users, pages.AdminUserRow{Href: fmt.Sprintf("/admin/users/%d", u.ID), Name: u.Name, Email: u.Email,
			Roles: strings.Join(roles, ", "), Steps: strings.Join(steps, ", "), Series: strings.Join(u.Series, ", "),
			Disabled: u.DisabledAt != nil})
	}
	s.render(w, r, http.StatusOK, pages.AdminUsers(p))
	return nil
}

// adminUserForm is the add-a-user form, or (without email and name) the grants form.
type adminUserForm struct {
	Email, Name          string
	Roles, Steps, Series []string
}

func decodeAdminUserForm(r *http.Request) (adminUserForm, error) {
	if err := r.ParseForm(); err != nil {
		return adminUserForm{}, &pageError{Status: http.StatusBadRequest, Heading: "The form could not be read",
			Message: "Go back, reload the page and try again."}
	}
	return adminUserForm{
		Email:  strings.TrimSpace(r.PostForm.Get("email")),
		Name:   strings.TrimSpace(r.PostForm.Get("name")),
		Roles:  r.PostForm["roles"],
		Steps:  r.PostForm["steps"],
		Series: r.PostForm["series"],
	}, nil
}

// emailPattern is the database's own rule for an email address.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// Validate checks the form against the names the register knows, returning an error per field.
func (f adminUserForm) Validate(isNew bool, lists adminLists) map[string]string {
	errs := map[string]string{}
	if isNew {
		switch {
		case f.Email == "":
			errs["email"] = "Enter an email address"
		case !emailPattern.MatchString(f.Email):
			errs["email"] = "Enter an email address in the correct format, like name@example.org"
		}
		if f.Name == "" {
			errs["name"] = "Enter the person’s full name"
		}
	}
	for _, role := range f.Roles {
		if !slices.Contains(decision.Roles, role) {
			errs["roles"] = "Choose roles from the list"
		}
	}
	for _, k := range f.Steps {
		if !slices.ContainsFunc(lists.kinds, func(sk store.StepKind) bool { return sk.Code == k }) {
			errs["steps"] = "Choose steps from the list"
		}
	}
	for _, series := range f.Series {
		if !slices.Contains(lists.series, series) {
			errs["series"] = "Choose series from the list"
		}
	}
	for field, msg := range decision.GrantProblems(f.Roles, f.Steps, f.Series) {
		if errs[field] == "" {
			errs[field] = msg
		}
	}
	return errs
}

func (f adminUserForm) grants() store.Grants {
	return store.Grants{Roles: f.Roles, StepKinds: f.Steps, Series: f.Series}
}

// adminUserPage is what a user form page shows besides the form's values.
type adminUserPage struct {
	status   int
	target   *store.User // nil when adding
	password string
	reset    bool // the password shown is a reset's
	factors  secondFactors
}

// secondFactors are the second factors a person has, as their admin page shows them.
type secondFactors struct {
	app      bool
	passkeys int
}

func (f secondFactors) words() string {
	var out []string
	if f.app {
		out = append(out, "an authenticator app")
	}
	switch f.passkeys {
	case 0:
	case 1:
		out = append(out, "1 passkey")
	default:
		out = append(out, strconv.Itoa(f.passkeys)+" passkeys")
	}
	return strings.Join(out, " and ") // "" for none

}

func (s *Server) renderAdminUserForm(w http.ResponseWriter, r *http.Request, pg adminUserPage, f adminUserForm, errs map[string]string, lists adminLists) {
	p := pages.AdminUserFormProps{
		Flash:      s.popAdminFlash(r),
		EmailField: components.Field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "off", Value: f.Email, Error: errs["email"]},
		NameField:  components.Field{ID: "name", Name: "name", Label: "Full name", Hint: "As it will appear on approvals and signatures", Autocomplete: "off", Value: f.Name, Error: errs["name"]},
		Roles:      components.Choice{ID: "roles", Name: "roles", Legend: "Roles", Hint: "Select all that apply", Error: errs["roles"]},
		Steps: components.Choice{ID: "steps", Name: "steps", Legend: "Steps this adviser clears",
			Hint: "For advisers only. Select all that apply", Error: errs["steps"]},
		Series: components.Choice{ID: "series", Name: "series", Legend: "Series this decision maker signs for",
			Hint: "For decision makers only. Select all that apply", Error: errs["series"]},
		Password: pg.password,
		Reset:    pg.reset,
	}
	roleHints := map[string]string{
		decision.RoleDrafter:       "Prepares decisions and submits them for sign-off",
		decision.RoleAdviser:       "Clears the steps of the sign-off chain chosen below",
		decision.RoleDecisionMaker: "Signs decisions of the series chosen below",
		decision.RoleAdmin:         "Manages staff accounts and sign-off chains",
	}
	for _, role := range decision.Roles {
		p.Roles.Options = append(p.Roles.Options, components.Option{Value: role, Label: decision.RoleName(role), Hint: roleHints[role],
			Checked: slices.Contains(f.Roles, role)})
	}
	for _, k := range lists.kinds {
		p.Steps.Options = append(p.Steps.Options, components.Option{Value: k.Code, Label: k.Name, Checked: slices.Contains(f.Steps, k.Code)})
	}
	for _, series := range lists.series {
		p.Series.Options = append(p.Series.Options, components.Option{Value: series, Label: series, Checked: slices.Contains(f.Series, series)})
	}
	title, path := "Add a member of staff", "/admin/users/new"
	if u := pg.target; u != nil {
		path = fmt.Sprintf("/admin/users/%d", u.ID)
		title = u.Name
		p.Email, p.Name, p.Disabled, p.MustChange = u.Email, u.Name, u.DisabledAt != nil, u.MustChangePassword
		if me := userFrom(r); u.DisabledAt == nil && (me == nil || me.ID != u.ID) {
			p.ResetAction = path + "/password"
		}
		p.SecondFactor = cmp.Or(pg.factors.words(), "no second factor")
		if me := userFrom(r); pg.factors.words() != "" && (me == nil || me.ID != u.ID) {
			p.SecondFactorAction = path + "/second-factor"
		}
		p.CoverURL = path + "/cover"
		if u.DisabledAt != nil {
			p.DisabledOn = u.DisabledAt.Format("2 January 2006")
			p.StatusAction = path + "/enable"
		} else if me := userFrom(r); me == nil || me.ID != u.ID {
			p.StatusAction = path + "/disable"
		}
		p.Button = "Save roles"
	} else {
		p.New = true
		p.Button = "Add account"
	}
	p.Heading, p.Action = title, path
	for _, id := range []string{"email", "name", "roles", "steps", "series"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	if len(p.Errors) > 0 {
		title = "Error: " + title
	}
	p.Page = s.page(r, title, "admin", path)
	s.render(w, r, pg.status, pages.AdminUserForm(p))
}

func (s *Server) handleAdminUserNew(w http.ResponseWriter, r *http.Request) error {
	lists, err := s.adminLists(r)
	if err != nil {
		return err
	}
	s.renderAdminUserForm(w, r, adminUserPage{status: http.StatusOK}, adminUserForm{}, nil, lists)
	return nil
}

func (s *Server) handleAdminUserCreate(w http.ResponseWriter, r *http.Request) error {
	f, err := decodeAdminUserForm(r)
	if err != nil {
		return err
	}
	lists, err := s.adminLists(r)
	if err != nil {
		return err
	}
	errs := f.Validate(true, lists)
	if len(errs) > 0 {
		s.renderAdminUserForm(w, r, adminUserPage{status: http.StatusUnprocessableEntity}, f, errs, lists)
		return nil
	}
	password := auth.GeneratePassword()
	hash, err := s.passwords.Hash(password)
	if err != nil {
		return err
	}
	id, err := s.store.CreateUserOneTime(r.Context(), userFrom(r).Act(s.now()), f.Email, f.Name, hash, f.grants())
	if err != nil {
		switch _, check := store.IsCheckViolation(err); {
		case errors.Is(err, store.ErrConflict):
			errs["email"] = "An account with this email address already exists"
		case check:
			errs["email"] = "Enter an email address in the correct format, like name@example.org"
		default:
			return err
		}
		s.renderAdminUserForm(w, r, adminUserPage{status: http.StatusUnprocessableEntity}, f, errs, lists)
		return nil
	}
	s.sessions.Put(r.Context(), adminNewPasswordKey, password)
	s.sessions.Put(r.Context(), adminNewPasswordUserKey, strconv.FormatInt(id, 10))
	s.adminRedirect(w, r, fmt.Sprintf("/admin/users/%d", id), "")
	return nil
}

// adminTarget is the user the address names.
func (s *Server) adminTarget(r *http.Request) (store.User, error) {
	id, ok := idParam(r, "id")
	if !ok {
		return store.User{}, errPageNotFound
	}
	return s.store.UserByID(r.Context(), id)
}

func (s *Server) handleAdminUser(w http.ResponseWriter, r *http.Request) error {
	u, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	lists, err := s.adminLists(r)
	if err != nil {
		return err
	}
	// The password of an account just added is shown once, on its own page only.
	password := s.popFlash(r, adminNewPasswordKey)
	if s.popFlash(r, adminNewPasswordUserKey) != strconv.FormatInt(u.ID, 10) {
		password = ""
	}
	reset := s.sessions.PopBool(r.Context(), adminPasswordResetKey)
	f := adminUserForm{Roles: u.Roles, Steps: u.StepKinds, Series: u.Series}
	var factors secondFactors
	if factors.app, factors.passkeys, err = s.store.SecondFactors(r.Context(), u.ID); err != nil {
		return err
	}
	s.renderAdminUserForm(w, r, adminUserPage{status: http.StatusOK, target: &u, password: password, reset: reset && password != "", factors: factors}, f, nil, lists)
	return nil
}

func (s *Server) handleAdminUserUpdate(w http.ResponseWriter, r *http.Request) error {
	u, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	f, err := decodeAdminUserForm(r)
	if err != nil {
		return err
	}
	f.Email, f.Name = "", ""
	lists, err := s.adminLists(r)
	if err != nil {
		return err
	}
	errs := f.Validate(false, lists)
	me := userFrom(r)
	if me.ID == u.ID && !slices.Contains(f.Roles, decision.RoleAdmin) && errs["roles"] == "" {
		errs["roles"] = "You cannot remove your own admin role: ask another admin to do it"
	}
	if len(errs) > 0 {
		var factors secondFactors
		if factors.app, factors.passkeys, err = s.store.SecondFactors(r.Context(), u.ID); err != nil {
			return err
		}
		s.renderAdminUserForm(w, r, adminUserPage{status: http.StatusUnprocessableEntity, target: &u, factors: factors}, f, errs, lists)
		return nil
	}
	if err := s.store.SetGrants(r.Context(), me.Act(s.now()), u.ID, f.grants()); err != nil {
		return err
	}
	s.adminRedirect(w, r, fmt.Sprintf("/admin/users/%d", u.ID), "Roles saved for "+u.Name)
	return nil
}

// handleAdminUserStatus asks to confirm disabling or enabling an account (GET), and does it
// (POST).
func (s *Server) handleAdminUserStatus(disable bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := s.adminTarget(r)
		if err != nil {
			return err
		}
		me := userFrom(r)
		back := fmt.Sprintf("/admin/users/%d", u.ID)
		if disable && me.ID == u.ID {
			return &pageError{Status: http.StatusConflict, Heading: "You cannot disable your own account",
				Message: "Ask another admin to disable it, so that the register always has an admin who can sign in."}
		}
		if (u.DisabledAt != nil) == disable {
			// Already so: nothing to confirm or do.
			s.adminRedirect(w, r, back, "")
			return nil
		}
		if r.Method == http.MethodPost {
			if err := s.store.SetUserDisabled(r.Context(), me.Act(s.now()), u.ID, disable); err != nil {
				return err
			}
			done := "enabled: they can sign in again"
			if disable {
				done = "disabled: they have been signed out and cannot sign in"
			}
			s.adminRedirect(w, r, back, u.Name+"’s account has been "+done)
			return nil
		}
		p := pages.AdminConfirmProps{Action: r.URL.Path, Cancel: back}
		if disable {
			if p.OnlyThem, p.Waiting, err = s.disableImpact(r, u); err != nil {
				return err
			}
			p.Heading = "Disable " + u.Name + "’s account?"
			p.Message = u.Name + " will be signed out at once and will not be able to sign in. Their approvals, signatures and the audit trail stay as they are. You can enable the account again later."
			p.Button, p.Warning = "Disable account", true
		} else {
			p.Heading = "Enable " + u.Name + "’s account?"
			p.Message = u.Name + " will be able to sign in again with their password, with the roles the account has."
			p.Button = "Enable account"
		}
		p.Page = s.page(r, p.Heading, "admin", r.URL.Path)
		s.render(w, r, http.StatusOK, pages.AdminConfirm(p))
		return nil
	}
}

// disableImpact says what disabling u would leave stuck: the steps and series nobody else
// enabled holds, and what waits on them now (steps to clear, signatures, corrections to
// approve, drafts and corrections only they are drafting), each marked when nobody else
// enabled could do it.
func (s *Server) disableImpact(r *http.Request, u store.User) ([]string, []pages.AdminWaiting, error) {
	ctx := r.Context()
	users, err := s.store.Users(ctx)
	if err != nil {
		return nil, nil, err
	}
	lists, err := s.adminLists(r)
	if err != nil {
		return nil, nil, err
	}
	var others []decision.Actor
	for _, o := range users {
		if o.ID != u.ID && o.DisabledAt == nil {
			others = append(others, o.Actor())
		}
	}
	nobodyElse := func(can func(decision.Actor) bool) bool {
		return !slices.ContainsFunc(others, can)
	}
	var only []string
	if u.Has(decision.RoleAdviser) {
		for _, k := range u.StepKinds {
			if nobodyElse(func(a decision.Actor) bool { return a.Has(decision.RoleAdviser) && slices.Contains(a.StepKinds, k) }) {
				only = append(only, "The "+lists.kindName(k)+" step of sign-off")
			}
		}
	}
	if u.Has(decision.RoleDecisionMaker) {
		for _, series := range u.Series {
			if nobodyElse(func(a decision.Actor) bool {
				return a.Has(decision.RoleDecisionMaker) && slices.Contains(a.Series, series)
			}) {
				only = append(only, "Signing decisions of the "+series+" series")
			}
		}
	}
	items, err := s.store.Work(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	actor := u.Actor()
	var waiting []pages.AdminWaiting
	for _, it := range items {
		so := it.Signoff
		w := pages.AdminWaiting{Reference: it.Reference, URL: "/decisions/" + it.Slug + "/signoff"}
		switch next := so.NextStep(); {
		case it.Status == decision.StatusDraft && it.Drafted:
			w.URL, w.What = "/decisions/"+it.Slug+"/edit", "a draft they are drafting"
			w.OnlyThem = len(so.Drafters) == 1
		case it.Status != decision.StatusAwaitingSignoff:
			continue
		case next != "" && so.CanAct(actor, next) == nil:
			w.What = "the " + lists.kindName(next) + " step"
			w.OnlyThem = nobodyElse(func(a decision.Actor) bool { return so.CanAct(a, next) == nil })
		case next == "" && so.CanSign(actor) == nil:
			w.What = "their signature"
			w.OnlyThem = nobodyElse(func(a decision.Actor) bool { return so.CanSign(a) == nil })
		default:
			continue
		}
		waiting = append(waiting, w)
	}
	cs, err := s.store.OpenCorrections(ctx, store.Staff(u.ID, s.now()))
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		w := pages.AdminWaiting{Reference: c.Reference, URL: correctionURL(c.Slug)}
		notTypo := c.NotTypographical()
		switch {
		case c.Sent() && decision.CanApproveCorrection(actor, c.Series, c.Drafters, notTypo) == nil:
			w.What = "approving a correction"
			w.OnlyThem = nobodyElse(func(a decision.Actor) bool {
				return decision.CanApproveCorrection(a, c.Series, c.Drafters, notTypo) == nil
			})
		case !c.Sent() && slices.Contains(c.Drafters, u.ID):
			w.What = "a correction they are drafting"
			w.OnlyThem = len(c.Drafters) == 1
		default:
			continue
		}
		waiting = append(waiting, w)
	}
	return only, waiting, nil
}

// handleAdminPasswordReset asks to confirm a reset of someone's password (GET), and does it
// (POST): a new one-time password, shown once on their page; every session of theirs ends, and
// they must choose their own password at their next sign-in.
func (s *Server) handleAdminPasswordReset(w http.ResponseWriter, r *http.Request) error {
	u, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/admin/users/%d", u.ID)
	if userFrom(r).ID == u.ID {
		return &pageError{Status: http.StatusConflict, Heading: "You cannot reset your own password here",
			Message: "Change it from “Change your password” on your work page, or ask another admin to reset it."}
	}
	if u.DisabledAt != nil {
		return &pageError{Status: http.StatusConflict, Heading: "This account is disabled",
			Message: "Enable " + u.Name + "’s account first: a disabled account cannot sign in, whatever its password."}
	}
	if r.Method != http.MethodPost {
		p := pages.AdminConfirmProps{Action: r.URL.Path, Cancel: back,
			Heading: "Reset " + u.Name + "’s password?",
			Message: "You will be shown a one-time password, once, to pass to " + u.Name + ". Their current password stops working " +
				"and they are signed out everywhere. When they sign in with the one-time password they must choose their own.",
			Button: "Reset password"}
		p.Page = s.page(r, p.Heading, "admin", r.URL.Path)
		s.render(w, r, http.StatusOK, pages.AdminConfirm(p))
		return nil
	}
	password := auth.GeneratePassword()
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	if err := s.store.ResetPassword(r.Context(), userFrom(r).Act(s.now()), u.ID, hash); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), adminNewPasswordKey, password)
	s.sessions.Put(r.Context(), adminNewPasswordUserKey, strconv.FormatInt(u.ID, 10))
	s.sessions.Put(r.Context(), adminPasswordResetKey, true)
	s.adminRedirect(w, r, back, "")
	return nil
}

// handleAdminSecondFactorReset asks to confirm turning off someone's second factor (GET), and
// does it (POST), for a person who lost their app and recovery codes, or their passkey: the
// "ask your admin" their pages promise. Their sessions end; they sign in with their password
// and set up a new one (asked to at once while the register requires one). Not one's own: a
// borrowed session could otherwise take its person's second factor away.
func (s *Server) handleAdminSecondFactorReset(w http.ResponseWriter, r *http.Request) error {
	u, err := s.adminTarget(r)
	if err != nil {
		return err
	}
	back := fmt.Sprintf("/admin/users/%d", u.ID)
	if userFrom(r).ID == u.ID {
		return &pageError{Status: http.StatusConflict, Heading: "You cannot turn off your own second factor here",
			Message: "Ask another admin to do it."}
	}
	var factors secondFactors
	if factors.app, factors.passkeys, err = s.store.SecondFactors(r.Context(), u.ID); err != nil {
		return err
	}
	if factors.words() == "" {
		return &pageError{Status: http.StatusConflict, Heading: u.Name + " has no second factor",
			Message: "There is nothing to turn off. They can set one up from their work page."}
	}
	// The confirmation names what it takes away, and the form sends that back: what is taken
	// away is what it named, or nothing (the person may have set up something new meanwhile).
	confirm := func(status int, changed string) error {
		p := pages.AdminConfirmProps{Action: r.URL.Path + "?shown=" + url.QueryEscape(factors.words()), Cancel: back, Warning: true,
			Heading: "Turn off " + u.Name + "’s second factor?",
			Message: changed + u.Name + " has " + factors.words() + ". Do this only when they have lost them: check it is really them asking. " +
				"Their app, recovery codes and passkeys stop working, and they are signed out everywhere. " +
				"They sign in with their password, then set up a new second factor.",
			Button: "Turn off second factor"}
		p.Page = s.page(r, p.Heading, "admin", r.URL.Path)
		s.render(w, r, status, pages.AdminConfirm(p))
		return nil
	}
	if r.Method != http.MethodPost {
		return confirm(http.StatusOK, "")
	}
	if r.URL.Query().Get("shown") != factors.words() {
		return confirm(http.StatusConflict, "Nothing was turned off: what "+u.Name+" has changed since the page was shown. ")
	}
	if asked, err := s.stepUp(w, r, r.URL.Path); asked || err != nil {
		return err
	}
	if err := s.store.ResetSecondFactors(r.Context(), s.strongAct(r), u.ID); err != nil {
		return err
	}
	s.adminRedirect(w, r, back, u.Name+"’s second factor is off, and they are signed out everywhere")
	return nil
}
