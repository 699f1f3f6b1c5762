package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
)

// TestSectionTemplates: an admin's templates are kept in the sections' order, each change is
// audited with the kinds it changed (a save of the same texts is no change), and a draft
// started from them has them as its Part I sections, under each kind's heading.
func TestSectionTemplates(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	ctx := context.Background()
	admin := store.Act{UserID: s.adviser.ID, Name: "Ada Admin", At: s.now}
	audits := func() int {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = 'section_templates_changed'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	bodies := map[string]string{"legal_comments": "The legal powers are those of the Police Reform and Social Responsibility Act 2011.",
		"introduction_and_background": "Why this decision is asked for.", "equality_comments": "  "}
	if err := s.st.SetSectionTemplates(ctx, admin, "PCD", bodies); err != nil {
		t.Fatal(err)
	}
	got, err := s.st.SectionTemplates(ctx, "PCD")
	if err != nil {
		t.Fatal(err)
	}
	if kinds := []string{got[0].Kind, got[1].Kind}; len(got) != 2 || !slices.Equal(kinds, []string{"introduction_and_background", "legal_comments"}) {
		t.Fatalf("templates kept: %+v", got)
	}
	if n := audits(); n != 1 {
		t.Errorf("%d audit entries after a change, want 1", n)
	}
	var detail string
	if err := s.pool.QueryRow(ctx, `SELECT detail FROM audit_log WHERE event = 'section_templates_changed'`).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if want := "introduction_and_background,legal_comments"; !strings.Contains(detail, want) || !strings.Contains(detail, "PCD") {
		t.Errorf("audit detail %q lacks the series and %q", detail, want)
	}
	if err := s.st.SetSectionTemplates(ctx, admin, "PCD", bodies); err != nil {
		t.Fatal(err)
	}
	if n := audits(); n != 1 {
		t.Errorf("%d audit entries after saving the same texts, want still 1", n)
	}
	if series, err := s.st.TemplatedSeries(ctx); err != nil || !slices.Equal(series, []string{"PCD"}) {
		t.Errorf("TemplatedSeries = %v, %v", series, err)
	}
	slug, started, err := s.st.StartDraftFromTemplate(ctx, s.drafter.Act(s.now), "PCD", "From the template", "")
	if err != nil || !started {
		t.Fatal(slug, started, err)
	}
	rows, err := s.pool.Query(ctx, `SELECT concat_ws('|', position, kind, heading, body) FROM sections s JOIN decisions d ON d.id = s.decision_id
		WHERE d.slug = $1 ORDER BY part, position`, slug)
	if err != nil {
		t.Fatal(err)
	}
	var secs []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		secs = append(secs, v)
	}
	want := []string{"1|introduction_and_background|Introduction and background|Why this decision is asked for.",
		"2|legal_comments|Legal comments|The legal powers are those of the Police Reform and Social Responsibility Act 2011."}
	if !slices.Equal(secs, want) {
		t.Errorf("sections of a draft from the template:\n got %q\nwant %q", secs, want)
	}
	if err := s.st.SetSectionTemplates(ctx, admin, "PCD", map[string]string{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.st.SectionTemplates(ctx, "PCD"); len(got) != 0 || audits() != 2 {
		t.Errorf("after clearing: %d templates, %d audit entries; want 0, 2", len(got), audits())
	}
}
