package server_test

import (
	"context"
	"strings"
	"testing"
)

// TestMadeHereSaysSo: a decision drafted in the register shows its background papers section
// without the note that the register does not hold them (true of the seeded decisions only),
// and names this register as its source instead of "Not recorded".
func TestMadeHereSaysSo(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9021)
	if _, err := site.Pool.Exec(context.Background(), `
INSERT INTO sections (decision_id, part, position, kind, heading, body)
SELECT id, 1, 90, 'background_papers', 'Background and supporting papers', 'The business case, attached below.'
FROM decisions WHERE slug = $1`, slug); err != nil {
		t.Fatal(err)
	}
	c := site.Client(t, site.drafter.Email)
	made := get(t, c, site.URL+"/decisions/"+slug)
	if made.has(`[data-testid=section-note]`) {
		t.Errorf("a decision made here says %q", made.text(`[data-testid=section-note]`))
	}
	if got := made.text(`[data-testid=source]`); !strings.Contains(got, "Made in this register") || strings.Contains(got, "Not recorded") {
		t.Errorf("a decision made here gives its source as %q", got)
	}
	seeded := get(t, c, site.URL+"/decisions/pcd-1682")
	if !strings.Contains(seeded.text(`[data-testid=section-note]`), "the register does not hold them") {
		t.Errorf("the seeded PCD 1682 lost its background papers note: %q", seeded.text(`[data-testid=section-note]`))
	}
	if got := seeded.text(`[data-testid=source]`); strings.Contains(got, "Made in this register") {
		t.Errorf("the seeded PCD 1682 gives its source as %q", got)
	}
}
