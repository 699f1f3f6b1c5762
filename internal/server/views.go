package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/document"
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
	return totalAmount(t), note
}

// totalAmount shows a total, as a lower bound when it is too large to count.
func totalAmount(t decision.Total) string {
	if t.Overflow {
		return "more than " + decision.FormatPence(t.Pence)
	}
	return decision.FormatPence(t.Pence)
}

func decisionItems(page store.DecisionPage) []components.DecisionItem {
	byDecision := linesByDecision(page.Funding)
	items := make([]components.DecisionItem, len(page.Decisions))
	// Titles in a list link to their decisions, so they get no links of their own; only their
	// abbreviations are explained.
	m := newMarker(nil, "")
	for i, d := range page.Decisions {
		total, note := totalText(decision.TotalOf(lines(byDecision[d.ID])))
		items[i] = components.DecisionItem{
			Reference:     d.Reference,
			URL:           "/decisions/" + d.Slug,
			Title:         m.abbreviate(deref(d.Title)),
			DateSigned:    formatDate(d.DateSigned),
			DecisionMaker: deref(d.DecisionMakerName),
			Total:         total,
			TotalNote:     note,
			Withdrawn:     d.Status == decision.StatusWithdrawn,
			Synthetic:     d.Synthetic,
		}
		if d.Status != decision.StatusPublished && d.Status != decision.StatusWithdrawn {
			// Only staff are shown these; the list does not know a deferred date.
			t := decision.StaffStatus(d.Status, nil, time.Time{})
			items[i].Status, items[i].StatusColour = t.Label, t.Colour
		}
		if d.Status == decision.StatusDraft || d.Status == decision.StatusAwaitingSignoff || d.Status == decision.StatusDiscarded {
			// Not unknown: not signed yet.
			items[i].DateSigned = "Not yet"
			if items[i].DecisionMaker == "" {
				items[i].DecisionMaker = "Not yet"
			}
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

// publiclyVisible is whether the public may read the decision now: published, withdrawn, or
// signed with its deferred publication date come. (The store's Access decides; this only
// words the page.)
func publiclyVisible(d store.DecisionDetail, now time.Time) bool {
	switch d.Status {
	case decision.StatusPublished, decision.StatusWithdrawn:
		return true
	case decision.StatusApproved:
		return d.PublishAt != nil && !d.PublishAt.After(now)
	}
	return false
}

func (s *Server) showProps(r *http.Request, d store.DecisionDetail, held map[string]string) pages.ShowProps {
	// The marker sees the page's text in the order the page shows it, so each abbreviation is
	// explained where a reader first meets it.
	m := newMarker(held, d.Reference)
	p := pages.ShowProps{
		Page:      s.page(r, d.Reference+titleSuffix(d.Title), "decisions", "/decisions/"+d.Slug),
		Reference: d.Reference,
		SourceURL: deref(d.SourceURL),
	}
	p.Page.Canonical = true
	p.Page.StaffOnly = !publiclyVisible(d, s.now())
	p.Synthetic = d.Synthetic
	if d.Title != nil {
		p.Title = m.rich(*d.Title)
	}
	if d.Provenance == "inferred" {
		p.InferredNote = m.rich(deref(d.ProvenanceNote))
	}
	p.CitedOnly = citedOnly(d)
	p.KeyInfo = keyInfo(d, m)
	p.Paraphrase = d.TextSource == "paraphrase" && (d.Summary != nil || len(d.Recommendations) > 0)
	if d.Summary != nil {
		p.Summary = m.rich(*d.Summary)
	}
	p.Recommendations = m.richAll(d.Recommendations)
	p.Parts = parts(d.Sections, m, d.MadeHere)
	// A reader who may not read Part II sees only its released sections, if any: the rest is
	// still withheld until its withholding is released too.
	shown := slices.ContainsFunc(d.Sections, func(s store.Section) bool { return s.Part == 2 })
	onlyReleased := shown && !slices.ContainsFunc(d.Sections, func(s store.Section) bool { return s.Part == 2 && s.ReleasedOn == nil })
	p.PartTwoWithheld = d.HasPartTwo && !shown
	if d.HasPartTwo {
		switch w, err := s.reader(r).WithholdingOf(r.Context(), d.ID, store.WithheldPartTwo); {
		case err == nil && w.ReleasedAt != nil:
		case err == nil:
			if onlyReleased {
				p.PartTwoWithheld, p.PartTwoRest = true, true
			}
			if g, ok := decision.GroundByCode(w.Ground); ok {
				p.PartTwoGround, p.PartTwoInterest, p.PartTwoReview = g.String(), strings.TrimRight(w.PublicInterest, ".")+".",
					w.ReviewOn.Format(dateLayout)
			}
		case !errors.Is(err, store.ErrNotFound):
			s.log.ErrorContext(r.Context(), "Part II's ground", "err", err, "decision", d.Reference)
		}
	}
	p.Funding = funding(d.Funding, m)
	p.Chain = chain(d, m)
	if d.Status == decision.StatusPublished {
		p.Alerts = "/alerts/new?decision=" + url.QueryEscape(d.Slug)
		if len(p.Chain.Rows) > 0 {
			p.Chain.Alerts = "/alerts/new?chain=" + url.QueryEscape(d.Slug)
		}
	}
	p.Related = related(d.Links, m)
	for _, fs := range d.FieldStatuses {
		p.FieldStatuses = append(p.FieldStatuses, components.SummaryRow{Key: fieldName(fs.Field), Rich: m.rich(fs.Status)})
	}
	p.Notes = m.richAll(d.Notes)
	p.Citations = citations(d.Citations)
	p.Signed, p.Supporting = attachments(d)
	for _, a := range m.used {
		p.Abbreviations = append(p.Abbreviations, components.Term{Short: a.Short, Long: a.Long})
	}
	return p
}

func titleSuffix(t *string) string {
	if t == nil {
		return ""
	}
	return ": " + *t
}

// citedOnly says, for a decision whose own page the register has not found, that it is known
// only from the decisions that cite it.
func citedOnly(d store.DecisionDetail) components.Rich {
	if d.SourceURL != nil || len(d.Citations) == 0 {
		return nil
	}
	r := components.Rich{{Text: "No published page of this decision has been found. The register knows of it only because later decisions cite it"}}
	var citing []store.Citation
	for _, c := range ownFirst(d.Citations) {
		if c.Slug != nil {
			citing = append(citing, c)
		}
	}
	if len(citing) == 0 {
		return append(r, components.Inline{Text: "."})
	}
	r = append(r, components.Inline{Text: ": "})
	for i, c := range citing {
		switch {
		case i > 0 && i == len(citing)-1:
			r = append(r, components.Inline{Text: " and "})
		case i > 0:
			r = append(r, components.Inline{Text: ", "})
		}
		r = append(r, components.Inline{Text: *c.Reference, Href: "/decisions/" + *c.Slug})
	}
	return append(r, components.Inline{Text: "."})
}

// ownFirst orders citations: the register's own decisions first, by number, then the others as
// the sources listed them.
func ownFirst(cs []store.Citation) []store.Citation {
	out := slices.Clone(cs)
	slices.SortStableFunc(out, func(a, b store.Citation) int {
		switch {
		case a.Reference != nil && b.Reference != nil:
			ra, _ := decision.ParseReference(*a.Reference)
			rb, _ := decision.ParseReference(*b.Reference)
			return ra.Number - rb.Number
		case a.Reference != nil:
			return -1
		case b.Reference != nil:
			return 1
		}
		return 0
	})
	return out
}

func citations(cs []store.Citation) []pages.Citation {
	var out []pages.Citation
	for _, c := range ownFirst(cs) {
		pc := pages.Citation{External: c.URL, ExternalText: readableAddress(c.URL)}
		if c.Slug != nil {
			pc.Reference, pc.URL, pc.Title = *c.Reference, "/decisions/"+*c.Slug, deref(c.Title)
			pc.ExternalText = *c.Reference + "’s page on " + host(c.URL)
		}
		out = append(out, pc)
	}
	return out
}

// readableAddress names a page elsewhere in words: "london.gov.uk: pcd 1682 alpha social media
// hub" for .../pcd-1682-alpha-social-media-hub.
func readableAddress(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	last := path.Base(strings.TrimRight(u.Path, "/"))
	if last == "." || last == "/" || last == "" {
		return "A page on " + host(raw)
	}
	return "Page on " + host(raw) + ": “" + strings.Join(strings.FieldsFunc(last, func(r rune) bool { return r == '-' || r == '_' }), " ") + "”"
}

func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.TrimPrefix(u.Hostname(), "www.")
}

// pastStaff is how the sources mark a decision maker who has since left the post.
const pastStaff = " (shown as 'Past staff')"

func keyInfo(d store.DecisionDetail, m *marker) []components.SummaryRow {
	maker := components.SummaryRow{Key: "Decision by", Value: deref(d.DecisionMakerName), TestID: "decision-maker"}
	if role := deref(d.DecisionMakerRole); role != "" {
		role, past := strings.CutSuffix(role, pastStaff)
		if d.DecisionMakerName == nil {
			role = "Role: " + role
		}
		maker.Hint = append(maker.Hint, m.rich(role))
		if past {
			maker.Hint = append(maker.Hint, components.Plain("The published page lists this person as past staff: they no longer hold the post."))
		}
	}
	ls := lines(d.Funding)
	years := components.SummaryRow{Key: "Financial years", Value: yearsText(decision.AcceptedYearsOf(ls)), TestID: "financial-years"}
	if years.Value != "" {
		years.Hint = append(years.Hint, components.Plain("Of the money this decision accepted."))
	}
	if ys := decision.YearsOfKind(ls, decision.KindAgreedInPrinciple); len(ys) > 0 {
		years.Hint = append(years.Hint, components.Plain("Agreed in principle only, not accepted: "+yearsText(ys)+"."))
	}
	status := components.SummaryRow{Key: "Status", Value: decision.StatusLabel(d.Status), Tag: statusColour(d.Status), TestID: "status"}
	if d.Status == decision.StatusPublished && d.DatePublished == nil {
		status.Hint = append(status.Hint, components.Plain("Published in this register. The date the decision itself was first published is not recorded."))
	}
	source := components.SummaryRow{Key: "Source", TestID: "source"}
	if d.MadeHere && d.SourceURL == nil {
		source.Value = "Made in this register"
		source.Hint = append(source.Hint, components.Plain("Drafted, checked and signed here; the signed text is the register’s own."))
	}
	if d.SourceURL != nil {
		source.Value, source.Href = "Published decision page", *d.SourceURL
		source.Hint = append(source.Hint, components.Plain("Identity verified from the page"))
		if d.Provenance == "inferred" {
			source.Hint = []components.Rich{components.Plain("Identity inferred: the page does not show its reference")}
		}
	}
	dates := []components.SummaryRow{
		{Key: "Date signed", Value: formatDate(d.DateSigned), TestID: "date-signed"},
		{Key: "Date published", Value: formatDate(d.DatePublished), TestID: "date-published"},
	}
	unsigned := d.Status == decision.StatusDraft || d.Status == decision.StatusAwaitingSignoff || d.Status == decision.StatusDiscarded
	switch {
	case unsigned:
		// Not unknown: it has not happened yet.
		dates[0].Value, dates[1].Value = "Not yet", "Not yet"
		if maker.Value == "" {
			maker.Value = "Not yet"
		}
	case d.Status == decision.StatusRejected:
		// Never signed into effect nor published: the sign-off section says when it was rejected.
		dates = nil
	case d.Status == decision.StatusApproved && d.PublishAt != nil:
		dates[1].Value = "Not yet: deferred until " + formatLondonDay(*d.PublishAt)
	}
	rows := append([]components.SummaryRow{{Key: "Reference", Value: d.Reference, TestID: "key-reference"}}, dates...)
	return append(rows, maker, components.SummaryRow{Key: "Funder", Value: deref(d.Funder), Href: orgHref(d.FunderSlug), TestID: "funder"},
		years, status, source)
}

// parts are a decision's sections as shown. madeHere leaves out the note that the register
// does not hold the background papers: that is so of the decisions seeded from the owner's
// published pages, while one made here lists its papers as documents.
func parts(sections []store.Section, m *marker, madeHere bool) []pages.Part {
	var out []pages.Part
	lastPart := 0
	for _, sec := range sections {
		if sec.Part != lastPart {
			out = append(out, pages.Part{Heading: partHeading(sec.Part), Confidential: sec.Part == 2})
			lastPart = sec.Part
		}
		ps := pages.Section{
			ID:      fmt.Sprintf("part-%d-section-%d", sec.Part, sec.Position),
			Heading: sec.Heading,
			Blocks:  textBlocks(sec.Body, m.rich),
		}
		if sec.Kind == "background_papers" && !madeHere {
			ps.Note = "The background papers are not published, and the register does not hold them."
		}
		if sec.Part == 2 && sec.ReleasedOn != nil {
			ps.Note = "Released on " + sec.ReleasedOn.Format(dateLayout)
			if sec.ReleasedGround != nil {
				if g, ok := decision.GroundByCode(*sec.ReleasedGround); ok {
					ps.Note += " (withheld under " + g.Cite + " until then)"
				}
			}
			ps.Note += "."
			ps.Released = true
		}
		cur := &out[len(out)-1]
		cur.Sections = append(cur.Sections, ps)
	}
	// Part II made only of released sections is public now, and says so.
	for i := range out {
		if out[i].Confidential && !slices.ContainsFunc(out[i].Sections, func(s pages.Section) bool { return !s.Released }) {
			out[i].Confidential, out[i].Heading = false, "Part II: released"
		}
	}
	return out
}

// textBlocks is a section's text read by the register's one text model (decision.ParseText),
// for the one renderer (components.TextBlocks); rich marks its words (links to the decisions it
// names and abbreviations explained), or components.Plain leaves them as they are.
func textBlocks(body string, rich func(string) components.Rich) []components.TextBlock {
	blocks := decision.ParseText(body)
	out := make([]components.TextBlock, len(blocks))
	for i, b := range blocks {
		tb := components.TextBlock{Type: b.Type, Number: b.Number}
		switch b.Type {
		case decision.BlockList:
			for _, it := range b.Items {
				tb.Items = append(tb.Items, rich(it))
			}
		case decision.BlockTable:
			for _, row := range b.Rows {
				cells := make([]components.Rich, len(row))
				for j, c := range row {
					cells[j] = rich(c)
				}
				tb.Rows = append(tb.Rows, cells)
			}
		default:
			tb.Text = rich(b.Text)
		}
		out[i] = tb
	}
	return out
}

func partHeading(part int) string {
	if part == 2 {
		return "Part II: confidential facts and advice"
	}
	return "Part I: non-confidential facts and advice"
}

func funding(fs []store.FundingLine, m *marker) pages.Funding {
	var f pages.Funding
	hasExcluded := false
	for _, l := range fs {
		row := pages.FundingRow{
			Period:        deref(l.PeriodText),
			Kind:          decision.KindLabel(l.Kind),
			Amount:        decision.FormatMoney(l.AmountPence, l.Currency),
			Label:         m.rich(l.Label),
			Recipient:     deref(l.Recipient),
			RecipientHref: orgHref(l.RecipientSlug),
			Counts:        toLine(l).Counts(),
		}
		if l.FYStart != nil {
			end := *l.FYStart
			if l.FYEnd != nil {
				end = *l.FYEnd
			}
			start := decision.FinancialYear(*l.FYStart)
			row.Years = decision.FinancialYearRange(start, decision.FinancialYear(end))
			if !decision.PeriodSaysMore(row.Period, start, decision.FinancialYear(end)) {
				row.Period = ""
			}
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
		f.Total = totalAmount(t)
	}
	if t.Unclear {
		f.TotalNotes = append(f.TotalNotes, "Note: the published text does not make clear whether the amount is for each year or for all the years together. It is counted once, as published.")
	}
	if t.PerYear {
		f.TotalNotes = append(f.TotalNotes, "Amounts given “a year” are counted once for each of their years.")
	}
	if hasExcluded {
		f.TotalNotes = append(f.TotalNotes, "Maxima, agreements in principle and figures quoted for comparison are shown for context and are not added to the total.")
	}
	return f
}

func chain(d store.DecisionDetail, m *marker) pages.Chain {
	if len(d.Chain) == 0 {
		return pages.Chain{}
	}
	byDecision := linesByDecision(d.ChainFunding)
	totals := make([]decision.Total, len(d.Chain))
	for i, c := range d.Chain {
		totals[i] = decision.TotalOf(lines(byDecision[c.ID]))
		if c.Status == decision.StatusWithdrawn {
			// A withdrawn decision stays in its chain, marked, but adds nothing to it.
			totals[i] = decision.Total{Known: true}
		}
	}
	running := decision.RunningTotals(totals)
	c := pages.Chain{ChartTitle: fmt.Sprintf("Money accepted by each decision in the funding chain, %s to %s",
		d.Chain[0].Reference, d.Chain[len(d.Chain)-1].Reference)}
	var unknown, unclear []string
	for i, mem := range d.Chain {
		t := totals[i]
		ys := decision.AcceptedYearsOf(lines(byDecision[mem.ID]))
		row := pages.ChainRow{
			Reference: mem.Reference, URL: "/decisions/" + mem.Slug,
			Years: yearsText(ys), Current: mem.ID == d.ID,
			Running: decision.FormatPence(running[i].Pence),
		}
		if mem.Title != nil {
			row.Title = m.rich(*mem.Title)
		}
		bar := components.ChartBar{Reference: mem.Reference, Pence: t.Pence, Unclear: t.Unclear, Current: row.Current}
		if len(ys) > 0 {
			bar.YearFrom = ys[0].String()
			if len(ys) > 1 {
				bar.YearTo = ys[len(ys)-1].String()
			}
		}
		switch {
		case mem.Status == decision.StatusWithdrawn:
			row.Amount, bar.Amount = "Withdrawn: not counted", "withdrawn"
		case t.Known:
			row.Amount = totalAmount(t)
			bar.Amount = decision.FormatPenceShort(t.Pence)
		default:
			unknown = append(unknown, mem.Reference)
		}
		if t.Unclear {
			row.Amount += " *"
			unclear = append(unclear, mem.Reference)
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
		c.Notes = append(c.Notes, m.rich(fmt.Sprintf("* %s: the published text does not make clear whether the amount is for each year or for all its years. It is counted once, as published.", strings.Join(unclear, ", "))))
	}
	if len(unknown) > 0 {
		c.Notes = append(c.Notes, m.rich(fmt.Sprintf("No amount is recorded for %s, so running totals are the least the chain accepted.", strings.Join(unknown, ", "))))
	}
	return c
}

func related(links []store.Link, m *marker) []pages.Related {
	out := make([]pages.Related, len(links))
	for i, l := range links {
		out[i] = pages.Related{Relation: relation(l), Reference: l.Ref, URL: "/decisions/" + l.Slug}
		if l.Title != nil {
			out[i].Title = m.rich(*l.Title)
		}
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

// attachments are a decision's documents for its page: the signed decision document, then the
// supporting papers.
func attachments(d store.DecisionDetail) (signed, supporting []pages.Attachment) {
	for _, doc := range d.Documents {
		a := pages.Attachment{Name: doc.Name, URL: documentURL(d.Slug, doc.SHA256), Type: document.TypeName(doc.MediaType),
			Size: document.FormatSize(doc.Size), Filename: document.Filename(doc.Name, doc.MediaType), SHA256: doc.SHA256}
		if doc.Kind == store.DocumentSigned {
			signed = append(signed, a)
		} else {
			supporting = append(supporting, a)
		}
	}
	return signed, supporting
}
