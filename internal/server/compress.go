package server

import (
	"fmt"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// compressedTypes are the responses worth compressing: text the site writes. Images other
// than SVG, and anything already compressed, are left alone.
var compressedTypes = []string{
	"text/html", "text/css", "text/javascript", "application/javascript", "text/csv",
	"application/json", "application/problem+json", "application/atom+xml", "application/xml",
	"image/svg+xml", "text/plain",
}

// compressor compresses responses with zstd or gzip, whichever the client prefers of those it
// accepts (klauspost/compress's gzhttp: see the commit that added it). Responses under 1 KB
// go as they are. A signed-in person's pages hold text the public may not read (drafts, Part
// II) next to text an attacker can choose (search words), so theirs are padded by a length
// derived from their content (gzhttp's RandomJitter), against BREACH-style length guessing.
type compressor struct {
	public, staff func(http.Handler) http.HandlerFunc
}

func newCompressor() (*compressor, error) {
	public, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes))
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	staff, err := gzhttp.NewWrapper(gzhttp.ContentTypes(compressedTypes), gzhttp.RandomJitter(64, 0, false))
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	return &compressor{public: public, staff: staff}, nil
}

// compress is the middleware: it goes after loadUser, which it needs to choose.
func (s *Server) compress(next http.Handler) http.Handler {
	public, staff := s.compressor.public(next), s.compressor.staff(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if userFrom(r) != nil {
			staff(w, r)
			return
		}
		public(w, r)
	})
}
