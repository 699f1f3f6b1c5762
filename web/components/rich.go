package components

import (
	"context"
	"html/template"
	"io"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/a-h/templ"
)

// Inline is a run of text: plain, a link when Href is set, or an abbreviation explained by
// Title.
type Inline struct {
	Text  string
	Href  string
	Title string
}

// Rich is text with links to the decisions it names and its abbreviations marked.
type Rich []Inline

// Plain is text with nothing marked.
func Plain(s string) Rich {
	if s == "" {
		return nil
	}
	return Rich{{Text: s}}
}

// String is the text without its markup.
func (r Rich) String() string {
	var s string
	for _, in := range r {
		s += in.Text
	}
	return s
}

// RichText renders rich text. It is written in Go, not templ, so that no white space can come
// between a run and the punctuation after it.
func RichText(r Rich) templ.Component {
	return templ.ComponentFunc(func(_ context.Context, w io.Writer) error {
		for _, in := range r {
			var err error
			switch {
			case in.Href != "" && safeHref(in.Href):
				_, err = io.WriteString(w, `<a class="govuk-link" href="`+template.HTMLEscapeString(in.Href)+`">`+textHTML(in.Text)+`</a>`)
			case in.Title != "":
				_, err = io.WriteString(w, `<abbr title="`+template.HTMLEscapeString(in.Title)+`">`+textHTML(in.Text)+`</abbr>`)
			default:
				_, err = io.WriteString(w, textHTML(in.Text))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Text renders plain text as RichText does: escaped, financial years kept whole.
func Text(s string) templ.Component { return RichText(Plain(s)) }

// financialYearRE finds a financial year written with a hyphen, slash or dash: "2025-26", "2021/22".
var financialYearRE = regexp.MustCompile(`\b\d{4}[-/\x{2010}-\x{2013}]\d{2}\b`)

// textHTML escapes s and keeps each financial year on one line: a browser may break a line after
// a hyphen or slash, and "2025-" / "26" reads as two numbers. A span, not a non-breaking hyphen,
// so that the text copies and searches as written.
func textHTML(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range financialYearRE.FindAllStringIndex(s, -1) {
		b.WriteString(template.HTMLEscapeString(s[last:m[0]]))
		b.WriteString(`<span class="app-nowrap">` + template.HTMLEscapeString(s[m[0]:m[1]]) + `</span>`)
		last = m[1]
	}
	b.WriteString(template.HTMLEscapeString(s[last:]))
	return b.String()
}

// safeHref reports whether a link target is one the register writes: a path on this site or an
// http(s) address. Anything else is shown as plain text. Browsers drop tabs and newlines from an
// address and read a backslash as a slash, so "/\evil.example" and "/<TAB>/evil.example" lead
// off the site: an address with a control character or a backslash is refused outright.
func safeHref(h string) bool {
	if strings.ContainsFunc(h, func(r rune) bool { return r == '\\' || unicode.IsControl(r) }) {
		return false
	}
	u, err := url.Parse(h)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "":
		return u.Host == "" && u.User == nil && strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//")
	case "http", "https":
		return u.Host != "" && u.Opaque == ""
	}
	return false
}

// RichLines renders rich text as RichText does, each line break in it as a <br>.
func RichLines(r Rich) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		var line Rich
		for _, in := range r {
			for {
				before, after, found := strings.Cut(in.Text, "\n")
				if before != "" {
					line = append(line, Inline{Text: before, Href: in.Href, Title: in.Title})
				}
				if !found {
					break
				}
				if err := RichText(line).Render(ctx, w); err != nil {
					return err
				}
				if _, err := io.WriteString(w, "<br>"); err != nil {
					return err
				}
				line, in.Text = nil, after
			}
		}
		return RichText(line).Render(ctx, w)
	})
}
