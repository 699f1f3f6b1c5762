package server_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jackc/pgx/v5"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

// wordPlainText is a section as Word puts it on the clipboard as plain text, which a browser
// without the page's script pastes: numbered paragraphs with a tab after the number, Symbol
// bullets as "·" and a tab, a table's cells separated by tabs, lines ended by CR LF.
const wordPlainText = "4.1.\tThe proposal seeks approval to accept HO grant funding.\r\n" +
	"4.2.\tThe breakdown is:\r\n" +
	"Pay\t£2,310,000\r\nOvertime\t£245,000\r\nTraining and equipment\t£200,000\r\nTotal\t£2,755,000\r\n" +
	"4.3.\tThe hub will:\r\n·\tmonitor social media;\r\n·\tdisrupt gangs;\r\n·\treport to the MPS.\r\n"

// blocksOf reads the blocks the one renderer wrote inside sel, as a person reads them.
func blocksOf(doc *goquery.Document, sel string) []string {
	var out []string
	doc.Find(sel).Find(`[data-testid="text-numbered"], p.govuk-body, [data-testid="text-list"], [data-testid="text-table"]`).Each(func(_ int, e *goquery.Selection) {
		switch {
		case e.Is("ul"):
			e.Find("li").Each(func(_ int, li *goquery.Selection) { out = append(out, "• "+strings.TrimSpace(li.Text())) })
		case e.Is("table"):
			e.Find("tr").Each(func(_ int, tr *goquery.Selection) {
				var cells []string
				tr.Find("td").Each(func(_ int, td *goquery.Selection) { cells = append(cells, strings.TrimSpace(td.Text())) })
				out = append(out, "| "+strings.Join(cells, " | ")+" |")
			})
		default:
			out = append(out, "¶ "+strings.Join(strings.Fields(e.Text()), " "))
		}
	})
	return out
}

var wordPlainBlocks = []string{
	"¶ 4.1. The proposal seeks approval to accept HO grant funding.",
	"¶ 4.2. The breakdown is:",
	"| Pay | £2,310,000 |", "| Overtime | £245,000 |", "| Training and equipment | £200,000 |", "| Total | £2,755,000 |",
	"¶ 4.3. The hub will:",
	"• monitor social media;", "• disrupt gangs;", "• report to the MPS.",
}

// TestPastedPlainTextKeepsItsShape: without the page's script, Word's plain text pasted into a
// section is saved with its tabs, the drafter is told what it became, and the section's form
// and Check your answers show it as the sign-off page will. (Before the text model, the tabs
// were made spaces and the section ran into one paragraph.)
func TestPastedPlainTextKeepsItsShape(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Alpha - Social Media Hub")
	section := "/decisions/" + slug + "/edit/sections/financial-comments"
	p := dc.save(section, url.Values{"heading": {"Financial comments"}, "body": {wordPlainText}}, http.StatusSeeOther)
	tasks := dc.get(p.location)
	var banner []string
	tasks.doc.Find(`[data-testid="saved-banner"] .govuk-notification-banner__heading, [data-testid="saved-banner"] li`).Each(func(_ int, e *goquery.Selection) {
		banner = append(banner, strings.TrimSpace(e.Text()))
	})
	want := []string{"Financial comments saved", "3 numbered paragraphs found: numbers kept as written",
		"a table of 4 rows found", "3 bullet points found: shown as a list"}
	if !reflect.DeepEqual(banner, want) {
		t.Errorf("the task list after saving says %q, want %q", banner, want)
	}
	if again := dc.get(p.location); again.doc.Find(`[data-testid="saved-banner"]`).Length() != 0 {
		t.Error("the task list says what the text became a second time")
	}
	form := dc.get(section)
	if got := form.value("#body"); !strings.Contains(got, "Pay\t£2,310,000\n") {
		t.Errorf("the saved text lost its tabs: %q", got)
	}
	if got := blocksOf(form.doc, `[data-testid="preview"]`); !reflect.DeepEqual(got, wordPlainBlocks) {
		t.Errorf("the section's preview reads\n%q\nwant\n%q", got, wordPlainBlocks)
	}
	check := dc.get("/decisions/" + slug + "/check")
	if got := blocksOf(check.doc, "#check-financial-comments"); !reflect.DeepEqual(got, wordPlainBlocks) {
		t.Errorf("Check your answers reads\n%q\nwant\n%q", got, wordPlainBlocks)
	}
	// Plain paragraphs are just saved: nothing to tell.
	p = dc.save("/decisions/"+slug+"/edit/sections/legal-comments", url.Values{"heading": {"Legal comments"},
		"body": {"MOPAC may accept the grant.\n\nNo further comment."}}, http.StatusSeeOther)
	if got := dc.get(p.location).doc.Find(`[data-testid="saved-banner"]`).Length(); got != 0 {
		t.Error("saving plain paragraphs shows a banner")
	}
}

// TestPastedRecommendationsAreSeparate: a numbered list pasted as one recommendation becomes one
// recommendation per number, without the numbers (it read "1. 1. Approve … 2. Delegate …").
func TestPastedRecommendationsAreSeparate(t *testing.T) {
	t.Parallel()
	s := newDraftSite(t)
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Alpha - Social Media Hub")
	path := "/decisions/" + slug + "/edit/recommendations"
	dc.save(path, url.Values{"recommendation": {"Note the report."}}, http.StatusSeeOther)
	p := dc.save(path, url.Values{"recommendation": {"1.\tApprove the request to accept HO grant of £2,755,000.\r\n" +
		"2.\tDelegate authority to sign the agreement:\r\n(a) to the CFO;\r\n(b) or the Director.\r\n"}}, http.StatusSeeOther)
	got := dc.get(p.location)
	var items []string
	got.doc.Find(`[data-testid="draft-list"] > li > .app-wrap`).Each(func(_ int, e *goquery.Selection) {
		items = append(items, strings.Join(strings.Fields(e.Text()), " "))
	})
	want := []string{"Note the report.", "Approve the request to accept HO grant of £2,755,000.",
		"Delegate authority to sign the agreement: (a) to the CFO; (b) or the Director."}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("the recommendations are %q, want %q", items, want)
	}
	if b := got.text(`[data-testid="saved-banner"] .govuk-notification-banner__heading`); b != "2 recommendations added" {
		t.Errorf("after adding the list the page says %q", b)
	}
}

// TestOlderCanonicalVersionsStillVerify: decisions signed under canonical versions 1 and 2,
// before the structure of the text was recorded, still verify under their own version, beside
// one signed under the current version; each page shows the same text in the same shape.
func TestOlderCanonicalVersionsStillVerify(t *testing.T) {
	t.Parallel()
	site := newTestServer(t)
	ctx := context.Background()
	for version := 1; version <= decision.CanonicalVersion; version++ {
		number := 9500 + version
		slug := "pcd-" + strconv.Itoa(number)
		dbtest.Publish(t, site.pool, func(tx pgx.Tx) error {
			var id int64
			err := tx.QueryRow(ctx, `INSERT INTO decisions (series, number, reference, slug, title, summary, status, date_signed)
				VALUES ('PCD', $1::integer, 'PCD ' || $1::integer::text, $2, 'Signed under version ' || $3::text, 'A grant.', 'published', '2026-11-02')
				RETURNING id`, number, slug, strconv.Itoa(version)).Scan(&id)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO sections (decision_id, part, position, kind, heading, body)
				VALUES ($1, 1, 1, 'financial_comments', 'Financial comments', $2)`, id, decision.CleanSectionText(wordPlainText)); err != nil {
				return err
			}
			c, err := store.OnTx(tx).Content(ctx, id)
			if err != nil {
				return err
			}
			hash, _ := decision.ContentHashAs(version, c)
			_, err = tx.Exec(ctx, `INSERT INTO signatures (decision_id, kind, outcome, signed_at, content_hash, canonical_version)
				VALUES ($1, 'imported', 'approved', now(), $2, $3)`, id, hash, version)
			return err
		})
		v := site.get(t, "/decisions/"+slug+"/verify")
		if res := v.doc.Find(`[data-testid=verify-result]`); res.AttrOr("data-matches", "") != "true" {
			t.Errorf("verify %s (version %d) = %d %q, want it to say the content matches", slug, version, v.status, strings.TrimSpace(res.Text()))
		}
		show := site.get(t, "/decisions/"+slug)
		if got := blocksOf(show.doc, `[data-testid="section"]`); !reflect.DeepEqual(got, wordPlainBlocks) {
			t.Errorf("the page of %s (version %d) reads\n%q\nwant\n%q", slug, version, got, wordPlainBlocks)
		}
	}
}

// TestSignedDocumentKeepsTheTextsShape: the signed decision document is printed from the signed
// bytes through the same renderer, so a pasted paper's numbered paragraphs, table and bullets
// are in it as the decision maker saw them on the sign-off page.
func TestSignedDocumentKeepsTheTextsShape(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9311)
	if _, err := site.Pool.Exec(ctx, `UPDATE sections SET body = $2 FROM decisions d
		WHERE d.id = sections.decision_id AND d.slug = $1 AND part = 1`, slug, decision.CleanSectionText(wordPlainText)); err != nil {
		t.Fatal(err)
	}
	maker := site.Client(t, "dmpc@example.org")
	if got := blocksOf(get(t, maker, site.URL+"/decisions/"+slug+"/signoff").doc, `[data-testid="section"][aria-labelledby="part-1-section-1"]`); !reflect.DeepEqual(got, wordPlainBlocks) {
		t.Errorf("the sign-off page reads\n%q\nwant\n%q", got, wordPlainBlocks)
	}
	site.sign(t, slug, site.Clock.Now())
	capture := &capturePDF{}
	if n := drain(t, ctx, site.worker(t, capture)); n != 1 {
		t.Fatalf("the worker made %d documents, want 1", n)
	}
	var b strings.Builder
	if err := pages.SignedDocument(capture.got[0]).Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, want := range wordPlainBlocks {
		for _, g := range blocksOf(doc, "body") {
			if g == want {
				got = append(got, g)
				break
			}
		}
	}
	if !reflect.DeepEqual(got, wordPlainBlocks) {
		t.Errorf("the signed document holds\n%q\nof\n%q", got, wordPlainBlocks)
	}
}
