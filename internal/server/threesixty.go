package server

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/search"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/threesixty"
	"github.com/decision-register/decisions/web/pages"
)

// The grants as 360Giving data: the same search as /decisions, always as the public sees it
// (a member of staff gets the public's file: open data never holds a draft), one record per
// accepted grant of a published decision. Grants whose required values are not recorded are
// left out, and every answer says how many and why.

// threeSixtyQuery parses the search of a 360Giving export or page, as the public may ask it. A
// cursor going back makes no sense in a download, so only cursors going forward are kept.
func threeSixtyQuery(r *http.Request) (search.Query, error) {
	q, err := search.Parse(search.ParamsOf(r.URL.Query()), false)
	if err == nil && q.Cursor != nil && q.Cursor.Back {
		q.Cursor = nil
	}
	return q, err
}

// grantCountHeaders say an export's counts before its body: how many grants it holds, how
// many it left out, and why ("no-award-date=8, no-recipient=7").
func grantCountHeaders(w http.ResponseWriter, c threesixty.Counts) {
	h := w.Header()
	h.Set("Grants-Published", strconv.Itoa(c.Published))
	h.Set("Grants-Left-Out", strconv.Itoa(c.LeftOut))
	var reasons []string
	for _, r := range threesixty.Reasons {
		if n := c.ByReason[r]; n > 0 {
			reasons = append(reasons, r.Key()+"="+strconv.Itoa(n))
		}
	}
	if len(reasons) > 0 {
		h.Set("Grants-Left-Out-Reasons", strings.Join(reasons, ", "))
	}
}

// streamGrants runs the grant export the request asks for: a bad parameter is a 400 in words;
// otherwise start is called with the query and the counts before the first grant, then write
// with each grant that can be a 360Giving record. A failure before start is returned (an
// error page); after it the download is aborted (abortDownload). It reports whether the
// export ran to its end.
func (s *Server) streamGrants(w http.ResponseWriter, r *http.Request,
	start func(search.Query, threesixty.Counts) error, write func(threesixty.Grant) error) (bool, error) {
	q, err := threeSixtyQuery(r)
	var errs search.Errors
	if errors.As(err, &errs) {
		plainBadRequest(w, errs)
		return false, nil
	}
	started := false
	n := 0
	err = s.reader(r).GrantsEach(r.Context(), s.now(), q, store.MaxExportRows, func(c threesixty.Counts) error {
		grantCountHeaders(w, c)
		s.cacheHeaders(w, r)
		started = true
		return start(q, c)
	}, func(l store.GrantLine) error {
		g, missing := s.threeSixty.Grant(l.Line())
		if len(missing) > 0 {
			return nil
		}
		n++
		return write(g)
	})
	if err != nil && started {
		s.abortDownload(r, "360giving export failed midway", err, n)
	}
	return err == nil, err
}

// handleThreeSixtyJSON writes a 360Giving data package: its metadata (whose description says
// what was left out), then its grants one by one as the database sends them.
func (s *Server) handleThreeSixtyJSON(w http.ResponseWriter, r *http.Request) error {
	first := true
	done, err := s.streamGrants(w, r, func(q search.Query, c threesixty.Counts) error {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		meta, err := json.MarshalIndent(s.threeSixtyPackage(q, c), "", "  ")
		if err != nil {
			return err
		}
		// The metadata object, left open for the grants.
		meta = append(meta[:len(meta)-len("\n}")], ",\n  \"grants\": ["...)
		_, err = w.Write(meta)
		return err
	}, func(g threesixty.Grant) error {
		b, err := json.Marshal(g)
		if err != nil {
			return err
		}
		sep := ",\n    "
		if first {
			sep, first = "\n    ", false
		}
		_, err = w.Write(append([]byte(sep), b...))
		return err
	})
	if !done {
		return err
	}
	end := "\n  ]\n}\n"
	if first {
		end = "]\n}\n"
	}
	_, _ = w.Write([]byte(end))
	return nil
}

// threeSixtyPackage is the metadata of the package of q's grants.
func (s *Server) threeSixtyPackage(q search.Query, c threesixty.Counts) threesixty.Package {
	title := "Grants in the " + s.ownerName + "’s decisions"
	if q.Q != "" || q.HasFilters() {
		title += " (search: " + strings.Join(searchWords(q), ", ") + ")"
	}
	return threesixty.Package{
		Version: threesixty.PackageVersion, Title: title,
		Description: s.threeSixty.Description(s.ownerName, c),
		Identifier:  s.baseURL + searchURL("/360giving.json", q, nil),
		Issued:      s.now().UTC().Format(time.RFC3339),
		Publisher:   threesixty.Publisher{Name: s.ownerName, Website: s.baseURL + "/"},
		AccessURL:   s.baseURL + searchURL("/360giving", q, nil),
		DownloadURL: s.baseURL + searchURL("/360giving.json", q, nil),
	}
}

// searchWords says a search in words: “social media”, financial year: 2024-25.
func searchWords(q search.Query) []string {
	var out []string
	if q.Q != "" {
		out = append(out, "“"+q.Q+"”")
	}
	for _, t := range filterTags(q) {
		out = append(out, strings.ToLower(t.Text[:1])+t.Text[1:])
	}
	return out
}

// threeSixtyTextColumns are the CSV's free-text columns, kept from running as spreadsheet
// formulas as /decisions.csv's are (csvText); the JSON package holds every value as it is.
var threeSixtyTextColumns = map[string]bool{"Title": true, "Description": true, "Recipient Org:Name": true, "Funding Org:Name": true}

// handleThreeSixtyCSV writes the grants as the standard's flattened CSV, one row a grant; the
// counts of what was left out travel in the response's headers.
func (s *Server) handleThreeSixtyCSV(w http.ResponseWriter, r *http.Request) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	n := 0
	done, err := s.streamGrants(w, r, func(search.Query, threesixty.Counts) error {
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8; header=present")
		h.Set("Content-Disposition", `attachment; filename="360giving.csv"`)
		w.WriteHeader(http.StatusOK)
		return cw.Write(threesixty.CSVHeader)
	}, func(g threesixty.Grant) error {
		row := g.CSVRow()
		for i, title := range threesixty.CSVHeader {
			if threeSixtyTextColumns[title] {
				row[i] = csvText(row[i])
			}
		}
		if err := cw.Write(row); err != nil {
			return err
		}
		if n++; n%200 == 0 {
			cw.Flush()
			return cw.Error()
		}
		return nil
	})
	if done {
		cw.Flush()
	}
	return err
}

// handleThreeSixty is the page about the 360Giving exports: what they hold, how many grants a
// search gives and how many were left out and why, and the links to download them.
func (s *Server) handleThreeSixty(w http.ResponseWriter, r *http.Request) error {
	p := pages.ThreeSixtyProps{Prefix: s.threeSixty.Prefix, Registered: threesixty.Registered(s.threeSixty.Prefix),
		Version: threesixty.SchemaVersion}
	q, err := threeSixtyQuery(r)
	var errs search.Errors
	if errors.As(err, &errs) {
		p.Page = s.page(r, "Error: Grants as 360Giving data", "", r.URL.RequestURI())
		for _, e := range errs {
			p.Errors = append(p.Errors, e.Message)
		}
		p.FixURL = "/decisions?" + r.URL.RawQuery
		s.render(w, r, http.StatusBadRequest, pages.ThreeSixty(p))
		return nil
	}
	if err != nil {
		return err
	}
	c, err := s.reader(r).GrantCounts(r.Context(), s.now(), q, store.MaxExportRows)
	if err != nil {
		return err
	}
	p.Page = s.page(r, "Grants as 360Giving data", "", r.URL.RequestURI())
	p.Published, p.LeftOut, p.Reasons = c.Published, c.LeftOut, c.ReasonTexts()
	p.Headline = c.Headline()
	if q.Q != "" || q.HasFilters() {
		p.Search = strings.Join(searchWords(q), ", ")
		p.SearchURL = searchURL("/decisions", q, nil)
	}
	p.JSONURL = searchURL("/360giving.json", q, nil)
	p.CSVURL = searchURL("/360giving.csv", q, nil)
	s.render(w, r, http.StatusOK, pages.ThreeSixty(p))
	return nil
}

// threeSixtyLinks are the same search as 360Giving data, and the page about it.
func threeSixtyLinks(q search.Query) []pages.Link {
	return []pages.Link{
		{Text: "360Giving JSON", URL: searchURL("/360giving.json", q, nil)},
		{Text: "360Giving CSV", URL: searchURL("/360giving.csv", q, nil)},
		{Text: "what they hold and leave out", URL: searchURL("/360giving", q, nil)},
	}
}

// publicQuery is q as the public may ask it: the staff-only status filter does not apply to
// open data.
func publicQuery(q search.Query) search.Query {
	q.Status, q.Cursor = "", nil
	return q
}
