package importer

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// fundingSuffix ends the name of a CSV's side file of funding lines: decisions.csv has its
// funding lines in decisions.funding.csv.
const fundingSuffix = ".funding.csv"

// sectionKinds are the columns that hold Part I's sections, in the order they are added.
var sectionKinds = []string{"introduction_and_background", "issues_for_consideration", "financial_comments",
	"legal_comments", "equality_comments", "gdpr_and_data_privacy", "background_papers", "other"}

// csvColumns are the columns a decisions CSV may have; reference is required.
var csvColumns = append([]string{"reference", "source_id", "source_url", "title", "summary", "decision_maker",
	"decision_maker_role", "date_signed", "date_published", "funder", "recommendations"},
	append(slices.Clone(sectionKinds), "continues", "varies", "related", "documents")...)

// fundingColumns are the columns of the funding side file; reference, amount, kind and label
// are required.
var fundingColumns = []string{"reference", "amount", "currency", "financial_years", "basis", "kind", "label",
	"period_text", "funder", "recipient"}

// csvRecord is one row of a decisions CSV, by column, with its funding lines.
type csvRecord struct {
	cells   map[string]string
	funding []fundingRow
}

type fundingRow struct {
	file  string
	line  int
	cells map[string]string
}

// readTable reads a CSV with a header row, checking its columns against allowed (and
// required), and each row's UTF-8 and width. It returns the rows by column with their lines.
func readTable(name string, b []byte, allowed, required []string) (rows []map[string]string, lines []int, probs []Problem) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, nil, []Problem{{File: name, Line: 1, Message: "no header row: " + err.Error()}}
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(h)
		if !slices.Contains(allowed, header[i]) {
			probs = append(probs, Problem{File: name, Line: 1, Field: header[i],
				Message: "not a column of this layout (docs/import.md): the file is refused"})
		}
		if slices.Index(header, header[i]) < i {
			probs = append(probs, Problem{File: name, Line: 1, Field: header[i], Message: "named twice: the file is refused"})
		}
	}
	for _, c := range required {
		if !slices.Contains(header, c) {
			probs = append(probs, Problem{File: name, Line: 1, Field: c, Message: "required column missing: the file is refused"})
		}
	}
	if len(probs) > 0 {
		return nil, nil, probs
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				probs = append(probs, Problem{File: name, Line: pe.StartLine, Message: "not CSV: " + pe.Err.Error()})
				continue
			}
			break
		}
		line, _ := r.FieldPos(0)
		if len(rec) != len(header) {
			probs = append(probs, Problem{File: name, Line: line, Reference: strings.TrimSpace(rec[0]),
				Message: fmt.Sprintf("%d columns, not the %d the header names", len(rec), len(header))})
			continue
		}
		row := map[string]string{}
		bad := false
		for i, v := range rec {
			if !utf8.ValidString(v) {
				ref := ""
				if utf8.ValidString(rec[0]) {
					ref = strings.TrimSpace(rec[0])
				}
				probs = append(probs, Problem{File: name, Line: line, Reference: ref, Field: header[i], Message: "not valid UTF-8"})
				bad = true
			}
			row[header[i]] = v
		}
		if bad {
			continue
		}
		rows, lines = append(rows, row), append(lines, line)
	}
	return rows, lines, probs
}

// readCSV reads a decisions CSV and its funding side file, if there is one.
func readCSV(name, path string, b []byte) ([]record, []Problem) {
	rows, lines, probs := readTable(name, b, csvColumns, []string{"reference"})
	var recs []record
	byRef := map[string][]int{}
	for i, row := range rows {
		ref := strings.TrimSpace(row["reference"])
		byRef[ref] = append(byRef[ref], len(recs))
		recs = append(recs, record{file: name, line: lines[i], csv: &csvRecord{cells: row}})
	}
	side := strings.TrimSuffix(path, ".csv") + fundingSuffix
	sb, err := os.ReadFile(side)
	if errors.Is(err, os.ErrNotExist) {
		return recs, probs
	}
	sideName := strings.TrimSuffix(name, ".csv") + fundingSuffix
	if err != nil {
		return recs, append(probs, Problem{File: sideName, Message: err.Error()})
	}
	frows, flines, fprobs := readTable(sideName, sb, fundingColumns, []string{"reference", "amount", "kind", "label"})
	probs = append(probs, fprobs...)
	for i, row := range frows {
		ref := strings.TrimSpace(row["reference"])
		at, ok := byRef[ref]
		if !ok {
			probs = append(probs, Problem{File: sideName, Line: flines[i], Reference: ref, Field: "reference",
				Message: "no decision with this reference in " + name})
			continue
		}
		// A duplicated reference is refused whole; its funding lines go with its first row.
		r := recs[at[0]].csv
		r.funding = append(r.funding, fundingRow{file: sideName, line: flines[i], cells: row})
	}
	return recs, probs
}

// optional is a cell's cleaned text, or nil when it is empty: unknown, never guessed.
func optional(s string) *string {
	s = decision.CleanText(s)
	if s == "" {
		return nil
	}
	return &s
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ";") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// checkCSV reads a CSV row into a decision to load. Its signing is recorded now, as the
// seeded decisions' was when they were imported, under the current canonical version.
func checkCSV(ctx context.Context, r record, maxBytes int64, at time.Time) *checked {
	cells := r.csv.cells
	c := &checked{rec: r, ref: strings.TrimSpace(cells["reference"])}
	ref, _ := c.parseRef("reference", cells["reference"])
	d := store.ImportedDecision{Ref: ref, Title: optional(cells["title"]), Summary: optional(cells["summary"]),
		TextSource: "published", Funder: optional(cells["funder"]), DecisionMakerName: optional(cells["decision_maker"]),
		DecisionMakerRole: optional(cells["decision_maker_role"]), SourceURL: optional(cells["source_url"]),
		Source: r.file, SourceID: c.ref, SignedAt: at}
	if id := strings.TrimSpace(cells["source_id"]); id != "" {
		d.SourceID = id
	}
	d.SourceAddress = d.SourceURL
	if d.SourceURL != nil && !strings.HasPrefix(*d.SourceURL, "https://") && !strings.HasPrefix(*d.SourceURL, "http://") {
		c.fail("source_url", "%q is not an http:// or https:// address", *d.SourceURL)
	}
	d.DateSigned = c.date("date_signed", optional(cells["date_signed"]))
	d.DatePublished = c.date("date_published", optional(cells["date_published"]))
	if d.DateSigned != nil && d.DatePublished != nil && d.DatePublished.Before(*d.DateSigned) {
		c.fail("date_published", "before the date signed")
	}
	for _, l := range strings.Split(cells["recommendations"], "\n") {
		if l = decision.CleanText(l); l != "" {
			d.Recommendations = append(d.Recommendations, l)
		}
	}
	for _, kind := range sectionKinds {
		if body := decision.CleanSectionText(cells[kind]); strings.TrimSpace(body) != "" {
			d.Sections = append(d.Sections, decision.ContentSection{Kind: kind, Heading: decision.SectionKindLabel(kind), Body: body})
		}
	}
	for _, kind := range decision.LinkKinds {
		refs := splitList(cells[kind])
		if kind == decision.LinkContinues && len(refs) > 1 {
			c.fail(kind, "a decision continues one other, not %d", len(refs))
		}
		for _, s := range refs {
			if to, ok := c.parseRef(kind, s); ok {
				d.Links = append(d.Links, decision.ContentLink{Kind: kind, Reference: to.String()})
			}
		}
	}
	for _, f := range r.csv.funding {
		d.Funding = append(d.Funding, c.fundingLine(f))
	}
	for i, name := range splitList(cells["documents"]) {
		c.docs = append(c.docs, docFile{field: fmt.Sprintf("documents[%d]", i+1), name: name, path: docPath(r.dir, ref.Slug(), name)})
	}
	c.checkLinks(d.Links, ref)
	c.checkDocuments(ctx, maxBytes)
	d.Documents = c.storeDocuments()
	d.CanonicalVersion = decision.CanonicalVersion
	d.ContentHash = decision.ContentHash(d.Content())
	d.RecordSHA256 = recordHash(d)
	c.d = d
	return c
}

// fundingLine reads a row of the funding side file; its problems are the decision's, placed
// at the row.
func (c *checked) fundingLine(f fundingRow) decision.ContentFunding {
	fail := func(field, format string, args ...any) {
		c.problems = append(c.problems, Problem{File: f.file, Line: f.line, Reference: c.ref, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	cell := func(k string) string { return strings.TrimSpace(f.cells[k]) }
	line := decision.ContentFunding{Currency: "GBP", Basis: "total", Kind: cell("kind"), Label: decision.CleanText(f.cells["label"]),
		PeriodText: optional(f.cells["period_text"]), Funder: optional(f.cells["funder"]), Recipient: optional(f.cells["recipient"])}
	if v := cell("currency"); v != "" {
		line.Currency = v
	}
	if v := cell("basis"); v != "" {
		line.Basis = v
	}
	p, err := decision.ParsePence(cell("amount"))
	if err != nil {
		fail("amount", "%q is not an amount of money (write it like £1,234.56)", cell("amount"))
		p = 1 // checked above; keeps the other checks to the other columns
	}
	line.AmountPence = p
	if years := cell("financial_years"); years != "" {
		first, last, _ := strings.Cut(years, " to ")
		start, err := decision.ParseFinancialYear(first)
		if err != nil {
			fail("financial_years", "%q is not a financial year or range (write it like 2024-25 or 2024-25 to 2026-27)", years)
		} else {
			s := int(start)
			line.FYStart = &s
			if last != "" {
				end, err := decision.ParseFinancialYear(last)
				if err != nil {
					fail("financial_years", "%q is not a financial year or range (write it like 2024-25 or 2024-25 to 2026-27)", years)
				} else {
					e := int(end)
					line.FYEnd = &e
				}
			}
		}
	}
	before := len(c.problems)
	c.checkFunding("funding", line)
	for i := before; i < len(c.problems); i++ {
		c.problems[i].File, c.problems[i].Line = f.file, f.line
		c.problems[i].Field = strings.TrimPrefix(c.problems[i].Field, "funding.")
	}
	return line
}
