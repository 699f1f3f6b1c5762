package notice_test

import (
	"strings"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/notice"
	"github.com/decision-register/decisions/internal/store"
)

// TestLetterSaysWhatIsAsked: a notice's message names the decision, says what is asked and by
// when, quotes the comment, links to the page where it is done, and escapes what people wrote
// in its HTML.
func TestLetterSaysWhatIsAsked(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 3, 12, 17, 0, 0, 0, time.UTC)
	comment := "Check <b>the</b> amounts & dates."
	d := store.Delivery{UserID: 7, Email: "dana@example.org", Name: "Dana Drafter", Notices: []store.OutNotice{{
		ID: 42, Kind: store.NoticeAction, Reference: "PCD 1683", Title: "Grant <script>x</script>", Subject: "PCD 1683 returned to draft",
		Body: "Legal returned it to draft.", Comment: &comment, LinkPath: "/decisions/pcd-1683/edit", DueAt: &due, CreatedAt: due}}}
	l := notice.NewLetter(d, "https://decisions.example.org", "decisions.example.org", "https://decisions.example.org/notices/unsubscribe/t")
	if l.MessageID != "notice-42@decisions.example.org" || l.Subject != "PCD 1683 returned to draft" {
		t.Errorf("Message-ID %q, subject %q", l.MessageID, l.Subject)
	}
	if l.Unsubscribe != "" {
		t.Error("a notice asking to act offers to unsubscribe from it")
	}
	text := l.Text()
	for _, want := range []string{"Dear Dana Drafter,", "PCD 1683: Grant <script>x</script>", "Legal returned it to draft.",
		`"Check <b>the</b> amounts & dates."`, "By: Thursday 12 March 2026", "Go to https://decisions.example.org/decisions/pcd-1683/edit"} {
		if !strings.Contains(text, want) {
			t.Errorf("the text lacks %q:\n%s", want, text)
		}
	}
	html := l.HTML()
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>the</b>") || !strings.Contains(html, "&lt;script&gt;") {
		t.Errorf("the HTML does not escape what people wrote:\n%s", html)
	}
	if !strings.Contains(html, `href="https://decisions.example.org/decisions/pcd-1683/edit"`) {
		t.Errorf("the HTML does not link to the page:\n%s", html)
	}
	m, err := l.Msg("Decision Register <decisions@example.org>", due)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.GetMessageID(); got != "<notice-42@decisions.example.org>" {
		t.Errorf("Message-ID header %q", got)
	}
}
