package server

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/klauspost/compress/zstd"

	"github.com/decision-register/decisions/internal/store"
)

// pageCache keeps the decision pages built for the public, gzipped, for as long as the
// register has not changed. A page is built from about ten queries (the decision, its parts,
// links, funding chain, sign-off); checking that nothing changed is one (store.RegisterState),
// so a page asked for again costs one indexed round trip and a copy. Every instance keeps its
// own, and each checks the shared database, so none serves a page the register has moved past.
// Entries also age out, a bound on what any change the audit trail missed could cost.
type pageCache struct {
	pages  *lru.Cache[string, cachedPage]
	maxAge time.Duration
	zstd   *zstd.Encoder // EncodeAll may be called from many goroutines at once
}

// cachedPage is one page as it was sent, and what it was built from.
type cachedPage struct {
	key      pageKey
	etag     string
	modified time.Time
	gz, zst  []byte // the page, gzipped and in zstd
	built    time.Time
}

// pageKey is what a public decision page depends on beyond its decision: the register's state
// and the day printed on paper.
type pageKey struct {
	state store.RegisterState
	day   string
}

// pageCacheSize bounds memory: a decision page is about 8 KB gzipped and 8 KB in zstd, so
// about 32 MB in all.
const (
	pageCacheSize   = 2000
	pageCacheMaxAge = 5 * time.Minute
	pageWindow      = 256 << 10
)

func newPageCache(size int, maxAge time.Duration) (*pageCache, error) {
	c, err := lru.New[string, cachedPage](size)
	if err != nil {
		return nil, fmt.Errorf("page cache: %w", err)
	}
	// A page is tens of KB: a window that size compresses it as well as the default 8 MB one,
	// whose history buffers held 40 MB across the encoder's goroutines.
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression),
		zstd.WithWindowSize(pageWindow), zstd.WithLowerEncoderMem(true))
	if err != nil {
		return nil, fmt.Errorf("page cache: %w", err)
	}
	return &pageCache{pages: c, maxAge: maxAge, zstd: enc}, nil
}

// get returns the page for slug built under key, if it is still fresh at now.
func (c *pageCache) get(slug string, key pageKey, now time.Time) (cachedPage, bool) {
	p, ok := c.pages.Get(slug)
	if !ok || p.key != key || now.Sub(p.built) > c.maxAge {
		return cachedPage{}, false
	}
	return p, true
}

// gzipWriters are reused: a writer at the best compression holds about 1 MB of state, and
// one made for each page built was most of what building pages allocated.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression) // a valid level: never an error
	return zw
}}

// put compresses a page as built and keeps it. What is kept is copied to slices of its exact
// size: the buffers it was written into are up to several times larger (zstd's is the size
// of the page unpacked), and 2,000 kept pages held 90 MB instead of 32.
func (c *pageCache) put(slug string, p cachedPage, html []byte) (cachedPage, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer func() {
		zw.Reset(io.Discard) // not to hold this page's buffer while pooled
		gzipWriters.Put(zw)
	}()
	zw.Reset(&buf)
	if _, err := zw.Write(html); err != nil {
		return cachedPage{}, err
	}
	if err := zw.Close(); err != nil {
		return cachedPage{}, err
	}
	p.gz = bytes.Clone(buf.Bytes())
	p.zst = bytes.Clone(c.zstd.EncodeAll(html, make([]byte, 0, len(html)/4)))
	c.pages.Add(slug, p)
	return p, nil
}

// serveCached answers with a kept page: 304 when the client holds it, the gzipped bytes when
// it accepts gzip, else the page unzipped.
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, p cachedPage) {
	h := w.Header()
	// Once, whoever else (the compression middleware) has said it.
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if s.notModified(w, r, p.etag, p.modified) {
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The compression middleware leaves an encoded response alone. zstd wins a tie, as there.
	gz, zst := acceptedWeight(r, "gzip"), acceptedWeight(r, "zstd")
	body := p.gz
	switch {
	case zst > 0 && zst >= gz:
		body = p.zst
		h.Set("Content-Encoding", "zstd")
	case gz > 0:
		h.Set("Content-Encoding", "gzip")
	default:
		html, err := gunzip(p.gz)
		if err != nil {
			s.renderFailed(w, r, err)
			return
		}
		body = html
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if _, err := out.ReadFrom(zr); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// acceptedWeight is the weight (RFC 9110 §12.5.3) the request's Accept-Encoding gives coding: by
// name, or else by "*"; zero when it is not accepted.
func acceptedWeight(r *http.Request, coding string) float64 {
	named, star := -1.0, 0.0
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, part := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			switch name = strings.ToLower(strings.TrimSpace(name)); {
			case name == coding || (coding == "gzip" && name == "x-gzip"):
				named = q
			case name == "*":
				star = q
			}
		}
	}
	if named >= 0 {
		return named
	}
	return star
}
