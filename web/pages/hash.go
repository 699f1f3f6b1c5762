package pages

import (
	"html"
	"strings"

	"github.com/a-h/templ"
)

// hashText shows a SHA-256 in groups of eight that lines break between, never inside a group;
// copied, it is the hash unbroken (a <wbr> adds no character). Anything not lower-case hex is
// shown as plain text.
func hashText(h, testID string) templ.Component {
	if len(h)%8 != 0 || strings.Trim(h, "0123456789abcdef") != "" {
		return templ.Raw(`<code data-testid="` + html.EscapeString(testID) + `">` + html.EscapeString(h) + `</code>`)
	}
	var b strings.Builder
	b.WriteString(`<code class="app-hash" data-testid="` + html.EscapeString(testID) + `">`)
	for i := 0; i < len(h); i += 8 {
		if i > 0 {
			b.WriteString("<wbr>")
		}
		b.WriteString(h[i : i+8])
	}
	b.WriteString("</code>")
	return templ.Raw(b.String())
}

// breakableURL shows an address that lines may break after each "/", never inside a word.
func breakableURL(u string) templ.Component {
	parts := strings.Split(u, "/")
	for i, p := range parts {
		parts[i] = html.EscapeString(p)
	}
	return templ.Raw(strings.Join(parts, "/<wbr>"))
}
