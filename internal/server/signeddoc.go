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
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/decision"
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

// signedDocument is what the signed decision document of version sv says: what was signed,
// read from the version's own canonical bytes (never the live rows, which a correction may have
// changed since), so never Part II; its sign-off; and the version's number and hash.
func (s *Server) signedDocument(ctx context.Context, job store.SignedPDFJob, sv store.SignedVersion) (pages.SignedDocumentProps, error) {
	c, err := decision.ReadSigned(sv.Canonical)
	if err != nil {
		return pages.SignedDocumentProps{}, fmt.Errorf("signed document of %s, version %d: %w", job.Reference, sv.Number, err)
	}
	at := s.now()
	if job.PublishAt != nil && job.PublishAt.After(at) {
		at = *job.PublishAt
	}
	acc := store.Public(at)
	// Who signed, when and in what role are not in the canonical content: they come from the
	// decision's record and its sign-off.
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
	d.Funder, d.Funding = &c.Funder, signedFunding(c.Funding)
	// The document is not a web page: its references are not linked (a PDF outlives the
	// register's addresses), but its abbreviations are still explained.
	m := newMarker(nil, c.Reference)
	url := s.baseURL + "/decisions/" + d.Slug
	p := pages.SignedDocumentProps{
		BaseURL:         s.baseURL,
		OwnerName:       s.ownerName,
		Reference:       c.Reference,
		Title:           c.Title,
		URL:             url,
		Summary:         c.Summary,
		Recommendations: c.Recommendations,
		PartTwoWithheld: c.PartTwoSHA256 != nil,
		Version:         sv.Number,
		Hash:            sv.Hash,
		Steps:           signoffSteps(rec, false),
		Interests:       "none",
		Generated:       formatLondonDay(s.now()),
	}
	p.KeyInfo = slices.DeleteFunc(keyInfo(d, m), func(r components.SummaryRow) bool {
		// Its status and source describe the record now, not the decision as signed.
		return r.TestID == "status" || r.TestID == "source"
	})
	p.Parts = parts(signedSections(c.Sections), m, d.MadeHere)
	// From version 5 the Part II sections released since signing are signed content too.
	if len(c.Released) > 0 {
		released := pages.Part{Heading: "Part II: released"}
		for _, rel := range c.Released {
			note := "Released on " + rel.ReleasedOn + " by " + rel.ReleasedBy + "."
			if day, err := time.Parse(time.DateOnly, rel.ReleasedOn); err == nil {
				note = "Released on " + day.Format(dateLayout) + " by " + rel.ReleasedBy
				if g, ok := decision.GroundByCode(rel.Ground); ok {
					note += " (withheld under " + g.Cite + " until then)"
				}
				note += "."
			}
			released.Sections = append(released.Sections, pages.Section{ID: fmt.Sprintf("part-2-section-%d", rel.Section),
				Heading: rel.Heading, Blocks: textBlocks(rel.Body, m.rich), Note: note, Released: true})
		}
		p.Parts = append(p.Parts, released)
	}
	p.Funding = funding(d.Funding, m)
	for _, doc := range c.Documents {
		p.Documents = append(p.Documents, pages.SignedDocumentFile{Name: doc.Name, Type: document.TypeName(doc.MediaType),
			MediaType: doc.MediaType, Size: document.FormatSize(doc.Size), Bytes: formatBytes(doc.Size), SHA256: doc.SHA256})
	}
	if g.Interests != nil && *g.Interests == store.InterestsDeclared {
		p.Interests = deref(g.InterestsDetail)
	}
	// From version 4 the approvals are part of what was signed: who acted for whom, and what
	// each declared, are printed from the signed bytes. They are the chain's approvals, in order.
	for i, a := range c.Approvals {
		if i < len(p.Steps)-1 {
			p.Steps[i].Name, p.Steps[i].For, p.Steps[i].Declared = a.Approver, a.ForWhom(), a.Declared()
		}
	}
	if sv.Number > 1 {
		p.CorrectionReason = deref(sv.Reason)
		step := "Correction: version "
		if sv.ReleasesPartTwo {
			step = "Part II released: version "
		}
		p.Steps = append(p.Steps, pages.SignoffStep{Step: step + strconv.Itoa(sv.Number),
			Statement: deref(sv.Reason), Role: deref(sv.SignerRole), Name: deref(sv.SignerName),
			Date: formatLondonDay(sv.SignedAt), Hash: sv.Hash})
	}
	return p, nil
}

// signedSections are the Part I sections of signed content, numbered in their order.
func signedSections(cs []decision.ContentSection) []store.Section {
	out := make([]store.Section, len(cs))
	for i, c := range cs {
		out[i] = store.Section{Part: 1, Position: i + 1, Kind: c.Kind, Heading: c.Heading, Body: c.Body}
	}
	return out
}

// signedFunding are the funding lines of signed content, in their order.
func signedFunding(fs []decision.ContentFunding) []store.FundingLine {
	out := make([]store.FundingLine, len(fs))
	for i, f := range fs {
		out[i] = store.FundingLine{Position: i + 1, Funder: f.Funder, Recipient: f.Recipient, AmountPence: f.AmountPence,
			Currency: f.Currency, FYStart: f.FYStart, FYEnd: f.FYEnd, Basis: f.Basis, Kind: f.Kind, Label: f.Label,
			PeriodText: f.PeriodText}
	}
	return out
}

// MakeSignedPDF makes one signed decision document that is due, if any is, and reports whether
// there was one to make. A failure (no printer, a blob store that will not keep the file,
// content that no longer hashes to what was signed) is recorded on the job, which is tried
// again later; the error is returned too, for the log.
func (s *Server) MakeSignedPDF(ctx context.Context) (bool, error) {
	job, err := s.store.ClaimSignedPDF(ctx, s.now(), signedPDFLease)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	pdf, hash, err := s.printSignedPDF(ctx, job)
	if err == nil {
		err = s.storeSignedPDF(ctx, job, hash, pdf)
	}
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, store.ErrClaimLost) {
			return true, err // stopping, or taken over: the job is another instance's now
		}
		retry := s.now().Add(signedPDFRetry(job.Attempts))
		if ferr := s.store.FailSignedPDF(ctx, job, err.Error(), retry); ferr != nil {
			return true, errors.Join(err, ferr)
		}
		return true, fmt.Errorf("signed document of %s, version %d (attempt %d, next at %s): %w", job.Reference, job.Version,
			job.Attempts, retry.UTC().Format(time.RFC3339), err)
	}
	s.log.InfoContext(ctx, "made the signed decision document", "reference", job.Reference, "version", job.Version,
		"bytes", len(pdf))
	return true, nil
}

// signedDocumentName is the name readers see of a version's signed decision document.
func signedDocumentName(version int) string {
	if version == 1 {
		return "Signed decision document"
	}
	return "Signed decision document, version " + strconv.Itoa(version)
}

// storeSignedPDF keeps the document's bytes in the blob store under their hash, then records it
// as the version's signed decision document, printed from content hashing to contentHash. The
// bytes go first: a record never points at nothing, and bytes a lost claim stored are only a
// file no record names.
func (s *Server) storeSignedPDF(ctx context.Context, job store.SignedPDFJob, contentHash string, pdf []byte) error {
	if s.blobs == nil {
		return errors.New("no document store is configured")
	}
	sum := sha256.Sum256(pdf)
	sha := hex.EncodeToString(sum[:])
	if err := s.blobs.Put(ctx, sha, pdfType, bytes.NewReader(pdf)); err != nil {
		return fmt.Errorf("keep the signed document of %s: %w", job.Reference, err)
	}
	return s.store.FinishSignedPDF(ctx, job, contentHash, store.NewDocument{Name: signedDocumentName(job.Version),
		MediaType: pdfType, SHA256: sha, Size: int64(len(pdf))}, s.now())
}

const pdfType = "application/pdf"

// printSignedPDF prints the signed decision document of job's version, from that version's
// canonical bytes once they are checked against its hash, which it returns with the PDF.
func (s *Server) printSignedPDF(ctx context.Context, job store.SignedPDFJob) ([]byte, string, error) {
	if s.pdf == nil {
		return nil, "", errors.New("no PDF generator is configured")
	}
	sv, err := s.store.SignedPDFVersion(ctx, job)
	if err != nil {
		return nil, "", err
	}
	p, err := s.signedDocument(ctx, job, sv)
	if err != nil {
		return nil, "", err
	}
	pdf, err := s.pdf.Render(ctx, p)
	return pdf, sv.Hash, err
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
