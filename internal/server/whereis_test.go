package server_test

import (
	"context"
	"fmt"
	"github.com/decision-register/decisions/internal/workday"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
)

// addDocumentRow attaches a supporting document to a decision by its row alone: the pages
// that list documents read the rows, not the bytes.
func (ss *signoffSite) addDocumentRow(t *testing.T, slug string, position int, name, mediaType string, size int64, sha string) {
	t.Helper()
	_, err := ss.Pool.Exec(context.Background(), `
INSERT INTO documents (decision_id, position, kind, name, media_type, size_bytes, sha256, added_at)
SELECT id, $2, 'supporting', $3, $4, $5, $6, $7 FROM decisions WHERE slug = $1`,
		slug, position, name, mediaType, size, sha, ss.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
}

// TestSignoffShowsSupportingDocuments: the finance adviser and the decision maker see each
// supporting document (link, type, size, fingerprint) on the sign-off page, and the sentence
// above their button says the documents are covered by what they approve.
func TestSignoffShowsSupportingDocuments(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 9701)
	budget := strings.Repeat("ab", 32)
	ss.addDocumentRow(t, slug, 1, "SMH budget breakdown 2025–26", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 2048, budget)
	ss.addDocumentRow(t, slug, 2, "MPS paper", "application/pdf", 30*1024, strings.Repeat("cd", 32))
	ss.approveSteps(t, slug, "head_of_unit")

	fin := ss.Client(t, "finance@example.org")
	pg := get(t, fin, ss.URL+"/decisions/"+slug+"/signoff")
	if pg.status != 200 {
		t.Fatalf("GET sign-off = %d, want 200", pg.status)
	}
	docs := pg.doc.Find(`[data-testid="signoff-documents"] [data-testid="document"]`)
	if docs.Length() != 2 {
		t.Fatalf("sign-off page lists %d documents, want 2", docs.Length())
	}
	first := docs.First()
	if href, _ := first.Find(`[data-testid="document-link"]`).Attr("href"); href != "/decisions/"+slug+"/documents/"+budget {
		t.Errorf("document link = %q", href)
	}
	if got := strings.Join(strings.Fields(first.Find(`[data-testid="document-meta"]`).Text()), " "); got != "Excel spreadsheet (XLSX), 2 KB" {
		t.Errorf("document type and size = %q", got)
	}
	if got := first.Find(`[data-testid="document-hash"]`).Text(); got != budget {
		t.Errorf("document fingerprint = %q, want %q", got, budget)
	}
	if got := pg.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "the text above and its 2 supporting documents") {
		t.Errorf("approval sentence = %q, want it to say the documents are covered", got)
	}
	if got := pg.text(`[data-testid="documents-fingerprint"]`); !strings.Contains(got, "64 letters and numbers") {
		t.Errorf("fingerprint explanation = %q", got)
	}

	// The decision maker's signature covers them too.
	ss.approveSteps(t, slug, chainSteps[1:]...)
	dm := get(t, ss.Client(t, "dmpc@example.org"), ss.URL+"/decisions/"+slug+"/signoff")
	if got := dm.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "the text above and its 2 supporting documents, Part II included") {
		t.Errorf("signature sentence = %q", got)
	}

	// Without documents the page says so, and the sentence speaks of the text alone.
	bare := ss.awaitingDecision(t, 9702)
	pg = get(t, ss.Client(t, "head-of-unit@example.org"), ss.URL+"/decisions/"+bare+"/signoff")
	if pg.doc.Find(`[data-testid="signoff-no-documents"]`).Length() != 1 {
		t.Error("a decision without documents does not say it has none")
	}
	if got := pg.text(`[data-testid="approval-covers"]`); !strings.Contains(got, "You approve the text above, whose") {
		t.Errorf("approval sentence without documents = %q", got)
	}
}

// approveSteps has the advisers of steps approve, in order, through the store.
func (ss *signoffSite) approveSteps(t *testing.T, slug string, steps ...string) {
	t.Helper()
	hash := ss.hashOf(t, slug)
	for _, k := range steps {
		if err := ss.Store.Approve(context.Background(), ss.advisers[k].Act(ss.Clock.Now()), slug, k, hash); err != nil {
			t.Fatalf("approve %s: %v", k, err)
		}
	}
}

// TestWhereIsMyDecision: after submitting, the drafter's Your work lists the decision in
// sign-off with whom it is with and since when, in working days; the sign-off page says the
// same; the overview lists every decision in sign-off, the longest wait first, for admins and
// decision makers only; and the confirmation after submitting names who is next.
func TestWhereIsMyDecision(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	ss.User(t, "admin@example.org", "Ada Admin", store.Grants{Roles: []string{"admin"}})
	older := ss.awaitingDecision(t, 9711)
	ss.Clock.Advance(time.Hour)
	slug := ss.awaitingDecision(t, 9712)
	ss.approveSteps(t, slug, "head_of_unit")
	approvedAt := ss.Clock.Now()
	ss.Clock.Advance(72 * time.Hour)
	london, _ := time.LoadLocation("Europe/London")
	days := workday.Published().Between(approvedAt, ss.Clock.Now())
	age := fmt.Sprintf("%d working days", days)
	switch days {
	case 0:
		age = "less than a working day"
	case 1:
		age = "1 working day"
	}
	day := approvedAt.In(london).Format("2 Jan")
	if approvedAt.In(london).Year() != ss.Clock.Now().In(london).Year() {
		day = approvedAt.In(london).Format("2 Jan 2006")
	}
	want := "With the finance step — Adviser finance — since " + day + ", " + age

	drafter := ss.Client(t, "drafter@example.org")
	work := get(t, drafter, ss.URL+"/work")
	items := work.doc.Find(`[data-testid="in-signoff"] [data-testid="work-item"]`)
	if items.Length() != 2 {
		t.Fatalf("Your work lists %d decisions in sign-off, want 2", items.Length())
	}
	var found bool
	items.Each(func(_ int, it *goquery.Selection) {
		if strings.Contains(it.Text(), "PCD 9712") {
			found = true
			if got := strings.TrimSpace(it.Find(`[data-testid="where-now"]`).Text()); got != want {
				t.Errorf("Your work says %q, want %q", got, want)
			}
			if got := it.Find(`[data-testid="status-tag"]`).Text(); got != "In sign-off" {
				t.Errorf("status tag = %q, want In sign-off", got)
			}
		}
	})
	if !found {
		t.Error("Your work does not list PCD 9712 in sign-off")
	}
	if got := work.text(`[data-testid="count-in-signoff"]`); got != "2" {
		t.Errorf("count in sign-off = %q, want 2", got)
	}

	sp := get(t, drafter, ss.URL+"/decisions/"+slug+"/signoff")
	if got := sp.text(`[data-testid="where-now"]`); got != want {
		t.Errorf("sign-off page says %q, want %q", got, want)
	}

	// The overview: the drafter may not see it; the admin and the decision maker may, oldest first.
	if pg := get(t, drafter, ss.URL+"/work/in-sign-off"); pg.status != 403 {
		t.Errorf("drafter GET /work/in-sign-off = %d, want 403", pg.status)
	}
	for _, email := range []string{"admin@example.org", "dmpc@example.org"} {
		c := ss.Client(t, email)
		if !get(t, c, ss.URL+"/work").has(`[data-testid="in-signoff-link"]`) {
			t.Errorf("%s: Your work has no link to the overview", email)
		}
		ov := get(t, c, ss.URL+"/work/in-sign-off")
		if ov.status != 200 {
			t.Fatalf("%s GET /work/in-sign-off = %d, want 200", email, ov.status)
		}
		rows := ov.doc.Find(`[data-testid="in-signoff-row"]`)
		if rows.Length() != 2 {
			t.Fatalf("%s: overview has %d rows, want 2", email, rows.Length())
		}
		if first := rows.First().Find("th a").Text(); first != "PCD 9711" {
			t.Errorf("%s: overview starts with %q, want the longest wait, PCD 9711", email, first)
		}
		if !strings.Contains(rows.Last().Text(), "Adviser finance") || !strings.Contains(rows.Last().Text(), age) {
			t.Errorf("%s: overview row for PCD 9712 = %q", email, strings.Join(strings.Fields(rows.Last().Text()), " "))
		}
		if !ov.has(`[data-testid="staff-only"]`) {
			t.Errorf("%s: the overview does not say only staff see it", email)
		}
	}

	// The confirmation after submitting names who is next.
	conf := get(t, drafter, ss.URL+"/decisions/"+older+"/submitted")
	if got := conf.text(`[data-testid="submitted-next"]`); got != "It is now with the head of unit step: Adviser head_of_unit." {
		t.Errorf("confirmation says %q", got)
	}

	// Staff lists tag what the public cannot read; the public list has no such tags.
	list := get(t, drafter, ss.URL+"/decisions?status=awaiting_signoff")
	if got := list.doc.Find(`[data-testid="decision-item"] [data-testid="status-tag"]`).First().Text(); got != "In sign-off" {
		t.Errorf("staff list's status tag = %q, want In sign-off", got)
	}
	pub := get(t, http.DefaultClient, ss.URL+"/decisions")
	if pub.has(`[data-testid="status-tag"]`) {
		t.Error("the public list shows a staff status tag")
	}
	_ = older
}

// TestPartTwoMarkedForStaff: on staff pages Part II is headed by a "Part II — not for
// publication" band and its sections are marked, the print buttons offer it with or without
// Part II, a page only staff can reach says so, and an unsigned decision's signer and dates
// read "Not yet", not "Not recorded". The public's pages carry none of it, and offer staff a
// sign-in in the header.
func TestPartTwoMarkedForStaff(t *testing.T) {
	t.Parallel()
	ss := newSignoffSite(t)
	slug := ss.awaitingDecision(t, 9721)
	drafter := ss.Client(t, "drafter@example.org")
	for _, path := range []string{"/decisions/" + slug, "/decisions/" + slug + "/signoff"} {
		pg := get(t, drafter, ss.URL+path)
		if pg.status != 200 {
			t.Fatalf("GET %s = %d, want 200", path, pg.status)
		}
		if got := pg.text(`[data-testid="part-two-band"] strong`); got != "Part II — not for publication" {
			t.Errorf("%s: Part II band = %q", path, got)
		}
		sec := pg.doc.Find(`section.app-part-two`)
		if sec.Length() != 1 || !strings.Contains(sec.Text(), partTwoSecret) {
			t.Errorf("%s: %d marked Part II sections, want the one holding Part II", path, sec.Length())
		}
		pg.doc.Find(`section.app-section`).Each(func(_ int, s *goquery.Selection) {
			if !s.HasClass("app-part-two") && strings.Contains(s.Text(), partTwoSecret) {
				t.Errorf("%s: Part II text in an unmarked section", path)
			}
		})
		if !pg.has(`[data-app-print-part-two]`) || pg.text(`[data-app-print]`) != "Print without Part II" {
			t.Errorf("%s: print buttons = %q", path, pg.text(`.govuk-button-group`))
		}
		if !pg.has(`[data-testid="part-two-omitted"]`) {
			t.Errorf("%s: no note that paper leaves Part II out", path)
		}
		if got := pg.text(`[data-testid="staff-only"]`); !strings.Contains(got, "Only staff can see this page") {
			t.Errorf("%s: staff-only line = %q", path, got)
		}
	}
	show := get(t, drafter, ss.URL+"/decisions/"+slug)
	for _, id := range []string{"date-signed", "date-published", "decision-maker"} {
		if got := show.text(`[data-testid="` + id + `"]`); got != "Not yet" {
			t.Errorf("unsigned decision's %s = %q, want Not yet", id, got)
		}
	}
	list := get(t, drafter, ss.URL+"/decisions?status=awaiting_signoff")
	dds := list.doc.Find(`[data-testid="decision-item"]`).First().Find("dd")
	if a, b := strings.TrimSpace(dds.Eq(0).Text()), strings.TrimSpace(dds.Eq(1).Text()); a != "Not yet" || b != "Not yet" {
		t.Errorf("staff list's date signed and decision maker = %q and %q, want Not yet", a, b)
	}

	// The task list and the Part II page name the same readers of Part II.
	readers := "the decision maker, the advisers of this series, "
	tasks := get(t, drafter, ss.URL+"/decisions/"+slug+"/edit")
	if got := tasks.text(`[data-testid="task-list"]`); !strings.Contains(got, "Only "+readers+"its drafting team and admins can read Part II") {
		t.Errorf("the task list's Part II line reads %q", got)
	}
	if got := get(t, drafter, ss.URL+"/decisions/"+slug+"/edit/part-two").text("main"); !strings.Contains(got, "Only "+readers+"the people who drafted this decision and admins can read it") {
		t.Errorf("the Part II page says %q", got)
	}

	// The public: a published decision with no staff marks, and a sign-in in the header.
	pub := get(t, http.DefaultClient, ss.URL+"/decisions/pcd-1682")
	if pub.has(`[data-testid="staff-only"]`) || pub.has(`[data-testid="part-two-band"]`) || pub.has(`[data-app-print-part-two]`) {
		t.Error("the public page carries staff marks")
	}
	if got := pub.attr(`[data-testid="header"] [data-testid="header-sign-in"]`, "href"); got != "/sign-in" {
		t.Errorf("header sign-in link = %q, want /sign-in", got)
	}
	if get(t, drafter, ss.URL+"/decisions/pcd-1682").has(`[data-testid="staff-only"]`) {
		t.Error("a published decision's page says only staff can see it")
	}
	if get(t, drafter, ss.URL+"/work").has(`[data-testid="header-sign-in"]`) == true {
		t.Error("a signed-in person is offered a sign-in")
	}
}
