package signedpdf

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"sync"

	"github.com/decision-register/decisions/web/pages"
	"github.com/decision-register/decisions/web/static"
)

// stylesheet is the register's compiled stylesheet, whose print rules lay out the document.
var stylesheet = sync.OnceValues(func() (string, error) {
	b, err := fs.ReadFile(static.FS, "app.css")
	return string(b), err
})

// Render prints the signed decision document: the decision p describes, laid out by the
// register's stylesheet (its print rules: A4, margins, no navigation), as a tagged PDF.
func (r *Renderer) Render(ctx context.Context, p pages.SignedDocumentProps) ([]byte, error) {
	if p.CSS == "" {
		css, err := stylesheet()
		if err != nil {
			return nil, fmt.Errorf("stylesheet: %w", err)
		}
		p.CSS = css
	}
	var html bytes.Buffer
	if err := pages.SignedDocument(p).Render(ctx, &html); err != nil {
		return nil, fmt.Errorf("signed document of %s: %w", p.Reference, err)
	}
	return r.PrintHTML(ctx, html.Bytes())
}
