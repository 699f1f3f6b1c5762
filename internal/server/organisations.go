package server

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// The organisations the register names, each with a page of the decisions naming it (as
// funder or recipient), its own CSV and Atom feed. Organisations merged into another are
// counted as the other; a renamed one's former address leads to its page.

const orgPageSize = 50

var orgSorts = []struct {
	sort store.OrgSort
	text string
}{
	{store.OrgSortName, "Name"},
	{store.OrgSortDecisions, "Most decisions"},
	{store.OrgSortGiven, "Most given"},
	{store.OrgSortReceived, "Most received"},
}

func orgIndexURL(name string, sort store.OrgSort, page int) string {
	v := url.Values{}
	if name != "" {
		v.Set("name", name)
	}
	if sort != "" && sort != store.OrgSortName {
		v.Set("sort", string(sort))
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/organisations"
	}
	return "/organisations?" + v.Encode()
}

// badOrgQuery is a 400 page for an index address no link makes.
func badOrgQuery(msg string) error {
	return &pageError{Status: http.StatusBadRequest, Heading: "There is a problem with the address",
		Message: msg, Links: []pages.ErrorLink{{Href: "/organisations", Text: "See all organisations"}}}
}

func (s *Server) handleOrganisations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	name := strings.TrimSpace(q.Get("name"))
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxOrganisationRunes {
		return badOrgQuery(fmt.Sprintf("An organisation name is at most %d characters.", maxOrganisationRunes))
	}
	sortBy := store.OrgSort(q.Get("sort"))
	if sortBy == "" {
		sortBy = store.OrgSortName
	}
	known := false
	for _, o := range orgSorts {
		known = known || o.sort == sortBy
	}
	if !known {
		return badOrgQuery("Sort by name, decisions, given or received.")
	}
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			return badOrgQuery("A page number is a whole number from 1.")
		}
		page = n
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return err
	}
	res, err := s.reader(r).OrganisationIndex(r.Context(), s.access(r), store.OrgQuery{
		Name: name, Sort: sortBy, Limit: orgPageSize, Offset: (page - 1) * orgPageSize})
	if err != nil {
		return err
	}
	p := pages.OrganisationsProps{
		Page: s.page(r, "Organisations", "organisations", orgIndexURL(name, sortBy, page)),
		Name: name, Sort: string(sortBy),
		Caption: orgCountText(res.Total, "organisation", "organisations"),
	}
	if name != "" {
		p.Caption += " with “" + name + "” in their name"
	}
	for _, o := range orgSorts {
		p.Sorts = append(p.Sorts, pages.OrgSortLink{Text: o.text, Href: orgIndexURL(name, o.sort, 1), Current: o.sort == sortBy})
	}
	for _, o := range res.Orgs {
		p.Rows = append(p.Rows, pages.OrgRow{Href: "/organisations/" + o.Slug, Name: o.Name, OrgID: deref(o.OrgID),
			Decisions: strconv.FormatInt(o.Decisions, 10), Given: decision.FormatPence(o.GivenPence),
			Received: decision.FormatPence(o.ReceivedPence)})
	}
	switch {
	case len(p.Rows) > 0:
	case res.Total > 0:
		p.Empty = fmt.Sprintf("There are only %s: this page is past the last.", orgCountText(res.Total, "organisation", "organisations"))
	case name != "":
		p.Empty = "No organisation has “" + name + "” in its name."
	default:
		p.Empty = "No published decision names an organisation yet."
	}
	last := (res.Total + orgPageSize - 1) / orgPageSize
	if page > 1 {
		p.Pages.Prev = orgIndexURL(name, sortBy, min(page-1, max(last, 1)))
	}
	if page < last {
		p.Pages.Next = orgIndexURL(name, sortBy, page+1)
	}
	if last > 1 {
		for n := 1; n <= last; n++ {
			if n == 1 || n == last || (n >= page-2 && n <= page+2) {
				p.Pages.Links = append(p.Pages.Links, components.PageLink{Number: n, URL: orgIndexURL(name, sortBy, n), Current: n == page})
			} else if l := p.Pages.Links; len(l) > 0 && !l[len(l)-1].Ellipsis {
				p.Pages.Links = append(p.Pages.Links, components.PageLink{Ellipsis: true})
			}
		}
	}
	s.render(w, r, http.StatusOK, pages.Organisations(p))
	return nil
}

func orgCountText(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// orgDetail reads a page of an organisation's page for acc. One that no decision the public
// may read names is not found by the public: drafters add organisations as they write, and a
// draft's funder or recipient is not the public's to know yet.
func (s *Server) orgDetail(r *http.Request, acc store.Access, o store.OrgRecord, q store.OrgPageQuery) (store.OrgDetail, error) {
	od, err := s.reader(r).OrganisationDetail(r.Context(), acc, o, q)
	if err != nil {
		return store.OrgDetail{}, err
	}
	if !acc.IsStaff() && od.Count == 0 {
		return store.OrgDetail{}, errOrgNotFound
	}
	return od, nil
}

// orgFromPath finds the organisation of the address's slug. A former slug, or a merged
// organisation's, moves permanently to the page it now has (with the same suffix: .csv, .atom).
func (s *Server) orgFromPath(w http.ResponseWriter, r *http.Request, suffix string) (store.OrgRecord, bool, error) {
	slug := chi.URLParam(r, "slug")
	if !decision.ValidSlug(slug) {
		return store.OrgRecord{}, false, errOrgNotFound
	}
	o, moved, err := s.reader(r).OrganisationBySlug(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) {
		return store.OrgRecord{}, false, errOrgNotFound
	}
	if err != nil {
		return store.OrgRecord{}, false, err
	}
	if moved {
		to := o.Slug
		if o.MergedInto != nil {
			to = *o.MergedInto
		}
		http.Redirect(w, r, "/organisations/"+to+suffix, http.StatusMovedPermanently)
		return store.OrgRecord{}, true, nil
	}
	return o, false, nil
}

var errOrgNotFound = &pageError{
	Status:  http.StatusNotFound,
	Heading: "Organisation not found",
	Message: "The register names no organisation at this address.",
	Links:   []pages.ErrorLink{{Href: "/organisations", Text: "See all organisations"}},
}

// orgCursorQuery is what an organisation's page cursors are made for, so one made for
// another organisation's page is refused.
func orgCursorQuery(slug string) search.Query {
	return search.Query{Sort: search.SortNewest, Funder: slug}
}

// orgPageURL is the address of the page of an organisation's decisions from cursor c.
func orgPageURL(slug string, c *search.Cursor) string {
	if c == nil {
		return "/organisations/" + slug
	}
	return "/organisations/" + slug + "?cursor=" + search.EncodeCursor(*c, orgCursorQuery(slug))
}

// handleOrganisation is an organisation's page: its totals and years, and one page of the
// decisions naming it (orgPageSize, by cursor). The public's first page is kept in the page
// cache, like a decision's, for as long as the register's state is the same.
func (s *Server) handleOrganisation(w http.ResponseWriter, r *http.Request) error {
	o, done, err := s.orgFromPath(w, r, "")
	if done || err != nil {
		return err
	}
	q := store.OrgPageQuery{Limit: orgPageSize}
	if raw := r.URL.Query().Get("cursor"); raw != "" {
		c, err := search.DecodeCursor(raw, orgCursorQuery(o.Slug))
		if err != nil {
			return &pageError{Status: http.StatusBadRequest, Heading: "There is a problem with the address",
				Message: "This page of the organisation's decisions is not one the register made.",
				Links:   []pages.ErrorLink{{Href: "/organisations/" + o.Slug, Text: "See " + o.Name + "'s first page"}}}
		}
		q.Cursor = &c
	}
	public := userFrom(r) == nil
	now := s.now()
	var key pageKey
	cacheName := "organisations/" + o.Slug
	if public {
		if key, now, err = s.publicKey(r.Context(), ""); err != nil {
			return err
		}
		if q.Cursor == nil {
			if p, ok := s.pages.Get(cacheName, key, now); ok {
				s.serveCached(w, r, p)
				return nil
			}
		}
	}
	acc := s.access(r)
	if public {
		acc = store.Public(now)
	}
	od, err := s.orgDetail(r, acc, o, q)
	if err != nil {
		return err
	}
	p := s.orgProps(r, od)
	if !public || q.Cursor != nil {
		s.render(w, r, http.StatusOK, pages.Organisation(p))
		return nil
	}
	etag, err := s.pageETag(p)
	if err != nil {
		return err
	}
	var html bytes.Buffer
	if err := pages.Organisation(p).Render(r.Context(), &html); err != nil {
		s.renderFailed(w, r, err)
		return nil
	}
	kept, err := s.pages.Put(cacheName, key, httpcache.Page{ETag: etag, Built: now,
		Modified: httpcache.Latest(key.state.ChangedAt, s.started)}, html.Bytes())
	if err != nil {
		return fmt.Errorf("keep page %s: %w", cacheName, err)
	}
	s.serveCached(w, r, kept)
	return nil
}

func (s *Server) orgProps(r *http.Request, od store.OrgDetail) pages.OrganisationProps {
	path := "/organisations/" + od.Slug
	p := pages.OrganisationProps{
		Page: s.page(r, od.Name, "organisations", path),
		Name: od.Name, OrgID: deref(od.OrgID), Merged: od.Merged,
		ThreeSixtyID: s.threeSixty.OrgIdentifier(deref(od.OrgID), od.ID),
		CSV:          path + ".csv", Atom: path + ".atom",
	}
	p.Page.Feed = p.Atom
	for _, d := range od.Decisions {
		row := pages.OrgDecisionRow{Href: "/decisions/" + d.Slug, Reference: d.Reference, Title: deref(d.Title),
			Date: formatDate(d.DateSigned), Role: orgRole(d), Given: orgAmount(d.GivenPence, d.Funder),
			Received: orgAmount(d.ReceivedPence, d.Recipient)}
		p.Decisions = append(p.Decisions, row)
	}
	p.Given, p.Received = decision.FormatPence(od.GivenPence), decision.FormatPence(od.ReceivedPence)
	p.Count = int(od.Count)
	if od.Prev != nil {
		p.Pages.Prev = orgPageURL(od.Slug, od.Prev)
	}
	if od.Next != nil {
		p.Pages.Next = orgPageURL(od.Slug, od.Next)
	}
	for _, y := range od.Years {
		row := pages.OrgYearRow{Year: "Not recorded", Kind: decision.KindLabel(y.Kind),
			Given: decision.FormatPence(y.GivenPence), Received: decision.FormatPence(y.ReceivedPence)}
		if y.FYStart != nil {
			row.Year = decision.FinancialYear(*y.FYStart).String()
			if y.FYEnd != nil {
				row.Year = decision.FinancialYearRange(decision.FinancialYear(*y.FYStart), decision.FinancialYear(*y.FYEnd))
			}
		}
		p.Years = append(p.Years, row)
	}
	p.Chains = orgChains(od)
	return p
}

func orgRole(d store.OrgDecision) string {
	switch {
	case d.Funder && d.Recipient:
		return "Funder and recipient"
	case d.Recipient:
		return "Recipient"
	default:
		return "Funder"
	}
}

// orgAmount is an amount in a decision's row: a dash when the organisation has no such part.
func orgAmount(p int64, part bool) string {
	if !part {
		return "–"
	}
	return decision.FormatPence(p)
}

// orgChains groups the chain decisions into chains (joined by "continues" links), each
// earliest first, the chains in the order of their earliest decision.
func orgChains(od store.OrgDetail) [][]pages.ChainStep {
	parent := map[int64]int64{}
	var find func(int64) int64
	find = func(x int64) int64 {
		if p, ok := parent[x]; ok && p != x {
			parent[x] = find(p)
			return parent[x]
		}
		parent[x] = x
		return x
	}
	for _, l := range od.ChainLinks {
		a, b := find(l.From), find(l.To)
		if a != b {
			parent[a] = b
		}
	}
	names := map[int64]bool{}
	for _, d := range od.Decisions {
		names[d.ID] = true
	}
	byRoot := map[int64][]store.DecisionSummary{}
	var roots []int64
	for _, d := range od.ChainDecisions {
		root := find(d.ID)
		if _, ok := byRoot[root]; !ok {
			roots = append(roots, root)
		}
		byRoot[root] = append(byRoot[root], d)
	}
	var chains [][]pages.ChainStep
	for _, root := range roots {
		ds := byRoot[root]
		if len(ds) < 2 {
			continue
		}
		// Earliest first: by date signed (unknown dates by number), as the chain reads.
		sort.SliceStable(ds, func(i, j int) bool { return chainBefore(ds[i], ds[j]) })
		var c []pages.ChainStep
		named := false
		for _, d := range ds {
			c = append(c, pages.ChainStep{Href: "/decisions/" + d.Slug, Reference: d.Reference, Names: names[d.ID]})
			named = named || names[d.ID]
		}
		if named {
			chains = append(chains, c)
		}
	}
	sort.SliceStable(chains, func(i, j int) bool { return chains[i][0].Reference < chains[j][0].Reference })
	return chains
}

func chainBefore(a, b store.DecisionSummary) bool {
	if a.DateSigned != nil && b.DateSigned != nil && !a.DateSigned.Equal(*b.DateSigned) {
		return a.DateSigned.Before(*b.DateSigned)
	}
	return a.Number < b.Number
}

// OrgCSVHeader names the columns of /organisations/{slug}.csv: one row a decision naming it.
var OrgCSVHeader = []string{"organisation", "org_id", "reference", "url", "title", "date_signed", "as",
	"given_pence", "given", "received_pence", "received", "status"}

func (s *Server) handleOrganisationCSV(w http.ResponseWriter, r *http.Request) error {
	o, done, err := s.orgFromPath(w, r, ".csv")
	if done || err != nil {
		return err
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return err
	}
	od, err := s.orgDetail(r, s.access(r), o, store.OrgPageQuery{})
	if err != nil {
		return err
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	cw.UseCRLF = true
	_ = cw.Write(OrgCSVHeader)
	for _, d := range od.Decisions {
		date := ""
		if d.DateSigned != nil {
			date = d.DateSigned.Format(time.DateOnly)
		}
		given, givenPounds, received, receivedPounds := "", "", "", ""
		if d.Funder {
			given, givenPounds = strconv.FormatInt(d.GivenPence, 10), poundsText(d.GivenPence)
		}
		if d.Recipient {
			received, receivedPounds = strconv.FormatInt(d.ReceivedPence, 10), poundsText(d.ReceivedPence)
		}
		_ = cw.Write([]string{csvText(o.Name), deref(o.OrgID), d.Reference, s.baseURL + "/decisions/" + d.Slug,
			csvText(deref(d.Title)), date, strings.ToLower(orgRole(d)), given, givenPounds, received, receivedPounds, d.Status})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
	h.Set("Content-Disposition", `attachment; filename="`+o.Slug+`.csv"`)
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
	return nil
}

func poundsText(p int64) string {
	return strconv.FormatInt(p/100, 10) + "." + fmt.Sprintf("%02d", p%100)
}

// handleOrganisationAtom is the newest atomSize decisions naming the organisation.
func (s *Server) handleOrganisationAtom(w http.ResponseWriter, r *http.Request) error {
	o, done, err := s.orgFromPath(w, r, ".atom")
	if done || err != nil {
		return err
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return err
	}
	od, err := s.orgDetail(r, s.access(r), o, store.OrgPageQuery{Limit: atomSize})
	if err != nil {
		return err
	}
	self := s.baseURL + "/organisations/" + o.Slug + ".atom"
	feed := atomFeed{
		ID: self, Title: "Decisions naming " + o.Name + " — " + s.ownerName, Author: atomPerson{Name: s.ownerName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: s.baseURL + "/organisations/" + o.Slug}},
	}
	var newest time.Time
	for i, d := range od.Decisions {
		if i == atomSize {
			break
		}
		if d.UpdatedAt.After(newest) {
			newest = d.UpdatedAt
		}
		e := atomEntry{ID: s.baseURL + "/decisions/" + d.Slug, Title: d.Reference, Updated: d.UpdatedAt.UTC().Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Type: "text/html", Href: s.baseURL + "/decisions/" + d.Slug}}
		if d.Title != nil {
			e.Title += ": " + *d.Title
		}
		if d.DateSigned != nil {
			e.Published = d.DateSigned.UTC().Format(time.RFC3339)
		}
		if d.Summary != nil {
			e.Summary = &atomText{Type: "text", Body: *d.Summary}
		}
		feed.Entries = append(feed.Entries, e)
	}
	if newest.IsZero() {
		newest = s.started
	}
	feed.Updated = newest.UTC().Format(time.RFC3339)
	return s.writeAtom(w, r, feed)
}

// orgHref is the address of the organisation page with slug, or "" for none.
func orgHref(slug *string) string {
	if slug == nil {
		return ""
	}
	return "/organisations/" + *slug
}

// addOrgNames gives a form with a funder or recipient field the names it suggests. Without
// them the field is a plain text field still, so a failure to read them is logged, not shown.
func (s *Server) addOrgNames(r *http.Request, p *pages.DraftFormProps) {
	for _, in := range p.Inputs {
		if in.Text != nil && in.Text.Options != "" {
			names, err := s.store.OrganisationNames(r.Context())
			if err != nil {
				s.log.WarnContext(r.Context(), "organisation names", "err", err)
				return
			}
			p.OrgNames = names
			return
		}
	}
}
