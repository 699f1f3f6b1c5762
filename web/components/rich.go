package components

import (
	"context"
	"html/template"
	"io"
	"net/url"
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
				_, err = io.WriteString(w, `<a class="govuk-link" href="`+template.HTMLEscapeString(in.Href)+`">`+template.HTMLEscapeString(in.Text)+`</a>`)
			case in.Title != "":
				_, err = io.WriteString(w, `<abbr title="`+template.HTMLEscapeString(in.Title)+`">`+template.HTMLEscapeString(in.Text)+`</abbr>`)
			default:
				_, err = io.WriteString(w, template.HTMLEscapeString(in.Text))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
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
