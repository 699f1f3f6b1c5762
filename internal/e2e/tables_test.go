package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// TestCardTablesKeepTableSemantics reads Chromium's accessibility tree for the money tables,
// which are laid out as stacked cards on narrow screens: a screen reader must still meet a table,
// named by its caption, with its column headers, rows and cells, at every width. Where the cards
// show a label before each figure, the label is in the tree too (browsers that drop the table's
// semantics have only it); where the labels are not shown, the heading is read once.
func TestCardTablesKeepTableSemantics(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := newTab(t)
	tables := []struct{ path, name, label string }{
		{"/decisions/pcd-1532", "Amounts in this decision", "Amount"},
		{"/decisions/pcd-1682", "Money accepted by each decision", "Running total"},
	}
	for _, width := range append([]int64{1280}, phoneWidths...) {
		do(t, ctx, "set viewport", chromedp.EmulateViewport(width, 800))
		for _, tb := range tables {
			do(t, ctx, "open "+tb.path, chromedp.Navigate(s.url+tb.path))
			var nodes []*accessibility.Node
			do(t, ctx, "accessibility tree", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				res, err := cdp.Call(ctx, tg, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
				nodes = res.Nodes
				return err
			}))
			roles, texts := tableRoles(nodes, tb.name)
			if roles == nil {
				t.Errorf("%s at %d px: no table named %q in the accessibility tree", tb.path, width, tb.name)
				continue
			}
			if roles["columnheader"] != 4 || roles["row"] < 3 || roles["cell"] < 6 {
				t.Errorf("%s at %d px: table %q has roles %v, want 4 column headers, rows and cells", tb.path, width, tb.name, roles)
			}
			// The heading, plus a label in each body row on narrow screens.
			rows := roles["row"] - 2 // less the head and the total (or, in the chain table, one row)
			switch n := texts[tb.label]; {
			case width >= 864 && n != 1:
				t.Errorf("%s at %d px: %q read %d times in the table, want once (the column header)", tb.path, width, tb.label, n)
			case width < 864 && n < 1+rows:
				t.Errorf("%s at %d px: %q read %d times in the table, want the header and a label in each of its %d+ rows", tb.path, width, tb.label, n, rows)
			}
		}
	}
}

// tableRoles counts the roles, and the texts, inside the first table whose accessible name starts
// with name, or is nil when there is none.
func tableRoles(nodes []*accessibility.Node, name string) (roles, texts map[string]int) {
	byID := map[accessibility.NodeID]*accessibility.Node{}
	for _, n := range nodes {
		byID[n.NodeID] = n
	}
	str := func(v *accessibility.Value) string {
		if v == nil {
			return ""
		}
		return strings.Trim(string(v.Value), `"`)
	}
	for _, n := range nodes {
		if n.Ignored || str(n.Role) != "table" || !strings.HasPrefix(str(n.Name), name) {
			continue
		}
		roles, texts = map[string]int{}, map[string]int{}
		var walk func(id accessibility.NodeID)
		walk = func(id accessibility.NodeID) {
			c := byID[id]
			if c == nil {
				return
			}
			if !c.Ignored {
				roles[str(c.Role)]++
				if str(c.Role) == "StaticText" {
					texts[strings.TrimSpace(str(c.Name))]++
				}
			}
			for _, k := range c.ChildIDs {
				walk(k)
			}
		}
		for _, k := range n.ChildIDs {
			walk(k)
		}
		return roles, texts
	}
	return nil, nil
}

// TestPrintedTotalOnce prints PCD 1532 on A4, whose funding table the user review found split
// across two pages with the total repeated at the foot of each part, and reads the PDF's text with
// pdftotext: the total is printed once, after the amounts it adds up.
func TestPrintedTotalOnce(t *testing.T) {
	t.Parallel()
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatalf("pdftotext (poppler-utils) is needed to read the printed page: %v", err)
	}
	s := newSite(t)
	ctx := newTab(t)
	do(t, ctx, "open PCD 1532", chromedp.Navigate(s.url+"/decisions/pcd-1532"))
	pdf := run(t, ctx, "print to PDF", chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4), chromedp.PDFPreferCSSPageSize()))
	cmd := exec.Command(pdftotext, "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	const total = "Total accepted by this decision"
	if n := strings.Count(text, total); n != 1 {
		t.Errorf("PCD 1532 on A4 prints %q %d times, want once", total, n)
	}
	last := strings.LastIndex(text, "Amounts in this decision")
	if i := strings.Index(text, total); last < 0 || i < last {
		t.Errorf("PCD 1532 on A4: the total (at %d) is not after the table's caption (at %d)", i, last)
	}
}
