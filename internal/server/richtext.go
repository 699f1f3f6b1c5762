package server

import (
	"regexp"
	"sort"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
)

// abbreviationRE matches the glossary's short forms as whole words, longest first so that
// "DMPCD" is not read as "DMPC".
var abbreviationRE = func() *regexp.Regexp {
	shorts := make([]string, len(decision.Abbreviations))
	for i, a := range decision.Abbreviations {
		shorts[i] = regexp.QuoteMeta(a.Short)
	}
	sort.Slice(shorts, func(i, j int) bool { return len(shorts[i]) > len(shorts[j]) })
	return regexp.MustCompile(`\b(?:` + strings.Join(shorts, "|") + `)\b`)
}()

// marker turns one page's text into rich text: the decisions it names link to their pages when
// the register holds them, and each abbreviation is explained the first time the page uses it.
// Call it in the order the page shows its text.
type marker struct {
	held map[string]string // canonical reference → slug
	self string            // the page's own decision, never linked to itself
	seen map[string]bool
	used []decision.Abbreviation // in order of first use
}

func newMarker(held map[string]string, self string) *marker {
	return &marker{held: held, self: self, seen: map[string]bool{}}
}

func (m *marker) rich(s string) components.Rich {
	var out components.Rich
	last := 0
	for _, mention := range decision.FindReferences(s) {
		out = append(out, m.abbreviate(s[last:mention.Start])...)
		// A reference is a name, not an abbreviation to explain: it links to its decision
		// when the register holds it and it is not this page's own.
		in := components.Inline{Text: s[mention.Start:mention.End]}
		if ref := mention.Ref.String(); ref != m.self {
			if slug, ok := m.held[ref]; ok {
				in.Href = "/decisions/" + slug
			}
		}
		out = append(out, in)
		last = mention.End
	}
	return append(out, m.abbreviate(s[last:])...)
}

func (m *marker) richAll(ss []string) []components.Rich {
	out := make([]components.Rich, len(ss))
	for i, s := range ss {
		out[i] = m.rich(s)
	}
	return out
}

func (m *marker) abbreviate(s string) components.Rich {
	var out components.Rich
	last := 0
	for _, loc := range abbreviationRE.FindAllStringIndex(s, -1) {
		short := s[loc[0]:loc[1]]
		if m.seen[short] {
			continue
		}
		m.seen[short] = true
		long := decision.AbbreviationFor(short)
		m.used = append(m.used, decision.Abbreviation{Short: short, Long: long})
		if loc[0] > last {
			out = append(out, components.Inline{Text: s[last:loc[0]]})
		}
		out = append(out, components.Inline{Text: short, Title: long})
		last = loc[1]
	}
	if last < len(s) {
		out = append(out, components.Inline{Text: s[last:]})
	}
	return out
}

// mentionedReferences lists the references a decision's text names, for one look-up of which
// the register holds.
func mentionedReferences(d store.DecisionDetail) []string {
	texts := []string{deref(d.Title), deref(d.Summary), deref(d.DecisionMakerRole), deref(d.ProvenanceNote)}
	texts = append(texts, d.Recommendations...)
	texts = append(texts, d.Notes...)
	for _, s := range d.Sections {
		texts = append(texts, s.Body)
	}
	for _, f := range d.Funding {
		texts = append(texts, f.Label)
	}
	for _, f := range d.FieldStatuses {
		texts = append(texts, f.Status)
	}
	seen := map[string]bool{}
	var refs []string
	// The register's own sentences name the decisions of the chain ("No amount is recorded for
	// PCD 545"), and titles may name related decisions.
	for _, c := range d.Chain {
		seen[c.Reference] = true
		refs = append(refs, c.Reference)
	}
	for _, l := range d.Links {
		if !seen[l.Ref] {
			seen[l.Ref] = true
			refs = append(refs, l.Ref)
		}
	}
	for _, t := range texts {
		for _, m := range decision.FindReferences(t) {
			if r := m.Ref.String(); !seen[r] {
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	return refs
}
