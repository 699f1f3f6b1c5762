package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

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
	return s.renderDraftNew(w, r, http.StatusOK, newDraftForm{Series: decision.DefaultSeries}, "", nil)
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

// renderDraftNew shows the start form, holding f (its title as typed); token is the one the
// form was sent with, kept when it comes back with errors so that it still makes only one
// draft, or "" for a new one.
func (s *Server) renderDraftNew(w http.ResponseWriter, r *http.Request, status int, f newDraftForm, token string, errs map[string]string) error {
	if !validStartToken(token) {
		token = startToken()
	}
	chained, err := s.store.ChainedSeries(r.Context())
	if err != nil {
		return err
	}
	templated, err := s.store.TemplatedSeries(r.Context())
	if err != nil {
		return err
	}
	p := pages.DraftNewProps{
		Page:        s.page(r, errorTitle("Start a decision", errs), "", "/decisions/new"),
		SeriesError: errs["series"],
		StartToken:  token,
		Title: components.Field{ID: "title", Name: "title", Label: "Title", Value: f.Title, Error: errs["title"],
			Hint: "What the decision is about, for example “Alpha – Social Media Hub”"},
	}
	for _, c := range chained {
		p.Series = append(p.Series, components.Option{Value: c, Label: c, Checked: c == f.Series})
	}
	if len(templated) > 0 || errs["template"] != "" {
		hint := "No series has a section template yet."
		if len(templated) > 0 {
			hint = "Series with a section template: " + strings.Join(templated, ", ") + "."
		}
		p.Template = &components.Choice{ID: "template", Name: "template", Legend: "Sections (optional)", Error: errs["template"],
			Hint: hint, Options: []components.Option{{Value: "yes", Label: "Start from the series template", Checked: f.Template,
				Hint: "Fills the Part I sections with the texts an admin keeps for the series, for you to edit"}}}
	}
	for _, id := range []string{"series", "title", "template"} { // as the form sets them out
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
	templated, err := s.store.TemplatedSeries(r.Context())
	if err != nil {
		return err
	}
	token := r.PostForm.Get("start_token")
	typed := f
	typed.Title = r.PostForm.Get("title")
	if errs := f.Validate(chained, templated); len(errs) > 0 {
		return s.renderDraftNew(w, r, http.StatusUnprocessableEntity, typed, token, errs)
	}
	if !validStartToken(token) {
		token = "" // a form from before tokens, or made by hand: it makes a draft each time
	}
	start := s.store.StartDraft
	if f.Template {
		start = s.store.StartDraftFromTemplate
	}
	slug, _, err := start(r.Context(), userFrom(r).Act(s.now()), f.Series, f.Title, token)
	if _, ok := store.IsCheckViolation(err); ok {
		errs := map[string]string{"title": "Enter a title the register can store"}
		return s.renderDraftNew(w, r, http.StatusUnprocessableEntity, typed, token, errs)
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
	// partTwoGround is the ground its Part II is withheld on, once recorded.
	partTwoGround *store.Withholding
	// affectsAreas is the drafters' "affects two or more areas" flag (key decisions).
	affectsAreas bool
	// keyMode is its series' key-decision mode, "" when the series has no rule.
	keyMode string
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
	switch w, err := s.store.WithholdingOf(r.Context(), ed.d.ID, store.WithheldPartTwo); {
	case err == nil:
		ed.partTwoGround = &w
	case !errors.Is(err, store.ErrNotFound):
		return ed, err
	}
	if ed.affectsAreas, err = s.store.AffectsAreas(r.Context(), ed.d.ID); err != nil {
		return ed, err
	}
	modes, err := s.keyModes(r.Context())
	if err != nil {
		return ed, err
	}
	ed.keyMode = modes[ed.d.Series]
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
	continued, err := s.continuedNotice(r, ed.slug)
	if err != nil {
		return err
	}
	planURL, noticed := "/forward-plan/new?decision="+url.QueryEscape(d.Reference), false
	switch n, err := s.store.PlanNoticeOf(r.Context(), s.access(r), d.ID); {
	case err == nil:
		planURL, noticed = noticeURL(n.ID), true
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	s.render(w, r, http.StatusOK, pages.DraftTasks(pages.DraftTasksProps{
		Continued:   continued,
		PlanURL:     planURL,
		PlanKeyRule: keyRuleSentence(map[string]string{d.Series: ed.keyMode}, d.Series),
		PlanNoticed: noticed,
		Waiting:     waiting,
		SignoffURL:  "/decisions/" + ed.slug + "/signoff",
		Returned:    returned,
		Page:        s.page(r, d.Reference+": task list", "", editURL(ed.slug)),
		Reference:   d.Reference,
		Title:       deref(d.Title),
		Submitted:   d.Status == decision.StatusAwaitingSignoff,
		Groups:      groups,
		Flash:       s.popDraftFlash(r),
		CheckURL:    checkURL(ed.slug),
		DiscardURL:  discardURL(ed),
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

// Title and summary -------------------------------------------------------------------------------

// Recommendations ----------------------------------------------------------------------------------

// Part I sections ------------------------------------------------------------------------------------

// Part II ------------------------------------------------------------------------------------------------

// Funding -----------------------------------------------------------------------------------------------

// Links --------------------------------------------------------------------------------------------------

// Check your answers and submit ------------------------------------------------------------------------
