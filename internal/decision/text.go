package decision

import "strings"

// Block is one paragraph or list of a section's body.
type Block struct {
	Text  string   // a paragraph's text; empty for a list
	Items []string // a list's items; nil for a paragraph
}

// Blocks splits section text into paragraphs (separated by a blank line) and lists (a
// paragraph whose every line starts with "- ").
func Blocks(body string) []Block {
	body = strings.ReplaceAll(body, "\r\n", "\n")
	var blocks []Block
	for _, para := range strings.Split(body, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		if items, ok := listItems(para); ok {
			blocks = append(blocks, Block{Items: items})
			continue
		}
		blocks = append(blocks, Block{Text: strings.Join(strings.Fields(para), " ")})
	}
	return blocks
}

func listItems(para string) ([]string, bool) {
	lines := strings.Split(para, "\n")
	items := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimSpace(l)
		item, ok := strings.CutPrefix(l, "- ")
		if !ok || strings.TrimSpace(item) == "" {
			return nil, false
		}
		items = append(items, strings.TrimSpace(item))
	}
	return items, true
}
