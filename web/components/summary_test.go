package components

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestSummaryRowLinksOnlySafeAddresses: a row's link comes from stored data (a decision's
// source address), so its scheme is checked as rich text's links are, not trusted.
func TestSummaryRowLinksOnlySafeAddresses(t *testing.T) {
	for href, want := range map[string]bool{"https://www.london.gov.uk/pcd-1682": true, "/decisions/pcd-1682": true,
		"javascript:alert(1)": false, "//evil.example": false, "data:text/html,x": false} {
		var b bytes.Buffer
		if err := SummaryList([]SummaryRow{{Key: "Source", Value: "Published decision page", Href: href}}).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(b.String(), "<a "); got != want || !strings.Contains(b.String(), "Published decision page") {
			t.Errorf("row linking to %q: link %v, want %v:\n%s", href, got, want, b.String())
		}
	}
}
