package signedpdf_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// document is a signed decision document's content in plain values.
func document() pages.SignedDocumentProps {
	return pages.SignedDocumentProps{
		BaseURL: "https://decisions.example.org", OwnerName: "Mayor’s Office for Policing and Crime",
		Reference: "PCD 1683", Title: "Beta - Youth Outreach Hub", URL: "https://decisions.example.org/decisions/pcd-1683",
		KeyInfo:         []components.SummaryRow{{Key: "Date signed", Value: "1 April 2026"}},
		Summary:         "To accept a grant for youth outreach.",
		Recommendations: []string{"Accept the grant of £120,000.", "Delegate the agreement to the Director."},
		Parts: []pages.Part{{Heading: "Part I: non-confidential facts and advice", Sections: []pages.Section{
			{Heading: "Introduction and background", Blocks: []components.TextBlock{{Type: "paragraph", Text: components.Plain("Outreach in four boroughs.")}}},
			{Heading: "Financial comments", Blocks: []components.TextBlock{{Type: "list", Items: []components.Rich{components.Plain("£60,000 in 2026-27"), components.Plain("£60,000 in 2027-28")}}}},
		}}},
		Funding: pages.Funding{Rows: []pages.FundingRow{{Years: "2026-27 to 2027-28", Kind: "Grant accepted",
			Amount: "£120,000", Label: components.Plain("Home Office grant"), Counts: true}}, Total: "£120,000"},
		Steps: []pages.SignoffStep{{Step: "Finance", Role: "Adviser", Name: "Fay Finance", Date: "31 March 2026"},
			{Step: "Signature", Role: "Deputy Mayor for Policing and Crime", Name: "Sophie Signer", Date: "1 April 2026"}},
		Interests: "none",
		Hash:      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		Generated: "1 April 2026",
	}
}

// TestRenderAccessiblePDF prints a document and reads it back as a reader's software would: a
// tagged A4 PDF whose title, language and text are all there.
func TestRenderAccessiblePDF(t *testing.T) {
	t.Parallel()
	r := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH")})
	t.Cleanup(r.Close)
	doc := document()
	pdf, err := r.Render(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	pdftest.CheckAccessible(t, pdf, "PCD 1683: Beta - Youth Outreach Hub")
	text := pdftest.Text(t, pdf)
	for _, want := range []string{doc.Reference, doc.Title, doc.Hash, doc.URL, "Introduction and background",
		"Financial comments", "£60,000 in 2027-28", "Accept the grant of £120,000.", "Fay Finance", "Sophie Signer",
		"Total accepted by this decision £120,000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
}

// TestRenderWithoutChromium is a clear error, not a hang or a panic, when the browser is missing.
func TestRenderWithoutChromium(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-chromium")
	r := signedpdf.New(signedpdf.Config{Path: missing})
	t.Cleanup(r.Close)
	_, err := r.Render(context.Background(), document())
	if err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("Render with no browser: err = %v, want one naming %s", err, missing)
	}
}

// TestRenderTimeout: a print that outlasts its time, here from the browser's start, is an error,
// not a hang.
func TestRenderTimeout(t *testing.T) {
	t.Parallel()
	r := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Timeout: time.Millisecond})
	t.Cleanup(r.Close)
	if _, err := r.Render(context.Background(), document()); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Render with a millisecond to print: err = %v, want the deadline exceeded", err)
	}
}
