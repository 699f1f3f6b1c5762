package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/decision-register/decisions/web/pages"
)

// handleCanonical serves the exact bytes a decision's hash is taken over, so anyone can
// recompute it: `curl …/canonical | sha256sum`.
func (s *Server) handleCanonical(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	b, err := s.reader(r).Canonical(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Content-Disposition", `inline; filename="`+slug+`.canonical.json"`)
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}

func (s *Server) handleVerify(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	v, err := s.reader(r).Verify(r.Context(), s.access(r), slug)
	if err != nil {
		return err
	}
	p := pages.VerifyProps{
		Page:         s.page(r, "Check "+v.Reference, "decisions", "/decisions/"+slug+"/verify"),
		Reference:    v.Reference,
		URL:          "/decisions/" + slug,
		CurrentHash:  v.CurrentHash,
		Matches:      v.Matches,
		CanonicalURL: s.baseURL + "/decisions/" + slug + "/canonical",
	}
	switch g := v.Signature; {
	case g == nil:
		p.Verdict = v.Reference + " has not been signed, so there is no signed hash to compare its content with."
	case !v.Checkable:
		p.SignedHash = g.ContentHash
		p.Verdict = "The hash of " + v.Reference + " was recorded under version " + strconv.Itoa(g.CanonicalVersion) +
			" of the canonical form, which this register does not compute; compare it by that version’s rules."
	case g.Kind == "imported":
		p.Imported, p.SignedHash = true, g.ContentHash
		p.Verdict = v.Reference + " was signed before this register existed; its content was recorded on import. "
		if v.Matches {
			p.Verdict += "The content now matches what was recorded."
		} else {
			p.Verdict += "The content now does not match what was recorded."
		}
	default:
		p.SignedHash, p.SignedBy, p.SignedOn = g.ContentHash, strings.TrimSpace(deref(g.SignerName)+" "+g.ForWhom()), formatLondonDay(g.SignedAt)
		if v.Matches {
			p.Verdict = "The content of " + v.Reference + " matches what was signed."
		} else {
			p.Verdict = "The content of " + v.Reference + " does not match what was signed: it has changed since it was signed."
		}
	}
	if n := len(v.Versions); n > 1 {
		// A corrected decision is checked against its latest signed version; each earlier one
		// has its own page and hash.
		last := v.Versions[n-1]
		p.Imported, p.SignedHash, p.SignedBy, p.SignedOn = false, last.ContentHash, versionSigner(last), formatLondonDay(last.SignedAt)
		p.Versions = versionLinks(slug, v.Versions)
		if v.Matches {
			what := "a correction approved on "
			if last.ReleasesPartTwo {
				what = "Part II released on "
			}
			p.Verdict = "The content of " + v.Reference + " matches its latest signed version, version " + strconv.Itoa(n) +
				" (" + what + p.SignedOn + ")."
		} else {
			p.Verdict = "The content of " + v.Reference + " does not match its latest signed version: it has changed since."
		}
	}
	s.render(w, r, http.StatusOK, pages.Verify(p))
	return nil
}
