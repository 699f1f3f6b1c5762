package decision

import (
	"regexp"
	"strconv"
	"strings"
)

// Mention is a decision reference named in running text: s[Start:End] names Ref.
type Mention struct {
	Start, End int
	Ref        Ref
}

// mentionRE finds "PCD 1682", "PCD1532", "PCD-956", "MOPAC PCD545" and lists that name the series
// once: "PCD references 545, 867, 914, 960, 1047 and 1215", "PCD 545/867/914".
var (
	mentionRE     = regexp.MustCompile(`\bPCD(?:\s+references?\s+|\s*No\.?\s*|[\s\x{00a0}-]?)(\d{1,6})\b`)
	continuedRE   = regexp.MustCompile(`^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*/\s*)(?:PCD[\s\x{00a0}-]?)?(\d{1,6})\b`)
	yearAfterList = regexp.MustCompile(`^/\d{2}\b`)
)

// FindReferences lists the decision references named in text, in order. In a list such as
// "PCD references 545, 867 and 914" each number is its own mention.
func FindReferences(text string) []Mention {
	var out []Mention
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		if len(out) > 0 && m[0] < out[len(out)-1].End {
			continue
		}
		n, err := strconv.Atoi(text[m[2]:m[3]])
		if err != nil || n <= 0 {
			continue
		}
		out = append(out, Mention{Start: m[0], End: m[1], Ref: Ref{Series: "PCD", Number: n}})
		end := m[1]
		for {
			rest := text[end:]
			c := continuedRE.FindStringSubmatchIndex(rest)
			// "PCD 1218 in 2022/23" has no list; neither has "2021/22" after a slash.
			if c == nil || yearAfterList.MatchString(rest) {
				break
			}
			n, err := strconv.Atoi(rest[c[2]:c[3]])
			if err != nil || n <= 0 {
				break
			}
			start := end + c[0]
			// The link covers the number, and "PCD" when the list repeats it.
			if i := strings.LastIndex(rest[:c[2]], "PCD"); i >= 0 {
				start = end + i
			} else {
				start = end + c[2]
			}
			out = append(out, Mention{Start: start, End: end + c[3], Ref: Ref{Series: "PCD", Number: n}})
			end += c[1]
		}
	}
	return out
}
