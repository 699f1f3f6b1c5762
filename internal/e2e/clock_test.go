package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestClockInBrowser, by the labels a person reads: the drafter gives a draft the date it must
// be signed by; once it waits on its first step, the adviser's Your work and the sign-off page
// say "Waiting on … for N working days … due …", the due date brought forward by the deadline,
// and the chain shows the deadline. The site's clock is moved to fixed days of March 2028.
func TestClockInBrowser(t *testing.T) {
	t.Parallel()
	f := newSignoffFixture(t)
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	since := time.Date(2028, 3, 1, 10, 0, 0, 0, london) // a Wednesday
	f.Clock.Advance(since.Sub(f.Clock.Now()))
	var id int64
	err := f.Pool.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status)
		VALUES ('PCD', 9801, 'PCD 9801', 'pcd-9801', 'Violence reduction grant', 'To accept a grant.', 'draft') RETURNING id`).Scan(&id)
	if err == nil {
		_, err = f.Pool.Exec(ctx, `INSERT INTO decision_drafters (decision_id, user_id) VALUES ($1, $2)`, id, f.drafter.ID)
	}
	if err != nil {
		t.Fatal(err)
	}

	drafter, closeDrafter := staff(t, f.URL, "drafter@example.org")
	drafter.step("open Title and summary", `[data-testid="draft-form"]`, chromedp.Navigate(f.URL+"/decisions/pcd-9801/edit/title"))
	drafter.step("give the date it must be signed by", `[data-testid="task-list"]`,
		typeText(inFieldset("Must be signed by (optional)", "Day"), "22"),
		typeText(inFieldset("Must be signed by (optional)", "Month"), "3"),
		typeText(inFieldset("Must be signed by (optional)", "Year"), "2028"),
		chromedp.Click(buttonNamed("Save and continue")))
	closeDrafter()
	// Submitted at since: it waits on the head of unit from then.
	if _, err := f.Pool.Exec(ctx, `UPDATE decisions SET status = 'awaiting_signoff', updated_at = $2 WHERE id = $1`, id, since); err != nil {
		t.Fatal(err)
	}

	// Monday 6 March: three working days on. Five working days would make it due Wed 8 March,
	// but the 15 working days to Wed 22 March are shared by six steps and the signature: two
	// each, so the first step is due Fri 3 March.
	f.Clock.Advance(time.Date(2028, 3, 6, 10, 0, 0, 0, london).Sub(f.Clock.Now()))
	want := "Waiting on Head of unit · Adviser head of unit for 3 working days · due Fri 3 March 2028"
	hou, closeHou := atWork(t, f.URL, "head-of-unit@example.org")
	defer closeHou()
	if got := hou.text(); !strings.Contains(got, want) {
		t.Errorf("Your work says %q, want %q", got, want)
	}
	hou.step("open PCD 9801", `[data-testid="adviser-form"]`, chromedp.Click(linkNamed("PCD 9801")))
	got := hou.text()
	if !strings.Contains(got, want) {
		t.Errorf("the sign-off page says %q, want %q", got, want)
	}
	if !strings.Contains(got, "Must be signed by Wed 22 March 2028") {
		t.Errorf("the sign-off page does not show the deadline: %q", got)
	}
	axeAtWidths(t, hou.ctx, "signoff-clock", func(int64) {})

	// Everyone in the chain sees the deadline, the drafter too.
	dr, closeDr := staff(t, f.URL, "drafter@example.org")
	defer closeDr()
	dr.step("open the sign-off page", `[data-testid="must-sign-by"]`, chromedp.Navigate(f.URL+"/decisions/pcd-9801/signoff"))
	if got := dr.text(); !strings.Contains(got, "Must be signed by Wed 22 March 2028") || !strings.Contains(got, want) {
		t.Errorf("the drafter's sign-off page says %q", got)
	}
}
