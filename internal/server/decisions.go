package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"golang.org/x/text/unicode/norm"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

const (
	pageSize       = 20
	maxQueryRunes  = 200
	maxPageNumber  = 1_000_000
	homeRecentSize = 5
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	page, err := s.store.ListDecisions(r.Context(), s.access(r), store.ListParams{Limit: homeRecentSize})
	if err != nil {
		return err
	}
	heading := "Most recent decisions"
	if page.Dated == 0 {
		heading = "Decisions with the highest reference numbers"
	}
	s.render(w, r, http.StatusOK, pages.Home(pages.HomeProps{
		Page:          s.page(r, "", "home", "/"),
		Count:         page.Total,
		RecentHeading: heading,
		Order:         orderText(page),
		Recent:        decisionItems(page),
	}))
	return nil
}

func (s *Server) handleAccessibility(w http.ResponseWriter, r *http.Request) error {
	s.render(w, r, http.StatusOK, pages.Accessibility(pages.AccessibilityProps{
		Page:    s.page(r, "Accessibility statement", "accessibility", "/accessibility"),
		Contact: contactLink(s.contact),
	}))
	return nil
}

func (s *Server) handleGlossary(w http.ResponseWriter, r *http.Request) error {
	terms := make([]components.Term, len(decision.Abbreviations))
	for i, a := range decision.Abbreviations {
		terms[i] = components.Term{Short: a.Short, Long: a.Long}
	}
	s.render(w, r, http.StatusOK, pages.Glossary(pages.GlossaryProps{
		Page:  s.page(r, "Glossary", "glossary", "/glossary"),
		Terms: terms,
	}))
	return nil
}

// handleDecisionList lists decisions, and sends a reference typed into the search box
// straight to its decision.
func (s *Server) handleDecisionList(w http.ResponseWriter, r *http.Request) error {
	raw := r.URL.Query().Get("q")
	if msg := checkQuery(raw); msg != "" {
		s.renderList(w, r, http.StatusBadRequest, pages.ListProps{Query: displayable(raw), QueryError: msg})
		return nil
	}
	// Full-width and other compatibility forms ("ＰＣＤ １６８２") read as their plain letters.
	q := strings.Join(strings.Fields(norm.NFKC.String(raw)), " ")
	pageNum, err := parsePage(r.URL.Query().Get("page"))
	if err != nil {
		return err
	}
	ref, refErr := decision.ParseReference(q)
	if refErr == nil {
		slug, err := s.store.SlugByReference(r.Context(), s.access(r), ref.String())
		switch {
		case err == nil:
			http.Redirect(w, r, "/decisions/"+slug, http.StatusSeeOther)
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		case hasSeries(q):
			return noSuchDecision(ref, q)
		}
		// A bare number that is no reference may still be words: "2024".
	}
	params := store.ListParams{Words: q, Limit: pageSize, Offset: (pageNum - 1) * pageSize}
	if prefix, words, ok := decision.ParseReferencePrefix(q); ok && refErr != nil && hasSeries(strings.TrimSuffix(q, words)) {
		// "pcd 1682 social": the decision named first, then whatever the words find. A bare
		// number before words ("2024 budget") stays part of the words.
		params.Words, params.Reference = words, prefix.String()
	}
	page, err := s.store.ListDecisions(r.Context(), s.access(r), params)
	if err != nil {
		return err
	}
	if pageNum > 1 && len(page.Decisions) == 0 {
		return &pageError{Status: http.StatusNotFound, Heading: "Page not found",
			Message: fmt.Sprintf("There is no page %d of this list.", pageNum), ShowSearch: true, Query: q}
	}
	if refErr == nil && page.Total == 0 {
		return noSuchDecision(ref, q)
	}
	s.renderList(w, r, http.StatusOK, pages.ListProps{
		Query: q,
		Items: decisionItems(page),
		Total: page.Total,
		From:  min((pageNum-1)*pageSize+1, page.Total),
		To:    (pageNum-1)*pageSize + len(page.Decisions),
		Pages: pagination(pageNum, page.Total, func(n int) string { return listURL(q, n) }),
		Order: orderText(page),
	})
	return nil
}

func (s *Server) renderList(w http.ResponseWriter, r *http.Request, status int, p pages.ListProps) {
	title := "Decisions"
	if p.QueryError != "" {
		title = "Error: " + title
	} else if p.Query != "" {
		title = "Search results for " + p.Query
	}
	p.Page = s.page(r, title, "decisions", r.URL.RequestURI())
	s.render(w, r, status, pages.List(p))
}

// handleDecisionShow shows one decision. Any other spelling of its reference in the address
// ("PCD1682") moves permanently to the canonical one ("pcd-1682").
func (s *Server) handleDecisionShow(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	ref, refErr := decision.ParseReference(slug)
	if refErr == nil && ref.Slug() != slug {
		http.Redirect(w, r, "/decisions/"+ref.Slug(), http.StatusMovedPermanently)
		return nil
	}
	if !decision.ValidSlug(slug) {
		return errPageNotFound
	}
	d, err := s.store.DecisionBySlug(r.Context(), s.access(r), slug)
	if errors.Is(err, store.ErrNotFound) && refErr == nil {
		return noSuchDecision(ref, ref.String())
	}
	if err != nil {
		return err
	}
	held, err := s.store.SlugsByReference(r.Context(), s.access(r), mentionedReferences(d))
	if err != nil {
		return err
	}
	p := s.showProps(r, d, held)
	if err := s.addSignoff(r, &p, d); err != nil {
		return err
	}
	if userFrom(r) == nil {
		etag, err := s.pageETag(p)
		if err != nil {
			return err
		}
		changed, err := s.store.RegisterChangedAt(r.Context(), s.now())
		if err != nil {
			return err
		}
		if s.notModified(w, r, etag, latest(d.UpdatedAt, changed, s.started)) {
			return nil
		}
	}
	s.render(w, r, http.StatusOK, pages.Show(p))
	return nil
}

func noSuchDecision(ref decision.Ref, q string) error {
	return &pageError{
		Status:     http.StatusNotFound,
		Heading:    "Decision not found",
		Message:    fmt.Sprintf("There is no decision %s in the register.", ref),
		Hint:       "Check the reference, or search by words from its title.",
		ShowSearch: true,
		Query:      q,
	}
}

// orderText says what order a list is really in. With no date signed recorded, "newest first"
// would claim what the data cannot support: the order is then by reference number.
func orderText(page store.DecisionPage) string {
	switch {
	case page.Dated == 0:
		return "No date signed is recorded for these decisions, so they are in order of reference number, highest first."
	case page.Dated < page.Total:
		return "In order of date signed, newest first. Decisions with no date signed recorded come after, highest reference number first."
	}
	return "In order of date signed, newest first."
}

// checkQuery says what is wrong with search text, or returns "" when it is usable.
func checkQuery(q string) string {
	switch {
	case !utf8.ValidString(q):
		return "Search text contains characters that cannot be read. Type it again"
	case strings.ContainsFunc(q, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }):
		return "Search text must not contain control characters"
	case utf8.RuneCountInString(q) > maxQueryRunes:
		return fmt.Sprintf("Search text must be %d characters or fewer", maxQueryRunes)
	}
	return ""
}

// displayable keeps as much of rejected search text as can be shown back to its writer.
func displayable(q string) string {
	q = strings.ToValidUTF8(q, "\uFFFD")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, q)
	if utf8.RuneCountInString(q) > maxQueryRunes*5 {
		q = string([]rune(q)[:maxQueryRunes*5])
	}
	return q
}

func parsePage(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageNumber {
		return 0, &pageError{Status: http.StatusBadRequest, Heading: "Page number not recognised",
			Message: "The page number must be a whole number, 1 or more.", ShowSearch: true}
	}
	return n, nil
}

// hasSeries reports whether the text names a series ("PCD 9999"), not just a number.
func hasSeries(q string) bool {
	return strings.ContainsFunc(q, unicode.IsLetter)
}

func listURL(q string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/decisions"
	}
	return "/decisions?" + v.Encode()
}

// contactLink turns the configured contact, an email address or a web address, into a link.
func contactLink(contact string) pages.Contact {
	c, err := config.ParseContact(contact)
	if err != nil {
		return pages.Contact{}
	}
	if c.Email {
		return pages.Contact{Href: c.Href, Text: contact}
	}
	return pages.Contact{Href: c.Href, Text: "its page on " + c.Site, Web: true}
}
