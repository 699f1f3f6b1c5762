package decision

import (
	"regexp"
	"strconv"
)

// Mention is a decision reference named in running text: s[Start:End] names Ref.
type Mention struct {
	Start, End int
	Ref        Ref
}

// mentionRE finds "PCD 1682", "PCD1532", "PCD-956", "MOPAC PCD545" and lists that name the series
// once: "PCD references 545, 867, 914, 960, 1047 and 1215", "PCDs 545 and 867", "PCD 545/867/914".
// Group 1 is set when the series is named as a list ("references", "PCDs").
var (
	mentionRE     = regexp.MustCompile(`\bPCD(?:(s\s+|\s+references?\s+)|\s*No\.?\s*|[\s\x{00a0}-]?)(\d{1,6})\b`)
	continuedRE   = regexp.MustCompile(`^(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*/\s*)(PCD[\s\x{00a0}-]?)?(\d{1,6})\b`)
	yearAfterList = regexp.MustCompile(`^/\d{2}\b`)
	// notAReference is what follows a bare number that counts, dates or measures something:
	// "12 months", "2 further years", "2021/22", "1 April 2021", "272,708", "1.5".
	notAReference = regexp.MustCompile(`^(?:\s*[/\-\x{2010}-\x{2013}]\s*\d{1,2}\b|[.,]\d|\s*%|\s+(?i:` +
		`jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|` +
		`days?|weeks?|months?|years?|quarters?|hours?|further|more|other|additional|extra|new|per|percent|million|m|bn|k|` +
		`staff|posts?|officers?|people|times|fte)\b)`)
)

// continues reports whether the bare number s (no "PCD" of its own), following prev in a list,
// is another reference rather than a count, a year or a date: "PCD 1215, 12 months later" and
// "see PCD 1218/2022" name one decision each. A list that says it is one ("PCD references 545,
// 867 and 1047") takes numbers of any length; otherwise the numbers must be of similar length and
// not a year.
func continues(prev, s, after string, namedList bool) bool {
	if notAReference.MatchString(after) {
		return false
	}
	if namedList {
		return true
	}
	if d := len(s) - len(prev); d < -1 || d > 1 {
		return false
	}
	if n, _ := strconv.Atoi(s); len(s) == 4 && n >= 1900 && n < 2100 {
		return false
	}
	return true
}

// FindReferences lists the decision references named in text, in order. In a list such as
// "PCD references 545, 867 and 914" each number is its own mention.
func FindReferences(text string) []Mention {
	var out []Mention
	for _, m := range mentionRE.FindAllStringSubmatchIndex(text, -1) {
		if len(out) > 0 && m[0] < out[len(out)-1].End {
			continue
		}
		n, err := strconv.Atoi(text[m[4]:m[5]])
		if err != nil || n <= 0 {
			continue
		}
		out = append(out, Mention{Start: m[0], End: m[1], Ref: Ref{Series: "PCD", Number: n}})
		namedList := m[2] >= 0
		prev := text[m[4]:m[5]]
		end := m[1]
		for {
			rest := text[end:]
			c := continuedRE.FindStringSubmatchIndex(rest)
			// "PCD 1218 in 2022/23" has no list; neither has "2021/22" after a slash.
			if c == nil || yearAfterList.MatchString(rest) {
				break
			}
			num := rest[c[4]:c[5]]
			n, err := strconv.Atoi(num)
			if err != nil || n <= 0 {
				break
			}
			// A number that repeats "PCD" is a reference; a bare one must look like one.
			if c[2] < 0 && !continues(prev, num, rest[c[5]:], namedList) {
				break
			}
			// The link covers the number, and "PCD" when the list repeats it.
			start := end + c[4]
			if c[2] >= 0 {
				start = end + c[2]
			}
			out = append(out, Mention{Start: start, End: end + c[5], Ref: Ref{Series: "PCD", Number: n}})
			prev = num
			end += c[1]
		}
	}
	return out
}
