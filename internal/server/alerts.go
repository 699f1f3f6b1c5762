package server

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// alertForm is the form asking for e-mail alerts, as typed.
type alertForm struct {
	Kind      string // store.AlertSearch, AlertDecision or AlertChain
	Search    string // a search's address, or its query string
	Slug      string // the decision, for the other kinds
	Email     string
	Frequency string
}

// Validate checks the form, returning errors by field id, and the search's canonical query
// string.
func (f alertForm) Validate() (map[string]string, string) {
	errs := map[string]string{}
	var qs string
	if f.Kind == store.AlertSearch {
		var err error
		if qs, err = alertSearch(f.Search); err != nil {
			errs["search"] = err.Error()
		}
	}
	if msg := checkEmail(f.Email); msg != "" {
		errs["email"] = msg
	}
	switch f.Frequency {
	case store.AlertImmediate, store.AlertDaily, store.AlertWeekly:
	default:
		errs["frequency"] = "Select how often you want alerts"
	}
	return errs, qs
}

// checkEmail is what is wrong with an address typed for alerts, or "".
func checkEmail(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return "Enter your email address"
	}
	a, err := mail.ParseAddress(s)
	_, domain, _ := strings.Cut(s, "@")
	if err != nil || a.Name != "" || a.Address != s || len(s) > 254 || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.ContainsAny(s, " \t<>") {
		return "Enter an email address in the correct format, like name@example.com"
	}
	return ""
}

// alertSearch reads a search to follow as it may be typed or pasted: the list's address
// (whole, or from /decisions), its query string, or just words. Empty is every decision. The
// error says, in a sentence, what the list would have said of it.
func alertSearch(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	var qs string
	switch {
	case s == "":
		return "", nil
	case strings.Contains(s, "?"):
		u, err := url.Parse(s)
		if err != nil {
			return "", errors.New("Enter the address of a search of the decisions, like /decisions?q=grant, or the words to search for")
		}
		if p := strings.TrimSuffix(u.Path, "/"); p != "" && !strings.HasSuffix(p, "/decisions") {
			return "", errors.New("Enter the address of a search of the decisions: it starts with /decisions?")
		}
		qs = u.RawQuery
	case strings.Contains(s, "=") && !strings.ContainsAny(s, " "):
		qs = s
	case strings.HasPrefix(s, "/") || strings.HasPrefix(s, "http"):
		return "", errors.New("Enter the address of a search of the decisions: it starts with /decisions?")
	default:
		qs = url.Values{"q": {s}}.Encode()
	}
	q, err := store.ParseAlertSearch(qs)
	var errs search.Errors
	if errors.As(err, &errs) {
		return "", errors.New("The search cannot be followed: " + lowerFirst(errs[0].Message))
	}
	if err != nil {
		return "", errors.New("Enter the address of a search of the decisions, like /decisions?q=grant, or the words to search for")
	}
	return store.CanonicalAlertSearch(q), nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// alertsURL is the form asking for alerts of the public's side of search q.
func alertsURL(q search.Query) string {
	qs := store.CanonicalAlertSearch(publicQuery(q))
	if qs == "" {
		return "/alerts/new"
	}
	return "/alerts/new?search=" + url.QueryEscape(qs)
}

// handleAlertNew is the form asking for alerts: about a search (?search=, the list's query
// string), a decision (?decision=slug), its funding chain (?chain=slug) or the forward plan
// (?about=forward-plan).
func (s *Server) handleAlertNew(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f := alertForm{Kind: store.AlertSearch, Search: v.Get("search"), Frequency: store.AlertImmediate}
	switch {
	case v.Get("decision") != "":
		f.Kind, f.Slug = store.AlertDecision, v.Get("decision")
	case v.Get("chain") != "":
		f.Kind, f.Slug = store.AlertChain, v.Get("chain")
	case v.Get("about") == "forward-plan":
		f.Kind = store.AlertForwardPlan
	}
	if f.Search != "" && !strings.HasPrefix(f.Search, "/") && !strings.HasPrefix(f.Search, "http") {
		f.Search = "/decisions?" + strings.TrimPrefix(f.Search, "?")
	}
	return s.renderAlertNew(w, r, http.StatusOK, f, nil)
}

func (s *Server) renderAlertNew(w http.ResponseWriter, r *http.Request, status int, f alertForm, errs map[string]string) error {
	title := "Get e-mail alerts"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	p := pages.AlertNewProps{Page: s.page(r, title, "decisions", "/alerts/new"), Kind: f.Kind, Slug: f.Slug,
		Search: components.Field{ID: "search", Name: "search", Label: "Search to follow",
			Hint:  "The address of a search of the decisions, like /decisions?q=grant&series=PCD, or the words to search for. Leave it empty for every decision published.",
			Value: f.Search, Error: errs["search"], Autocomplete: "off"},
		Email: components.Field{ID: "email", Name: "email", Label: "Email address", Type: "email", Autocomplete: "email",
			Value: f.Email, Error: errs["email"]},
		Frequency: components.Choice{ID: "frequency", Name: "frequency", Legend: "How often do you want alerts?",
			Error: errs["frequency"], Options: []components.Option{
				{Value: store.AlertImmediate, Label: "One e-mail for each, as it happens", Checked: f.Frequency == store.AlertImmediate},
				{Value: store.AlertDaily, Label: "One e-mail a day, summarising them", Hint: "At 8am, UK time.", Checked: f.Frequency == store.AlertDaily},
				{Value: store.AlertWeekly, Label: "One e-mail a week, summarising them", Hint: "On Mondays at 8am, UK time.", Checked: f.Frequency == store.AlertWeekly},
			}},
	}
	if f.Kind == store.AlertForwardPlan {
		p.Page.Nav = "forward-plan"
		p.AboutURL = "/forward-plan"
		p.About = store.Subscription{Kind: store.AlertForwardPlan}.About()
	}
	if f.Kind == store.AlertDecision || f.Kind == store.AlertChain {
		d, err := s.store.DecisionBySlug(r.Context(), store.Public(s.now()), f.Slug)
		if err != nil {
			return err
		}
		p.AboutURL = "/decisions/" + d.Slug
		p.About = "decision " + d.Reference + " when it is corrected, withdrawn, or its confidential Part II is released"
		if f.Kind == store.AlertChain {
			p.AboutURL += "#funding-history"
			p.About = "the funding chain of decision " + d.Reference + ": each decision of it published, corrected or withdrawn"
		}
	}
	for _, id := range []string{"search", "email", "frequency"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.AlertNew(p))
	return nil
}

// handleAlertRequest asks for alerts. Whatever the address already has, and however often it
// has asked, the answer is the same page: whether a message went is never said.
func (s *Server) handleAlertRequest(w http.ResponseWriter, r *http.Request) error {
	f := alertForm{Kind: r.PostFormValue("kind"), Search: r.PostFormValue("search"), Slug: r.PostFormValue("decision"),
		Email: r.PostFormValue("email"), Frequency: r.PostFormValue("frequency")}
	switch f.Kind {
	case store.AlertSearch, store.AlertDecision, store.AlertChain:
	case store.AlertForwardPlan:
		f.Slug = ""
	default:
		f.Kind = store.AlertSearch
	}
	errs, qs := f.Validate()
	if len(errs) > 0 {
		return s.renderAlertNew(w, r, http.StatusUnprocessableEntity, f, errs)
	}
	_, err := s.store.RequestAlert(r.Context(), s.now(), store.AlertRequest{Email: strings.TrimSpace(f.Email), Kind: f.Kind,
		Search: qs, Slug: f.Slug, Frequency: f.Frequency})
	if errors.Is(err, store.ErrNotFound) {
		return errPageNotFound
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/alerts/asked", http.StatusSeeOther)
	return nil
}

func (s *Server) handleAlertAsked(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, pages.AlertAsked(pages.AlertAskedProps{Page: s.page(r, "Check your e-mail", "decisions", "/alerts/asked")}))
	return nil
}

// handleAlertConfirmForm is what a confirmation link opens: a button, never the change itself.
func (s *Server) handleAlertConfirmForm(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.SubscriptionToConfirm(r.Context(), s.now(), chi.URLParam(r, "token"))
	if errors.Is(err, store.ErrNotFound) {
		return errAlertLink
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.AlertLink(pages.AlertLinkProps{Page: s.page(r, "Confirm your alerts", "", "/alerts/confirm"),
		Action: r.URL.Path, About: a.About()}))
	return nil
}

func (s *Server) handleAlertConfirm(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.ConfirmAlert(r.Context(), s.now(), chi.URLParam(r, "token"))
	if errors.Is(err, store.ErrNotFound) {
		return errAlertLink
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.AlertLink(pages.AlertLinkProps{Page: s.page(r, "Your alerts are on", "", "/alerts/confirm"),
		About: a.About(), Done: true}))
	return nil
}

// errAlertLink is a confirmation link that no longer confirms anything.
var errAlertLink = &pageError{Status: http.StatusNotFound, Heading: "This link has expired",
	Message: "A link to confirm alerts works once, for 7 days. Ask for the alerts again to get a new one."}

// alertSubscription is the subscription an unsubscribe link names, when the register made it.
func (s *Server) alertSubscription(r *http.Request) (int64, error) {
	key, err := s.store.NoticeKey(r.Context())
	if err != nil {
		return 0, err
	}
	id, err := notice.CheckAlertUnsubscribeToken(key, chi.URLParam(r, "token"))
	if errors.Is(err, notice.ErrBadToken) {
		return 0, errPageNotFound
	}
	return id, err
}

func (s *Server) handleAlertStopForm(w http.ResponseWriter, r *http.Request) error {
	id, err := s.alertSubscription(r)
	if err != nil {
		return err
	}
	a, err := s.store.SubscriptionByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		// Stopped already: say so, as the button would.
		s.render(w, r, http.StatusOK, pages.AlertLink(pages.AlertLinkProps{Page: s.page(r, "Your alerts are stopped", "", "/alerts/unsubscribe"),
			Done: true, Stop: true}))
		return nil
	}
	if err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.AlertLink(pages.AlertLinkProps{Page: s.page(r, "Stop these alerts", "", "/alerts/unsubscribe"),
		Action: r.URL.Path, About: a.About(), Stop: true}))
	return nil
}

// handleAlertStop deletes the subscription the link names: the button on its page, or a mail
// client's one-click POST (RFC 8058), which carries no cookie.
func (s *Server) handleAlertStop(w http.ResponseWriter, r *http.Request) error {
	id, err := s.alertSubscription(r)
	if err != nil {
		return err
	}
	if err := s.store.DeleteSubscription(r.Context(), id); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.AlertLink(pages.AlertLinkProps{Page: s.page(r, "Your alerts are stopped", "", "/alerts/unsubscribe"),
		Done: true, Stop: true}))
	return nil
}

// DeleteUnconfirmedAlerts deletes, now and then every interval until ctx ends, the alert
// subscriptions never confirmed within 7 days. Any number of instances may run it: a
// deletion is the same whoever makes it.
func (s *Server) DeleteUnconfirmedAlerts(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.store.DeleteUnconfirmedAlerts(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "delete unconfirmed alerts", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "deleted unconfirmed alerts", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
