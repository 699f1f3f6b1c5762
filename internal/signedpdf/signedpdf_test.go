package signedpdf

import (
	"context"
	"os"
	"testing"

	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

func TestScratch(t *testing.T) {
	r := New(Config{Path: os.Getenv("CHROMIUM_PATH")})
	defer r.Close()
	p := pages.SignedDocumentProps{BaseURL: "http://localhost:8080", Reference: "PCD 1683", Title: "Beta - a test",
		URL: "http://localhost:8080/decisions/pcd-1683", Summary: "A summary.", Recommendations: []string{"Approve it."},
		Parts: []pages.Part{{Heading: "Part I: non-confidential facts and advice", Sections: []pages.Section{{Heading: "Introduction and background", Blocks: []pages.Block{{Text: components.Plain("Hello world.")}}}}}},
		Funding: pages.Funding{Rows: []pages.FundingRow{{Years: "2024-25", Kind: "Grant accepted", Amount: "£1,000", Label: components.Plain("A grant"), Counts: true}}, Total: "£1,000"},
		Steps: []pages.SignoffStep{{Step: "Finance", Role: "Adviser", Name: "Fay Finance", Date: "1 April 2026"}},
		Hash: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Generated: "1 April 2026"}
	pdf, err := r.Render(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile("/tmp/9b-scratch.pdf", pdf, 0o644)
}
