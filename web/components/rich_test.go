package components

import (
	"bytes"
	"context"
	"testing"
)

func TestRichText(t *testing.T) {
	tests := []struct {
		in   Rich
		want string
	}{
		{Rich{{Text: "Continued by "}, {Text: "PCD 867", Href: "/decisions/pcd-867"}, {Text: ": <title>"}},
			`Continued by <a class="govuk-link" href="/decisions/pcd-867">PCD 867</a>: &lt;title&gt;`},
		{Rich{{Text: "HO", Title: `Home "Office"`}}, `<abbr title="Home &#34;Office&#34;">HO</abbr>`},
		{Rich{{Text: "x", Href: "javascript:alert(1)"}}, `x`},
		{Rich{{Text: "x", Href: "//evil.example"}}, `x`},
		{Rich{{Text: "2025-26 to 2026-27, 2021/22 & 20245-678"}},
			`<span class="app-nowrap">2025-26</span> to <span class="app-nowrap">2026-27</span>, <span class="app-nowrap">2021/22</span> &amp; 20245-678`},
		// Browsers read a backslash as a slash and drop tabs and newlines: both are //evil.example.
		{Rich{{Text: "x", Href: `/\evil.example`}}, `x`},
		{Rich{{Text: "x", Href: "/\t/evil.example"}}, `x`},
		{Rich{{Text: "x", Href: "/\n/evil.example"}}, `x`},
		{Rich{{Text: "x", Href: "/decisions/a\\b"}}, `x`},
		{Rich{{Text: "x", Href: "https://evil.example\\@www.london.gov.uk/"}}, `x`},
		{Rich{{Text: "x", Href: "https:///path"}}, `x`},
		{Rich{{Text: "x", Href: "/glossary#not-recorded"}}, `<a class="govuk-link" href="/glossary#not-recorded">x</a>`},
		{Rich{{Text: "x", Href: "https://www.london.gov.uk/a?b=c"}}, `<a class="govuk-link" href="https://www.london.gov.uk/a?b=c">x</a>`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := RichText(tt.in).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("RichText(%+v) = %s, want %s", tt.in, b.String(), tt.want)
		}
	}
}
