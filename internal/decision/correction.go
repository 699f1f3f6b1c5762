package decision

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Corrected is the part of a published decision a correction may change: its title and
// summary, the words of its recommendations and Part I sections, and its funding lines. Part II,
// links and the funder are kept as signed.
type Corrected struct {
	Title           string           `json:"title"`
	Summary         string           `json:"summary"`
	Recommendations []string         `json:"recommendations"`
	Sections        []ContentSection `json:"part_one"`
	Funding         []ContentFunding `json:"funding"`
}

// CorrectedOf takes the correctable part of c.
func CorrectedOf(c Content) Corrected {
	return Corrected{Title: c.Title, Summary: c.Summary, Recommendations: slices.Clone(c.Recommendations),
		Sections: slices.Clone(c.Sections), Funding: slices.Clone(c.Funding)}
}

// Apply is c with its correctable part replaced by k: the content a correction's approval signs.
func (k Corrected) Apply(c Content) Content {
	c.Title, c.Summary = k.Title, k.Summary
	c.Recommendations = slices.Clone(k.Recommendations)
	c.Sections = slices.Clone(k.Sections)
	c.Funding = slices.Clone(k.Funding)
	return c
}

// FieldDiff is the difference, word by word, in one field between two versions.
type FieldDiff struct {
	Field string // "Title", "Recommendation 2", a section's heading, "Funding line 1"
	Runs  []DiffRun
}

// Diffs lists the fields that differ between two versions, in the order a page shows them,
// each as a word-level difference. Funding lines are compared as the sentence that describes
// each.
func Diffs(old, new Corrected) []FieldDiff {
	var out []FieldDiff
	add := func(field, a, b string) {
		if a != b {
			out = append(out, FieldDiff{Field: field, Runs: WordDiff(a, b)})
		}
	}
	add("Title", old.Title, new.Title)
	add("Summary", old.Summary, new.Summary)
	for i := range max(len(old.Recommendations), len(new.Recommendations)) {
		add("Recommendation "+strconv.Itoa(i+1), at(old.Recommendations, i), at(new.Recommendations, i))
	}
	for i := range max(len(old.Sections), len(new.Sections)) {
		var a, b ContentSection
		if i < len(old.Sections) {
			a = old.Sections[i]
		}
		if i < len(new.Sections) {
			b = new.Sections[i]
		}
		name := SectionKindLabel(cmpOr(b.Kind, a.Kind))
		add(name+": heading", a.Heading, b.Heading)
		add(name, a.Body, b.Body)
	}
	for i := range max(len(old.Funding), len(new.Funding)) {
		var a, b string
		if i < len(old.Funding) {
			a = FundingSentence(old.Funding[i])
		}
		if i < len(new.Funding) {
			b = FundingSentence(new.Funding[i])
		}
		add("Funding line "+strconv.Itoa(i+1), a, b)
	}
	return out
}

func at(ss []string, i int) string {
	if i < len(ss) {
		return ss[i]
	}
	return ""
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// FundingSentence describes a funding line in words, for comparing two versions of it.
func FundingSentence(f ContentFunding) string {
	var b strings.Builder
	b.WriteString(FormatMoney(f.AmountPence, f.Currency))
	b.WriteString(" " + strings.ToLower(KindLabel(f.Kind)))
	switch f.Basis {
	case BasisPerYear:
		b.WriteString(" a year")
	case BasisUnclear:
		b.WriteString(" (a year or in total: unclear)")
	}
	b.WriteString(" for " + f.Label)
	if f.FYStart != nil {
		end := *f.FYStart
		if f.FYEnd != nil {
			end = *f.FYEnd
		}
		b.WriteString(", " + FinancialYearRange(FinancialYear(*f.FYStart), FinancialYear(end)))
	}
	if f.PeriodText != nil {
		b.WriteString(" (" + *f.PeriodText + ")")
	}
	if f.Funder != nil {
		b.WriteString(", from " + *f.Funder)
	}
	if f.Recipient != nil {
		b.WriteString(", to " + *f.Recipient)
	}
	return b.String()
}

// A correction is typographical when it mends only how the decision is written, not what it
// says: no amount, currency, financial year, basis, kind, funder or recipient changes; no
// recommendation, section or funding line is added or removed; every text keeps the same
// number of words, and each word that changes is a small mend (at most two characters, in
// letters) to a word with no digit in it (so no number, date or reference changes), and is
// not a word that turns a meaning round (not, no, never, ...). An admin may approve a
// typographical correction; any other needs the decision maker of the series.
const maxTypoEdit = 2

var meaningWords = []string{"not", "no", "nor", "never", "none", "without", "cannot", "refuse", "refused",
	"reject", "rejected", "approve", "approved", "accept", "accepted", "decline", "declined", "shall", "may", "must"}

// NotTypographical says why a correction from old to new is not typographical, or "" when it
// is.
func NotTypographical(old, new Corrected) string {
	if len(old.Recommendations) != len(new.Recommendations) {
		return "it adds or removes a recommendation"
	}
	if len(old.Sections) != len(new.Sections) {
		return "it adds or removes a section"
	}
	if len(old.Funding) != len(new.Funding) {
		return "it adds or removes a funding line"
	}
	for i := range old.Funding {
		a, b := old.Funding[i], new.Funding[i]
		n := "funding line " + strconv.Itoa(i+1)
		switch {
		case a.AmountPence != b.AmountPence || a.Currency != b.Currency:
			return "it changes the amount of " + n
		case !eqInt(a.FYStart, b.FYStart) || !eqInt(a.FYEnd, b.FYEnd):
			return "it changes the financial years of " + n
		case a.Basis != b.Basis || a.Kind != b.Kind:
			return "it changes what kind of amount " + n + " is"
		case !eqStr(a.Funder, b.Funder) || !eqStr(a.Recipient, b.Recipient):
			return "it changes the funder or recipient of " + n
		}
		if why := typoText(a.Label, b.Label); why != "" {
			return why + " in the label of " + n
		}
		if why := typoText(deref(a.PeriodText), deref(b.PeriodText)); why != "" {
			return why + " in the period of " + n
		}
	}
	check := []struct{ name, a, b string }{{"the title", old.Title, new.Title}, {"the summary", old.Summary, new.Summary}}
	for i := range old.Recommendations {
		check = append(check, struct{ name, a, b string }{"recommendation " + strconv.Itoa(i+1), old.Recommendations[i], new.Recommendations[i]})
	}
	for i := range old.Sections {
		name := "the section “" + SectionKindLabel(old.Sections[i].Kind) + "”"
		check = append(check, struct{ name, a, b string }{name, old.Sections[i].Heading, new.Sections[i].Heading},
			struct{ name, a, b string }{name, old.Sections[i].Body, new.Sections[i].Body})
	}
	for _, c := range check {
		if why := typoText(c.a, c.b); why != "" {
			return why + " in " + c.name
		}
	}
	return ""
}

// typoText says why the change from a to b is more than a typographical mend, or "".
func typoText(a, b string) string {
	wa, wb := bareWords(a), bareWords(b)
	if len(wa) != len(wb) {
		return "it adds or removes words"
	}
	for i := range wa {
		x, y := wa[i], wb[i]
		if x == y {
			continue
		}
		switch {
		case hasDigit(x) || hasDigit(y):
			return fmt.Sprintf("it changes a number, date or reference (“%s” to “%s”)", x, y)
		case slices.Contains(meaningWords, letters(x)) || slices.Contains(meaningWords, letters(y)):
			return fmt.Sprintf("it changes a word that carries the meaning (“%s” to “%s”)", x, y)
		case editDistance(letters(x), letters(y)) > maxTypoEdit:
			return fmt.Sprintf("it changes a word by more than %d letters (“%s” to “%s”)", maxTypoEdit, x, y)
		}
	}
	return ""
}

func hasDigit(s string) bool { return strings.ContainsFunc(s, unicode.IsDigit) }

// letters is a word in lower case without its punctuation.
func letters(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }))
}

func eqInt(a, b *int) bool    { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func eqStr(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ParseCanonical reads canonical bytes back into content, for showing an earlier version. Part
// II is not in them (only its hash), nor is the salt.
func ParseCanonical(b []byte) (Content, error) {
	var doc canonicalDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return Content{}, fmt.Errorf("canonical content: %w", err)
	}
	return Content{Reference: doc.Reference, Title: doc.Title, Summary: doc.Summary, Funder: doc.Funder,
		Recommendations: doc.Recommendations, Sections: doc.Sections, Funding: doc.Funding, Links: doc.Links}, nil
}

// CanCorrect says whether a decision of this status can be corrected: one that was signed into
// effect and not withdrawn.
func CanCorrect(status string) error {
	if status != StatusPublished && status != StatusApproved {
		return notAllowed("Only a signed decision that is published or awaiting publication can be corrected.")
	}
	return nil
}

// CanApproveCorrection applies the rule for approving a correction of a decision in series:
// the series' decision maker may approve any correction; an admin only a typographical one
// (notTypo is "" for those, else why it is not); nobody who drafted the correction.
func CanApproveCorrection(a Actor, series string, drafters []int64, notTypo string) error {
	if slices.Contains(drafters, a.ID) {
		return notAllowed("You drafted this correction, so someone else must approve it.")
	}
	if a.Has(RoleDecisionMaker) && slices.Contains(a.Series, series) {
		return nil
	}
	if a.Has(RoleAdmin) {
		if notTypo == "" {
			return nil
		}
		return notAllowed("This correction is not typographical: " + notTypo +
			". Only the decision maker for " + series + " can approve it; an admin can approve only corrections of spelling, punctuation and layout.")
	}
	return notAllowed("Only the decision maker for " + series + " (or, for a typographical correction, an admin) can approve a correction.")
}

// CanDiscardCorrection says whether a may discard a correction in progress that the drafters
// in drafters have saved: one of them (their own work), or an admin (a correction left by
// someone who moved on must not block the decision's next one for ever).
func CanDiscardCorrection(a Actor, drafters []int64) error {
	if a.Has(RoleAdmin) || (a.Has(RoleDrafter) && slices.Contains(drafters, a.ID)) {
		return nil
	}
	return notAllowed("Only someone who drafted this correction, or an admin, can discard it.")
}

// CanWithdraw says whether the actor may withdraw a decision of the series: its decision maker
// or an admin.
func CanWithdraw(a Actor, series, status string) error {
	if status != StatusPublished && status != StatusApproved {
		return notAllowed("Only a published decision, or one awaiting publication, can be withdrawn.")
	}
	if a.Has(RoleAdmin) || (a.Has(RoleDecisionMaker) && slices.Contains(a.Series, series)) {
		return nil
	}
	return notAllowed("Only the decision maker for " + series + " or an admin can withdraw this decision.")
}
