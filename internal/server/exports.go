package server

import (
	"context"
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

// The open data: the same search as /decisions, as CSV, JSON and Atom. Each reads through the
// store's Access like the page, so it shows exactly what the page would show the same reader.

const atomSize = 50

// exportQuery parses the search parameters of an export. A cursor going back makes no sense
// in a download, so only cursors going forward are kept.
func exportQuery(r *http.Request, acc store.Access) (search.Query, error) {
	q, err := search.Parse(search.ParamsOf(r.URL.Query()), acc.IsStaff())
	if err != nil {
		return q, err
	}
	if q.Cursor != nil && q.Cursor.Back {
		q.Cursor = nil
	}
	return q, nil
}

// plainBadRequest answers a bad export query in words, one line a field.
func plainBadRequest(w http.ResponseWriter, errs search.Errors) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	for _, e := range errs {
		_, _ = w.Write([]byte(e.Field + ": " + e.Message + "\n"))
	}
}

// CSVHeader names the columns of /decisions.csv.
var CSVHeader = []string{"reference", "url", "title", "summary", "date_signed", "decision_maker", "funder",
	"series", "status", "total_pence", "total", "financial_years", "synthetic"}

// handleDecisionsCSV streams every match (up to store.MaxExportRows) as RFC 4180 CSV, row by
// row as the database sends them.
func (s *Server) handleDecisionsCSV(w http.ResponseWriter, r *http.Request) error {
	acc := s.access(r)
	q, err := exportQuery(r, acc)
	var errs search.Errors
	if errors.As(err, &errs) {
		plainBadRequest(w, errs)
		return nil
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
	h.Set("Content-Disposition", `attachment; filename="decisions.csv"`)
	s.cacheHeaders(w, r)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	started := false
	n := 0
	err = s.reader(r).SearchEach(r.Context(), acc, q, store.MaxExportRows, func(row store.ExportRow) error {
		if !started {
			w.WriteHeader(http.StatusOK)
			started = true
			if err := cw.Write(CSVHeader); err != nil {
				return err
			}
		}
		total, pounds := "", ""
		if row.TotalPence != nil {
			total, pounds = strconv.FormatInt(*row.TotalPence, 10), search.PoundsText(*row.TotalPence)
		}
		date := ""
		if row.DateSigned != nil {
			date = row.DateSigned.Format(time.DateOnly)
		}
		if err := cw.Write([]string{row.Reference, s.baseURL + "/decisions/" + row.Slug, csvText(deref(row.Title)),
			csvText(deref(row.Summary)), date, csvText(deref(row.DecisionMakerName)), csvText(deref(row.Funder)),
			row.Series, row.Status, total, pounds, row.FinancialYears, strconv.FormatBool(row.Synthetic)}); err != nil {
			return err
		}
		if n++; n%200 == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if err != nil && !started {
		return err
	}
	if err != nil {
		s.abortDownload(r, "csv export failed midway", err, n)
	}
	if !started {
		w.WriteHeader(http.StatusOK)
		_ = cw.Write(CSVHeader)
	}
	cw.Flush()
	return nil
}

// abortDownload ends a download that failed after its 200 was decided. Part of the file may
// have gone, and ending the response normally would pass it off as the whole: the panic makes
// net/http drop the connection without the end of the chunked body (an HTTP/2 stream is
// reset), so every client sees a broken transfer. recoverPanics passes this panic on.
func (s *Server) abortDownload(r *http.Request, msg string, err error, rows int) {
	s.log.ErrorContext(r.Context(), msg, "err", err, "rows", rows, "request_id", clientid.RequestID(r.Context()),
		"path", r.URL.Path)
	panic(http.ErrAbortHandler)
}

// csvText keeps a spreadsheet from running text as a formula (CSV injection, OWASP): text that
// starts with =, +, -, @ (or their full-width forms), a tab or a carriage return, after any
// spaces, gets a leading apostrophe, which spreadsheets show as text and hide. Only the
// free-text columns are touched; the JSON API gives every value exactly as it is held.
func csvText(v string) string {
	if strings.HasPrefix(v, "\t") || strings.HasPrefix(v, "\r") {
		return "'" + v
	}
	if r, _ := utf8.DecodeRuneInString(strings.TrimLeft(v, " ")); strings.ContainsRune("=+-@＝＋－＠", r) {
		return "'" + v
	}
	return v
}

// APIDecisionSummary is one decision in /api/v1/decisions.
type APIDecisionSummary struct {
	Reference     string  `json:"reference"`
	Slug          string  `json:"slug"`
	URL           string  `json:"url"`
	APIURL        string  `json:"api_url"`
	Title         *string `json:"title"`
	Summary       *string `json:"summary"`
	DateSigned    *string `json:"date_signed"`
	DecisionMaker *string `json:"decision_maker"`
	Funder        *string `json:"funder"`
	Series        string  `json:"series"`
	Status        string  `json:"status"`
	TotalPence    *int64  `json:"total_pence"`
	Synthetic     bool    `json:"synthetic"` // made up by seed-synthetic, not a real decision
}

// APIDecisionList is a page of /api/v1/decisions.
type APIDecisionList struct {
	Count       int                  `json:"count"`
	CountCapped bool                 `json:"count_capped"` // there are more than count
	Decisions   []APIDecisionSummary `json:"decisions"`
	Links       APIListLinks         `json:"links"`
}

// APIListLinks are the addresses of a list page and its neighbours.
type APIListLinks struct {
	Self string  `json:"self"`
	HTML string  `json:"html"`
	Next *string `json:"next"`
	Prev *string `json:"prev"`
}

func dateString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func (s *Server) handleAPIDecisions(w http.ResponseWriter, r *http.Request) error {
	acc := s.access(r)
	q, err := search.Parse(search.ParamsOf(r.URL.Query()), acc.IsStaff())
	var errs search.Errors
	errors.As(err, &errs)
	limit, limitErr := apiLimit(r.URL.Query().Get("limit"))
	if limitErr != "" {
		errs = append(errs, search.FieldError{Field: "limit", Message: limitErr})
	}
	if len(errs) > 0 {
		s.writeJSON(w, r, http.StatusBadRequest, apiErrors(errs))
		return nil
	}
	if err != nil {
		return s.apiError(w, r, err)
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return s.apiErrorOrNil(w, r, err)
	}
	page, err := s.reader(r).Search(r.Context(), acc, q, limit)
	if err != nil {
		return s.apiError(w, r, err)
	}
	q = orderedAs(q, page)
	apiURL := func(c *search.Cursor) string {
		u := s.baseURL + searchURL("/api/v1/decisions", q, c)
		if limit == pageSize {
			return u
		}
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		return u + sep + "limit=" + strconv.Itoa(limit)
	}
	out := APIDecisionList{Count: page.Count, CountCapped: page.Capped, Decisions: []APIDecisionSummary{},
		Links: APIListLinks{Self: apiURL(q.Cursor), HTML: s.baseURL + searchURL("/decisions", q, q.Cursor)}}
	for _, d := range page.Results {
		out.Decisions = append(out.Decisions, APIDecisionSummary{
			Reference: d.Reference, Slug: d.Slug, URL: s.baseURL + "/decisions/" + d.Slug,
			APIURL: s.baseURL + "/api/v1/decisions/" + d.Slug, Title: d.Title, Summary: d.Summary,
			DateSigned: dateString(d.DateSigned), DecisionMaker: d.DecisionMakerName, Funder: d.Funder,
			Series: d.Series, Status: d.Status, TotalPence: d.TotalPence, Synthetic: d.Synthetic,
		})
	}
	if page.Next != nil {
		u := apiURL(page.Next)
		out.Links.Next = &u
	}
	if page.Prev != nil {
		u := apiURL(page.Prev)
		out.Links.Prev = &u
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// maxAPILimit bounds a page of the API: a hundred decisions is one query, and a client paging
// through the register needs a fifth of the requests (and of its rate limit) it needs at 20.
const maxAPILimit = 100

// apiLimit reads the API's page size: pageSize when not given, else 1 to maxAPILimit.
func apiLimit(s string) (int, string) {
	if s == "" {
		return pageSize, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxAPILimit {
		return 0, "limit must be a whole number from 1 to " + strconv.Itoa(maxAPILimit)
	}
	return n, ""
}

// APIDecision is the whole of one decision as its reader may see it.
type APIDecision struct {
	Reference       string           `json:"reference"`
	Slug            string           `json:"slug"`
	URL             string           `json:"url"`
	Series          string           `json:"series"`
	Title           *string          `json:"title"`
	Summary         *string          `json:"summary"`
	TextSource      string           `json:"text_source"`
	Synthetic       bool             `json:"synthetic"` // made up by seed-synthetic, not a real decision
	Status          string           `json:"status"`
	DateSigned      *string          `json:"date_signed"`
	DatePublished   *string          `json:"date_published"`
	DecisionMaker   APIPerson        `json:"decision_maker"`
	Funder          *string          `json:"funder"`
	SourceURL       *string          `json:"source_url"`
	Recommendations []string         `json:"recommendations"`
	Sections        []APISection     `json:"sections"`
	FundingLines    []APIFundingLine `json:"funding_lines"`
	TotalPence      *int64           `json:"total_pence"`
	Links           []APILink        `json:"links"`
	Documents       []APIDocument    `json:"documents"`
	Signoff         APISignoff       `json:"signoff"`
	ContentHash     string           `json:"content_hash"`
	// Versions are its signed versions once it has been corrected (empty until then), and
	// Corrections the corrections that made them.
	Versions    []APIVersion    `json:"versions"`
	Corrections []APICorrection `json:"corrections"`
	Withdrawal  *APIWithdrawal  `json:"withdrawal"`
}

// APIVersion is one signed version of a decision, with its own hash and bytes.
type APIVersion struct {
	Number       int       `json:"number"`
	ContentHash  string    `json:"content_hash"`
	SignedAt     time.Time `json:"signed_at"`
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
}

// APICorrection is an approved correction: the version it made, when, why and by whom.
type APICorrection struct {
	Version       int       `json:"version"`
	ApprovedAt    time.Time `json:"approved_at"`
	Reason        string    `json:"reason"`
	Typographical bool      `json:"typographical"`
	ApprovedBy    string    `json:"approved_by"`
}

// APIWithdrawal is when and why a decision was withdrawn.
type APIWithdrawal struct {
	Date   string `json:"date"`
	Reason string `json:"reason"`
}

// APIDocument is one document of a decision: its SHA-256 is in the decision's content hash
// (supporting papers), and its bytes are at URL.
type APIDocument struct {
	Kind      string `json:"kind"` // supporting, or signed: the signed decision document
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
}

// APIPerson is a name and a role, either of which may be unknown.
type APIPerson struct {
	Name *string `json:"name"`
	Role *string `json:"role"`
}

// APISection is one section of a decision's body.
type APISection struct {
	Part     int    `json:"part"`
	Position int    `json:"position"`
	Kind     string `json:"kind"`
	Heading  string `json:"heading"`
	Body     string `json:"body"`
}

// APIFundingLine is one amount, in pence, with its financial years as the site writes them.
type APIFundingLine struct {
	Position       int      `json:"position"`
	Funder         *string  `json:"funder"`
	Recipient      *string  `json:"recipient"`
	AmountPence    int64    `json:"amount_pence"`
	Currency       string   `json:"currency"`
	FinancialYears []string `json:"financial_years"`
	Basis          string   `json:"basis"`
	Kind           string   `json:"kind"`
	Label          string   `json:"label"`
	PeriodText     *string  `json:"period_text"`
}

// APILink is a typed link to another decision.
type APILink struct {
	Kind      string  `json:"kind"`
	Direction string  `json:"direction"` // "to" when this decision makes the link, "from" otherwise
	Reference string  `json:"reference"`
	URL       string  `json:"url"`
	Title     *string `json:"title"`
}

// APISignoff is the approvals a signature rests on, and the signature.
type APISignoff struct {
	Approvals []APIApproval `json:"approvals"`
	Signature *APISignature `json:"signature"`
	// HashMatches says whether the content hash now is the one signed (null when unsigned).
	HashMatches *bool `json:"hash_matches"`
}

// APIApproval is one adviser's live approval.
type APIApproval struct {
	Step        string    `json:"step"`
	StepName    string    `json:"step_name"`
	Statement   string    `json:"statement"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
	ContentHash string    `json:"content_hash"`
}

// APISignature is a decision maker's signature, or an imported record of one.
type APISignature struct {
	Kind        string    `json:"kind"`
	Outcome     string    `json:"outcome"`
	SignerName  *string   `json:"signer_name"`
	SignerRole  *string   `json:"signer_role"`
	SignedAt    time.Time `json:"signed_at"`
	ContentHash string    `json:"content_hash"`
}

func (s *Server) handleAPIDecision(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	if !decision.ValidSlug(slug) {
		return s.apiError(w, r, store.ErrNotFound)
	}
	acc := s.access(r)
	d, err := s.reader(r).DecisionBySlug(r.Context(), acc, slug)
	if err != nil {
		return s.apiError(w, r, err)
	}
	if done, err := s.exportNotModified(w, r, slug); done || err != nil {
		return s.apiErrorOrNil(w, r, err)
	}
	v, err := s.reader(r).Verify(r.Context(), acc, slug)
	if err != nil {
		return s.apiError(w, r, err)
	}
	out := APIDecision{
		Reference: d.Reference, Slug: d.Slug, URL: s.baseURL + "/decisions/" + d.Slug, Series: d.Series,
		Title: d.Title, Summary: d.Summary, TextSource: d.TextSource, Synthetic: d.Synthetic, Status: d.Status,
		DateSigned: dateString(d.DateSigned), DatePublished: dateString(d.DatePublished),
		DecisionMaker: APIPerson{Name: d.DecisionMakerName, Role: d.DecisionMakerRole},
		Funder:        d.Funder, SourceURL: d.SourceURL, Recommendations: d.Recommendations,
		Sections: []APISection{}, FundingLines: []APIFundingLine{}, Links: []APILink{}, Documents: []APIDocument{},
		Signoff:     APISignoff{Approvals: []APIApproval{}},
		ContentHash: v.CurrentHash,
	}
	if out.Recommendations == nil {
		out.Recommendations = []string{}
	}
	for _, sec := range d.Sections {
		out.Sections = append(out.Sections, APISection{Part: sec.Part, Position: sec.Position, Kind: sec.Kind, Heading: sec.Heading, Body: sec.Body})
	}
	for _, f := range d.Funding {
		years := []string{}
		if f.FYStart != nil {
			end := *f.FYStart
			if f.FYEnd != nil {
				end = *f.FYEnd
			}
			for y := *f.FYStart; y <= end; y++ {
				years = append(years, decision.FinancialYear(y).String())
			}
		}
		out.FundingLines = append(out.FundingLines, APIFundingLine{Position: f.Position, Funder: f.Funder, Recipient: f.Recipient,
			AmountPence: f.AmountPence, Currency: f.Currency, FinancialYears: years, Basis: f.Basis, Kind: f.Kind,
			Label: f.Label, PeriodText: f.PeriodText})
	}
	if t := decision.TotalOf(lines(d.Funding)); t.Known {
		out.TotalPence = &t.Pence
	}
	for _, l := range d.Links {
		dir := "from"
		if l.Outgoing {
			dir = "to"
		}
		out.Links = append(out.Links, APILink{Kind: l.Kind, Direction: dir, Reference: l.Ref, URL: s.baseURL + "/decisions/" + l.Slug, Title: l.Title})
	}
	for _, doc := range d.Documents {
		out.Documents = append(out.Documents, APIDocument{Kind: doc.Kind, Name: doc.Name, MediaType: doc.MediaType,
			Size: doc.Size, SHA256: doc.SHA256, URL: s.baseURL + documentURL(d.Slug, doc.SHA256)})
	}
	for _, a := range v.Approvals {
		out.Signoff.Approvals = append(out.Signoff.Approvals, APIApproval{Step: a.StepKind, StepName: a.StepName,
			Statement: a.Statement, By: a.UserName, At: a.ActedAt, ContentHash: a.ContentHash})
	}
	if g := v.Signature; g != nil {
		out.Signoff.Signature = &APISignature{Kind: g.Kind, Outcome: g.Outcome, SignerName: g.SignerName,
			SignerRole: g.SignerRole, SignedAt: g.SignedAt, ContentHash: g.ContentHash}
		if v.Checkable {
			m := v.Matches
			out.Signoff.HashMatches = &m
		}
	}
	out.Versions, out.Corrections = []APIVersion{}, []APICorrection{}
	for _, ver := range v.Versions {
		u := s.baseURL + versionURL(d.Slug, ver.Number)
		out.Versions = append(out.Versions, APIVersion{Number: ver.Number, ContentHash: ver.ContentHash, SignedAt: ver.SignedAt.UTC(),
			URL: u, CanonicalURL: u + "/canonical"})
		if ver.Number > 1 {
			out.Corrections = append(out.Corrections, APICorrection{Version: ver.Number, ApprovedAt: ver.SignedAt.UTC(),
				Reason: deref(ver.Reason), Typographical: ver.Typographical, ApprovedBy: versionSigner(ver)})
		}
	}
	if d.Status == decision.StatusWithdrawn && d.WithdrawnAt != nil {
		out.Withdrawal = &APIWithdrawal{Date: d.WithdrawnAt.In(london()).Format(time.DateOnly), Reason: deref(d.WithdrawalReason)}
	}
	s.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// APIError is the body of an API response that failed.
type APIError struct {
	Errors []APIFieldError `json:"errors"`
}

// APIFieldError is one problem, with the parameter it is about when there is one.
type APIFieldError struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func apiErrors(errs search.Errors) APIError {
	out := APIError{}
	for _, e := range errs {
		out.Errors = append(out.Errors, APIFieldError{Field: e.Field, Message: e.Message})
	}
	return out
}

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		s.writeJSON(w, r, http.StatusNotFound, APIError{Errors: []APIFieldError{{Message: "There is no such decision in the register."}}})
		return nil
	}
	if errors.Is(r.Context().Err(), context.Canceled) {
		s.serveError(w, r, err) // the client went away: logged, with no one to answer
		return nil
	}
	if unavailable, busy := store.IsUnavailable(err), errors.Is(err, context.DeadlineExceeded) || store.IsTimeout(err); unavailable || busy {
		s.log.ErrorContext(r.Context(), "api: database unavailable or slow", "err", err, "request_id", clientid.RequestID(r.Context()))
		w.Header().Set("Retry-After", retryAfter)
		s.writeJSON(w, r, http.StatusServiceUnavailable, APIError{Errors: []APIFieldError{{
			Message: "The register is temporarily unavailable. Try again in a few seconds."}}})
		return nil
	}
	s.log.ErrorContext(r.Context(), "api", "err", err)
	s.writeJSON(w, r, http.StatusInternalServerError, APIError{Errors: []APIFieldError{{Message: "Something went wrong. Try again later."}}})
	return nil
}

// apiErrorOrNil answers err as apiError does, when there is one.
func (s *Server) apiErrorOrNil(w http.ResponseWriter, r *http.Request, err error) error {
	if err == nil {
		return nil
	}
	return s.apiError(w, r, err)
}

func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.log.ErrorContext(r.Context(), "json", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	if status >= 400 {
		httpcache.DropValidators(w)
	}
	s.cacheHeaders(w, r)
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID      string `xml:"id"`
	Title   string `xml:"title"`
	Updated string `xml:"updated"`
	// Published is the date signed, when it is recorded; Updated is the record's last change.
	Published string    `xml:"published,omitempty"`
	Link      atomLink  `xml:"link"`
	Summary   *atomText `xml:"summary,omitempty"`
	Content   *atomText `xml:"content,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// handleDecisionsAtom is the newest atomSize decisions of a search: a feed per search, per
// funder, per decision maker.
func (s *Server) handleDecisionsAtom(w http.ResponseWriter, r *http.Request) error {
	acc := s.access(r)
	q, err := exportQuery(r, acc)
	var errs search.Errors
	if errors.As(err, &errs) {
		plainBadRequest(w, errs)
		return nil
	}
	if done, err := s.exportNotModified(w, r, ""); done || err != nil {
		return err
	}
	q.Sort, q.Cursor, q.KeepWithdrawn = search.SortNewest, nil, true
	page, err := s.reader(r).Search(r.Context(), acc, q, atomSize)
	if err != nil {
		return err
	}
	ids := make([]int64, len(page.Results))
	for i, d := range page.Results {
		ids[i] = d.ID
	}
	notes, err := s.reader(r).ChangeNotes(r.Context(), ids)
	if err != nil {
		return err
	}
	title := "Decisions"
	if q.Q != "" {
		title = "Decisions matching “" + q.Q + "”"
	}
	for _, t := range filterTags(q) {
		title += ", " + strings.ToLower(t.Text[:1]) + t.Text[1:]
	}
	self := s.baseURL + searchURL("/decisions.atom", q, nil)
	feed := atomFeed{
		ID: self, Title: title + " — " + s.ownerName, Author: atomPerson{Name: s.ownerName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "text/html", Href: s.baseURL + searchURL("/decisions", q, nil)},
			// The signed checkpoints of the audit trail, for mirrors (checkpoints.go).
			{Rel: "related", Type: "application/atom+xml", Href: s.baseURL + "/checkpoints.atom"}},
	}
	var newest time.Time
	for _, d := range page.Results {
		if d.UpdatedAt.After(newest) {
			newest = d.UpdatedAt
		}
		e := atomEntry{
			ID:      s.baseURL + "/decisions/" + d.Slug,
			Title:   d.Reference,
			Updated: d.UpdatedAt.UTC().Format(time.RFC3339),
			Link:    atomLink{Rel: "alternate", Type: "text/html", Href: s.baseURL + "/decisions/" + d.Slug},
		}
		if d.DateSigned != nil {
			e.Published = d.DateSigned.Format(time.DateOnly) + "T00:00:00Z"
		}
		if d.Title != nil {
			e.Title += ": " + *d.Title
		}
		if d.Summary != nil {
			e.Summary = &atomText{Type: "text", Body: *d.Summary}
		}
		atomChange(&e, notes[d.ID])
		feed.Entries = append(feed.Entries, e)
	}
	if newest.IsZero() {
		newest = s.now()
	}
	feed.Updated = newest.UTC().Format(time.RFC3339)
	return s.writeAtom(w, r, feed)
}

// writeAtom sends an Atom feed.
func (s *Server) writeAtom(w http.ResponseWriter, r *http.Request, feed atomFeed) error {
	b, err := xml.MarshalIndent(feed, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
	return nil
}

// atomChange updates a feed entry with its decision's withdrawal or latest correction: the
// entry's updated time moved with it (the decision's updated_at), and its summary says why.
func atomChange(e *atomEntry, n store.ChangeNote) {
	var notes []string
	if n.WithdrawnAt != nil {
		e.Title = "Withdrawn: " + e.Title
		notes = append(notes, "Withdrawn on "+formatLondonDay(*n.WithdrawnAt)+": "+deref(n.WithdrawalReason))
	}
	if n.CorrectedAt != nil {
		if n.WithdrawnAt == nil {
			e.Title = "Corrected: " + e.Title // a withdrawal is the later news, and its title says so
		}
		notes = append(notes, "Corrected on "+formatLondonDay(*n.CorrectedAt)+": "+deref(n.CorrectionReason))
	}
	if len(notes) == 0 {
		return
	}
	body := strings.Join(notes, "\n")
	if e.Summary != nil {
		body += "\n\n" + e.Summary.Body
	}
	e.Summary = &atomText{Type: "text", Body: body}
}

//go:embed openapi.json
var openAPI []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPI)
	return nil
}
