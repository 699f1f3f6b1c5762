// Package search owns the query language of the register's lists, pages and exports: the URL
// parameters (q, fy, maker, funder, series, status, min, max, from, to, sort, cursor), their
// validation into per-field messages, and the opaque cursor that keyset pagination seeks from.
// It does no I/O.
package search

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/decision-register/decisions/internal/decision"
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortNewest    = "newest"
	SortAmount    = "amount"
)

// Statuses a member of staff may filter by.
var Statuses = []string{"draft", "awaiting_signoff", "approved", "published", "rejected", "withdrawn", "discarded"}

const (
	// MaxQueryRunes bounds the search text.
	MaxQueryRunes = 200
	// maxNameRunes bounds a decision maker's or funder's name.
	maxNameRunes = 200
)

// Query is a validated search: words, filters, an order and where to start.
type Query struct {
	Q        string // search words, normalised; "" for all decisions
	FY       *decision.FinancialYear
	Maker    string
	Funder   string
	Series   string
	Status   string // staff only
	MinPence *int64
	MaxPence *int64
	From, To *time.Time
	Sort     string // always set: relevance with words, else newest
	Cursor   *Cursor
	// KeepWithdrawn keeps withdrawn decisions in a list with no words or filters, which
	// otherwise leaves them out; the feeds set it, so their readers see a withdrawal. Never
	// from a URL.
	KeepWithdrawn bool
	// RankLimit, when above zero, replaces the store's bound on how many matches a search
	// ranks by relevance (store.DefaultRankLimit). Not a URL parameter: for tests.
	RankLimit int
	// CandidateLimit, when not zero, replaces the store's bound on the decisions a page of
	// words with filters may collect by its filters first (store.FiltersFirstLimit); below
	// zero, never. Not a URL parameter: for tests.
	CandidateLimit int
	// FacetWalk, when not zero, replaces the store's choice of walking a financial year's or a
	// funder's decisions newest first by their own index (store.FacetDensity): above zero,
	// whenever the query has such a facet; below zero, never. Not a URL parameter: for tests.
	FacetWalk int
}

// FieldError is what is wrong with one parameter.
type FieldError struct {
	Field   string // the URL parameter, also the form field's id
	Message string
}

// Errors are the problems of a query, in the order of the form's fields.
type Errors []FieldError

func (e Errors) Error() string {
	msgs := make([]string, len(e))
	for i, f := range e {
		msgs[i] = f.Field + ": " + f.Message
	}
	return strings.Join(msgs, "; ")
}

// For returns the message for a field, or "".
func (e Errors) For(field string) string {
	for _, f := range e {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

// Params are the raw parameters as typed, kept to show the form back.
type Params struct {
	Q, FY, Maker, Funder, Series, Status, Min, Max, From, To, Sort, Cursor string
}

// ParamsOf reads the parameters of a URL query. Only the first value of each counts.
func ParamsOf(v url.Values) Params {
	return Params{
		Q: v.Get("q"), FY: v.Get("fy"), Maker: v.Get("maker"), Funder: v.Get("funder"),
		Series: v.Get("series"), Status: v.Get("status"), Min: v.Get("min"), Max: v.Get("max"),
		From: v.Get("from"), To: v.Get("to"), Sort: v.Get("sort"), Cursor: v.Get("cursor"),
	}
}

// Parse validates parameters into a Query. staff says whether the reader may filter by status.
// Errors are returned as Errors, one per bad field.
func Parse(p Params, staff bool) (Query, error) {
	var q Query
	var errs Errors
	bad := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }

	if msg := checkText(p.Q, MaxQueryRunes, "Search text"); msg != "" {
		bad("q", msg)
	} else {
		q.Q = clean(p.Q)
	}
	if s := strings.TrimSpace(p.FY); s != "" {
		if y, err := decision.ParseFinancialYear(s); err != nil {
			bad("fy", "Enter a financial year like 2024-25")
		} else {
			q.FY = &y
		}
	}
	if msg := checkText(p.Maker, maxNameRunes, "Decision maker"); msg != "" {
		bad("maker", msg)
	} else {
		q.Maker = clean(p.Maker)
	}
	if msg := checkText(p.Funder, maxNameRunes, "Funder"); msg != "" {
		bad("funder", msg)
	} else {
		q.Funder = clean(p.Funder)
	}
	if s := strings.ToUpper(strings.TrimSpace(p.Series)); s != "" {
		if !validSeries(s) {
			bad("series", "Series must be 1 to 8 letters, like PCD")
		} else {
			q.Series = s
		}
	}
	if s := strings.TrimSpace(p.Status); s != "" {
		switch {
		case !staff && s == "published":
			// The public sees published decisions only: asking for them is asking for all.
		case !staff:
			bad("status", "Only staff can filter by status")
		case !isStatus(s):
			bad("status", "Choose a status from the list")
		default:
			q.Status = s
		}
	}
	q.MinPence = parsePounds(p.Min, "min", "Minimum amount", bad)
	q.MaxPence = parsePounds(p.Max, "max", "Maximum amount", bad)
	if q.MinPence != nil && q.MaxPence != nil && *q.MinPence > *q.MaxPence {
		bad("max", "Maximum amount must be the same as or more than the minimum")
	}
	q.From = parseDate(p.From, "from", "Signed from", bad)
	q.To = parseDate(p.To, "to", "Signed to", bad)
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		bad("to", "Signed to must be the same as or after signed from")
	}
	switch s := strings.TrimSpace(p.Sort); s {
	case "":
		q.Sort = SortNewest
		if q.Q != "" {
			q.Sort = SortRelevance
		}
	case SortRelevance, SortNewest, SortAmount:
		q.Sort = s
		if s == SortRelevance && q.Q == "" {
			// With no words every decision is equally relevant.
			q.Sort = SortNewest
		}
	default:
		bad("sort", "Sort by relevance, newest or amount")
	}
	if p.Cursor != "" && len(errs) == 0 {
		c, err := DecodeCursor(p.Cursor, q)
		if err != nil {
			bad("cursor", "This page link is not valid. Go back to the first page of results")
		} else {
			q.Cursor = &c
		}
	}
	if len(errs) > 0 {
		return q, errs
	}
	return q, nil
}

// HasFilters reports whether anything but words narrows the search.
func (q Query) HasFilters() bool {
	return q.FY != nil || q.Maker != "" || q.Funder != "" || q.Series != "" || q.Status != "" ||
		q.MinPence != nil || q.MaxPence != nil || q.From != nil || q.To != nil
}

// URL is the address of q at path, starting at cursor c when given.
func (q Query) URL(path string, c *Cursor) string {
	v := q.Values()
	if c != nil {
		v.Set("cursor", EncodeCursor(*c, q))
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// Values is the canonical URL query of q, without its cursor: what links to the same search
// carry. The default sort is left out.
func (q Query) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Q)
	if q.FY != nil {
		set("fy", q.FY.String())
	}
	set("maker", q.Maker)
	set("funder", q.Funder)
	set("series", q.Series)
	set("status", q.Status)
	if q.MinPence != nil {
		set("min", PoundsText(*q.MinPence))
	}
	if q.MaxPence != nil {
		set("max", PoundsText(*q.MaxPence))
	}
	if q.From != nil {
		set("from", q.From.Format(time.DateOnly))
	}
	if q.To != nil {
		set("to", q.To.Format(time.DateOnly))
	}
	if q.Sort != q.defaultSort() {
		set("sort", q.Sort)
	}
	return v
}

func (q Query) defaultSort() string {
	if q.Q != "" {
		return SortRelevance
	}
	return SortNewest
}

// PoundsText writes pence as pounds for a URL: "1500" or "1500.50".
func PoundsText(p int64) string {
	if p%100 == 0 {
		return fmt.Sprintf("%d", p/100)
	}
	return fmt.Sprintf("%d.%02d", p/100, p%100)
}

func checkText(s string, maxRunes int, name string) string {
	switch {
	case !utf8.ValidString(s):
		return name + " contains characters that cannot be read. Type it again"
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }):
		return name + " must not contain control characters"
	case utf8.RuneCountInString(s) > maxRunes:
		return fmt.Sprintf("%s must be %d characters or fewer", name, maxRunes)
	}
	return ""
}

// clean normalises compatibility forms ("ＰＣＤ"), curly quotes (a phone types “gang
// violence” and Mayor’s: the search's phrases and the register's names use straight ones) and
// runs of spaces.
func clean(s string) string {
	return strings.Join(strings.Fields(straightQuotes.Replace(norm.NFKC.String(s))), " ")
}

var straightQuotes = strings.NewReplacer("“", `"`, "”", `"`, "„", `"`, "‟", `"`, "‘", "'", "’", "'", "‚", "'", "‛", "'")

func validSeries(s string) bool {
	if len(s) < 1 || len(s) > 8 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

func isStatus(s string) bool {
	for _, x := range Statuses {
		if x == s {
			return true
		}
	}
	return false
}

func parsePounds(s, field, name string, bad func(string, string)) *int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if s == "0" {
		var zero int64
		return &zero
	}
	p, err := decision.ParsePence(s)
	if err != nil {
		bad(field, name+" must be an amount in pounds, like 50000 or 1.5m")
		return nil
	}
	return &p
}

func parseDate(s, field, name string, bad func(string, string)) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil || t.Year() < decision.MinYear || t.Year() > decision.MaxYear {
		bad(field, name+" must be a real date written like 2024-03-31")
		return nil
	}
	return &t
}
