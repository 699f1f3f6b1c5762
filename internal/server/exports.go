package server

import (
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/clientid"
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
