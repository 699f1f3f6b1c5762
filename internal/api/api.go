// Package api owns the register's JSON API (/api/v1/...): its handlers, the JSON it answers
// with, and its OpenAPI document. It reads through the store's Access like the pages, so it
// shows exactly what the list and the decision pages would show the same reader; the server
// mounts it in its routes and says who is asking.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/decision-register/decisions/internal/clientid"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
)

// Deps are what the API needs from the server.
type Deps struct {
	BaseURL string // the site's public address, without a trailing slash
	Log     *slog.Logger
	// Reader is the store that answers r's reads (the replica for the public), and what the
	// person asking may read.
	Reader func(r *http.Request) (*store.Store, store.Access)
	// NotModified gives an anonymous answer its validators, and answers 304 when the request's
	// match (the server's export ETag); slug is the one decision asked for, or "".
	NotModified func(w http.ResponseWriter, r *http.Request, slug string) (bool, error)
	// ServeError answers what the API cannot: a request whose client went away.
	ServeError func(w http.ResponseWriter, r *http.Request, err error)
}

// API serves /api/v1/.
type API struct {
	baseURL     string
	log         *slog.Logger
	reader      func(r *http.Request) (*store.Store, store.Access)
	notModified func(w http.ResponseWriter, r *http.Request, slug string) (bool, error)
	serveError  func(w http.ResponseWriter, r *http.Request, err error)
}

// New makes the API.
func New(d Deps) *API {
	return &API{baseURL: d.BaseURL, log: d.Log, reader: d.Reader, notModified: d.NotModified, serveError: d.ServeError}
}

// DefaultLimit is the decisions on a page of /api/v1/decisions when the request does not say:
// as many as on a page of /decisions, so the two page alike.
const DefaultLimit = 20

// retryAfter is the Retry-After of a 503, in seconds: a database restart takes about this long.
const retryAfter = "5"

// DecisionSummary is one decision in /api/v1/decisions.
type DecisionSummary struct {
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

// DecisionList is a page of /api/v1/decisions.
type DecisionList struct {
	Count       int               `json:"count"`
	CountCapped bool              `json:"count_capped"` // there are more than count
	Decisions   []DecisionSummary `json:"decisions"`
	Links       ListLinks         `json:"links"`
}

// ListLinks are the addresses of a list page and its neighbours.
type ListLinks struct {
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

// Decisions is GET /api/v1/decisions: a page of a search, as /decisions finds it.
func (a *API) Decisions(w http.ResponseWriter, r *http.Request) error {
	rd, acc := a.reader(r)
	q, err := search.Parse(search.ParamsOf(r.URL.Query()), acc.IsStaff())
	var errs search.Errors
	errors.As(err, &errs)
	limit, limitErr := apiLimit(r.URL.Query().Get("limit"))
	if limitErr != "" {
		errs = append(errs, search.FieldError{Field: "limit", Message: limitErr})
	}
	if len(errs) > 0 {
		a.writeJSON(w, r, http.StatusBadRequest, fieldErrors(errs))
		return nil
	}
	if err != nil {
		return a.fail(w, r, err)
	}
	if done, err := a.notModified(w, r, ""); done || err != nil {
		return a.failOrNil(w, r, err)
	}
	page, err := rd.Search(r.Context(), acc, q, limit)
	if err != nil {
		return a.fail(w, r, err)
	}
	// In the order the page came in: newest first when its words matched too many decisions
	// to rank, so the page's links keep that order.
	if page.Unranked {
		q.Sort = search.SortNewest
	}
	apiURL := func(c *search.Cursor) string {
		u := a.baseURL + q.URL("/api/v1/decisions", c)
		if limit == DefaultLimit {
			return u
		}
		sep := "?"
		if strings.Contains(u, "?") {
			sep = "&"
		}
		return u + sep + "limit=" + strconv.Itoa(limit)
	}
	out := DecisionList{Count: page.Count, CountCapped: page.Capped, Decisions: []DecisionSummary{},
		Links: ListLinks{Self: apiURL(q.Cursor), HTML: a.baseURL + q.URL("/decisions", q.Cursor)}}
	for _, d := range page.Results {
		out.Decisions = append(out.Decisions, DecisionSummary{
			Reference: d.Reference, Slug: d.Slug, URL: a.baseURL + "/decisions/" + d.Slug,
			APIURL: a.baseURL + "/api/v1/decisions/" + d.Slug, Title: d.Title, Summary: d.Summary,
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
	a.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// maxAPILimit bounds a page of the API: a hundred decisions is one query, and a client paging
// through the register needs a fifth of the requests (and of its rate limit) it needs at 20.
const maxAPILimit = 100

// apiLimit reads the API's page size: DefaultLimit when not given, else 1 to maxAPILimit.
func apiLimit(s string) (int, string) {
	if s == "" {
		return DefaultLimit, ""
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxAPILimit {
		return 0, "limit must be a whole number from 1 to " + strconv.Itoa(maxAPILimit)
	}
	return n, ""
}

// Decision is the whole of one decision as its reader may see it.
type Decision struct {
	Reference       string    `json:"reference"`
	Slug            string    `json:"slug"`
	URL             string    `json:"url"`
	Series          string    `json:"series"`
	Title           *string   `json:"title"`
	Summary         *string   `json:"summary"`
	TextSource      string    `json:"text_source"`
	Synthetic       bool      `json:"synthetic"` // made up by seed-synthetic, not a real decision
	Status          string    `json:"status"`
	DateSigned      *string   `json:"date_signed"`
	DatePublished   *string   `json:"date_published"`
	DecisionMaker   Person    `json:"decision_maker"`
	Funder          *string   `json:"funder"`
	SourceURL       *string   `json:"source_url"`
	Recommendations []string  `json:"recommendations"`
	Sections        []Section `json:"sections"`
	// PartTwoSHA256 is the salted hash Part II enters the canonical content as (null with no
	// Part II): Part II itself is withheld, and its hash is in the canonical bytes anyway.
	PartTwoSHA256 *string       `json:"part_two_sha256"`
	FundingLines  []FundingLine `json:"funding_lines"`
	TotalPence    *int64        `json:"total_pence"`
	Links         []Link        `json:"links"`
	Documents     []Document    `json:"documents"`
	Signoff       Signoff       `json:"signoff"`
	ContentHash   string        `json:"content_hash"`
	// Versions are its signed versions once it has been corrected (empty until then), and
	// Corrections the corrections that made them.
	Versions    []Version    `json:"versions"`
	Corrections []Correction `json:"corrections"`
	Withdrawal  *Withdrawal  `json:"withdrawal"`
}

// Version is one signed version of a decision, with its own hash and bytes.
type Version struct {
	Number       int       `json:"number"`
	ContentHash  string    `json:"content_hash"`
	SignedAt     time.Time `json:"signed_at"`
	URL          string    `json:"url"`
	CanonicalURL string    `json:"canonical_url"`
}

// Correction is an approved correction: the version it made, when, why and by whom.
type Correction struct {
	Version       int       `json:"version"`
	ApprovedAt    time.Time `json:"approved_at"`
	Reason        string    `json:"reason"`
	Typographical bool      `json:"typographical"`
	ApprovedBy    string    `json:"approved_by"`
}

// Withdrawal is when and why a decision was withdrawn.
type Withdrawal struct {
	Date   string `json:"date"`
	Reason string `json:"reason"`
}

// Document is one document of a decision: its SHA-256 is in the decision's content hash
// (supporting papers), and its bytes are at URL.
type Document struct {
	Kind      string `json:"kind"` // supporting, or signed: the signed decision document
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	URL       string `json:"url"`
}

// Person is a name and a role, either of which may be unknown.
type Person struct {
	Name *string `json:"name"`
	Role *string `json:"role"`
}

// Section is one section of a decision's body.
type Section struct {
	Part     int    `json:"part"`
	Position int    `json:"position"`
	Kind     string `json:"kind"`
	Heading  string `json:"heading"`
	Body     string `json:"body"`
}

// FundingLine is one amount, in pence, with its financial years as the site writes them.
type FundingLine struct {
	Position       int      `json:"position"`
	Funder         *string  `json:"funder"`
	Recipient      *string  `json:"recipient"`
	AmountPence    int64    `json:"amount_pence"`
	Currency       string   `json:"currency"`
	FinancialYears []string `json:"financial_years"`
	FYStart        *int     `json:"fy_start"` // the first financial year as the year it starts, as signed
	FYEnd          *int     `json:"fy_end"`
	Basis          string   `json:"basis"`
	Kind           string   `json:"kind"`
	Label          string   `json:"label"`
	PeriodText     *string  `json:"period_text"`
}

// Link is a typed link to another decision.
type Link struct {
	Kind      string  `json:"kind"`
	Direction string  `json:"direction"` // "to" when this decision makes the link, "from" otherwise
	Reference string  `json:"reference"`
	URL       string  `json:"url"`
	Title     *string `json:"title"`
}

// Signoff is the approvals a signature rests on, and the signature.
type Signoff struct {
	Approvals []Approval `json:"approvals"`
	Signature *Signature `json:"signature"`
	// HashMatches says whether the content hash now is the one signed (null when unsigned).
	HashMatches *bool `json:"hash_matches"`
}

// Approval is one adviser's live approval.
type Approval struct {
	Step        string    `json:"step"`
	StepName    string    `json:"step_name"`
	Statement   string    `json:"statement"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
	ContentHash string    `json:"content_hash"`
	OnBehalfOf  *string   `json:"on_behalf_of"` // whom they approved for under cover, or null
	Cover       *Cover    `json:"cover"`
}

// Signature is a decision maker's signature, or an imported record of one.
type Signature struct {
	Kind        string    `json:"kind"`
	Outcome     string    `json:"outcome"`
	SignerName  *string   `json:"signer_name"`
	SignerRole  *string   `json:"signer_role"`
	SignedAt    time.Time `json:"signed_at"`
	ContentHash string    `json:"content_hash"`
	OnBehalfOf  *string   `json:"on_behalf_of"` // whom they signed for under cover, or null
	Cover       *Cover    `json:"cover"`
}

// Cover is the cover someone acted under, as it was then: its London days, both included,
// and who set it.
type Cover struct {
	From  string `json:"from"`
	To    string `json:"to"`
	SetBy string `json:"set_by"`
}

// coverOf is the cover of an act for someone else, or nil.
func coverOf(from, to *time.Time, setBy *string) *Cover {
	if from == nil || to == nil || setBy == nil {
		return nil
	}
	return &Cover{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), SetBy: *setBy}
}

// Decision is GET /api/v1/decisions/{slug}: the whole of one decision as its reader may see it.
func (a *API) Decision(w http.ResponseWriter, r *http.Request) error {
	slug := chi.URLParam(r, "slug")
	if !decision.ValidSlug(slug) {
		return a.fail(w, r, store.ErrNotFound)
	}
	rd, acc := a.reader(r)
	d, err := rd.DecisionBySlug(r.Context(), acc, slug)
	if err != nil {
		return a.fail(w, r, err)
	}
	if done, err := a.notModified(w, r, slug); done || err != nil {
		return a.failOrNil(w, r, err)
	}
	v, err := rd.Verify(r.Context(), acc, slug)
	if err != nil {
		return a.fail(w, r, err)
	}
	out := Decision{
		Reference: d.Reference, Slug: d.Slug, URL: a.baseURL + "/decisions/" + d.Slug, Series: d.Series,
		Title: d.Title, Summary: d.Summary, TextSource: d.TextSource, Synthetic: d.Synthetic, Status: d.Status,
		DateSigned: dateString(d.DateSigned), DatePublished: dateString(d.DatePublished),
		DecisionMaker: Person{Name: d.DecisionMakerName, Role: d.DecisionMakerRole},
		Funder:        d.Funder, SourceURL: d.SourceURL, Recommendations: d.Recommendations,
		Sections: []Section{}, FundingLines: []FundingLine{}, Links: []Link{}, Documents: []Document{},
		Signoff:     Signoff{Approvals: []Approval{}},
		ContentHash: v.CurrentHash,
	}
	if v.PartTwoHash != "" {
		out.PartTwoSHA256 = &v.PartTwoHash
	}
	if out.Recommendations == nil {
		out.Recommendations = []string{}
	}
	for _, sec := range d.Sections {
		out.Sections = append(out.Sections, Section{Part: sec.Part, Position: sec.Position, Kind: sec.Kind, Heading: sec.Heading, Body: sec.Body})
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
		out.FundingLines = append(out.FundingLines, FundingLine{Position: f.Position, Funder: f.Funder, Recipient: f.Recipient,
			AmountPence: f.AmountPence, Currency: f.Currency, FinancialYears: years, FYStart: f.FYStart, FYEnd: f.FYEnd, Basis: f.Basis, Kind: f.Kind,
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
		out.Links = append(out.Links, Link{Kind: l.Kind, Direction: dir, Reference: l.Ref, URL: a.baseURL + "/decisions/" + l.Slug, Title: l.Title})
	}
	for _, doc := range d.Documents {
		out.Documents = append(out.Documents, Document{Kind: doc.Kind, Name: doc.Name, MediaType: doc.MediaType,
			Size: doc.Size, SHA256: doc.SHA256, URL: a.baseURL + "/decisions/" + d.Slug + "/documents/" + doc.SHA256})
	}
	for _, a := range v.Approvals {
		out.Signoff.Approvals = append(out.Signoff.Approvals, Approval{Step: a.StepKind, StepName: a.StepName,
			Statement: a.Statement, By: a.UserName, At: a.ActedAt, ContentHash: a.ContentHash,
			OnBehalfOf: a.OnBehalfName, Cover: coverOf(a.CoverStarts, a.CoverEnds, a.CoverSetBy)})
	}
	if g := v.Signature; g != nil {
		out.Signoff.Signature = &Signature{Kind: g.Kind, Outcome: g.Outcome, SignerName: g.SignerName,
			SignerRole: g.SignerRole, SignedAt: g.SignedAt, ContentHash: g.ContentHash,
			OnBehalfOf: g.OnBehalfName, Cover: coverOf(g.CoverStarts, g.CoverEnds, g.CoverSetBy)}
		if v.Checkable {
			m := v.Matches
			out.Signoff.HashMatches = &m
		}
	}
	out.Versions, out.Corrections = []Version{}, []Correction{}
	for _, ver := range v.Versions {
		u := a.baseURL + "/decisions/" + d.Slug + "/versions/" + strconv.Itoa(ver.Number)
		out.Versions = append(out.Versions, Version{Number: ver.Number, ContentHash: ver.ContentHash, SignedAt: ver.SignedAt.UTC(),
			URL: u, CanonicalURL: u + "/canonical"})
		if ver.Number > 1 {
			out.Corrections = append(out.Corrections, Correction{Version: ver.Number, ApprovedAt: ver.SignedAt.UTC(),
				Reason: deref(ver.Reason), Typographical: ver.Typographical, ApprovedBy: versionSigner(ver)})
		}
	}
	if d.Status == decision.StatusWithdrawn && d.WithdrawnAt != nil {
		out.Withdrawal = &Withdrawal{Date: d.WithdrawnAt.In(london()).Format(time.DateOnly), Reason: deref(d.WithdrawalReason)}
	}
	a.writeJSON(w, r, http.StatusOK, out)
	return nil
}

// Error is the body of an API response that failed.
type Error struct {
	Errors []FieldError `json:"errors"`
}

// FieldError is one problem, with the parameter it is about when there is one.
type FieldError struct {
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func fieldErrors(errs search.Errors) Error {
	out := Error{}
	for _, e := range errs {
		out.Errors = append(out.Errors, FieldError{Field: e.Field, Message: e.Message})
	}
	return out
}

// fail answers err in JSON: 404 for no such decision, 503 with Retry-After when the database
// is unavailable or slow, else 500, logged. It returns nil: the answer is given.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) error {
	if errors.Is(err, store.ErrNotFound) {
		a.writeJSON(w, r, http.StatusNotFound, Error{Errors: []FieldError{{Message: "There is no such decision in the register."}}})
		return nil
	}
	if errors.Is(r.Context().Err(), context.Canceled) {
		a.serveError(w, r, err) // the client went away: logged, with no one to answer
		return nil
	}
	if unavailable, busy := store.IsUnavailable(err), errors.Is(err, context.DeadlineExceeded) || store.IsTimeout(err); unavailable || busy {
		a.log.ErrorContext(r.Context(), "api: database unavailable or slow", "err", err, "request_id", clientid.RequestID(r.Context()))
		w.Header().Set("Retry-After", retryAfter)
		a.writeJSON(w, r, http.StatusServiceUnavailable, Error{Errors: []FieldError{{
			Message: "The register is temporarily unavailable. Try again in a few seconds."}}})
		return nil
	}
	a.log.ErrorContext(r.Context(), "api", "err", err)
	a.writeJSON(w, r, http.StatusInternalServerError, Error{Errors: []FieldError{{Message: "Something went wrong. Try again later."}}})
	return nil
}

// failOrNil answers err as fail does, when there is one.
func (a *API) failOrNil(w http.ResponseWriter, r *http.Request, err error) error {
	if err == nil {
		return nil
	}
	return a.fail(w, r, err)
}

//go:embed openapi.json
var openAPI []byte

// OpenAPI is GET /api/v1/openapi.json: the API's OpenAPI 3.1 document.
func (a *API) OpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(openAPI)
	return nil
}

// writeJSON writes v indented, as the API answers: never cached for a signed-in person, and
// revalidated by anyone else; an error takes back the validators given.
func (a *API) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		a.log.ErrorContext(r.Context(), "json", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)+1))
	if status >= 400 {
		httpcache.DropValidators(w)
	}
	if _, acc := a.reader(r); acc.IsStaff() {
		w.Header().Set("Cache-Control", "private, no-store")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// Refuse answers an API request the server refuses before it reaches the API (a rate limit),
// with status and message.
func (a *API) Refuse(w http.ResponseWriter, r *http.Request, status int, message string) {
	a.writeJSON(w, r, status, Error{Errors: []FieldError{{Message: message}}})
}

func lines(fs []store.FundingLine) []decision.Line {
	out := make([]decision.Line, len(fs))
	for i, f := range fs {
		out[i] = decision.Line{AmountPence: f.AmountPence, Kind: f.Kind, Basis: f.Basis, FYStart: f.FYStart, FYEnd: f.FYEnd}
	}
	return out
}

// versionSigner is who approved a version: "name, role" when both are recorded.
func versionSigner(v store.Version) string {
	name := deref(v.SignerName)
	if role := deref(v.SignerRole); name != "" && role != "" {
		return name + ", " + role
	}
	return name
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// london is where the register's dates are: a withdrawal's date is London's.
var london = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return loc
})
