package importer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
)

// checked is a record read into a decision to load, with what is wrong with it.
type checked struct {
	rec       record
	ref       string // as written, for the report
	d         store.ImportedDecision
	docs      []docFile
	problems  []Problem
	unchanged bool // held already as the record has it
}

func (c *checked) fail(field, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: c.rec.file, Line: c.rec.line, Reference: c.ref, Field: field,
		Message: fmt.Sprintf(format, args...)})
}

// parseRef reads a reference in any form staff type ("PCD 1682", "pcd-1682"), refusing any
// other series, and a bare number: an import never guesses the series.
func (c *checked) parseRef(field, s string) (decision.Ref, bool) {
	s = strings.TrimSpace(s)
	series, _, _ := strings.Cut(s, " ")
	r, err := decision.ParseReference(s)
	switch {
	case err == nil && s != "" && isLetters(s[:1]):
		return r, true
	case err != nil && series != "" && isLetters(series):
		c.fail(field, "%q is not a reference of a known series (PCD, DMPCD, MD, DD, ADD)", s)
	default:
		c.fail(field, "%q is not a decision reference (write it like PCD 1682)", s)
	}
	return decision.Ref{}, false
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return s != ""
}

// checkJSON reads a record of the register's public JSON into a decision to load. The public
// JSON holds all that the decision's content hash covers but Part II, which it holds as its
// hash: the content read must hash to the content_hash the source gives, under one of the
// canonical versions, or the record is refused (it is incomplete, or it was changed).
func checkJSON(ctx context.Context, r record, maxBytes int64) *checked {
	j := r.json
	c := &checked{rec: r, ref: j.Reference}
	ref, ok := c.parseRef("reference", j.Reference)
	if ok && ref.Slug() != j.Slug && j.Slug != "" {
		c.fail("slug", "%q is not the slug of %s (%s)", j.Slug, ref, ref.Slug())
	}
	switch j.Status {
	case decision.StatusPublished:
	case decision.StatusWithdrawn:
		c.fail("status", "withdrawn decisions are not imported")
	default:
		c.fail("status", "%q: only published decisions are imported", j.Status)
	}
	if len(j.Versions) > 1 {
		c.fail("versions", "corrected decisions (%d signed versions) are not imported: the public record does not hold the first version's content", len(j.Versions))
	}
	sig := j.Signoff.Signature
	if sig == nil {
		c.fail("signoff.signature", "missing: the record says nothing of its signing")
	}
	if !slices.Contains([]string{"published", "paraphrase"}, j.TextSource) {
		c.fail("text_source", "%q is not published or paraphrase", j.TextSource)
	}
	d := store.ImportedDecision{Ref: ref, Title: j.Title, Summary: j.Summary, TextSource: j.TextSource, Funder: j.Funder,
		DecisionMakerName: j.DecisionMaker.Name, DecisionMakerRole: j.DecisionMaker.Role, SourceURL: j.SourceURL,
		Synthetic: j.Synthetic, Recommendations: j.Recommendations, Source: r.file, SourceID: j.Reference}
	if j.URL != "" {
		d.SourceAddress = &j.URL
	}
	d.DateSigned = c.date("date_signed", j.DateSigned)
	d.DatePublished = c.date("date_published", j.DatePublished)
	if j.PartTwoSHA256 != nil {
		if !isHash(*j.PartTwoSHA256) {
			c.fail("part_two_sha256", "not a SHA-256 in lower-case hexadecimal")
		}
		d.PartTwoHash = *j.PartTwoSHA256
	}
	for i, s := range j.Sections {
		switch s.Part {
		case 1:
			d.Sections = append(d.Sections, decision.ContentSection{Kind: s.Kind, Heading: s.Heading, Body: s.Body})
		case 2:
			// Its content enters the hash through part_two_sha256: the salt is never exported.
			if j.PartTwoSHA256 == nil {
				c.fail(fmt.Sprintf("sections[%d]", i), "a Part II section, but no part_two_sha256: Part II cannot be hashed without the source's salt")
			}
		default:
			c.fail(fmt.Sprintf("sections[%d].part", i), "%d is not 1 or 2", s.Part)
		}
	}
	for i, f := range j.FundingLines {
		line := decision.ContentFunding{AmountPence: f.AmountPence, Currency: f.Currency, FYStart: f.FYStart, FYEnd: f.FYEnd,
			Basis: f.Basis, Kind: f.Kind, Label: f.Label, PeriodText: f.PeriodText, Funder: f.Funder, Recipient: f.Recipient}
		if f.FYStart == nil && len(f.FinancialYears) > 0 {
			c.fail(fmt.Sprintf("funding_lines[%d].fy_start", i), "missing: financial_years alone do not say whether an end year was signed")
		}
		c.checkFunding(fmt.Sprintf("funding_lines[%d]", i), line)
		d.Funding = append(d.Funding, line)
	}
	for _, l := range j.Links {
		if l.Direction == "to" {
			d.Links = append(d.Links, decision.ContentLink{Kind: l.Kind, Reference: l.Reference})
		}
	}
	for i, doc := range j.Documents {
		if doc.Kind != "supporting" {
			continue // the signed decision document is the register's own, made from the content
		}
		c.docs = append(c.docs, docFile{field: fmt.Sprintf("documents[%d]", i), name: doc.Name, mediaType: doc.MediaType,
			size: doc.Size, sha256: doc.SHA256, path: docPath(r.dir, ref.Slug(), doc.Name)})
	}
	c.checkLinks(d.Links, ref)
	c.checkDocuments(ctx, maxBytes)
	d.Documents = c.storeDocuments()
	if sig != nil {
		d.SignedAt = sig.SignedAt
		content := d.Content()
		for _, v := range slices.Backward(decision.KnownCanonicalVersions()) {
			if h, _ := decision.ContentHashAs(v, content); h == sig.ContentHash {
				d.CanonicalVersion, d.ContentHash = v, h
				break
			}
		}
		if d.ContentHash == "" && len(c.problems) == 0 {
			h := decision.ContentHash(content)
			c.fail("content_hash", "the record's content hashes to %s, not to the %s its signature gives: the record is incomplete or was changed", h, sig.ContentHash)
		}
	}
	d.RecordSHA256 = recordHash(d)
	c.d = d
	return c
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') {
			return false
		}
	}
	return true
}

func (c *checked) date(field string, s *string) *time.Time {
	if s == nil || strings.TrimSpace(*s) == "" {
		return nil
	}
	t, err := time.Parse(time.DateOnly, strings.TrimSpace(*s))
	if err != nil {
		if t, err = time.Parse("02/01/2006", strings.TrimSpace(*s)); err != nil {
			c.fail(field, "%q is not a date (write it like 2024-03-31 or 31/03/2024)", *s)
			return nil
		}
	}
	return &t
}

var fundingKinds = []string{"grant_accepted", "variation", "maximum_after_variation", "agreed_in_principle", "context"}

// checkFunding says what the database would refuse in a funding line, in words.
func (c *checked) checkFunding(field string, f decision.ContentFunding) {
	if f.AmountPence <= 0 {
		c.fail(field+".amount", "must be more than nothing")
	}
	if len(f.Currency) != 3 || strings.ToUpper(f.Currency) != f.Currency {
		c.fail(field+".currency", "%q is not a currency code like GBP", f.Currency)
	}
	if !slices.Contains([]string{"total", "per_year", "unclear"}, f.Basis) {
		c.fail(field+".basis", "%q is not total, per_year or unclear", f.Basis)
	}
	if !slices.Contains(fundingKinds, f.Kind) {
		c.fail(field+".kind", "%q is not one of %s", f.Kind, strings.Join(fundingKinds, ", "))
	}
	if strings.TrimSpace(f.Label) == "" {
		c.fail(field+".label", "missing: each funding line needs its own words")
	}
	if f.FYEnd != nil && (f.FYStart == nil || *f.FYEnd < *f.FYStart) {
		c.fail(field+".financial_years", "the last year comes before the first")
	}
	if f.Basis == "per_year" && (f.FYStart == nil || f.FYEnd == nil) {
		c.fail(field+".basis", "an amount per year needs its first and last years")
	}
	for _, y := range []*int{f.FYStart, f.FYEnd} {
		if y != nil && (*y < decision.MinYear || *y > decision.MaxYear) {
			c.fail(field+".financial_years", "%d is out of range", *y)
		}
	}
}

func (c *checked) checkLinks(links []decision.ContentLink, self decision.Ref) {
	seen := map[decision.ContentLink]bool{}
	for _, l := range links {
		if !slices.Contains(decision.LinkKinds, l.Kind) {
			c.fail("links", "%q is not a link kind (continues, varies, related)", l.Kind)
		}
		if l.Reference == self.String() {
			c.fail("links", "%s links to itself", self)
		}
		if seen[l] {
			c.fail("links", "%s %s twice", l.Kind, l.Reference)
		}
		seen[l] = true
	}
}

// recordHash is the SHA-256 of what a record says, so a later run can tell a record changed at
// its source: its content, the dates and names around it, and where it points.
func recordHash(d store.ImportedDecision) string {
	b, _ := decision.CanonicalAs(decision.CanonicalVersion, d.Content())
	meta := fmt.Sprintf("%v|%v|%v|%v|%v|%v|%v|%v|%v", deref(d.DecisionMakerName), deref(d.DecisionMakerRole),
		day(d.DateSigned), day(d.DatePublished), deref(d.SourceURL), d.TextSource, d.Synthetic, d.Title == nil, d.Summary == nil)
	return sha256Hex(append(b, meta...))
}

func deref(s *string) string {
	if s == nil {
		return "\x00"
	}
	return *s
}

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format(time.DateOnly)
}
