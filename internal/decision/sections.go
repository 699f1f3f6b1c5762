package decision

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Section kinds of Part I, in the order a decision sets them out. The database CHECK on
// sections.kind lists the same values.
var SectionKinds = []string{
	"introduction_and_background", "issues_for_consideration", "financial_comments",
	"legal_comments", "equality_comments", "gdpr_and_data_privacy", "background_papers", "other",
}

// PartTwoKind is the kind of the one section a draft's Part II holds.
const PartTwoKind = "other"

// SectionKindLabel names a section kind for people; it is also a new section's heading.
func SectionKindLabel(kind string) string {
	switch kind {
	case "introduction_and_background":
		return "Introduction and background"
	case "issues_for_consideration":
		return "Issues for consideration"
	case "financial_comments":
		return "Financial comments"
	case "legal_comments":
		return "Legal comments"
	case "equality_comments":
		return "Equality comments"
	case "gdpr_and_data_privacy":
		return "GDPR and data privacy"
	case "background_papers":
		return "Background and supporting papers"
	case "other":
		return "Other information"
	}
	return kind
}

// Link kinds: how one decision relates to another.
const (
	LinkContinues = "continues" // this decision is the next in a funding chain after the other
	LinkVaries    = "varies"    // this decision varies the other
	LinkRelated   = "related"
)

// LinkKinds lists the link kinds a drafter may choose.
var LinkKinds = []string{LinkContinues, LinkVaries, LinkRelated}

// LinkKindLabel names a link kind for people, from the side of the decision making the link.
func LinkKindLabel(kind string) string {
	switch kind {
	case LinkContinues:
		return "Continues"
	case LinkVaries:
		return "Varies"
	case LinkRelated:
		return "Related to"
	}
	return kind
}

// FundingKinds lists the funding line kinds a drafter may choose.
var FundingKinds = []string{KindGrantAccepted, KindVariation, KindMaximumAfterVariation, KindAgreedInPrinciple, KindContext}

// CleanText is how typed text is stored, and every form of the drafts and corrections takes
// its text through it: line endings as "\n" (browsers send a textarea's as "\r\n"), Unicode
// NFC, no leading or trailing space, and no control character but the newline (see
// typedText). Text stored this way reaches the canonical content with no escape in it but
// "\n", "\"" and "\\" (docs/canonical.md).
func CleanText(s string) string { return cleanTyped(typedText.Replace(s), false) }

// CleanSectionText is CleanText for the body of a section (Part I or Part II), but keeping its
// tabs: a tab separates the cells of a table (ParseText), as in text pasted from a Word or
// LibreOffice table. A tab reaches the canonical content as "\t" (docs/canonical.md).
func CleanSectionText(s string) string { return cleanTyped(sectionText.Replace(s), true) }

func cleanTyped(s string, tabs bool) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && (r != '\t' || !tabs) {
			return -1
		}
		return r
	}, s)
	if tabs {
		// A tab at either end is a table's empty first or last cell.
		return strings.TrimFunc(norm.NFC.String(s), func(r rune) bool { return r != '\t' && unicode.IsSpace(r) })
	}
	return strings.TrimSpace(norm.NFC.String(s))
}

// typedText maps the line and paragraph breaks text may arrive with to the register's own: a
// line break ("\r\n", "\r", U+2028 LINE SEPARATOR) is "\n", a paragraph break (U+2029
// PARAGRAPH SEPARATOR) a blank line, and a tab (pasted from a table) a space. Every other C0
// control (U+0000 to U+001F) is then dropped: none is visible, and each would reach the signed
// bytes as an escape.
var typedText = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n\n", "\t", " ")

var sectionText = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u2028", "\n", "\u2029", "\n\n")
