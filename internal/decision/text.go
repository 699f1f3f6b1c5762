package decision

import (
	"regexp"
	"strings"
)

// The text model of a section: how the words a drafter typed or pasted are read into
// paragraphs, numbered paragraphs, lists and tables. It is decided once, here: every page
// that shows a section (the drafting preview, Check your answers, the sign-off page, the
// public page, print and the signed decision document) renders ParseText's blocks, and
// canonical version 3 records them, so what the drafter checks is what is signed.
// docs/canonical.md (section 10) specifies it for verifiers, and its Python implementation
// (testdata/canonical.py) is held to this one byte for byte: a change here that changes any
// text's blocks is a new canonical version.

// Block kinds.
const (
	BlockParagraph = "paragraph" // lines kept as written, joined by "\n"
	BlockNumbered  = "numbered"  // a paragraph that starts with its own number ("4.1.", "(a)")
	BlockList      = "list"      // bulleted lines
	BlockTable     = "table"     // tab-separated lines
)

// Block is one paragraph, numbered paragraph, list or table of a section's body.
type Block struct {
	Type   string     `json:"type"`
	Number string     `json:"number"` // a numbered paragraph's number as written, "4.1."; else ""
	Text   string     `json:"text"`   // a paragraph's lines, joined by "\n"; else ""
	Items  []string   `json:"items"`  // a list's items; else empty
	Rows   [][]string `json:"rows"`   // a table's rows of cells; else empty
}

// bulletRE is a bulleted line: a bullet, white space, then the item. "o" and "·" are how
// Word writes its second-level and Symbol-font bullets as plain text.
var bulletRE = regexp.MustCompile("^(?:\u2022|\u00b7|\u25e6|\u25aa|-|\\*|\u2013|o)[ \t]+")

// numberRE is a numbered paragraph's number and the white space after it: "1.", "4.1.",
// "4.2", "(a)", "(iv)", "(1)", "a)", "1)". Numbers of up to three digits a level, so a year
// ("2024. was") never reads as one.
var numberRE = regexp.MustCompile(`^([0-9]{1,3}(?:\.[0-9]{1,3})*\.|[0-9]{1,3}(?:\.[0-9]{1,3})+|\((?:[0-9]{1,3}|[a-z]|[A-Z]|[ivx]{1,5}|[IVX]{1,5})\)|[a-z]\)|[0-9]{1,3}\))[ \t]+`)

// line is one line of a paragraph as read: its marker, if any, and what follows it.
type line struct {
	kind    string // "", "bullet" or "number"
	marker  string // the bullet or number as written
	content string // the rest of the line: after the marker and its white space
}

func readLine(l string) line {
	l = strings.TrimRight(strings.TrimLeft(l, " "), " ")
	s := strings.TrimLeft(l, "\t") // tabs before a bullet or a number indent it
	if m := bulletRE.FindString(s); m != "" && strings.Trim(s[len(m):], " \t") != "" {
		return line{kind: "bullet", marker: strings.TrimRight(m, " \t"), content: s[len(m):]}
	}
	if m := numberRE.FindStringSubmatch(s); m != nil {
		rest := s[len(m[0]):]
		// "4.2" with no final dot is a number only before a tab or a capital letter: "2.5
		// million people" is a sentence.
		dotless := !strings.HasSuffix(m[1], ".") && !strings.HasSuffix(m[1], ")")
		if strings.Trim(rest, " \t") != "" && (!dotless || strings.Contains(m[0], "\t") || (rest[0] >= 'A' && rest[0] <= 'Z')) {
			return line{kind: "number", marker: m[1], content: rest}
		}
	}
	return line{content: l} // a tab first is an empty first cell
}

// tabs is the number of tabs that separate a line's cells: a marker's own white space is not one.
func (l line) tabs() int { return strings.Count(l.content, "\t") }

// lineText is text with each run of spaces and tabs made one space, and none at either end. Only
// these two are white space here: a no-break space stays as typed.
func lineText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' }), " ")
}

// ParseText reads a section's text into blocks. Paragraphs are separated by blank lines (lines
// of nothing but spaces and tabs). Within a paragraph, line by line:
//   - two or more lines in a row with the same number (one or more) of tabs, not counting a
//     marker's, are a table, split at the tabs; a line's bullet or number stays in its first cell,
//     and tabs before a bullet or number indent it, while at the start of another line they
//     leave its first cells empty;
//   - a line starting with a bullet ("•", "·", "◦", "▪", "-", "*", "–" or "o", then a space or
//     a tab) is an item of a list, which the lines after it of the same kind continue;
//   - a line starting with a number ("1.", "4.1.", "(a)", "(iv)", "a)", "1)"; "4.2" only before a
//     tab or a capital letter) starts a numbered paragraph, which keeps the number as written;
//   - any other line continues the paragraph or numbered paragraph before it, after a line break,
//     or starts a paragraph after a list or a table.
//
// In each line, runs of spaces and tabs become one space, with none at either end.
func ParseText(s string) []Block {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var blocks []Block
	var para []line
	flush := func() {
		blocks = append(blocks, parseParagraph(para)...)
		para = para[:0]
	}
	for _, l := range strings.Split(s, "\n") {
		if strings.Trim(l, " \t") == "" {
			flush()
			continue
		}
		para = append(para, readLine(l))
	}
	flush()
	return blocks
}

func parseParagraph(lines []line) []Block {
	var blocks []Block
	open := false // the last block is a paragraph or numbered paragraph that a plain line continues
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if t := l.tabs(); t > 0 && i+1 < len(lines) && lines[i+1].tabs() == t {
			b := Block{Type: BlockTable}
			for ; i < len(lines) && lines[i].tabs() == t; i++ {
				cells := strings.Split(lines[i].content, "\t")
				if lines[i].marker != "" {
					cells[0] = lines[i].marker + " " + cells[0]
				}
				for j := range cells {
					cells[j] = lineText(cells[j])
				}
				b.Rows = append(b.Rows, cells)
			}
			i--
			blocks, open = append(blocks, b), false
			continue
		}
		switch l.kind {
		case "bullet":
			if n := len(blocks); n > 0 && blocks[n-1].Type == BlockList {
				blocks[n-1].Items = append(blocks[n-1].Items, lineText(l.content))
			} else {
				blocks = append(blocks, Block{Type: BlockList, Items: []string{lineText(l.content)}})
			}
			open = false
		case "number":
			blocks, open = append(blocks, Block{Type: BlockNumbered, Number: l.marker, Text: lineText(l.content)}), true
		default:
			if open {
				blocks[len(blocks)-1].Text += "\n" + lineText(l.content)
			} else {
				blocks, open = append(blocks, Block{Type: BlockParagraph, Text: lineText(l.content)}), true
			}
		}
	}
	return blocks
}

// TextShape says in words what structure text holds beyond plain paragraphs, for telling a
// drafter what a paste became: "3 bullet points found: shown as a list", "a table of 4 rows
// found". Nil for text of paragraphs only.
func TextShape(blocks []Block) []string {
	var out []string
	numbered := 0
	for _, b := range blocks {
		switch b.Type {
		case BlockNumbered:
			numbered++
		case BlockList:
			out = append(out, Plural(len(b.Items), "bullet point")+" found: shown as a list")
		case BlockTable:
			out = append(out, "a table of "+Plural(len(b.Rows), "row")+" found")
		}
	}
	if numbered > 0 {
		out = append([]string{Plural(numbered, "numbered paragraph") + " found: numbers kept as written"}, out...)
	}
	return out
}

// topLevelRE is a number that starts a recommendation of its own: "1.", "2", "3)"; a letter or
// a roman numeral ("(a)", "(iv)") numbers a part of the one before.
var topLevelRE = regexp.MustCompile(`^[0-9]{1,3}[.)]?$`)

// SplitRecommendations reads what was entered as one recommendation: a numbered or bulleted
// list pasted whole ("1. Approve …\n2. Delegate …") is one recommendation per number or
// bullet, each without its number, as the register numbers them itself (else the list read
// "1. 1. Approve … 2. Delegate …"). A letter or roman number ("(a)") stays with the
// recommendation before it, as does anything after the first. Text that starts otherwise
// ("Approve:\n• a\n• b") is one recommendation as typed.
func SplitRecommendations(s string) []string {
	blocks := ParseText(s)
	numbered := false
	for _, b := range blocks {
		numbered = numbered || (b.Type == BlockNumbered && topLevelRE.MatchString(b.Number))
	}
	var out []string
	for _, b := range blocks {
		switch {
		case b.Type == BlockNumbered && topLevelRE.MatchString(b.Number):
			out = append(out, b.Text)
		case b.Type == BlockList && !numbered:
			out = append(out, b.Items...)
		case len(out) == 0:
			return []string{s}
		default:
			out[len(out)-1] += "\n" + blockText(b)
		}
	}
	if len(out) == 0 {
		return []string{s}
	}
	return out
}

// blockText writes a block back as plain text in the model ParseText reads.
func blockText(b Block) string {
	switch b.Type {
	case BlockNumbered:
		return b.Number + " " + b.Text
	case BlockList:
		return "• " + strings.Join(b.Items, "\n• ")
	case BlockTable:
		rows := make([]string, len(b.Rows))
		for i, r := range b.Rows {
			rows[i] = strings.Join(r, " ")
		}
		return strings.Join(rows, "\n")
	}
	return b.Text
}
