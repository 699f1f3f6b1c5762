package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

var errNotDrafter = &pageError{Status: http.StatusForbidden, Heading: "You cannot draft decisions",
	Message: "Only drafters can start or change a decision. If you need to, ask an admin to give you the drafter role."}

var errNotEditable = &pageError{Status: http.StatusConflict, Heading: "This decision can no longer change",
	Message: "It has been signed or closed since you opened it, so its content is kept as it is."}

var errBadForm = &pageError{Status: http.StatusBadRequest, Heading: "That form could not be read",
	Message: "Go back to the task list, reload the page and try again."}

func editURL(slug string) string  { return "/decisions/" + slug + "/edit" }
func checkURL(slug string) string { return "/decisions/" + slug + "/check" }

// Starting a decision -----------------------------------------------------------------------------

func (s *Server) handleDraftNew(w http.ResponseWriter, r *http.Request) error {
	return s.renderDraftNew(w, r, http.StatusOK, decision.DefaultSeries, "", "", nil)
}

// startToken is the start form's one-time token: 128 random bits, in hex.
func startToken() string { return hex.EncodeToString(randomBytes(16)) }

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand's documentation)
	return b
}

// validStartToken reports whether a posted token is one startToken could have made.
func validStartToken(t string) bool {
	_, err := hex.DecodeString(t)
	return len(t) == 32 && err == nil && strings.ToLower(t) == t
}

// renderDraftNew shows the start form; token is the one the form was sent with, kept when it
// comes back with errors so that it still makes only one draft, or "" for a new one.
func (s *Server) renderDraftNew(w http.ResponseWriter, r *http.Request, status int, series, title, token string, errs map[string]string) error {
	if !validStartToken(token) {
		token = startToken()
	}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	p := pages.DraftNewProps{
		Page:        s.page(r, errorTitle("Start a decision", errs), "", "/decisions/new"),
		SeriesError: errs["series"],
		StartToken:  token,
		Title: components.Field{ID: "title", Name: "title", Label: "Title", Value: title, Error: errs["title"],
			Hint: "What the decision is about, for example “Alpha – Social Media Hub”"},
	}
	for _, c := range chained {
		p.Series = append(p.Series, components.Option{Value: c, Label: c, Checked: c == series})
	}
	for _, id := range []string{"series", "title"} {
		if errs[id] != "" {
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: errs[id]})
		}
	}
	s.render(w, r, status, pages.DraftNew(p))
	return nil
}

func (s *Server) handleDraftCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	f := decodeNewDraftForm(r.PostForm)
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	token := r.PostForm.Get("start_token")
	if errs := f.Validate(chained); len(errs) > 0 {
		return s.renderDraftNew(w, r, http.StatusUnprocessableEntity, f.Series, r.PostForm.Get("title"), token, errs)
	}
	if !validStartToken(token) {
		token = "" // a form from before tokens, or made by hand: it makes a draft each time
	}
	slug, _, err := s.store.StartDraft(r.Context(), userFrom(r).Act(s.now()), f.Series, f.Title, token)
	if _, ok := store.IsCheckViolation(err); ok {
		errs := map[string]string{"title": "Enter a title the register can store"}
		return s.renderDraftNew(w, r, http.StatusUnprocessableEntity, f.Series, r.PostForm.Get("title"), token, errs)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, editURL(slug), http.StatusSeeOther)
	return nil
}

func errorTitle(title string, errs map[string]string) string {
	if len(errs) > 0 {
		return "Error: " + title
	}
	return title
}

// The draft being edited -------------------------------------------------------------------------

// draftEdit is a draft as its editor sees it, read at the start of the request.
type draftEdit struct {
	user *store.User
	slug string
	d    store.DecisionDetail
	st   decision.Signoff
	team []store.Drafter
	// mustSignBy is the date the decision must be signed by, if it has one.
	mustSignBy *time.Time
	// maxDocument is the largest document that may be attached, for the documents page's hint.
	maxDocument int64
	// parts is the last save of each part saved since the draft started.
	parts map[string]store.PartEdit
	// change is the item of a list part being changed (a recommendation's number from 1, a
	// funding line's position), from the address (?change=N) or the form; 0 for none.
	change int
}

// itemNumber reads an item's number from the address or a form: 0 for none or nonsense.
func itemNumber(v string) int {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// partVersion is the version of a part of the draft, as its forms carry it.
func (ed draftEdit) partVersion(part string) int {
	if part == "" {
		return 0
	}
	if e, ok := ed.parts[part]; ok {
		return e.Version
	}
	return 1
}

// loadDraft reads the draft in the URL and checks that the person may change it.
func (s *Server) loadDraft(r *http.Request) (draftEdit, error) {
	slug, err := slugParam(r)
	if err != nil {
		return draftEdit{}, err
	}
	ed := draftEdit{user: userFrom(r), slug: slug, maxDocument: s.maxDocument}
	if ed.d, err = s.store.Draft(r.Context(), s.access(r), ed.slug); err != nil {
		return ed, err
	}
	if ed.st, err = s.store.SignoffState(r.Context(), ed.slug); err != nil {
		return ed, err
	}
	if err := ed.st.CanEdit(ed.user.Actor()); err != nil {
		return ed, &pageError{Status: http.StatusForbidden, Heading: "You cannot change this decision", Message: err.Error()}
	}
	if ed.parts, err = s.store.PartVersions(r.Context(), ed.slug); err != nil {
		return ed, err
	}
	if ed.mustSignBy, err = s.store.MustSignBy(r.Context(), ed.d.ID); err != nil {
		return ed, err
	}
	ed.team, err = s.store.Drafters(r.Context(), ed.slug)
	return ed, err
}

func (ed draftEdit) section(part int, kind string) (store.Section, bool) {
	for _, sec := range ed.d.Sections {
		if sec.Part == part && (part == 2 || sec.Kind == kind) {
			return sec, true
		}
	}
	return store.Section{}, false
}

// readsPartTwo reports whether the editor may read (and so change) the draft's Part II.
func (ed draftEdit) readsPartTwo() bool {
	return slices.Contains(ed.st.Drafters, ed.user.ID) || ed.user.Has(decision.RoleAdmin)
}

func (s *Server) handleDraftTasks(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	d := ed.d
	has := func(kind string) bool { _, ok := ed.section(1, kind); return ok }
	content := pages.TaskGroup{Heading: "Prepare the decision", Tasks: []pages.Task{
		{Name: "Title and summary", Href: editURL(ed.slug) + "/title", Started: d.Title != nil || d.Summary != nil,
			Done: d.Title != nil && d.Summary != nil},
		{Name: "Recommendations", Href: editURL(ed.slug) + "/recommendations", Done: len(d.Recommendations) > 0},
	}}
	partOne := pages.TaskGroup{Heading: "Part I: the sections the public reads"}
	for _, kind := range decision.SectionKinds {
		partOne.Tasks = append(partOne.Tasks, pages.Task{Name: decision.SectionKindLabel(kind),
			Href: editURL(ed.slug) + "/sections/" + kindSlug(kind), Done: has(kind)})
	}
	money := pages.TaskGroup{Heading: "Money and related decisions", Tasks: []pages.Task{
		{Name: "Funding", Hint: "The amounts the decision accepts, varies or mentions", Href: editURL(ed.slug) + "/funding", Done: len(d.Funding) > 0},
		{Name: "Links to other decisions", Hint: "Decisions this one continues, varies or relates to", Href: editURL(ed.slug) + "/links", Done: outgoing(d.Links) > 0},
	}}
	papers := pages.TaskGroup{Heading: "Documents", Tasks: []pages.Task{
		{Name: "Supporting documents", Hint: "Papers the public can download with the decision (optional)", Href: editURL(ed.slug) + "/documents",
			Done: len(supportingDocuments(d.Documents)) > 0},
	}}
	team := pages.TaskGroup{Heading: "Drafting team", Tasks: []pages.Task{
		{Name: "Drafting team", Hint: teamHint(ed.team), Href: editURL(ed.slug) + "/drafters", Done: true},
	}}
	groups := []pages.TaskGroup{content, partOne, money, papers, team}
	if ed.readsPartTwo() {
		_, ok := ed.section(2, "")
		groups = append(groups, pages.TaskGroup{Heading: "Part II", Tasks: []pages.Task{
			{Name: "Confidential facts and advice", Hint: "Only the decision maker, the advisers of this series, its drafting team and admins can read Part II", Href: editURL(ed.slug) + "/part-two", Done: ok},
		}})
	}
	var returned []pages.ReturnedNote
	if d.Status == decision.StatusDraft {
		notes, err := s.store.ReturnNotes(r.Context(), ed.slug)
		if err != nil {
			return err
		}
		for _, n := range notes {
			returned = append(returned, pages.ReturnedNote{Step: n.Step, Adviser: n.Adviser, Comment: n.Comment,
				Date: formatDate(&n.ActedAt)})
		}
	}
	waiting := ""
	if d.Status == decision.StatusAwaitingSignoff {
		if waiting, err = s.waitingFor(r, ed.st); err != nil {
			return err
		}
	}
	s.render(w, r, http.StatusOK, pages.DraftTasks(pages.DraftTasksProps{
		Waiting:    waiting,
		SignoffURL: "/decisions/" + ed.slug + "/signoff",
		Returned:   returned,
		Page:       s.page(r, d.Reference+": task list", "", editURL(ed.slug)),
		Reference:  d.Reference,
		Title:      deref(d.Title),
		Submitted:  d.Status == decision.StatusAwaitingSignoff,
		Groups:     groups,
		Flash:      s.popDraftFlash(r),
		CheckURL:   checkURL(ed.slug),
		DiscardURL: discardURL(ed),
	}))
	return nil
}

// discardURL is the draft's discard page, when its editor may discard it.
func discardURL(ed draftEdit) string {
	if ed.st.CanDiscard(ed.user.Actor()) != nil {
		return ""
	}
	return "/decisions/" + ed.slug + "/discard"
}

// Discarding a draft ------------------------------------------------------------------------

func (s *Server) handleDraftDiscardForm(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	if err := ed.st.CanDiscard(ed.user.Actor()); err != nil {
		return refused(err)
	}
	what := ed.d.Reference
	if ed.d.Title != nil {
		what += ", “" + *ed.d.Title + "”"
	}
	s.render(w, r, http.StatusOK, pages.SimpleForm(pages.SimpleFormProps{
		Page:    s.page(r, "Discard the draft "+ed.d.Reference, "", r.URL.Path),
		Caption: ed.d.Reference, Heading: "Are you sure you want to discard this draft?",
		Intro: "Discarding throws away the draft " + what + " and everything written in it. This cannot be undone. " +
			"The reference " + ed.d.Reference + " is not used again: the next decision in the series takes the next number. " +
			"The audit trail records that you discarded it.",
		Action: r.URL.Path, Submit: "Discard the draft", Warning: true,
		Back: editURL(ed.slug), BackText: "Back to the task list",
	}))
	return nil
}

func (s *Server) handleDraftDiscard(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	d, err := s.store.Draft(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	if err := s.store.DiscardDraft(r.Context(), userFrom(r).Act(s.now()), slug); err != nil {
		return refused(err)
	}
	s.sessions.Put(r.Context(), workFlashKey, "The draft "+d.Reference+" was discarded. Its reference is not used again.")
	http.Redirect(w, r, "/work", http.StatusSeeOther)
	return nil
}

// waitingFor says whose act a decision awaiting sign-off waits for.
func (s *Server) waitingFor(r *http.Request, so decision.Signoff) (string, error) {
	next := so.NextStep()
	if next == "" {
		return "Waiting for the decision maker’s signature.", nil
	}
	kinds, err := s.store.StepKinds(r.Context())
	if err != nil {
		return "", err
	}
	for _, k := range kinds {
		if k.Code == next {
			return "Waiting for approval at the " + strings.ToLower(k.Name[:1]) + k.Name[1:] + " step.", nil
		}
	}
	return "Waiting for approval at the " + next + " step.", nil
}

func outgoing(ls []store.Link) int {
	n := 0
	for _, l := range ls {
		if l.Outgoing {
			n++
		}
	}
	return n
}

func kindSlug(kind string) string { return strings.ReplaceAll(kind, "_", "-") }

// Parts of a draft ------------------------------------------------------------------------------

// draftPart is one page of a draft. page fills the form from the saved draft, or with in (the
// person's input) when it is not nil; save validates in and saves it, returning per-field
// errors for the person to fix; changed sets what is saved now next to what the person sent,
// shown when a save is refused because someone else saved first.
type draftPart struct {
	page    func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps
	save    func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error)
	changed func(ed draftEdit, in url.Values) []change
	// next is where a successful save leads: the task list, or the same page for lists.
	next func(ed draftEdit) string
	// checkField takes the message when the database refuses a value.
	checkField string
	// part is the part of the decision a save changes (store.PartTitle, ...), whose own version
	// the form carries: saves of other parts since the form was opened do not make it stale.
	// "" for a page that changes no content (the drafting team).
	part string
}

// draftParts are the parts of a draft by their name in the URL, but for the sections.
var draftParts = map[string]draftPart{
	"title":           titlePart,
	"recommendations": recommendationsPart,
	"part-two":        partTwoPart,
	"funding":         fundingPart,
	"links":           linksPart,
	"drafters":        draftersPart,
	"documents":       documentsPart,
}

func teamHint(team []store.Drafter) string {
	names := make([]string, len(team))
	for i, d := range team {
		names[i] = d.Name
	}
	return "Who may change this decision: " + strings.Join(names, ", ")
}

// draftersPart is the drafting team: those who may change the decision (and so may not sign it
// off), and the form by which one of them adds another drafter.
var draftersPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Drafting team",
			Intro:     "The people who may change this decision and read its Part II. None of them may approve a step of it or sign it.",
			ListTitle: "The team",
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "email", Name: "email", Label: "Email address of a drafter to add", Type: "email",
					Value: value(in, "email", ""), Error: errs["email"], Autocomplete: "off"}},
			},
			Submit: "Add to the team",
		}
		for _, d := range ed.team {
			p.List = append(p.List, pages.DraftListItem{Text: d.Name, Hint: d.Email})
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, _ store.Base, in url.Values) (map[string]string, error) {
		email := strings.TrimSpace(in.Get("email"))
		if email == "" {
			return map[string]string{"email": "Enter the email address of a drafter"}, nil
		}
		err := s.store.AddDrafter(ctx, act, ed.slug, email)
		if errors.Is(err, store.ErrNoSuchDrafter) {
			return map[string]string{"email": "There is no drafter with that email address: ask an admin to give them the drafter role"}, nil
		}
		if _, ok := store.IsCheckViolation(err); ok {
			return map[string]string{"email": "That person has approved a step of this decision, so they cannot also draft it"}, nil
		}
		return nil, err
	},
	changed:    func(ed draftEdit, in url.Values) []change { return nil },
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/drafters" },
	checkField: "email",
}

// partFor finds the part a URL names; sections are one part per kind.
func partFor(r *http.Request) (draftPart, bool) {
	if kind := chi.URLParam(r, "kind"); kind != "" {
		kind = strings.ReplaceAll(kind, "-", "_")
		if !slices.Contains(decision.SectionKinds, kind) {
			return draftPart{}, false
		}
		return sectionPart(kind), true
	}
	p, ok := draftParts[chi.URLParam(r, "part")]
	return p, ok
}

// loadPart reads the part of a draft the URL names, and checks the person may open it.
func (s *Server) loadPart(r *http.Request) (draftPart, draftEdit, error) {
	part, ok := partFor(r)
	if !ok {
		return draftPart{}, draftEdit{}, errPageNotFound
	}
	ed, err := s.loadDraft(r)
	if err != nil {
		return draftPart{}, draftEdit{}, err
	}
	return part, ed, partAllowed(r, ed)
}

func (s *Server) handleDraftPart(w http.ResponseWriter, r *http.Request) error {
	part, ed, err := s.loadPart(r)
	if err != nil {
		return err
	}
	if chi.URLParam(r, "part") == "part-two" {
		if err := s.auditPartTwoRead(r, ed, "edit"); err != nil {
			return err
		}
	}
	ed.change = itemNumber(r.URL.Query().Get("change"))
	p := part.page(ed, nil, nil)
	p.Version, p.PartVersion = ed.d.Version, ed.partVersion(part.part)
	p.Flash = s.popDraftFlash(r)
	// A form this person posted after being signed out comes back once, unsaved, with the
	// versions it was opened on: saving it over a part changed since shows both.
	noRetry(r)
	kept, err := s.store.TakeKeptForm(r.Context(), ed.user.ID, r.URL.Path, s.now())
	switch {
	case err == nil:
		if base, berr := baseFrom(kept.Form); berr == nil {
			ed.change = itemNumber(kept.Form.Get("change"))
			p = part.page(ed, kept.Form, nil)
			p.Version, p.PartVersion = base.Version, base.Part
			p.Restored = "You were signed out after " + s.idleMinutes() + " without activity, and what you sent at " +
				formatLondonTime(kept.KeptAt) + " was kept. It is back in the form below but not saved yet: check it, then save it."
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	s.renderDraftForm(w, r, http.StatusOK, ed, p)
	return nil
}

// draftFlashKey holds what the next page of a draft says once, after a save: what pasted text
// became ("3 bullet points found: shown as a list"), or that a pasted list became several
// recommendations. Its first line is the heading, each other line a point under it.
const draftFlashKey = "draft_flash"

func (s *Server) putDraftFlash(ctx context.Context, heading string, lines ...string) {
	s.sessions.Put(ctx, draftFlashKey, strings.Join(append([]string{heading}, lines...), "\n"))
}

func (s *Server) popDraftFlash(r *http.Request) []string {
	if f := s.sessions.PopString(r.Context(), draftFlashKey); f != "" {
		return strings.Split(f, "\n")
	}
	return nil
}

// savedText tells the drafter what a section's saved text became, when it is more than plain
// paragraphs: what the parser found is what the sign-off page and the public will see.
func (s *Server) savedText(ctx context.Context, heading, body string) {
	if shape := decision.TextShape(decision.ParseText(body)); len(shape) > 0 {
		s.putDraftFlash(ctx, heading+" saved", shape...)
	}
}

// auditPartTwoRead records that someone was shown a draft's Part II, when it has one.
func (s *Server) auditPartTwoRead(r *http.Request, ed draftEdit, page string) error {
	if _, ok := ed.section(2, ""); !ok {
		return nil
	}
	return s.recordPartTwoRead(r, ed.d.ID, map[string]string{"page": page})
}

func partAllowed(r *http.Request, ed draftEdit) error {
	if chi.URLParam(r, "part") == "part-two" && !ed.readsPartTwo() {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot change this Part II",
			Message: "Only the people who drafted this decision can read and change its Part II."}
	}
	return nil
}

func (s *Server) handleDraftPartSave(w http.ResponseWriter, r *http.Request) error {
	if isMultipart(r) && chi.URLParam(r, "part") == "documents" {
		return s.handleDocumentUpload(w, r)
	}
	part, ed, err := s.loadPart(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return errBadForm
	}
	base, err := baseFrom(r.PostForm)
	if err != nil {
		return err
	}
	ed.change = itemNumber(r.PostForm.Get("change"))
	errs, err := part.save(r.Context(), s, ed.user.Act(s.now()), ed, base, r.PostForm)
	return s.saved(w, r, part, ed, base, r.PostForm, errs, err)
}

// baseFrom reads what a draft's form was opened on: the decision's version and, when the
// form carries it, the version of its part.
func baseFrom(in url.Values) (store.Base, error) {
	version, err := strconv.Atoi(in.Get("version"))
	if err != nil || version < 1 {
		return store.Base{}, errBadForm
	}
	base := store.Base{Version: version}
	if pv := in.Get("part_version"); pv != "" {
		if base.Part, err = strconv.Atoi(pv); err != nil || base.Part < 1 {
			return store.Base{}, errBadForm
		}
	}
	return base, nil
}

// saved answers a save of a part of a draft: the form again with each error by its field, the
// conflict page when someone else saved first, or the next page.
func (s *Server) saved(w http.ResponseWriter, r *http.Request, part draftPart, ed draftEdit, base store.Base, in url.Values,
	errs map[string]string, err error) error {
	if name, ok := store.IsCheckViolation(err); ok {
		s.log.InfoContext(r.Context(), "draft value refused", "constraint", name, "request_id", clientid.RequestID(r.Context()))
		errs, err = map[string]string{part.checkField: "The register cannot store this value: check what you entered"}, nil
	}
	switch {
	case len(errs) > 0 && err == nil:
		p := part.page(ed, in, errs)
		p.Version, p.PartVersion = base.Version, base.Part
		s.renderDraftForm(w, r, http.StatusUnprocessableEntity, ed, p)
		return nil
	case errors.Is(err, store.ErrConflict):
		// ed was read at the start of this request: it holds what the other person saved.
		p := part.page(ed, in, nil)
		p.Version, p.PartVersion = ed.d.Version, ed.partVersion(part.part)
		if last, ok := ed.parts[part.part]; ok {
			p.ConflictBy, p.ConflictAt = last.By, formatLondonTime(last.At)
		}
		editor, lerr := s.store.LastEditor(r.Context(), ed.slug)
		if lerr != nil {
			return lerr
		}
		if last, ok := ed.parts[part.part]; ok && base.Part != 0 {
			editor = last.ByID
		}
		p.ConflictOwn = editor == ed.user.ID
		for _, c := range part.changed(ed, in) {
			p.Conflict = append(p.Conflict,
				components.SummaryRow{Key: c.what + ": saved now", Value: c.saved, TestID: "conflict-saved"},
				components.SummaryRow{Key: c.what + ": yours, not saved", Value: c.yours, TestID: "conflict-yours"})
		}
		s.renderDraftForm(w, r, http.StatusConflict, ed, p)
		return nil
	case errors.Is(err, store.ErrNotEditable):
		return errNotEditable
	case err != nil:
		return err
	}
	http.Redirect(w, r, part.next(ed), http.StatusSeeOther)
	return nil
}

func (s *Server) renderDraftForm(w http.ResponseWriter, r *http.Request, status int, ed draftEdit, p pages.DraftFormProps) {
	for _, in := range p.Inputs {
		switch {
		case in.Text != nil && in.Text.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Text.ID, Message: in.Text.Error})
		case in.Area != nil && in.Area.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Area.ID, Message: in.Area.Error})
		case in.Radios != nil && in.Radios.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Radios.ID, Message: in.Radios.Error})
		case in.File != nil && in.File.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.File.ID, Message: in.File.Error})
		case in.Date != nil && in.Date.Error != "":
			p.Errors = append(p.Errors, components.FieldError{FieldID: in.Date.FirstErrorID(), Message: in.Date.Error})
		}
	}
	title := p.Heading + " – " + ed.d.Reference
	switch {
	case len(p.Errors) > 0:
		title = "Error: " + title
	case len(p.Conflict) > 0:
		title = "Not saved: " + title
	}
	p.Page = s.page(r, title, "", r.URL.Path)
	p.Caption = ed.d.Reference
	p.Action = r.URL.Path
	p.Back = editURL(ed.slug)
	p.ClearsApprovals = ed.d.Status == decision.StatusAwaitingSignoff && len(ed.st.Approvals) > 0
	s.render(w, r, status, pages.DraftForm(p))
}

// change is one thing saved by someone else, and what the person sent instead.
type change struct{ what, saved, yours string }

// value is the person's input when there is some, else what is saved.
func value(in url.Values, name, saved string) string {
	if in != nil {
		return in.Get(name)
	}
	return saved
}

func toEdit(ed draftEdit) string { return editURL(ed.slug) }

// Title and summary -------------------------------------------------------------------------------

var titlePart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		return pages.DraftFormProps{
			Heading: "Title and summary",
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "title", Name: "title", Label: "Title", Value: value(in, "title", deref(ed.d.Title)), Error: errs["title"]}},
				{Area: &components.Field{ID: "summary", Name: "summary", Label: "Summary", Rows: 8, Value: value(in, "summary", deref(ed.d.Summary)), Error: errs["summary"],
					MaxLength: maxSummaryRunes,
					Hint: "What is decided and why, in plain English, in a paragraph or two: it heads the decision and its search result. " +
						"The detail goes in the sections. Separate paragraphs with a blank line."}},
				{Date: mustSignByField(ed, in, errs)},
			},
			Submit: "Save and continue",
		}
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		f := decodeTitleForm(in)
		errs := f.Validate()
		by, err := mustSignByInput(in, act.At)
		if err != "" {
			errs["must-sign-by"] = err
		}
		if len(errs) > 0 {
			return errs, nil
		}
		if err := s.store.SetTitleSummary(ctx, act, ed.slug, base, f.Title, f.Summary); err != nil {
			return nil, err
		}
		return nil, s.store.SetMustSignBy(ctx, ed.d.ID, by)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		return []change{{"Title", deref(ed.d.Title), in.Get("title")}, {"Summary", deref(ed.d.Summary), in.Get("summary")}}
	},
	next:       toEdit,
	checkField: "title",
	part:       store.PartTitle,
}

// Recommendations ----------------------------------------------------------------------------------

var recommendationsPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Recommendations",
			Intro:     "What the decision maker is asked to approve, one recommendation at a time, in order.",
			ListTitle: "Recommendations so far",
			Inputs: []pages.DraftInput{{Area: &components.Field{ID: "recommendation", Name: "recommendation", Label: "Add a recommendation",
				Rows: 4, Value: value(in, "recommendation", ""), Error: errs["recommendation"], Paste: true,
				Hint: "For example, “Accept grant funding of £2,755,000 from the Home Office for Project Alpha in 2024-25.” " +
					"To add several at once, paste or type a numbered list: each number becomes a recommendation."}}},
			Submit: "Add recommendation",
		}
		n := len(ed.d.Recommendations)
		if c := ed.change; c >= 1 && c <= n {
			label := "Recommendation " + strconv.Itoa(c)
			return pages.DraftFormProps{
				Heading: "Change recommendation " + strconv.Itoa(c),
				Inputs: []pages.DraftInput{{Area: &components.Field{ID: "recommendation", Name: "recommendation", Label: label,
					Rows: 4, Value: value(in, "recommendation", ed.d.Recommendations[c-1]), Error: errs["recommendation"]}}},
				Submit: "Save recommendation",
				Change: c,
				Cancel: editURL(ed.slug) + "/recommendations",
			}
		}
		for i, rec := range ed.d.Recommendations {
			ctx := "recommendation " + strconv.Itoa(i+1)
			it := pages.DraftListItem{Text: rec, Change: editURL(ed.slug) + "/recommendations?change=" + strconv.Itoa(i+1), Context: ctx}
			if i > 0 {
				it.Actions = append(it.Actions, pages.DraftAction{Label: "Move up", Context: ctx, Value: "up:" + strconv.Itoa(i)})
			}
			if i < n-1 {
				it.Actions = append(it.Actions, pages.DraftAction{Label: "Move down", Context: ctx, Value: "down:" + strconv.Itoa(i)})
			}
			it.Actions = append(it.Actions, pages.DraftAction{Label: "Remove", Context: ctx, Value: "remove:" + strconv.Itoa(i)})
			p.List = append(p.List, it)
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		recs := slices.Clone(ed.d.Recommendations)
		action, arg, _ := strings.Cut(in.Get("action"), ":")
		if action == "" {
			action = "save"
		}
		i, err := strconv.Atoi(arg)
		if action != "save" && (err != nil || i < 0 || i >= len(recs)) {
			// The list changed under the person's feet, or the form was not ours.
			return nil, fmt.Errorf("recommendation %q of %d: %w", arg, len(recs), store.ErrConflict)
		}
		switch {
		case ed.change > 0 && action == "save":
			if ed.change > len(recs) {
				return nil, fmt.Errorf("recommendation %d of %d: %w", ed.change, len(recs), store.ErrConflict)
			}
			rec := decision.CleanText(in.Get("recommendation"))
			if rec == "" {
				return map[string]string{"recommendation": "Enter the recommendation"}, nil
			}
			recs[ed.change-1] = rec
			return nil, s.store.SetRecommendations(ctx, act, ed.slug, base, recs)
		}
		switch action {
		case "up":
			if i > 0 {
				recs[i-1], recs[i] = recs[i], recs[i-1]
			}
		case "down":
			if i < len(recs)-1 {
				recs[i+1], recs[i] = recs[i], recs[i+1]
			}
		case "remove":
			recs = slices.Delete(recs, i, i+1)
		default:
			rec := decision.CleanText(in.Get("recommendation"))
			if rec == "" {
				return map[string]string{"recommendation": "Enter a recommendation"}, nil
			}
			added := decision.SplitRecommendations(rec)
			recs = append(recs, added...)
			if err := s.store.SetRecommendations(ctx, act, ed.slug, base, recs); err != nil || len(added) == 1 {
				return nil, err
			}
			s.putDraftFlash(ctx, decision.Plural(len(added), "recommendation")+" added",
				"The list you entered became one recommendation for each of its numbers or bullets. Check their order and wording below.")
			return nil, nil
		}
		return nil, s.store.SetRecommendations(ctx, act, ed.slug, base, recs)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		yours := "Add: " + in.Get("recommendation")
		if ed.change > 0 {
			yours = "Change recommendation " + strconv.Itoa(ed.change) + " to: " + in.Get("recommendation")
		}
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action != "save" && action != "" {
			n, _ := strconv.Atoi(arg)
			yours = map[string]string{"up": "Move up", "down": "Move down", "remove": "Remove"}[action] +
				" recommendation " + strconv.Itoa(n+1) + " of the list as you saw it"
		}
		return []change{{"Recommendations", numbered(ed.d.Recommendations), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/recommendations" },
	checkField: "recommendation",
	part:       store.PartRecommendations,
}

func numbered(items []string) string {
	var b strings.Builder
	for i, it := range items {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%d. %s", i+1, it)
	}
	return b.String()
}

// Part I sections ------------------------------------------------------------------------------------

func sectionPart(kind string) draftPart {
	label := decision.SectionKindLabel(kind)
	return draftPart{
		page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
			sec, ok := ed.section(1, kind)
			heading := label
			if ok {
				heading = sec.Heading
			}
			p := pages.DraftFormProps{
				Heading: label,
				Intro:   "Part I is published with the decision.",
				Inputs: []pages.DraftInput{
					{Text: &components.Field{ID: "heading", Name: "heading", Label: "Heading", Value: value(in, "heading", heading), Error: errs["heading"]}},
					{Area: &components.Field{ID: "body", Name: "body", Label: "Text", Rows: 14, Value: value(in, "body", sec.Body), Error: errs["body"],
						Paste: true, Hint: sectionHint}},
				},
				Submit: "Save and continue",
			}
			if ok {
				p.Remove = "Remove this section"
				p.Preview = textBlocks(sec.Body, components.Plain)
			}
			return p
		},
		save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
			if in.Get("action") == "remove" {
				return nil, s.store.DeleteSection(ctx, act, ed.slug, base, kind)
			}
			f := decodeSectionForm(in)
			if errs := f.Validate(); len(errs) > 0 {
				return errs, nil
			}
			if err := s.store.SetSection(ctx, act, ed.slug, base, kind, f.Heading, f.Body); err != nil {
				return nil, err
			}
			s.savedText(ctx, label, f.Body)
			return nil, nil
		},
		changed: func(ed draftEdit, in url.Values) []change {
			sec, _ := ed.section(1, kind)
			if in.Get("action") == "remove" {
				return []change{{"Section", sec.Heading + "\n\n" + sec.Body, "Remove this section"}}
			}
			return []change{{"Heading", sec.Heading, in.Get("heading")}, {"Text", sec.Body, in.Get("body")}}
		},
		next:       toEdit,
		checkField: "body",
		part:       store.PartSection(kind),
	}
}

// sectionHint says how a section's text is read (decision.ParseText).
const sectionHint = "Type or paste from Word. Separate paragraphs with a blank line. Lines starting “•” or “- ” make a list; " +
	"a number such as “4.1.” or “(a)” starts a numbered paragraph and is kept; lines whose cells are separated by tabs make a table."

// Part II ------------------------------------------------------------------------------------------------

var partTwoPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		sec, _ := ed.section(2, "")
		return pages.DraftFormProps{
			Heading: "Part II: confidential facts and advice",
			Intro: "Part II is never published. Only the decision maker, the advisers of this series, the people who drafted " +
				"this decision and admins can read it. The public page says that a Part II exists.",
			Inputs: []pages.DraftInput{{Area: &components.Field{ID: "body", Name: "body", Label: "Confidential facts and advice", Rows: 14,
				Value: value(in, "body", sec.Body), Error: errs["body"], Paste: true,
				Hint: "Leave this empty if the decision has no Part II. " + sectionHint}}},
			Submit:  "Save and continue",
			Preview: textBlocks(sec.Body, components.Plain),
		}
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		if err := s.store.SetPartTwo(ctx, act, ed.slug, base, in.Get("body")); err != nil {
			return nil, err
		}
		s.savedText(ctx, "Part II", decision.CleanSectionText(in.Get("body")))
		return nil, nil
	},
	changed: func(ed draftEdit, in url.Values) []change {
		sec, _ := ed.section(2, "")
		return []change{{"Part II", sec.Body, in.Get("body")}}
	},
	next:       toEdit,
	checkField: "body",
	part:       store.PartTwo,
}

// Funding -----------------------------------------------------------------------------------------------

var basisLabels = []components.Option{
	{Value: decision.BasisTotal, Label: "In total, across its years"},
	{Value: decision.BasisPerYear, Label: "In each of its years"},
	{Value: decision.BasisUnclear, Label: "The papers do not say"},
}

func options(opts []components.Option, chosen string) []components.Option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Checked = out[i].Value == chosen
	}
	return out
}

func fundingKindOptions(chosen string) []components.Option {
	var opts []components.Option
	for _, k := range decision.FundingKinds {
		opts = append(opts, components.Option{Value: k, Label: decision.KindLabel(k), Checked: k == chosen})
	}
	return opts
}

func fundingLineText(f store.FundingLine) (string, string) {
	text := decision.FormatPence(f.AmountPence) + " – " + f.Label
	hint := []string{decision.KindLabel(f.Kind)}
	if f.FYStart != nil {
		end := *f.FYStart
		if f.FYEnd != nil {
			end = *f.FYEnd
		}
		hint = append(hint, decision.FinancialYearRange(decision.FinancialYear(*f.FYStart), decision.FinancialYear(end)))
	}
	if f.Basis == decision.BasisPerYear {
		hint = append(hint, "each year")
	}
	if p := fromTo(f.Funder, f.Recipient); p != "" {
		hint = append(hint, p)
	}
	return text, strings.Join(hint, " · ")
}

// fundingFormOf is a saved funding line as its form shows it, to change it.
func fundingFormOf(f store.FundingLine) fundingForm {
	ff := fundingForm{Amount: decision.FormatPence(f.AmountPence), Basis: f.Basis, Kind: f.Kind, Label: f.Label,
		Funder: deref(f.Funder), Recipient: deref(f.Recipient)}
	if f.FYStart != nil {
		ff.FYStart = decision.FinancialYear(*f.FYStart).String()
		if f.FYEnd != nil && *f.FYEnd != *f.FYStart {
			ff.FYEnd = decision.FinancialYear(*f.FYEnd).String()
		}
	}
	return ff
}

// fundingInputs are the fields of a funding line, holding the person's input when there is
// some, else saved.
func fundingInputs(in url.Values, errs map[string]string, saved fundingForm) []pages.DraftInput {
	return []pages.DraftInput{
		{Text: &components.Field{ID: "amount", Name: "amount", Label: "Amount", Width: "10", Value: value(in, "amount", saved.Amount), Error: errs["amount"],
			Hint: "In pounds, for example £2,755,000, 2755000 or £2.755m"}},
		{Text: &components.Field{ID: "fy_start", Name: "fy_start", Label: "Financial year", Width: "5", Value: value(in, "fy_start", saved.FYStart), Error: errs["fy_start"],
			Hint: "The first financial year the amount is for, for example 2024-25"}},
		{Text: &components.Field{ID: "fy_end", Name: "fy_end", Label: "Last financial year (optional)", Width: "5", Value: value(in, "fy_end", saved.FYEnd), Error: errs["fy_end"],
			Hint: "Leave empty when the amount is for one year"}},
		{Radios: &components.Choice{ID: "basis", Name: "basis", Legend: "How the amount applies across its years", Error: errs["basis"],
			Options: options(basisLabels, value(in, "basis", saved.Basis))}},
		{Radios: &components.Choice{ID: "kind", Name: "kind", Legend: "What kind of amount this is", Error: errs["kind"],
			Options: fundingKindOptions(value(in, "kind", saved.Kind))}},
		{Text: &components.Field{ID: "label", Name: "label", Label: "What the amount is for", Value: value(in, "label", saved.Label), Error: errs["label"],
			Hint: "For example, Home Office grant for Project Alpha"}},
		{Text: &components.Field{ID: "funder", Name: "funder", Label: "Funder (optional)", Value: value(in, "funder", saved.Funder), Error: errs["funder"],
			Hint: "The organisation paying, for example Home Office"}},
		{Text: &components.Field{ID: "recipient", Name: "recipient", Label: "Recipient (optional)", Value: value(in, "recipient", saved.Recipient), Error: errs["recipient"],
			Hint: "The organisation receiving the money, for example Metropolitan Police Service. A grant is published as 360Giving data only when its recipient is known"}},
	}
}

var fundingPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Funding",
			Intro:     "Each amount the decision accepts, varies or mentions, one line at a time.",
			ListTitle: "Funding lines so far",
			Inputs:    fundingInputs(in, errs, fundingForm{Basis: decision.BasisTotal}),
			Submit:    "Add funding line",
		}
		for _, f := range ed.d.Funding {
			if ed.change == f.Position {
				return pages.DraftFormProps{
					Heading: "Change funding line",
					Inputs:  fundingInputs(in, errs, fundingFormOf(f)),
					Submit:  "Save funding line",
					Change:  f.Position,
					Cancel:  editURL(ed.slug) + "/funding",
				}
			}
		}
		for _, f := range ed.d.Funding {
			text, hint := fundingLineText(f)
			p.List = append(p.List, pages.DraftListItem{Text: text, Hint: hint,
				Change: editURL(ed.slug) + "/funding?change=" + strconv.Itoa(f.Position), Context: "funding line " + text,
				Actions: []pages.DraftAction{{Label: "Remove", Context: "funding line " + text, Value: "remove:" + strconv.Itoa(f.Position)}}})
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			pos, err := strconv.Atoi(arg)
			if err != nil {
				return nil, errBadForm
			}
			err = s.store.RemoveFundingLine(ctx, act, ed.slug, base, pos)
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("funding line %d: %w", pos, store.ErrConflict)
			}
			return nil, err
		}
		l, errs := decodeFundingForm(in).Validate()
		if len(errs) > 0 {
			return errs, nil
		}
		if ed.change > 0 {
			err := s.store.ChangeFundingLine(ctx, act, ed.slug, base, ed.change, l)
			if errors.Is(err, store.ErrNotFound) {
				err = fmt.Errorf("funding line %d: %w", ed.change, store.ErrConflict)
			}
			return nil, err
		}
		return nil, s.store.AddFundingLine(ctx, act, ed.slug, base, l)
	},
	changed: func(ed draftEdit, in url.Values) []change {
		var lines []string
		for _, f := range ed.d.Funding {
			text, hint := fundingLineText(f)
			lines = append(lines, text+" ("+hint+")")
		}
		yours := "Add: " + strings.Join(slices.DeleteFunc([]string{in.Get("amount"), in.Get("label"), in.Get("fy_start"), in.Get("funder"), in.Get("recipient")},
			func(v string) bool { return strings.TrimSpace(v) == "" }), ", ")
		if action, _, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			yours = "Remove a funding line"
		} else if ed.change > 0 {
			yours = "Change funding line " + strconv.Itoa(ed.change) + " to: " + strings.TrimPrefix(yours, "Add: ")
		}
		return []change{{"Funding lines", numbered(lines), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/funding" },
	checkField: "amount",
	part:       store.PartFunding,
}

// Links --------------------------------------------------------------------------------------------------

func linkKindOptions(chosen string) []components.Option {
	hints := map[string]string{
		decision.LinkContinues: "This decision is the next in a funding chain after the other",
		decision.LinkVaries:    "This decision changes what the other decided",
		decision.LinkRelated:   "The decisions are about related things",
	}
	var opts []components.Option
	for _, k := range decision.LinkKinds {
		opts = append(opts, components.Option{Value: k, Label: decision.LinkKindLabel(k), Hint: hints[k], Checked: k == chosen})
	}
	return opts
}

func linkText(l store.Link) string {
	t := decision.LinkKindLabel(l.Kind) + " " + l.Ref
	if l.Title != nil {
		t += ": " + *l.Title
	}
	return t
}

var linksPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading:   "Links to other decisions",
			Intro:     "The decisions this one continues, varies or relates to.",
			ListTitle: "Links so far",
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "reference", Name: "reference", Label: "Decision reference", Width: "10",
					Value: value(in, "reference", ""), Error: errs["reference"], Hint: "For example, PCD 1215"}},
				{Radios: &components.Choice{ID: "kind", Name: "kind", Legend: "How this decision relates to it", Error: errs["kind"],
					Options: linkKindOptions(value(in, "kind", ""))}},
			},
			Submit: "Add link",
		}
		for _, l := range ed.d.Links {
			if l.Outgoing {
				p.List = append(p.List, pages.DraftListItem{Text: linkText(l), Actions: []pages.DraftAction{
					{Label: "Remove", Context: "link: " + linkText(l), Value: "remove:" + l.Kind + ":" + l.Ref}}})
			}
		}
		return p
	},
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			kind, ref, _ := strings.Cut(arg, ":")
			err := s.store.RemoveLink(ctx, act, ed.slug, base, ref, kind)
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrUnknownReference) {
				err = fmt.Errorf("link %s: %w", arg, store.ErrConflict)
			}
			return nil, err
		}
		f := decodeLinkForm(in)
		ref, errs := f.Validate()
		if len(errs) > 0 {
			return errs, nil
		}
		err := s.store.AddLink(ctx, act, ed.slug, base, ref.String(), f.Kind)
		switch {
		case errors.Is(err, store.ErrUnknownReference):
			return map[string]string{"reference": "There is no decision " + ref.String() + " in the register"}, nil
		case errors.Is(err, store.ErrSelfLink):
			return map[string]string{"reference": "A decision cannot link to itself"}, nil
		}
		return nil, err
	},
	changed: func(ed draftEdit, in url.Values) []change {
		var lines []string
		for _, l := range ed.d.Links {
			if l.Outgoing {
				lines = append(lines, linkText(l))
			}
		}
		yours := "Add: " + decision.LinkKindLabel(in.Get("kind")) + " " + in.Get("reference")
		if action, arg, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			kind, ref, _ := strings.Cut(arg, ":")
			yours = "Remove: " + decision.LinkKindLabel(kind) + " " + ref
		}
		return []change{{"Links", numbered(lines), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/links" },
	checkField: "reference",
	part:       store.PartLinks,
}

// Check your answers and submit ------------------------------------------------------------------------

func (s *Server) handleDraftCheck(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	if ed.readsPartTwo() {
		if err := s.auditPartTwoRead(r, ed, "check"); err != nil {
			return err
		}
	}
	s.renderDraftCheck(w, r, http.StatusOK, ed, nil)
	return nil
}

func (s *Server) renderDraftCheck(w http.ResponseWriter, r *http.Request, status int, ed draftEdit, errs []components.FieldError) {
	d, base := ed.d, editURL(ed.slug)
	decisionRows := []pages.CheckRow{
		{ID: "check-title", Key: "Title", Value: deref(d.Title), Change: base + "/title", Hidden: "title"},
		{ID: "check-summary", Key: "Summary", Value: deref(d.Summary), Change: base + "/title", Hidden: "summary"},
		{ID: "check-recommendations", Key: "Recommendations", Items: d.Recommendations, Change: base + "/recommendations", Hidden: "recommendations"},
	}
	var partOne []pages.CheckRow
	for _, kind := range decision.SectionKinds {
		sec, _ := ed.section(1, kind)
		key := decision.SectionKindLabel(kind)
		if sec.Heading != "" && sec.Heading != key {
			key += " (“" + sec.Heading + "”)"
		}
		partOne = append(partOne, pages.CheckRow{ID: "check-" + kindSlug(kind), Key: key, Value: sec.Body, Blocks: textBlocks(sec.Body, components.Plain),
			Change: base + "/sections/" + kindSlug(kind), Hidden: decision.SectionKindLabel(kind)})
	}
	var funding, links []string
	for _, f := range d.Funding {
		text, hint := fundingLineText(f)
		funding = append(funding, text+" ("+hint+")")
	}
	for _, l := range d.Links {
		if l.Outgoing {
			links = append(links, linkText(l))
		}
	}
	sections := []pages.CheckSection{
		{Heading: "The decision", Rows: decisionRows},
		{Heading: "Part I", Rows: partOne},
		{Heading: "Money and related decisions", Rows: []pages.CheckRow{
			{ID: "check-funding", Key: "Funding", Items: funding, Change: base + "/funding", Hidden: "funding"},
			{ID: "check-links", Key: "Links to other decisions", Items: links, Change: base + "/links", Hidden: "links to other decisions"},
		}},
	}
	var papers []string
	for _, doc := range supportingDocuments(d.Documents) {
		papers = append(papers, doc.Name+" ("+documentHint(doc)+")")
	}
	sections = append(sections, pages.CheckSection{Heading: "Documents", Rows: []pages.CheckRow{
		{ID: "check-documents", Key: "Supporting documents", Items: papers, Change: base + "/documents", Hidden: "supporting documents"}}})
	if ed.readsPartTwo() {
		sec, _ := ed.section(2, "")
		sections = append(sections, pages.CheckSection{Heading: "Part II", Rows: []pages.CheckRow{
			{ID: "check-part-two", Key: "Confidential facts and advice", Value: sec.Body, Blocks: textBlocks(sec.Body, components.Plain), Change: base + "/part-two", Hidden: "Part II"}}})
	}
	title := "Check your answers – " + d.Reference
	if len(errs) > 0 {
		title = "Error: " + title
	}
	s.render(w, r, status, pages.DraftCheck(pages.DraftCheckProps{
		Page:      s.page(r, title, "", checkURL(ed.slug)),
		Reference: d.Reference,
		Errors:    errs,
		Sections:  sections,
		Submitted: d.Status != decision.StatusDraft,
		Action:    "/decisions/" + ed.slug + "/submit",
		Version:   d.Version,
		Back:      base,
	}))
}

func (s *Server) handleDraftSubmit(w http.ResponseWriter, r *http.Request) error {
	ed, err := s.loadDraft(r)
	if err != nil {
		return err
	}
	if err := ed.st.CanSubmit(ed.user.Actor()); err != nil {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot submit this decision", Message: err.Error()}
	}
	if !slices.Contains(ed.st.Drafters, ed.user.ID) {
		return &pageError{Status: http.StatusForbidden, Heading: "You cannot submit this decision",
			Message: "Only someone who drafted this decision can submit it for sign-off."}
	}
	version, err := strconv.Atoi(r.PostFormValue("version"))
	if err != nil {
		return errBadForm
	}
	var errs []components.FieldError
	if ed.d.Title == nil {
		errs = append(errs, components.FieldError{FieldID: "check-title", Message: "Add a title before you submit"})
	}
	if ed.d.Summary == nil {
		errs = append(errs, components.FieldError{FieldID: "check-summary", Message: "Add a summary before you submit"})
	}
	if len(ed.d.Recommendations) == 0 {
		errs = append(errs, components.FieldError{FieldID: "check-recommendations", Message: "Add at least one recommendation before you submit"})
	}
	if len(errs) > 0 {
		s.renderDraftCheck(w, r, http.StatusUnprocessableEntity, ed, errs)
		return nil
	}
	if err := s.store.Submit(r.Context(), ed.user.Act(s.now()), ed.slug, version); err != nil {
		return err
	}
	// The confirmation says whom it now waits for.
	http.Redirect(w, r, "/decisions/"+ed.slug+"/submitted", http.StatusSeeOther)
	return nil
}
