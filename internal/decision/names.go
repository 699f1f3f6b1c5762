package decision

import (
	"strings"
	"unicode"
)

// CleanName is how a one-line name is stored (a title, a document's name, an organisation's):
// CleanText, then every bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE and its
// kin) dropped, and any run of white space, line breaks included, made one space. An override
// makes "Annex ‮fdp.exe" read "Annex exe.pdf": a name shown to the public must read as the
// characters it holds. Names in right-to-left scripts need no controls to show correctly.
func CleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, CleanText(s))
	return strings.Join(strings.Fields(s), " ")
}
