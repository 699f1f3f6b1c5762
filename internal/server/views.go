package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// This file turns the store's records into the plain values pages show.

const dateLayout = "2 January 2006"

func formatDate(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(dateLayout)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func toLine(f store.FundingLine) decision.Line {
	return decision.Line{AmountPence: f.AmountPence, Kind: f.Kind, Basis: f.Basis, FYStart: f.FYStart, FYEnd: f.FYEnd}
}

func lines(fs []store.FundingLine) []decision.Line {
	out := make([]decision.Line, len(fs))
	for i, f := range fs {
		out[i] = toLine(f)
	}
	return out
}

func linesByDecision(fs []store.FundingLine) map[int64][]store.FundingLine {
	m := map[int64][]store.FundingLine{}
	for _, f := range fs {
		m[f.DecisionID] = append(m[f.DecisionID], f)
	}
	return m
}

// totalText shows a decision's own total, with a short note when it needs one.
func totalText(t decision.Total) (amount, note string) {
	if !t.Known {
		return "", ""
	}
	switch {
	case t.Unclear:
		note = "per year or in total: unclear in the source"
	case t.PerYear:
		note = "counting each year of a yearly amount"
	}
	return decision.FormatPence(t.Pence), note
}

func decisionItems(page store.DecisionPage) []components.DecisionItem {
	byDecision := linesByDecision(page.Funding)
	items := make([]components.DecisionItem, len(page.Decisions))
	for i, d := range page.Decisions {
		total, note := totalText(decision.TotalOf(lines(byDecision[d.ID])))
		items[i] = components.DecisionItem{
			Reference:     d.Reference,
			URL:           "/decisions/" + d.Slug,
			Title:         deref(d.Title),
			DateSigned:    formatDate(d.DateSigned),
			DecisionMaker: deref(d.DecisionMakerName),
			Total:         total,
			TotalNote:     note,
		}
	}
	return items
}

func yearsText(ys []decision.FinancialYear) string {
	if len(ys) == 0 {
		return ""
	}
	contiguous := int(ys[len(ys)-1]-ys[0]) == len(ys)-1
	if contiguous {
		return decision.FinancialYearRange(ys[0], ys[len(ys)-1])
	}
	parts := make([]string, len(ys))
	for i, y := range ys {
		parts[i] = y.String()
	}
	return strings.Join(parts, ", ")
}

func statusColour(status string) string {
	switch status {
	case decision.StatusPublished:
		return "green"
	case decision.StatusApproved:
		return "blue"
	case decision.StatusAwaitingSignoff:
		return "yellow"
	case decision.StatusWithdrawn, decision.StatusRejected:
		return "red"
	}
	return "grey"
}

func (s *Server) showProps(r *http.Request, d store.DecisionDetail) pages.ShowProps {
	p := pages.ShowProps{
		Page:            s.page(r, d.Reference+": "+titleOr(d.Title), "decisions", "/decisions/"+d.Slug),
		Reference:       d.Reference,
		Title:           deref(d.Title),
		KeyInfo:         keyInfo(d),
		Paraphrase:      d.TextSource == "paraphrase" && (d.Summary != nil || len(d.Recommendations) > 0),
		Summary:         deref(d.Summary),
		Recommendations: d.Recommendations,
		Parts:           parts(d.Sections),
		SourceURL:       deref(d.SourceURL),
		Funding:         funding(d.Funding),
		Chain:           chain(d),
		Related:         related(d.Links),
		Notes:           d.Notes,
		Citations:       d.Citations,
	}
	p.Page.Canonical = true
	if d.Provenance == "inferred" {
		p.InferredNote = deref(d.ProvenanceNote)
	}
	for _, fs := range d.FieldStatuses {
		p.FieldStatuses = append(p.FieldStatuses, components.SummaryRow{Key: fieldName(fs.Field), Value: fs.Status})
	}
	return p
}

func titleOr(t *string) string {
	if t == nil {
		return "title not recorded"
	}
	return *t
}

func keyInfo(d store.DecisionDetail) []components.SummaryRow {
	maker := deref(d.DecisionMakerName)
	role := deref(d.DecisionMakerRole)
	if maker == "" && role != "" {
		maker, role = "Name not recorded", "Role: "+role
	}
	source := components.SummaryRow{Key: "Source", TestID: "source"}
	if d.SourceURL != nil {
		source.Value, source.Href = "Published decision page", *d.SourceURL
		source.Hint = "Identity verified from the page"
		if d.Provenance == "inferred" {
			source.Hint = "Identity inferred: the page does not show its reference"
		}
	}
	return []components.SummaryRow{
		{Key: "Reference", Value: d.Reference, TestID: "key-reference"},
		{Key: "Date signed", Value: formatDate(d.DateSigned), TestID: "date-signed"},
		{Key: "Date published", Value: formatDate(d.DatePublished), TestID: "date-published"},
		{Key: "Decision by", Value: maker, Hint: role, TestID: "decision-maker"},
		{Key: "Funder", Value: deref(d.Funder), TestID: "funder"},
		{Key: "Financial years", Value: yearsText(decision.FinancialYearsOf(lines(d.Funding))), TestID: "financial-years"},
		{Key: "Status", Value: decision.StatusLabel(d.Status), Tag: statusColour(d.Status), TestID: "status"},
		source,
	}
}

func parts(sections []store.Section) []pages.Part {
	var out []pages.Part
	lastPart := 0
	for _, sec := range sections {
		if sec.Part != lastPart {
			out = append(out, pages.Part{Heading: partHeading(sec.Part)})
			lastPart = sec.Part
		}
		blocks := decision.Blocks(sec.Body)
		pb := make([]pages.Block, len(blocks))
		for i, b := range blocks {
			pb[i] = pages.Block{Text: b.Text, Items: b.Items}
		}
		cur := &out[len(out)-1]
		cur.Sections = append(cur.Sections, pages.Section{
			ID:      fmt.Sprintf("part-%d-section-%d", sec.Part, sec.Position),
			Heading: sec.Heading,
			Blocks:  pb,
		})
	}
	return out
}

func partHeading(part int) string {
	if part == 2 {
		return "Part II: confidential facts and advice"
	}
	return "Part I: non-confidential facts and advice"
}

func funding(fs []store.FundingLine) pages.Funding {
	var f pages.Funding
	hasExcluded := false
	for _, l := range fs {
		row := pages.FundingRow{
			Period:    deref(l.PeriodText),
			Kind:      decision.KindLabel(l.Kind),
			Amount:    decision.FormatPence(l.AmountPence),
			Label:     l.Label,
			Recipient: deref(l.Recipient),
			Counts:    toLine(l).Counts(),
		}
		if l.FYStart != nil {
			end := *l.FYStart
			if l.FYEnd != nil {
				end = *l.FYEnd
			}
			row.Years = decision.FinancialYearRange(decision.FinancialYear(*l.FYStart), decision.FinancialYear(end))
		}
		switch l.Basis {
		case decision.BasisPerYear:
			row.Amount += " a year"
		case decision.BasisUnclear:
			row.Amount += " (see note)"
		}
		hasExcluded = hasExcluded || !row.Counts
		f.Rows = append(f.Rows, row)
	}
	t := decision.TotalOf(lines(fs))
	if t.Known {
		f.Total = decision.FormatPence(t.Pence)
	}
	if t.Unclear {
		f.TotalNotes = append(f.TotalNotes, "Note: the published text does not make clear whether the amount is for each year or for all the years together. It is counted once, as published.")
	}
	if t.PerYear {
		f.TotalNotes = append(f.TotalNotes, "Amounts given “a year” are counted once for each of their years.")
	}
	if hasExcluded {
		f.TotalNotes = append(f.TotalNotes, "Maxima, agreements in principle and figures quoted from other decisions are shown for context and are not added to the total.")
	}
	return f
}

func chain(d store.DecisionDetail) pages.Chain {
	if len(d.Chain) == 0 {
		return pages.Chain{}
	}
	byDecision := linesByDecision(d.ChainFunding)
	totals := make([]decision.Total, len(d.Chain))
	for i, m := range d.Chain {
		totals[i] = decision.TotalOf(lines(byDecision[m.ID]))
	}
	running := decision.RunningTotals(totals)
	c := pages.Chain{ChartTitle: fmt.Sprintf("Money accepted by each decision in the funding chain, %s to %s",
		d.Chain[0].Reference, d.Chain[len(d.Chain)-1].Reference)}
	var unknown, unclear []string
	for i, m := range d.Chain {
		t := totals[i]
		ys := decision.FinancialYearsOf(lines(byDecision[m.ID]))
		row := pages.ChainRow{
			Reference: m.Reference, URL: "/decisions/" + m.Slug, Title: deref(m.Title),
			Years: yearsText(ys), Current: m.ID == d.ID,
			Running: decision.FormatPence(running[i].Pence),
		}
		bar := components.ChartBar{Reference: m.Reference, Pence: t.Pence, Unclear: t.Unclear, Current: row.Current}
		if len(ys) > 0 {
			bar.YearFrom = ys[0].String()
			if len(ys) > 1 {
				bar.YearTo = ys[len(ys)-1].String()
			}
		}
		if t.Known {
			row.Amount = decision.FormatPence(t.Pence)
			bar.Amount = decision.FormatPenceShort(t.Pence)
		} else {
			unknown = append(unknown, m.Reference)
		}
		if t.Unclear {
			row.Amount += " *"
			unclear = append(unclear, m.Reference)
		}
		switch {
		case running[i].AtLeast && running[i].Pence == 0:
			row.Running = ""
		case running[i].AtLeast:
			row.Running = "at least " + row.Running
		}
		c.Rows = append(c.Rows, row)
		c.Bars = append(c.Bars, bar)
	}
	if len(unclear) > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("* %s: the published text does not make clear whether the amount is for each year or for all its years. It is counted once, as published, and drawn in grey.", strings.Join(unclear, ", ")))
	}
	if len(unknown) > 0 {
		c.Notes = append(c.Notes, fmt.Sprintf("No amount is recorded for %s, so running totals are the least the chain accepted.", strings.Join(unknown, ", ")))
	}
	return c
}

func related(links []store.Link) []pages.Related {
	out := make([]pages.Related, len(links))
	for i, l := range links {
		out[i] = pages.Related{Relation: relation(l), Reference: l.Ref, URL: "/decisions/" + l.Slug, Title: deref(l.Title)}
	}
	return out
}

func relation(l store.Link) string {
	switch {
	case l.Kind == "continues" && l.Outgoing:
		return "Continues the funding of"
	case l.Kind == "continues":
		return "Continued by"
	case l.Kind == "varies" && l.Outgoing:
		return "Varies"
	case l.Kind == "varies":
		return "Varied by"
	}
	return "Related to"
}

var fieldNames = map[string]string{
	"reference": "Reference", "title": "Title", "date_signed": "Date signed", "date_published": "Date published",
	"decision_maker": "Decision by", "funder": "Funder", "amounts": "Amounts", "financial_years": "Financial years",
	"summary": "Summary", "recommendations": "Recommendations", "related_pcds": "Related decisions",
}

func fieldName(f string) string {
	if n, ok := fieldNames[f]; ok {
		return n
	}
	return strings.ReplaceAll(f, "_", " ")
}
