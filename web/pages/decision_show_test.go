package pages

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSignedDocumentOfACorrectedDecision: the signed PDF holds the decision as first signed; once
// it has been corrected, the page says so next to it and links the version the page shows.
func TestSignedDocumentOfACorrectedDecision(t *testing.T) {
	props := ShowProps{Reference: "PCD 9001", Signed: []Attachment{{Name: "Signed decision document", URL: "/decisions/pcd-9001/documents/ab",
		Type: "PDF", Size: "40 KB", Filename: "pcd-9001.pdf", SHA256: "ab"}}}
	render := func(p ShowProps) string {
		var b bytes.Buffer
		if err := documents(p).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if html := render(props); strings.Contains(html, "signed-document-first-version") {
		t.Error("an uncorrected decision's signed document is marked as a first version")
	}
	props.Corrections = []CorrectionNote{{Version: 2, URL: "/decisions/pcd-9001/versions/2"}, {Version: 3, URL: "/decisions/pcd-9001/versions/3"}}
	html := render(props)
	if !strings.Contains(html, "signed-document-first-version") || !strings.Contains(html, `href="/decisions/pcd-9001/versions/3"`) ||
		!strings.Contains(html, "version 3") {
		t.Errorf("a corrected decision's signed document: %s; want it marked as version 1 and version 3 linked", html)
	}
}
