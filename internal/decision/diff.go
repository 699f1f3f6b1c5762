package decision

import (
	"strings"
	"unicode"
)

// DiffOp says what happened to a run of words between two versions of a text.
type DiffOp int

// The three kinds of run.
const (
	DiffSame DiffOp = iota
	DiffRemoved
	DiffAdded
)

// DiffRun is a run of text, whitespace included, kept, removed or added.
type DiffRun struct {
	Op   DiffOp
	Text string
}

// WordDiff compares two texts word by word: the longest common subsequence of their words,
// after the common start and end are set aside (a correction changes a few words of a long
// text, so what is left to compare is short). Each word carries the whitespace before it, so
// the runs joined give back either text. Written here rather than taken from a library:
// go-diff compares characters and reaches words only through a line-hashing trick, and forty
// lines of LCS say exactly what a reader sees.
func WordDiff(old, new string) []DiffRun {
	a, b := words(old), words(new)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var runs []DiffRun
	add := func(op DiffOp, w string) {
		if n := len(runs); n > 0 && runs[n-1].Op == op {
			runs[n-1].Text += w
			return
		}
		runs = append(runs, DiffRun{Op: op, Text: w})
	}
	for _, w := range a[:pre] {
		add(DiffSame, w)
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	if len(ma)*len(mb) > maxDiffCells {
		// Too much rewritten to compare word by word in bounded memory: the middle is shown
		// as removed, then added, which is still true.
		for _, w := range ma {
			add(DiffRemoved, w)
		}
		for _, w := range mb {
			add(DiffAdded, w)
		}
		for _, w := range a[len(a)-suf:] {
			add(DiffSame, w)
		}
		return runs
	}
	// lcs[i][j] is the length of the longest common subsequence of ma[i:] and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			add(DiffSame, ma[i])
			i, j = i+1, j+1
		case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
			// Removed words come before the words that replace them.
			add(DiffRemoved, ma[i])
			i++
		default:
			add(DiffAdded, mb[j])
			j++
		}
	}
	for _, w := range a[len(a)-suf:] {
		add(DiffSame, w)
	}
	return runs
}

// maxDiffCells bounds the LCS table (4 million cells, 32 MB) a difference may take.
const maxDiffCells = 4_000_000

// DiffChanged reports whether the runs hold any change.
func DiffChanged(runs []DiffRun) bool {
	for _, r := range runs {
		if r.Op != DiffSame {
			return true
		}
	}
	return false
}

// words splits s into words, each with the whitespace before it (the first with any at the
// start, the last with any at the end), so the words joined give back s.
func words(s string) []string {
	var out []string
	start, sawWord, prevSpace := 0, false, true
	for i, r := range s {
		space := unicode.IsSpace(r)
		if space && !prevSpace && sawWord {
			out = append(out, s[start:i])
			start = i
		}
		sawWord = sawWord || !space
		prevSpace = space
	}
	if start < len(s) {
		if len(out) > 0 && strings.TrimSpace(s[start:]) == "" {
			out[len(out)-1] += s[start:]
		} else {
			out = append(out, s[start:])
		}
	}
	return out
}

// bareWords are the words of s without their whitespace.
func bareWords(s string) []string { return strings.Fields(s) }

// editDistance is the Levenshtein distance between two words, in characters.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}
