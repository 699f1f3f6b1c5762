package decision

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// DefaultSeries is the series a bare number belongs to: staff type "1682" for PCD 1682.
const DefaultSeries = "PCD"

// yearSeries are the older series whose references carry a year: "DMPCD 2014 23".
var yearSeries = map[string]bool{"DMPCD": true}

// knownSeries are the series the register accepts. Words that are not a series ("hub 12")
// are search terms, not references.
var knownSeries = map[string]bool{"PCD": true, "DMPCD": true, "MD": true, "DD": true, "ADD": true}

// ErrNotReference means the text is not a decision reference; it may still be search words.
var ErrNotReference = errors.New("not a decision reference")

// maxReferenceLen bounds the text worth parsing; anything longer is search words.
const maxReferenceLen = 40

// Ref identifies a decision: its series, the year for year-numbered series, and its number.
type Ref struct {
	Series string
	Year   int // 0 unless the series numbers by year
	Number int
}

// String gives the canonical reference, as displayed: "PCD 1682", "DMPCD 2014 23".
func (r Ref) String() string {
	if r.Year != 0 {
		return fmt.Sprintf("%s %d %d", r.Series, r.Year, r.Number)
	}
	return fmt.Sprintf("%s %d", r.Series, r.Number)
}

// Slug gives the reference as it appears in a URL: "pcd-1682", "dmpcd-2014-23".
func (r Ref) Slug() string {
	return strings.ToLower(strings.ReplaceAll(r.String(), " ", "-"))
}

// minBareYearSeriesNumber is the smallest number that, written after a year-numbered series
// with no year ("DMPCD 1682"), cannot be a number within a year and so names a PCD.
const minBareYearSeriesNumber = 1000

// issuer is the body whose name staff sometimes put before a reference: "MOPAC PCD 1682".
const issuer = "MOPAC"

// ParseReference reads a reference as staff type it: "pcd1682", " PCD-1682 ", "PCD 1682",
// "PCD No. 1682", "1682", "pcd-1682", "DMPCD 2014 23", "MOPAC PCD 1682", and the same in
// full-width or other compatibility forms ("ＰＣＤ １６８２"), which are normalised (NFKC) first.
// "DMPCD 1682", with no year, can only mean PCD 1682. It returns ErrNotReference (wrapped with
// a reason) for anything else.
func ParseReference(s string) (Ref, error) {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if s == "" || len(s) > maxReferenceLen {
		return Ref{}, ErrNotReference
	}
	tokens, ok := referenceTokens(s)
	if !ok || len(tokens) == 0 {
		return Ref{}, ErrNotReference
	}
	return refOf(tokens)
}

// ParseReferencePrefix reads a reference followed by search words: "pcd 1682 social" gives
// PCD 1682 and "social". ok is false when the text does not start with a reference or has no
// words after it.
func ParseReferencePrefix(s string) (ref Ref, words string, ok bool) {
	fields := strings.Fields(norm.NFKC.String(s))
	// The longest leading run of fields that is a reference wins: "DMPCD 2014 23 hub".
	for n := min(len(fields)-1, 4); n >= 1; n-- {
		r, err := ParseReference(strings.Join(fields[:n], " "))
		if err == nil {
			return r, strings.Join(fields[n:], " "), true
		}
	}
	return Ref{}, "", false
}

func refOf(tokens []string) (Ref, error) {
	if len(tokens) > 1 && tokens[0] == issuer {
		tokens = tokens[1:]
	}
	series := DefaultSeries
	if isLetters(tokens[0]) {
		series = tokens[0]
		tokens = tokens[1:]
		if !knownSeries[series] {
			return Ref{}, fmt.Errorf("%w: unknown series %q", ErrNotReference, series)
		}
		if len(tokens) > 0 && (tokens[0] == "NO" || tokens[0] == "NUMBER") {
			tokens = tokens[1:]
		}
	}
	nums, ok := numbers(tokens)
	if !ok {
		return Ref{}, ErrNotReference
	}
	switch {
	case yearSeries[series] && len(nums) == 2:
		if nums[0] < MinYear || nums[0] > MaxYear {
			return Ref{}, fmt.Errorf("%w: %d is not a year", ErrNotReference, nums[0])
		}
		return Ref{Series: series, Year: nums[0], Number: nums[1]}, nil
	case yearSeries[series] && len(nums) == 1 && nums[0] >= minBareYearSeriesNumber && (nums[0] < 1990 || nums[0] > 2200):
		// A year-numbered series without its year. A number that is neither a year nor a
		// number within a year can only be the current series' ("DMPCD 1682" is PCD 1682);
		// "DMPCD 23" may be any year's 23rd, so it is no reference.
		return Ref{Series: DefaultSeries, Number: nums[0]}, nil
	case !yearSeries[series] && len(nums) == 1:
		return Ref{Series: series, Number: nums[0]}, nil
	}
	return Ref{}, ErrNotReference
}

// referenceTokens splits text into runs of letters and runs of digits, upper-cased, dropping
// separators. It reports false on any character a reference cannot contain.
func referenceTokens(s string) ([]string, bool) {
	var tokens []string
	var cur strings.Builder
	kind := 0 // 0 none, 1 letters, 2 digits
	flush := func() {
		if cur.Len() > 0 {
			tokens = append(tokens, cur.String())
			cur.Reset()
		}
		kind = 0
	}
	for _, r := range s {
		switch {
		case r < unicode.MaxASCII && unicode.IsLetter(r):
			if kind != 1 {
				flush()
			}
			kind = 1
			cur.WriteRune(unicode.ToUpper(r))
		case r >= '0' && r <= '9':
			if kind != 2 {
				flush()
			}
			kind = 2
			cur.WriteRune(r)
		case isSeparator(r):
			flush()
		default:
			return nil, false
		}
	}
	flush()
	return tokens, true
}

func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '\u00a0', '-', '_', '/', '.', ':', '#', '\u2013', '\u2014':
		return true
	}
	return false
}

func isLetters(s string) bool {
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return s != ""
}

func numbers(tokens []string) ([]int, bool) {
	nums := make([]int, 0, len(tokens))
	for _, t := range tokens {
		if isLetters(t) || len(t) > 9 {
			return nil, false
		}
		n, err := strconv.Atoi(t)
		if err != nil || n <= 0 {
			return nil, false
		}
		nums = append(nums, n)
	}
	return nums, true
}

// ValidSlug reports whether s has the shape of a slug: lower-case letters and digits in
// groups joined by single hyphens, at most 100 bytes, as the database's CHECK requires.
func ValidSlug(s string) bool {
	if s == "" || len(s) > 100 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
