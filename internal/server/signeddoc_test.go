package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/signedpdf"
	"github.com/decision-register/decisions/internal/signedpdf/pdftest"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
	"github.com/decision-register/decisions/web/pages"
)

// worker is another server instance on the site's database and clock, printing with pdf.
func (ss *signoffSite) worker(t *testing.T, pdf server.PDFRenderer) *server.Server {
	t.Helper()
	return ss.workerWith(t, pdf, ss.Blobs)
}

// workerWith is a worker keeping documents in blobs.
func (ss *signoffSite) workerWith(t *testing.T, pdf server.PDFRenderer, blobs *blobstore.Store) *server.Server {
	t.Helper()
	srv, err := server.New(server.Deps{Store: ss.Store, Logger: testsite.Logger(t), Clock: ss.Clock.Now, PDF: pdf, Blobs: blobs,
		BaseURL: testsite.BaseURL, OwnerName: "Mayor’s Office for Policing and Crime",
		Sessions: auth.NewSessions(ss.Pool, auth.SessionConfig{IdleTimeout: time.Hour, Lifetime: time.Hour})})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// likePCD1682 makes decision PCD number awaiting sign-off with PCD 1682's title, summary,
// recommendations, Part I sections and funding lines, and a secret Part II.
func (ss *signoffSite) likePCD1682(t *testing.T, number int) string {
	t.Helper()
	ctx := context.Background()
	var id, from int64
	err := ss.Pool.QueryRow(ctx, `
INSERT INTO decisions (series, number, reference, slug, title, summary, status, funder_id)
SELECT 'PCD', $1::integer, 'PCD ' || $1::text, 'pcd-' || $1::text, title, summary, 'awaiting_signoff', funder_id
FROM decisions WHERE slug = 'pcd-1682'
RETURNING id, (SELECT id FROM decisions WHERE slug = 'pcd-1682')`, number).Scan(&id, &from)
	if err != nil {
		t.Fatalf("copy PCD 1682: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO recommendations (decision_id, position, body) SELECT $1, position, body FROM recommendations WHERE decision_id = $2`,
		`INSERT INTO sections (decision_id, part, position, kind, heading, body)
			SELECT $1, part, position, kind, heading, body FROM sections WHERE decision_id = $2 AND part = 1`,
		`INSERT INTO sections (decision_id, part, position, kind, heading, body) SELECT $1, 2, 1, 'other', 'Confidential', '` + partTwoSecret + `' WHERE $2 > 0`,
		`INSERT INTO funding_lines (decision_id, position, funder_id, recipient_id, amount_pence, currency, fy_start, fy_end, basis, kind, label, period_text)
			SELECT $1, position, funder_id, recipient_id, amount_pence, currency, fy_start, fy_end, basis, kind, label, period_text
			FROM funding_lines WHERE decision_id = $2`,
		`INSERT INTO decision_drafters (decision_id, user_id) SELECT $1, id FROM users WHERE email = 'drafter@example.org' AND $2 > 0`,
	} {
		if _, err := ss.Pool.Exec(ctx, q, id, from); err != nil {
			t.Fatalf("copy PCD 1682's content: %v", err)
		}
	}
	return fmt.Sprintf("pcd-%d", number)
}

// sign has every adviser approve and the decision maker sign, publishing at publishAt.
func (ss *signoffSite) sign(t *testing.T, slug string, publishAt time.Time) {
	t.Helper()
	ss.approveAll(t, slug)
	in := store.SignInput{Outcome: store.OutcomeApproved, Interests: store.InterestsNone, PublishAt: publishAt,
		SeenHash: ss.hashOf(t, slug)}
	if publishAt.After(ss.Clock.Now()) {
		in.DeferralReason = "Embargoed until the announcement."
	}
	if err := ss.Store.Sign(context.Background(), ss.maker.Act(ss.Clock.Now()), slug, in); err != nil {
		t.Fatalf("sign %s: %v", slug, err)
	}
}

func (ss *signoffSite) pdfCount(t *testing.T, slug string) int {
	t.Helper()
	var n int
	err := ss.Pool.QueryRow(context.Background(), `SELECT count(*) FROM documents doc JOIN decisions d ON d.id = doc.decision_id
WHERE d.slug = $1 AND doc.kind = 'signed'`, slug).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// drain has worker make every document that is due, and returns how many it made.
func drain(t *testing.T, ctx context.Context, worker *server.Server) int {
	n := 0
	for {
		made, err := worker.MakeSignedPDF(ctx)
		if err != nil {
			t.Errorf("MakeSignedPDF: %v", err)
		}
		if !made {
			return n
		}
		n++
	}
}

// TestSignedDecisionDocument signs a decision while the PDF generator is broken: the signature
// stands and the page says its document is being prepared. Once the generator works, the
// retry makes one document, read here as a reader's software would: the reference, every
// Part I heading, the funding figures, the sign-off's names, the hash and the page's address,
// and never Part II. Two workers racing make one document per decision.
func TestSignedDecisionDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.likePCD1682(t, 9101)
	deferred := site.likePCD1682(t, 9102)
	site.sign(t, slug, site.Clock.Now())
	site.sign(t, deferred, site.Clock.Now().Add(48*time.Hour))

	public := site.Client(t, "")
	if p := get(t, public, site.URL+"/decisions/"+slug); p.status != http.StatusOK || p.doc.Find(`[data-testid=signed-document-pending]`).Length() != 1 {
		t.Fatalf("GET the signed decision = %d, with %d 'being prepared' notes; want 200 and one", p.status,
			p.doc.Find(`[data-testid=signed-document-pending]`).Length())
	}

	// The generator is broken: nothing is made, the signatures stand, the jobs wait.
	broken := site.worker(t, signedpdf.New(signedpdf.Config{Path: filepath.Join(t.TempDir(), "no-chromium")}))
	if made, err := broken.MakeSignedPDF(ctx); !made || err == nil {
		t.Fatalf("MakeSignedPDF with no browser = %t, %v; want true and an error", made, err)
	}
	if made, err := broken.MakeSignedPDF(ctx); !made || err == nil {
		t.Fatalf("MakeSignedPDF with no browser, second decision = %t, %v; want true and an error", made, err)
	}
	if made, err := broken.MakeSignedPDF(ctx); made || err != nil {
		t.Fatalf("MakeSignedPDF with both put off = %t, %v; want false, nil", made, err)
	}
	var status, lastError string
	err := site.Pool.QueryRow(ctx, `SELECT d.status, j.last_error FROM decisions d JOIN signed_pdf_jobs j ON j.decision_id = d.id
JOIN signatures g ON g.decision_id = d.id WHERE d.slug = $1`, slug).Scan(&status, &lastError)
	if err != nil || status != decision.StatusPublished || !strings.Contains(lastError, "no-chromium") {
		t.Fatalf("after a failed print: status %q, job error %q, %v; want published and the error recorded", status, lastError, err)
	}

	// A minute on, the retry is due; two workers sharing one browser race for the jobs.
	site.Clock.Advance(2 * time.Minute)
	pdf := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Timeout: printBound})
	t.Cleanup(pdf.Close)
	workers := []*server.Server{site.worker(t, pdf), site.worker(t, pdf)}
	var wg sync.WaitGroup
	made := make([]int, len(workers))
	for i, w := range workers {
		wg.Go(func() { made[i] = drain(t, ctx, w) })
	}
	wg.Wait()
	if made[0]+made[1] != 2 {
		t.Errorf("the workers made %d and %d documents, want 2 in all", made[0], made[1])
	}
	for _, s := range []string{slug, deferred} {
		if n := site.pdfCount(t, s); n != 1 {
			t.Errorf("%s has %d signed documents, want 1", s, n)
		}
	}

	// Made, it is listed with the decision's documents, and no longer "being prepared"; its
	// download is the file the record names.
	body := signedDocument(t, site, slug, store.Public(site.Clock.Now()))
	page := get(t, public, site.URL+"/decisions/"+slug)
	if page.doc.Find(`[data-testid=signed-document-pending]`).Length() != 0 {
		t.Error("the decision page still says its signed document is being prepared")
	}
	link := page.doc.Find(`[data-testid=document] [data-testid=document-link]`)
	href, _ := link.Attr("href")
	if link.Length() != 1 || link.Text() != "Signed decision document" {
		t.Fatalf("the decision page lists %d documents (%q), want its signed decision document", link.Length(), link.Text())
	}
	resp, err := public.Get(site.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	download, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.Equal(download, body) {
		t.Errorf("GET %s = %d %q, %d bytes; want the signed PDF", href, resp.StatusCode, resp.Header.Get("Content-Type"), len(download))
	}
	pdftest.CheckAccessible(t, body, "PCD 9101: Alpha - Social Media Hub")
	text := pdftest.Text(t, body)
	d, err := site.Store.DecisionBySlug(ctx, store.Public(site.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"PCD 9101", "Version 1: " + site.signedHashOf(t, slug), testsite.BaseURL + "/decisions/" + slug, "Sophie Signer"}
	for _, k := range chainSteps {
		want = append(want, "Adviser "+k)
	}
	for _, s := range d.Sections {
		want = append(want, s.Heading)
	}
	for _, f := range d.Funding {
		want = append(want, decision.FormatMoney(f.AmountPence, f.Currency))
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("the signed PDF's text lacks %q", w)
		}
	}
	if len(d.Sections) < 5 || len(d.Funding) == 0 {
		t.Errorf("the copy of PCD 1682 has %d sections and %d funding lines: the test checks too little", len(d.Sections), len(d.Funding))
	}
	if strings.Contains(text, partTwoSecret) {
		t.Error("the signed PDF holds Part II")
	}

	// The deferred decision's document exists, but the public may not see it before its date.
	if docs, err := site.Store.Documents(ctx, store.Public(site.Clock.Now()), deferred); err != nil || len(docs) != 0 {
		t.Errorf("the deferred decision's documents for the public: %v, %v; want none before its publication", docs, err)
	}
	site.Clock.Advance(49 * time.Hour)
	signedDocument(t, site, deferred, store.Public(site.Clock.Now()))
}

// signedDocument finds the decision's signed decision document as acc sees it, and returns its
// bytes from the blob store, checked against its hash.
func signedDocument(t *testing.T, site *signoffSite, slug string, acc store.Access) []byte {
	t.Helper()
	docs, err := site.Store.Documents(context.Background(), acc, slug)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 1 || docs[0].Kind != store.DocumentSigned || docs[0].Name != "Signed decision document" ||
		docs[0].MediaType != "application/pdf" {
		t.Fatalf("%s's documents = %+v, want its signed decision document", slug, docs)
	}
	r, err := site.Blobs.Open(context.Background(), docs[0].SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	body, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(body); hex.EncodeToString(sum[:]) != docs[0].SHA256 || int64(len(body)) != docs[0].Size {
		t.Fatalf("%s's signed document: %d bytes that do not match its record %+v", slug, len(body), docs[0])
	}
	return body
}

// TestSignedPDFClaimLost: a worker whose claim ran out (it stalled past the lease) and was taken
// over cannot store a second document, nor put the job off.
func TestSignedPDFClaimLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9103)
	site.sign(t, slug, site.Clock.Now())
	stalled, err := site.Store.ClaimSignedPDF(ctx, site.Clock.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := site.Store.ClaimSignedPDF(ctx, site.Clock.Now(), time.Minute); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a second claim within the lease: %v, want ErrNotFound", err)
	}
	later := site.Clock.Now().Add(2 * time.Minute)
	fresh, err := site.Store.ClaimSignedPDF(ctx, later, time.Minute)
	if err != nil || fresh.Attempts != 2 {
		t.Fatalf("a claim after the lease ran out: %+v, %v; want the job's second attempt", fresh, err)
	}
	doc := func(sha string) store.NewDocument {
		return store.NewDocument{Name: "Signed decision document", MediaType: "application/pdf", SHA256: strings.Repeat(sha, 64), Size: 9}
	}
	signed := site.signedHashOf(t, slug)
	// A document printed from other content than was signed is refused, and nothing is stored.
	if err := site.Store.FinishSignedPDF(ctx, fresh, strings.Repeat("0", 64), doc("c"), later); !errors.Is(err, store.ErrSignedContentChanged) {
		t.Errorf("finish with a document printed from other content: %v, want ErrSignedContentChanged", err)
	}
	if err := site.Store.FinishSignedPDF(ctx, fresh, signed, doc("a"), later); err != nil {
		t.Fatal(err)
	}
	if err := site.Store.FinishSignedPDF(ctx, stalled, signed, doc("b"), later); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("the stalled worker's finish: %v, want ErrClaimLost", err)
	}
	if err := site.Store.FailSignedPDF(ctx, stalled, "stalled", later); !errors.Is(err, store.ErrClaimLost) {
		t.Errorf("the stalled worker's failure: %v, want ErrClaimLost", err)
	}
	if n := site.pdfCount(t, slug); n != 1 {
		t.Errorf("%d signed documents, want 1", n)
	}
	var audited int
	err = site.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_log WHERE event = $1 AND detail::jsonb ->> 'kind' = 'signed'`,
		store.EventDocumentAdded).Scan(&audited)
	if err != nil || audited != 1 {
		t.Errorf("%d audit entries for the signed document (%v), want 1", audited, err)
	}
	// A job asked for again (as signed-pdf --missing would) for a decision that has its document
	// is not made twice.
	if n, err := site.Store.EnqueueMissingSignedPDFs(ctx, later); err != nil || n != 0 {
		t.Errorf("EnqueueMissingSignedPDFs with the document made = %d, %v; want 0", n, err)
	}
}

// TestSigningWakesTheDocumentLoop: the loop serve runs makes the document as soon as the
// decision maker signs on that instance, not at its next tick (an hour away here).
// printBound bounds a test's print, and its wait for one: a print takes a second or two, but
// Chromium starting beside a loaded machine's -race tests can outlast the production minute
// (PDF_TIMEOUT), after which the print would wait for the document loop's next round.
const printBound = 5 * time.Minute

func TestSigningWakesTheDocumentLoop(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9104)
	site.approveAll(t, slug)
	pdf := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Timeout: printBound})
	t.Cleanup(pdf.Close)
	instance := site.worker(t, pdf)
	ts := httptest.NewServer(instance.Routes())
	t.Cleanup(ts.Close)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		instance.MakeSignedPDFs(ctx, time.Hour)
	}()
	t.Cleanup(func() {
		cancel()
		<-stopped
	})

	dm := site.Client(t, "")
	if p := post(t, dm, ts.URL+"/sign-in", url.Values{"email": {site.maker.Email}, "password": {testsite.Password}}); p.status != http.StatusSeeOther {
		t.Fatalf("sign in = %d", p.status)
	}
	p := post(t, dm, ts.URL+"/decisions/"+slug+"/sign", url.Values{"interests": {"none"}, "outcome": {"approve"},
		"publication": {"now"}, "content_hash": {site.hashOf(t, slug)}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("POST sign = %d, want 303", p.status)
	}
	// Bounded, not timed: a print takes a second or two; only a printer that never prints
	// reaches the bound.
	for deadline := time.Now().Add(printBound); site.pdfCount(t, slug) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no signed document %v after the signature", printBound)
		}
	}
}

// capturePDF is a PDF generator that keeps what it was asked to print.
type capturePDF struct {
	mu  sync.Mutex
	got []pages.SignedDocumentProps
}

func (c *capturePDF) Render(_ context.Context, p pages.SignedDocumentProps) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, p)
	return []byte(fmt.Sprintf("%%PDF-1.7 %s version %d %s", p.Reference, p.Version, p.Hash)), nil
}

// correct has the drafter correct the decision's title and the maker approve it, and returns
// the new version's hash.
func (ss *signoffSite) correct(t *testing.T, slug, title string) string {
	t.Helper()
	ctx := context.Background()
	now := ss.Clock.Now()
	if err := ss.Store.StartCorrection(ctx, ss.drafter.Act(now), slug, "Typo in the title."); err != nil {
		t.Fatal(err)
	}
	c, err := ss.Store.OpenCorrection(ctx, store.Staff(ss.drafter.ID, now), slug)
	if err != nil {
		t.Fatal(err)
	}
	err = ss.Store.EditCorrection(ctx, ss.drafter.Act(now), slug, c.Version, "title", func(e *store.CorrectionEdit) error {
		e.Draft.Title = title
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := ss.Store.SendCorrection(ctx, ss.drafter.Act(now), slug, c.Version+1); err != nil {
		t.Fatal(err)
	}
	c, err = ss.Store.OpenCorrection(ctx, store.Staff(ss.drafter.ID, now), slug)
	if err != nil {
		t.Fatal(err)
	}
	hash := decision.ContentHash(c.NewContent())
	if _, err := ss.Store.ApproveCorrection(ctx, ss.maker.Act(now), slug, hash); err != nil {
		t.Fatal(err)
	}
	return hash
}

// TestSignedPDFPrintsTheSignedVersion: a correction approved while the first signed document
// waits to be made (Chromium missing, retries, signed-pdf --missing) does not leak into it:
// version 1's document is printed from version 1's bytes, under version 1's hash and number,
// and version 2 gets a document of its own, printed from its bytes, under its hash and number.
func TestSignedPDFPrintsTheSignedVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9305)
	site.sign(t, slug, site.Clock.Now())
	first, err := site.Store.DecisionBySlug(ctx, store.Public(site.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	signedHash := site.signedHashOf(t, slug)
	correctedHash := site.correct(t, slug, "CORRECTED TITLE")

	pdf := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Timeout: printBound})
	t.Cleanup(pdf.Close)
	if n := drain(t, ctx, site.worker(t, pdf)); n != 2 {
		t.Fatalf("the worker made %d documents, want 2 (one per signed version)", n)
	}
	docs, err := site.Store.Documents(ctx, store.Public(site.Clock.Now()), slug)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.Name)
	}
	if got := strings.Join(names, "; "); got != "Signed decision document; Signed decision document, version 2" {
		t.Fatalf("the decision's documents are %q, want version 1's and version 2's signed documents", got)
	}
	for i, tt := range []struct {
		has, lacks []string
	}{
		{has: []string{deref(first.Title), "Version 1: " + signedHash}, lacks: []string{"CORRECTED TITLE", correctedHash}},
		{has: []string{"CORRECTED TITLE", "Version 2: " + correctedHash, "Typo in the title."}, lacks: []string{deref(first.Title)}},
	} {
		r, err := site.Blobs.Open(ctx, docs[i].SHA256)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		text := pdftest.Text(t, body)
		for _, w := range tt.has {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", docs[i].Name, w)
			}
		}
		for _, w := range tt.lacks {
			if strings.Contains(text, w) {
				t.Errorf("%s holds %q, which version %d does not", docs[i].Name, w, i+1)
			}
		}
	}

	// A correction approved before versions had documents of their own gets one from
	// signed-pdf --missing.
	if _, err := site.Pool.Exec(ctx, `DELETE FROM signed_pdf_jobs`); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Pool.Exec(ctx, `ALTER TABLE documents DISABLE TRIGGER USER;
DELETE FROM documents WHERE kind = 'signed' AND signed_version = 2;
ALTER TABLE documents ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	if n, err := site.Store.EnqueueMissingSignedPDFs(ctx, site.Clock.Now()); err != nil || n != 1 {
		t.Errorf("EnqueueMissingSignedPDFs with version 2's document missing = %d, %v; want 1", n, err)
	}
}

// TestSignedPDFRefusesChangedContent: content that no longer hashes to what was signed (here
// changed with the database's triggers off) is not printed: the refusal is recorded on the job.
func TestSignedPDFRefusesChangedContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9306)
	site.sign(t, slug, site.Clock.Now())
	if _, err := site.Pool.Exec(ctx, `ALTER TABLE decisions DISABLE TRIGGER USER;
UPDATE decisions SET title = 'Forged title' WHERE slug = '`+slug+`';
ALTER TABLE decisions ENABLE TRIGGER USER`); err != nil {
		t.Fatal(err)
	}
	pdf := &capturePDF{}
	made, err := site.worker(t, pdf).MakeSignedPDF(ctx)
	if !made || !errors.Is(err, store.ErrSignedContentChanged) {
		t.Errorf("MakeSignedPDF of changed content = %t, %v; want true and ErrSignedContentChanged", made, err)
	}
	if len(pdf.got) != 0 || site.pdfCount(t, slug) != 0 {
		t.Errorf("changed content was printed %d times, %d documents stored; want none", len(pdf.got), site.pdfCount(t, slug))
	}
	if last := lastJobError(t, site, slug); !strings.Contains(last, "does not hash to the hash signed") {
		t.Errorf("the job's last error is %q, want the refusal", last)
	}
}

// TestSignedPDFBlobFailureRecorded: a blob store that will not keep the document is a failure
// recorded on the job, put off like any other, not a claim left to run out unexplained.
func TestSignedPDFBlobFailureRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9307)
	site.sign(t, slug, site.Clock.Now())
	// A store whose directory is then replaced by a file: nothing can be written into it.
	dir := filepath.Join(t.TempDir(), "blobs")
	blobs, err := blobstore.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a directory"), 0o600); err != nil {
		t.Fatal(err)
	}
	worker := site.workerWith(t, &capturePDF{}, blobs)
	if made, err := worker.MakeSignedPDF(ctx); !made || err == nil {
		t.Fatalf("MakeSignedPDF with a broken blob store = %t, %v; want true and an error", made, err)
	}
	if last := lastJobError(t, site, slug); last == "" {
		t.Error("the blob store's failure is not recorded on the job")
	}
	if made, err := worker.MakeSignedPDF(ctx); made || err != nil {
		t.Errorf("MakeSignedPDF after the failure = %t, %v; want false, nil (the job put off)", made, err)
	}
}

func lastJobError(t *testing.T, site *signoffSite, slug string) string {
	t.Helper()
	var last *string
	err := site.Pool.QueryRow(context.Background(), `SELECT j.last_error FROM signed_pdf_jobs j JOIN decisions d ON d.id = j.decision_id
WHERE d.slug = $1 AND j.version = 1`, slug).Scan(&last)
	if err != nil {
		t.Fatal(err)
	}
	return deref(last)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
