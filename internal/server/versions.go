package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/pages"
)

func (s *Server) versionFrom(r *http.Request) (string, int, []store.Version, error) {
	slug, err := slugParam(r)
	if err != nil {
		return "", 0, nil, err
	}
	n, ok := intParam(r, "n")
	if !ok {
		return "", 0, nil, errPageNotFound
	}
	vs, err := s.reader(r).Versions(r.Context(), s.access(r), slug)
	if err != nil {
		return "", 0, nil, err
	}
	if n > len(vs) {
		return "", 0, nil, errPageNotFound
	}
	return slug, n, vs, nil
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) error {
	slug, n, vs, err := s.versionFrom(r)
	if err != nil {
		return err
	}
	v := vs[n-1]
	c, err := decision.ParseCanonical(v.Canonical)
	if err != nil {
		return err
	}
	p := pages.VersionProps{
		Page:      s.page(r, fmt.Sprintf("%s, version %d", c.Reference, n), "decisions", versionURL(slug, n)),
		Reference: c.Reference, Title: c.Title, Number: n, Of: len(vs),
		DecisionURL: "/decisions/" + slug, CanonicalURL: versionURL(slug, n) + "/canonical",
		Hash: v.ContentHash, Matches: v.Matches, SignedOn: formatLondonDay(v.SignedAt), SignedBy: versionSigner(v),
		Reason: deref(v.Reason), Summary: c.Summary, Recommendations: c.Recommendations,
		Versions: versionLinks(slug, vs),
	}
	for _, sec := range c.Sections {
		p.Sections = append(p.Sections, pages.VersionSection{Heading: sec.Heading, Body: sec.Body})
	}
	for _, f := range c.Funding {
		p.Funding = append(p.Funding, decision.FundingSentence(f))
	}
	if n > 1 {
		prev, err := decision.ParseCanonical(vs[n-2].Canonical)
		if err != nil {
			return err
		}
		p.Diffs = diffFields(decision.Diffs(decision.CorrectedOf(prev), decision.CorrectedOf(c)))
	}
	s.render(w, r, http.StatusOK, pages.Version(p))
	return nil
}

// handleVersionCanonical serves the exact bytes a version's hash is taken over.
func (s *Server) handleVersionCanonical(w http.ResponseWriter, r *http.Request) error {
	slug, n, vs, err := s.versionFrom(r)
	if err != nil {
		return err
	}
	b := vs[n-1].Canonical
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", `inline; filename="`+slug+`.v`+strconv.Itoa(n)+`.canonical.json"`)
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

// versionSigner names who signed a version: for the first, the decision maker with their
// title ("Sophie Linden, Deputy Mayor for Policing and Crime"); for a correction, the approver
// with the register's role they approved it in ("Ada Admin (admin)").
func versionSigner(v store.Version) string {
	name := deref(v.SignerName)
	role := deref(v.SignerRole)
	switch {
	case name == "" || role == "":
		return name
	case v.Number > 1 && (role == "Admin" || role == "Decision maker"):
		return name + " (" + strings.ToLower(role) + ")"
	}
	return name + ", " + role
}

func versionLinks(slug string, vs []store.Version) []pages.VersionLink {
	out := make([]pages.VersionLink, len(vs))
	for i, v := range vs {
		label := "as signed"
		switch {
		case v.Imported:
			label = "as signed, recorded on import"
		case v.ReleasesPartTwo:
			label = "Part II released"
		case v.Number > 1 && v.Typographical:
			label = "typographical correction"
		case v.Number > 1:
			label = "correction"
		}
		out[i] = pages.VersionLink{Number: v.Number, URL: versionURL(slug, v.Number), Hash: v.ContentHash,
			Date: formatLondonDay(v.SignedAt), Label: label, Current: i == len(vs)-1}
	}
	return out
}

// addCorrections adds to a decision's page its withdrawal, its corrections with what each
// changed, its versions, and for staff the actions they may take on it.
func (s *Server) addCorrections(r *http.Request, p *pages.ShowProps, d store.DecisionDetail) error {
	if d.Status == decision.StatusWithdrawn && d.WithdrawnAt != nil {
		p.Withdrawn = &pages.WithdrawnNotice{Date: formatLondonDay(*d.WithdrawnAt), Reason: deref(d.WithdrawalReason)}
	}
	vs, err := s.reader(r).Versions(r.Context(), s.access(r), d.Slug)
	if err != nil {
		return err
	}
	if len(vs) > 1 {
		p.Versions = versionLinks(d.Slug, vs)
		if p.Proof != nil {
			p.Proof.Hash = vs[len(vs)-1].ContentHash
		}
		for i := 1; i < len(vs); i++ {
			prev, err := decision.ParseCanonical(vs[i-1].Canonical)
			if err != nil {
				return err
			}
			cur, err := decision.ParseCanonical(vs[i].Canonical)
			if err != nil {
				return err
			}
			p.Corrections = append(p.Corrections, pages.CorrectionNote{Version: vs[i].Number, Date: formatLondonDay(vs[i].SignedAt),
				Reason: deref(vs[i].Reason), By: versionSigner(vs[i]), Typographical: vs[i].Typographical, Released: vs[i].ReleasesPartTwo,
				URL:   versionURL(d.Slug, vs[i].Number),
				Diffs: diffFields(decision.Diffs(decision.CorrectedOf(prev), decision.CorrectedOf(cur)))})
		}
	}
	u := userFrom(r)
	if u == nil {
		return nil
	}
	_, err = s.store.OpenCorrection(r.Context(), s.access(r), d.Slug)
	switch {
	case err == nil:
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "A correction is in progress: see it", Href: correctionURL(d.Slug), TestID: "correction-link"})
	case !errors.Is(err, store.ErrNotFound):
		return err
	case u.Has(decision.RoleDrafter) && decision.CanCorrect(d.Status) == nil:
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "Correct this decision", Href: correctionURL(d.Slug) + "/new", TestID: "correct-link"})
	}
	if decision.CanWithdraw(u.Actor(), d.Series, d.Status) == nil {
		p.StaffLinks = append(p.StaffLinks, pages.StaffLink{Text: "Withdraw this decision", Href: "/decisions/" + d.Slug + "/withdraw", TestID: "withdraw-link"})
	}
	return nil
}
