package server

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// noticeStates are the admins' filters, in order: the state, its words and its tag colour.
var noticeStates = []struct{ state, label, tag string }{
	{store.NoticeWaiting, "Waiting", "blue"},
	{store.NoticeSent, "Sent", "green"},
	{store.NoticeFailed, "Failed", "red"},
	{store.NoticeGivenUp, "Given up", "orange"},
}

// adminNoticesLimit is how many notices the admins' page lists.
const adminNoticesLimit = 200

// noticeRow is a notice as a list shows it.
func noticeRow(n store.NoticeRow) pages.NoticeRow {
	r := pages.NoticeRow{Subject: n.Subject, Body: n.Body, URL: n.LinkPath, To: n.UserName + " <" + n.Email + ">",
		Attempts: n.Attempts, Created: formatLondonTime(n.CreatedAt), Digest: n.Digest, Reason: deref(n.LastError),
		Bounced: deref(n.Bounced)}
	for _, s := range noticeStates {
		if s.state == n.State {
			r.State, r.StateTag = s.label, s.tag
		}
	}
	if n.LinkPath == store.AlertConfirmPath {
		// Its link holds a key made as the letter is sent and not kept: none to show.
		r.URL, r.LinkNote = "", "Its link to confirm is made as it is sent, with a one-time key the register does not keep."
	}
	if n.SentAt != nil {
		r.Sent = formatLondonTime(*n.SentAt)
	}
	if n.State == store.NoticeWaiting && n.Attempts > 0 {
		r.Next = formatLondonTime(n.NextAttemptAt)
	}
	return r
}

// handleAdminNotices lists the outbox for admins: every notice, or those in one state.
func (s *Server) handleAdminNotices(w http.ResponseWriter, r *http.Request) error {
	state := r.URL.Query().Get("state")
	p := pages.AdminNoticesProps{Page: s.page(r, "Notices", "admin", "/admin/notices"), Mail: s.mail, Heading: "Newest notices"}
	known := state == ""
	counts, err := s.store.NoticeCounts(r.Context())
	if err != nil {
		return err
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	p.Filters = append(p.Filters, pages.NoticeFilter{Label: "All", Href: "/admin/notices", Count: total, Current: state == ""})
	for _, st := range noticeStates {
		cur := st.state == state
		known = known || cur
		if cur {
			p.Heading = st.label
			p.Page.Title = "Notices: " + strings.ToLower(st.label)
		}
		p.Filters = append(p.Filters, pages.NoticeFilter{Label: st.label, Href: "/admin/notices?state=" + st.state,
			Count: counts[st.state], Current: cur})
	}
	if !known {
		return errPageNotFound
	}
	ns, err := s.store.Notices(r.Context(), state, adminNoticesLimit)
	if err != nil {
		return err
	}
	for _, n := range ns {
		p.Notices = append(p.Notices, noticeRow(n))
	}
	s.render(w, r, http.StatusOK, pages.AdminNotices(p))
	return nil
}

const noticeFlashKey = "notices_flash"

// Ways notices that only tell reach a person, as the preferences form names them.
const (
	noticesAtOnce = "immediate"
	noticesDaily  = "digest"
	noticesNone   = "none"
)

// noticeForm is the preferences form.
type noticeForm struct {
	How, Time string
}

var clockTime = regexp.MustCompile(`^([01]?[0-9]|2[0-3])[:.]([0-5][0-9])$`)

// Validate checks the form, returning errors by field id, and the time as HH:MM.
func (f noticeForm) Validate() (map[string]string, string) {
	errs := map[string]string{}
	var at string
	switch f.How {
	case noticesAtOnce, noticesNone:
	case noticesDaily:
	default:
		errs["how"] = "Select how notices that only tell you what happened should reach you"
	}
	t := strings.TrimSpace(f.Time)
	if m := clockTime.FindStringSubmatch(t); m != nil {
		at = m[1] + ":" + m[2]
		if len(m[1]) == 1 {
			at = "0" + at
		}
	} else if f.How == noticesDaily || t != "" {
		errs["time"] = "Enter the time of your daily summary as hours and minutes, like 08:00 or 17:30"
	}
	return errs, at
}

func (s *Server) handleNoticePreferences(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	prefs, err := s.store.NoticePreferencesOf(r.Context(), u.ID)
	if err != nil {
		return err
	}
	how := noticesAtOnce
	switch {
	case prefs.Unsubscribed:
		how = noticesNone
	case prefs.Digest:
		how = noticesDaily
	}
	s.renderNoticePreferences(w, r, http.StatusOK, noticeForm{How: how, Time: prefs.DigestTime}, nil)
	return nil
}

func (s *Server) renderNoticePreferences(w http.ResponseWriter, r *http.Request, status int, f noticeForm, errs map[string]string) {
	title := "Your notices"
	if len(errs) > 0 {
		title = "Error: " + title
	}
	u := userFrom(r)
	p := pages.NoticePreferencesProps{Page: s.page(r, title, "", "/account/notices"), Email: u.Email,
		Flash: s.sessions.PopString(r.Context(), noticeFlashKey),
		How: components.Choice{ID: "how", Name: "how", Legend: "How should notices that only tell you what happened reach you?",
			Error: errs["how"], Options: []components.Option{
				{Value: noticesAtOnce, Label: "One e-mail for each, as it happens", Checked: f.How == noticesAtOnce},
				{Value: noticesDaily, Label: "One e-mail a day, summarising them", Hint: "Grouped by decision, newest first, at the time you choose below.",
					Checked: f.How == noticesDaily},
				{Value: noticesNone, Label: "Not at all", Checked: f.How == noticesNone},
			}},
		Time: components.Field{ID: "time", Name: "time", Label: "Time of your daily summary", Hint: "In UK time, as hours and minutes, like 08:00 or 17:30.",
			Value: f.Time, Error: errs["time"], Width: "5", Autocomplete: "off"},
	}
	for _, id := range []string{"how", "time"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.NoticePreferences(p))
}

func (s *Server) handleNoticePreferencesSave(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r)
	f := noticeForm{How: r.PostFormValue("how"), Time: r.PostFormValue("time")}
	errs, at := f.Validate()
	if len(errs) > 0 {
		s.renderNoticePreferences(w, r, http.StatusUnprocessableEntity, f, errs)
		return nil
	}
	if at == "" {
		at = "08:00"
	}
	prefs := store.NoticePreferences{Digest: f.How == noticesDaily, DigestTime: at, Unsubscribed: f.How == noticesNone}
	if err := s.store.SetNoticePreferences(r.Context(), u.ID, prefs, s.now()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), noticeFlashKey, "Your choices are saved")
	http.Redirect(w, r, "/account/notices", http.StatusSeeOther)
	return nil
}

// unsubscriber is who an unsubscribe link names, when the register made it.
func (s *Server) unsubscriber(r *http.Request) (int64, error) {
	key, err := s.store.NoticeKey(r.Context())
	if err != nil {
		return 0, err
	}
	id, err := notice.CheckUnsubscribeToken(key, chi.URLParam(r, "token"))
	if errors.Is(err, notice.ErrBadToken) {
		return 0, errPageNotFound
	}
	return id, err
}

// handleUnsubscribeForm is what an unsubscribe link opens: a button, never the change itself,
// since mail scanners follow links.
func (s *Server) handleUnsubscribeForm(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.unsubscriber(r); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.Unsubscribe(pages.UnsubscribeProps{
		Page: s.page(r, "Stop notices", "", r.URL.Path), Action: r.URL.Path}))
	return nil
}

// handleUnsubscribe unsubscribes the person the link names: the button on its page, or a
// mail client's one-click POST (RFC 8058), which carries no cookie.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) error {
	id, err := s.unsubscriber(r)
	if err != nil {
		return err
	}
	if err := s.store.Unsubscribe(r.Context(), id, s.now()); err != nil {
		return err
	}
	s.render(w, r, http.StatusOK, pages.Unsubscribe(pages.UnsubscribeProps{
		Page: s.page(r, "You are unsubscribed", "", r.URL.Path), Done: true}))
	return nil
}

// workNotices is how many of a person's newest notices "Your work" lists.
const workNotices = 10
