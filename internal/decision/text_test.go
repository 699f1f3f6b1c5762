package decision

import (
	"reflect"
	"strings"
	"testing"
)

func para(text string) Block { return Block{Type: BlockParagraph, Text: text} }
func num(n, text string) Block {
	return Block{Type: BlockNumbered, Number: n, Text: text}
}
func list(items ...string) Block   { return Block{Type: BlockList, Items: items} }
func table(rows ...[]string) Block { return Block{Type: BlockTable, Rows: rows} }

func TestParseText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Block
	}{
		{"empty", "", nil},
		{"blank lines only", " \n\t\n", nil},
		{"paragraphs", "First  paragraph.\n\n\n  Second\tone.  ", []Block{para("First paragraph."), para("Second one.")}},
		{"single line breaks kept", "Mayor's Office\nfor Policing and Crime\n10 Dean Farrar Street", []Block{para("Mayor's Office\nfor Policing and Crime\n10 Dean Farrar Street")}},
		{"carriage returns", "One\r\ntwo\rthree\r\n\r\nfour", []Block{para("One\ntwo\nthree"), para("four")}},
		{"the old dash list", "That includes\n\n- Entering into contracts;\n- Making grants\n\n  If approved,\n the terms.  \n\n\n",
			[]Block{para("That includes"), list("Entering into contracts;", "Making grants"), para("If approved,\nthe terms.")}},
		{"Word bullets with tabs", "The hub will:\n•\tmonitor;\n•\tdisrupt;\n•\treport.",
			[]Block{para("The hub will:"), list("monitor;", "disrupt;", "report.")}},
		{"every bullet", "• a\n· b\n◦ c\n▪ d\n- e\n* f\n– g\no h", []Block{list("a", "b", "c", "d", "e", "f", "g", "h")}},
		{"not bullets", "-5 is refused\n*emphasis*\nopen the door\n- ", []Block{para("-5 is refused\n*emphasis*\nopen the door\n-")}},
		{"numbered paragraphs keep their numbers", "4.1.\tThe proposal seeks approval.\n4.2. The breakdown is\ngiven below.\n4.3 The MPS agrees.",
			[]Block{num("4.1.", "The proposal seeks approval."), num("4.2.", "The breakdown is\ngiven below."), num("4.3", "The MPS agrees.")}},
		{"other numbers", "1. Approve\n2.\tDelegate\n(a) first\n(iv) fourth\nb) second\n10) tenth\n(B) big",
			[]Block{num("1.", "Approve"), num("2.", "Delegate"), num("(a)", "first"), num("(iv)", "fourth"), num("b)", "second"), num("10)", "tenth"), num("(B)", "big")}},
		{"not numbers", "2.5 million people\n2024. A year\n1.\n(note) aside\n12 months",
			[]Block{para("2.5 million people\n2024. A year\n1.\n(note) aside\n12 months")}},
		{"a dotless number before a tab", "4.2\tthe breakdown", []Block{num("4.2", "the breakdown")}},
		{"a paragraph after a list", "• one\n• two\nAfter the list", []Block{list("one", "two"), para("After the list")}},
		{"the budget table", "4.2. The breakdown is:\nPay\t£2,310,000\nOvertime\t£245,000\nTraining and equipment\t£200,000\nTotal\t£2,755,000\n4.3. Next.",
			[]Block{num("4.2.", "The breakdown is:"), table([]string{"Pay", "£2,310,000"}, []string{"Overtime", "£245,000"},
				[]string{"Training and equipment", "£200,000"}, []string{"Total", "£2,755,000"}), num("4.3.", "Next.")}},
		{"a table's empty cells and spaces", "Item\t2024-25\t2025-26\n Pay \t\t£1\nTotal\t£2\t", []Block{table([]string{"Item", "2024-25", "2025-26"}, []string{"Pay", "", "£1"}, []string{"Total", "£2", ""})}},
		{"a table's empty first cell", "\t2024-25\t2025-26\nPay\t£1\t£2", []Block{table([]string{"", "2024-25", "2025-26"}, []string{"Pay", "£1", "£2"})}},
		{"indented bullets and numbers", "\t• a\n  \t• b\n\t1. c", []Block{list("a", "b"), num("1.", "c")}},
		{"a numbered table keeps its numbers", "1.\tPay\t£1\n2.\tOvertime\t£2", []Block{table([]string{"1. Pay", "£1"}, []string{"2. Overtime", "£2"})}},
		{"one tabbed line is no table", "Pay\t£1\nOvertime £2", []Block{para("Pay £1\nOvertime £2")}},
		{"two tables of different widths", "a\tb\nc\td\ne\tf\tg\nh\ti\tj", []Block{table([]string{"a", "b"}, []string{"c", "d"}), table([]string{"e", "f", "g"}, []string{"h", "i", "j"})}},
		{"a no-break space stays", "a\u00a0 b", []Block{para("a\u00a0 b")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseText(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseText(%q) =\n%#v\nwant\n%#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestTextShape(t *testing.T) {
	got := TextShape(ParseText("1. a\n2. b\n\n• x\n• y\n• z\n\nA\tB\nC\tD\nE\tF\nG\tH"))
	want := []string{"2 numbered paragraphs found: numbers kept as written", "3 bullet points found: shown as a list", "a table of 4 rows found"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("TextShape = %q, want %q", got, want)
	}
	if got := TextShape(ParseText("Just words.\n\nMore.")); got != nil {
		t.Errorf("TextShape of paragraphs = %q, want nil", got)
	}
}

// FuzzParseText: every line of text is in exactly one block, no block is empty, and no text
// of a block has white space at either end of a line.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"4.1.\tA\n•\tb\nc\td\ne\tf", "- a\n\n1) b", "\t\t\n\t"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range ParseText(s) {
			var texts []string
			switch b.Type {
			case BlockParagraph, BlockNumbered:
				texts = strings.Split(b.Text, "\n")
			case BlockList:
				texts = b.Items
			case BlockTable:
				if len(b.Rows) < 2 {
					t.Fatalf("ParseText(%q): a table of %d rows", s, len(b.Rows))
				}
				for _, r := range b.Rows {
					if len(r) != len(b.Rows[0]) || len(r) < 2 {
						t.Fatalf("ParseText(%q): ragged table %q", s, b.Rows)
					}
				}
				continue
			default:
				t.Fatalf("ParseText(%q): block type %q", s, b.Type)
			}
			for _, x := range texts {
				if x != strings.Trim(x, " \t") || strings.Contains(x, "\t") {
					t.Fatalf("ParseText(%q): text %q is not trimmed", s, x)
				}
			}
		}
	})
}

// TestCleanSectionText: a section keeps the tabs of a pasted table, even at either end, where
// other typed text makes them spaces.
func TestCleanSectionText(t *testing.T) {
	in := " \r\n\t2024-25\t2025-26\r\nPay\t£1\t\u0007\r\n  "
	if got, want := CleanSectionText(in), "\t2024-25\t2025-26\nPay\t£1\t"; got != want {
		t.Errorf("CleanSectionText(%q) = %q, want %q", in, got, want)
	}
	if got, want := CleanText(in), "2024-25 2025-26\nPay £1"; got != want {
		t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
	}
}

func TestSplitRecommendations(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Approve the grant.", []string{"Approve the grant."}},
		{"1. Approve the grant.", []string{"Approve the grant."}},
		{"1. Approve the request to accept HO grant of £2,755,000.\n2. Delegate authority to sign the agreement.",
			[]string{"Approve the request to accept HO grant of £2,755,000.", "Delegate authority to sign the agreement."}},
		{"1.\tApprove\n\n2.\tDelegate", []string{"Approve", "Delegate"}},
		{"1) Approve:\n(a) the grant;\n(b) the plan.\n2) Delegate", []string{"Approve:\n(a) the grant;\n(b) the plan.", "Delegate"}},
		{"• Approve\n• Delegate", []string{"Approve", "Delegate"}},
		{"1. Approve the terms\nset out below\n• one\n• two", []string{"Approve the terms\nset out below\n• one\n• two"}},
		{"Approve:\n• a\n• b", []string{"Approve:\n• a\n• b"}},
		{"(a) Approve\n(b) Delegate", []string{"(a) Approve\n(b) Delegate"}},
	}
	for _, tt := range tests {
		if got := SplitRecommendations(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("SplitRecommendations(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
