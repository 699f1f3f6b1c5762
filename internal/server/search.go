package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// handleDecisionList searches and filters decisions, and sends a reference typed into the
// search box straight to its decision.
func (s *Server) handleDecisionList(w http.ResponseWriter, r *http.Request) error {
	acc := s.access(r)
	params := search.ParamsOf(r.URL.Query())
	form := listForm(params, acc.IsStaff())
	q, err := search.Parse(params, acc.IsStaff())
	var errs search.Errors
	if errors.As(err, &errs) {
		p := pages.ListProps{Form: form}
		for _, e := range errs {
			form.Errors[e.Field] = e.Message
			id := e.Field
			if id == "cursor" {
				id = "q"
			}
			p.Errors = append(p.Errors, components.FieldError{FieldID: id, Message: e.Message})
		}
		if m := errs.For("cursor"); m != "" {
			form.Errors["q"] = m
		}
		p.Form = form
		s.renderList(w, r, http.StatusBadRequest, p)
		return nil
	}
	if err != nil {
		return err
	}
	// A reference alone goes straight to its decision.
	var ref decision.Ref
	refErr := decision.ErrNotReference
	if q.Q != "" && !q.HasFilters() && q.Cursor == nil {
		ref, refErr = decision.ParseReference(q.Q)
	}
	if refErr == nil && !hasSeries(q.Q) && ref.Year == 0 {
		// A bare number: one decision of that number, in whatever series, is the one meant;
		// when several series share it, the search lists them all (the PCD first).
		slugs, err := s.reader(r).SlugsByNumber(r.Context(), acc, ref.Number, 2)
		if err != nil {
			return err
		}
		switch len(slugs) {
		case 1:
			http.Redirect(w, r, "/decisions/"+slugs[0], http.StatusSeeOther)
			return nil
		case 2:
			refErr = decision.ErrNotReference
		}
	}
	if refErr == nil {
		slug, err := s.reader(r).SlugByReference(r.Context(), acc, ref.String())
		switch {
		case err == nil:
			http.Redirect(w, r, "/decisions/"+slug, http.StatusSeeOther)
			return nil
		case !errors.Is(err, store.ErrNotFound):
			return err
		case hasSeries(q.Q):
			return noSuchDecision(ref, q.Q)
		}
		// A bare number that is no reference may still be words: "2024".
	}
	// The public's lists and searches are kept as decision pages are, under the search's
	// canonical address (parameters in one order, defaults left out), and show the search as
	// that address has it: the same page, whichever spelling of it was asked for.
	public := userFrom(r) == nil && !wrote(r)
	var key pageKey
	name := q.URL("/decisions", q.Cursor)
	if public {
		var now time.Time
		if key, now, err = s.publicKey(r.Context(), ""); err != nil {
			return err
		}
		if p, ok := s.pages.Get(name, key, now); ok {
			s.serveCached(w, r, p)
			return nil
		}
		acc = store.Public(now)
		form = listForm(search.ParamsOf(q.Values()), false)
	}
	page, err := s.reader(r).Search(r.Context(), acc, q, pageSize)
	if err != nil {
		return err
	}
	q = orderedAs(q, page)
	if page.Unranked {
		form.Sort = search.SortNewest // the order shown, which the sort box says
	}
	if q.Cursor != nil && len(page.Results) == 0 {
		return &pageError{Status: http.StatusNotFound, Heading: "Page not found",
			Message: "There are no more results for this search.", ShowSearch: true, Query: q.Q}
	}
	if refErr == nil && page.Count == 0 {
		return noSuchDecision(ref, q.Q)
	}
	p := pages.ListProps{
		Form:     form,
		Query:    q.Q,
		Searched: q.Q != "" || q.HasFilters(),
		Items:    resultItems(page, q.Q != ""),
		Count:    countText(page, q),
		None:     len(page.Results) == 0,
		Tags:     filterTags(q),
		ClearURL: searchURL("/decisions", search.Query{Q: q.Q, Sort: q.Sort}, nil),
		Pages:    keysetPages("/decisions", q, page),
		Order:    orderText(page, q),
		Exports:  exportLinks(q),
		// The public's grants, whoever searches: staff-only filters do not apply to them.
		ThreeSixty: threeSixtyLinks(publicQuery(q)),
		Alerts:     alertsURL(q),
	}
	if page.Count == 0 && q.Q != "" {
		if sugg, err := s.reader(r).Suggest(r.Context(), acc, q.Q); err != nil {
			return err
		} else if sugg != "" {
			sq := q
			sq.Q = sugg
			p.Suggestion = &pages.Link{Text: sugg, URL: searchURL("/decisions", sq, nil)}
		}
	}
	if !public {
		s.renderList(w, r, http.StatusOK, p)
		return nil
	}
	p = s.listPage(r, p, name)
	etag, err := s.pageETag(p)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := pages.List(p).Render(r.Context(), &html); err != nil {
		s.renderFailed(w, r, err)
		return nil
	}
	kept, err := s.pages.Put(name, key, httpcache.Page{ETag: etag, Built: acc.Now,
		Modified: httpcache.Latest(key.state.ChangedAt, s.started)}, html.Bytes())
	if err != nil {
		return fmt.Errorf("keep page %s: %w", name, err)
	}
	s.serveCached(w, r, kept)
	return nil
}

func (s *Server) renderList(w http.ResponseWriter, r *http.Request, status int, p pages.ListProps) {
	s.render(w, r, status, pages.List(s.listPage(r, p, r.URL.RequestURI())))
}

// listPage gives a list its page shell, for its address path.
func (s *Server) listPage(r *http.Request, p pages.ListProps, path string) pages.ListProps {
	title := "Decisions"
	switch {
	case len(p.Errors) > 0:
		title = "Error: " + title
	case p.Query != "":
		title = "Search results for " + p.Query
	case p.Searched:
		title = "Search results"
	}
	p.Page = s.page(r, title, "decisions", path)
	for _, e := range p.Exports {
		if strings.HasPrefix(e.URL, "/decisions.atom") {
			p.Page.Feed = e.URL
		}
	}
	return p
}

// listForm is the form as typed, cleaned only as far as it must be to be shown back.
func listForm(p search.Params, staff bool) pages.ListForm {
	var statuses []string // the public sees published decisions only: no other choice
	if staff {
		statuses = search.Statuses
	}
	return pages.ListForm{
		Q: displayable(p.Q), FY: displayable(p.FY), Maker: displayable(p.Maker), Funder: displayable(p.Funder),
		Series: displayable(p.Series), Status: displayable(p.Status), Min: displayable(p.Min), Max: displayable(p.Max),
		From: displayable(p.From), To: displayable(p.To), Sort: displayable(p.Sort),
		Staff: staff, Statuses: statuses, Errors: map[string]string{},
	}
}

// displayable keeps as much of rejected text as can be shown back to its writer.
func displayable(q string) string {
	q = strings.ToValidUTF8(q, "\uFFFD")
	q = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, q)
	if utf8.RuneCountInString(q) > search.MaxQueryRunes*5 {
		q = string([]rune(q)[:search.MaxQueryRunes*5])
	}
	return q
}

// searchURL is the address of q at path, starting at cursor c when given.
func searchURL(path string, q search.Query, c *search.Cursor) string { return q.URL(path, c) }

func keysetPages(path string, q search.Query, page store.SearchPage) components.Pages {
	var p components.Pages
	if page.Prev != nil {
		p.Prev = searchURL(path, q, page.Prev)
	}
	if page.Next != nil {
		p.Next = searchURL(path, q, page.Next)
	}
	return p
}

func resultItems(page store.SearchPage, snippets bool) []components.DecisionItem {
	dp := store.DecisionPage{Funding: page.Funding}
	for _, r := range page.Results {
		dp.Decisions = append(dp.Decisions, r.DecisionSummary)
	}
	items := decisionItems(dp)
	for i, r := range page.Results {
		if r.Funder != nil && r.FunderSlug != nil {
			items[i].Funder, items[i].FunderURL = *r.Funder, "/organisations/"+*r.FunderSlug
		}
	}
	if snippets {
		for i, r := range page.Results {
			items[i].Snippet = snippetParts(r.Snippet)
		}
	}
	return items
}

// snippetParts splits a snippet at its marks. The text is shown as text, never as markup, so
// whatever a decision says cannot become part of the page.
func snippetParts(s string) []components.SnippetPart {
	var out []components.SnippetPart
	for s != "" {
		before, rest, found := strings.Cut(s, store.MarkStart)
		if before != "" {
			out = append(out, components.SnippetPart{Text: strings.ReplaceAll(before, store.MarkEnd, "")})
		}
		if !found {
			break
		}
		mark, after, _ := strings.Cut(rest, store.MarkEnd)
		if mark != "" {
			out = append(out, components.SnippetPart{Text: mark, Mark: true})
		}
		s = after
	}
	return out
}

func countDated(page store.SearchPage) int {
	n := 0
	for _, r := range page.Results {
		if r.DateSigned != nil {
			n++
		}
	}
	return n
}

// orderedAs is q in the order its page came in: newest first when its words matched too many
// decisions to rank, so the page's links keep that order.
func orderedAs(q search.Query, page store.SearchPage) search.Query {
	if page.Unranked {
		q.Sort = search.SortNewest
	}
	return q
}

// countNoun is "1 decision", "12 decisions" or "more than 1,000 decisions".
func countNoun(page store.SearchPage) string {
	if page.Capped {
		return "more than " + groupDigits(store.CountCap) + " decisions"
	}
	if page.Count == 1 {
		return "1 decision"
	}
	return groupDigits(page.Count) + " decisions"
}

func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func countText(page store.SearchPage, q search.Query) string {
	noun := countNoun(page)
	match := " match"
	if page.Count == 1 && !page.Capped {
		match = " matches"
	}
	switch {
	case page.Count == 0 && q.Q != "":
		return "No decisions match “" + q.Q + "”" + filtersText(q) + "."
	case page.Count == 0 && q.HasFilters():
		return "No decisions match these filters."
	case page.Count == 0:
		return "The register holds no decisions yet."
	case q.Q != "":
		return upperFirst(noun) + match + " “" + q.Q + "”" + filtersText(q) + "."
	case q.HasFilters():
		return upperFirst(noun) + match + " these filters."
	}
	return "The register holds " + noun + "."
}

func filtersText(q search.Query) string {
	if q.HasFilters() {
		return " and these filters"
	}
	return ""
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// orderText says what order a list is really in. With no date signed recorded, "newest first"
// would claim what the data cannot support: the order is then by reference number.
func orderText(page store.SearchPage, q search.Query) string {
	if page.Unranked {
		return "Too many decisions match to rank them by relevance, so the newest come first. " +
			"Add words or a filter to see the best matches first."
	}
	switch q.Sort {
	case search.SortRelevance:
		return "Best match first: a decision whose reference you typed, then matches in titles, then matches elsewhere."
	case search.SortAmount:
		return "Largest total accepted first. Decisions with no amount recorded come last."
	}
	return newestOrderText(page)
}

func newestOrderText(page store.SearchPage) string {
	dated := countDated(page)
	switch {
	case dated == 0:
		return "No date signed is recorded for these decisions, so they are in order of reference number, highest first."
	case dated < len(page.Results):
		return "In order of date signed, newest first. Decisions with no date signed recorded come after, highest reference number first."
	}
	return "In order of date signed, newest first."
}

// filterTags are the chosen filters, each linking to the same search without it.
func filterTags(q search.Query) []pages.Link {
	var tags []pages.Link
	add := func(text string, clear func(*search.Query)) {
		without := q
		without.Cursor = nil
		clear(&without)
		tags = append(tags, pages.Link{Text: text, URL: searchURL("/decisions", without, nil)})
	}
	if q.FY != nil {
		add("Financial year: "+q.FY.String(), func(x *search.Query) { x.FY = nil })
	}
	if q.Maker != "" {
		add("Decision maker: "+q.Maker, func(x *search.Query) { x.Maker = "" })
	}
	if q.Funder != "" {
		add("Funder: "+q.Funder, func(x *search.Query) { x.Funder = "" })
	}
	if q.Series != "" {
		add("Series: "+q.Series, func(x *search.Query) { x.Series = "" })
	}
	if q.Status != "" {
		add("Status: "+strings.ReplaceAll(q.Status, "_", " "), func(x *search.Query) { x.Status = "" })
	}
	if q.MinPence != nil {
		add("At least "+decision.FormatPence(*q.MinPence), func(x *search.Query) { x.MinPence = nil })
	}
	if q.MaxPence != nil {
		add("At most "+decision.FormatPence(*q.MaxPence), func(x *search.Query) { x.MaxPence = nil })
	}
	if q.From != nil {
		add("Signed from "+formatDate(q.From), func(x *search.Query) { x.From = nil })
	}
	if q.To != nil {
		add("Signed to "+formatDate(q.To), func(x *search.Query) { x.To = nil })
	}
	return tags
}

// exportLinks are the same search as open data.
func exportLinks(q search.Query) []pages.Link {
	v := q.Values().Encode()
	if v != "" {
		v = "?" + v
	}
	return []pages.Link{
		{Text: "CSV", URL: "/decisions.csv" + v},
		{Text: "JSON", URL: "/api/v1/decisions" + v},
		{Text: "Atom feed", URL: "/decisions.atom" + v},
	}
}
