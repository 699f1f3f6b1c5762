package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/config"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

const (
	pageSize       = 20
	homeRecentSize = 5
)

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	// The capped count: an exact count(*) of a million decisions on every visit costs a second.
	page, err := s.reader(r).Search(r.Context(), s.access(r), search.Query{Sort: search.SortNewest}, homeRecentSize)
	if err != nil {
		return err
	}
	items := resultItems(page, false)
	heading := "Most recent decisions"
	if countDated(page) == 0 {
		heading = "Decisions with the highest reference numbers"
	}
	count, seeAll := countNoun(page), "See all "+countNoun(page)
	if page.Capped {
		seeAll = "See all decisions"
	}
	s.render(w, r, http.StatusOK, pages.Home(pages.HomeProps{
		Page:          s.page(r, "", "home", "/"),
		Count:         count,
		SeeAll:        seeAll,
		RecentHeading: heading,
		Order:         newestOrderText(page),
		Recent:        items,
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
	var key pageKey
	public := userFrom(r) == nil
	// One reading of the clock for the key and the page: read twice, a page built just after a
	// deferred publication could be kept under the key from just before it.
	now := s.now()
	if public {
		var err error
		if key, now, err = s.publicKey(r.Context(), slug); err != nil {
			return err
		}
		if p, ok := s.pages.Get(slug, key, now); ok {
			s.serveCached(w, r, p)
			return nil
		}
	}
	acc := s.access(r)
	if public {
		acc = store.Public(now)
	}
	d, err := s.reader(r).DecisionBySlug(r.Context(), acc, slug)
	if errors.Is(err, store.ErrNotFound) && refErr == nil {
		return noSuchDecision(ref, ref.String())
	}
	if err != nil {
		return err
	}
	held, err := s.reader(r).SlugsByReference(r.Context(), acc, mentionedReferences(d))
	if err != nil {
		return err
	}
	p := s.showProps(r, d, held)
	if err := s.addPlanNotice(r, &p, acc, d.ID, d.DateSigned); err != nil {
		return err
	}
	if err := s.addSignoff(r, &p, d); err != nil {
		return err
	}
	if err := s.addCorrections(r, &p, d); err != nil {
		return err
	}
	if p.Continue, err = s.continueButton(r, d); err != nil {
		return err
	}
	if err := s.addSignedDocument(r, &p, d.Slug); err != nil {
		return err
	}
	if !public {
		s.render(w, r, http.StatusOK, pages.Show(p))
		return nil
	}
	etag, err := s.pageETag(p)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := pages.Show(p).Render(r.Context(), &html); err != nil {
		s.renderFailed(w, r, err)
		return nil
	}
	kept, err := s.pages.Put(slug, key, httpcache.Page{ETag: etag, Built: now,
		Modified: httpcache.Latest(d.UpdatedAt, key.state.ChangedAt, s.started)}, html.Bytes())
	if err != nil {
		return fmt.Errorf("keep page %s: %w", slug, err)
	}
	s.serveCached(w, r, kept)
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

// hasSeries reports whether the text names a series ("PCD 9999"), not just a number.
func hasSeries(q string) bool {
	return strings.ContainsFunc(q, unicode.IsLetter)
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
