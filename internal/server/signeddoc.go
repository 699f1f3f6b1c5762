package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/decision-register/decisions/internal/document"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// The signed decision document's job: how long a claim is a worker's (far longer than a print
// may take, see signedpdf.Config.Timeout), and how long a failure puts the next try off: a
// minute, doubling to an hour.
const (
	signedPDFLease    = 10 * time.Minute
	signedPDFRetryMin = time.Minute
	signedPDFRetryMax = time.Hour
)

// signedPDFRetry is how long to wait after the attempts-th failure.
func signedPDFRetry(attempts int) time.Duration {
	d := signedPDFRetryMin
	for i := 1; i < attempts && d < signedPDFRetryMax; i++ {
		d *= 2
	}
	return min(d, signedPDFRetryMax)
}

// signedDocument is what the signed decision document says of the decision job is for: what the
// public reads once it is published (so never Part II), its sign-off and the hash it was signed
// at.
func (s *Server) signedDocument(ctx context.Context, job store.SignedPDFJob) (pages.SignedDocumentProps, error) {
	at := s.now()
	if job.PublishAt != nil && job.PublishAt.After(at) {
		at = *job.PublishAt
	}
	acc := store.Public(at)
	d, err := s.store.DecisionBySlug(ctx, acc, job.Slug)
	if err != nil {
		return pages.SignedDocumentProps{}, err
	}
	rec, err := s.store.SignoffChain(ctx, acc, job.Slug)
	if err != nil {
		return pages.SignedDocumentProps{}, err
	}
	g := rec.Signature
	if g == nil || g.Kind != "signed" {
		return pages.SignedDocumentProps{}, fmt.Errorf("signed document of %s: %w: no signature", job.Reference, store.ErrNotFound)
	}
	// The document is not a web page: its references are not linked (a PDF outlives the
	// register's addresses), but its abbreviations are still explained.
	m := newMarker(nil, d.Reference)
	url := s.baseURL + "/decisions/" + d.Slug
	p := pages.SignedDocumentProps{
		BaseURL:         s.baseURL,
		OwnerName:       s.ownerName,
		Reference:       d.Reference,
		Title:           deref(d.Title),
		URL:             url,
		Summary:         deref(d.Summary),
		Recommendations: d.Recommendations,
		PartTwoWithheld: d.HasPartTwo,
		Hash:            g.ContentHash,
		Steps:           signoffSteps(rec, false),
		Interests:       "none",
		Generated:       formatLondonDay(s.now()),
	}
	p.KeyInfo = slices.DeleteFunc(keyInfo(d, m), func(r components.SummaryRow) bool {
		// Its status and source describe the record now, not the decision as signed.
		return r.TestID == "status" || r.TestID == "source"
	})
	for _, part := range parts(d.Sections, m, d.MadeHere) {
		if part.Heading == partHeading(1) {
			p.Parts = append(p.Parts, part)
		}
	}
	p.Funding = funding(d.Funding, m)
	for _, doc := range supportingDocuments(d.Documents) {
		p.Documents = append(p.Documents, pages.SignedDocumentFile{Name: doc.Name, Type: document.TypeName(doc.MediaType),
			MediaType: doc.MediaType, Size: document.FormatSize(doc.Size), Bytes: formatBytes(doc.Size), SHA256: doc.SHA256})
	}
	if g.Interests != nil && *g.Interests == store.InterestsDeclared {
		p.Interests = deref(g.InterestsDetail)
	}
	return p, nil
}

// MakeSignedPDF makes one signed decision document that is due, if any is, and reports whether
// there was one to make. A failure is recorded on the job, which is tried again later; the
// error is returned too, for the log.
func (s *Server) MakeSignedPDF(ctx context.Context) (bool, error) {
	job, err := s.store.ClaimSignedPDF(ctx, s.now(), signedPDFLease)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	pdf, err := s.printSignedPDF(ctx, job)
	if err != nil {
		if ctx.Err() != nil {
			return true, err // stopping: the lease runs out and another instance takes it over
		}
		retry := s.now().Add(signedPDFRetry(job.Attempts))
		if ferr := s.store.FailSignedPDF(ctx, job, err.Error(), retry); ferr != nil {
			return true, errors.Join(err, ferr)
		}
		return true, fmt.Errorf("signed document of %s (attempt %d, next at %s): %w", job.Reference, job.Attempts,
			retry.UTC().Format(time.RFC3339), err)
	}
	if err := s.storeSignedPDF(ctx, job, pdf); err != nil {
		return true, err
	}
	s.log.InfoContext(ctx, "made the signed decision document", "reference", job.Reference, "bytes", len(pdf))
	return true, nil
}

// signedDocumentName is the name readers see of the signed decision document.
const signedDocumentName = "Signed decision document"

// storeSignedPDF keeps the document's bytes in the blob store under their hash, then records it
// as the decision's signed decision document. The bytes go first: a record never points at
// nothing, and bytes a lost claim stored are only a file no record names.
func (s *Server) storeSignedPDF(ctx context.Context, job store.SignedPDFJob, pdf []byte) error {
	if s.blobs == nil {
		return errors.New("no document store is configured")
	}
	sum := sha256.Sum256(pdf)
	sha := hex.EncodeToString(sum[:])
	if err := s.blobs.Put(ctx, sha, pdfType, bytes.NewReader(pdf)); err != nil {
		return fmt.Errorf("signed document of %s: %w", job.Reference, err)
	}
	return s.store.FinishSignedPDF(ctx, job, store.NewDocument{Name: signedDocumentName, MediaType: pdfType,
		SHA256: sha, Size: int64(len(pdf))}, s.now())
}

const pdfType = "application/pdf"

func (s *Server) printSignedPDF(ctx context.Context, job store.SignedPDFJob) ([]byte, error) {
	if s.pdf == nil {
		return nil, errors.New("no PDF generator is configured")
	}
	p, err := s.signedDocument(ctx, job)
	if err != nil {
		return nil, err
	}
	return s.pdf.Render(ctx, p)
}

// MakeSignedPDFs makes the signed decision documents that are due, now, whenever a decision is
// signed here, and every interval, until ctx ends. Any number of instances may run it: each
// job goes to one of them.
func (s *Server) MakeSignedPDFs(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			made, err := s.MakeSignedPDF(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.ErrorContext(ctx, "signed decision document", "err", err)
			}
			if !made {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.signed:
		}
	}
}

// wakeSignedPDFs tells this instance's MakeSignedPDFs a decision was just signed.
func (s *Server) wakeSignedPDFs() {
	select {
	case s.signed <- struct{}{}:
	default: // already woken
	}
}

// addSignedDocument says, on a decision's page, that its signed decision document is being
// made; once made, it is listed with the decision's other documents.
func (s *Server) addSignedDocument(r *http.Request, p *pages.ShowProps, slug string) error {
	if p.Proof == nil || p.Proof.Imported || p.Proof.Hash == "" {
		return nil // only a decision signed in the register has one
	}
	pending, err := s.reader(r).SignedPDFPending(r.Context(), s.access(r), slug)
	p.SignedDocumentPending = pending
	return err
}

// formatBytes is an exact size, "1,234,567 bytes", as the canonical content records it.
func formatBytes(n int64) string {
	if n == 1 {
		return "1 byte"
	}
	return groupDigits(int(n)) + " bytes"
}
