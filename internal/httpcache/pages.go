package httpcache

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
)

// Pages keeps pages as built, gzipped and in zstd, each under a name and the key it was built
// under: a page asked for again under the same key is sent from here. The server keeps the
// public decision pages while the register has not changed: a page is built from about ten
// queries (the decision, its parts, links, funding chain, sign-off); checking that nothing
// changed is one (store.RegisterState), so a page asked for again costs one indexed round trip
// and a copy. Every instance keeps its own, and each checks the shared database, so none serves
// a page the register has moved past. Entries also age out, a bound on what any change the key
// missed could cost.
//
// The cache is bounded by the bytes it holds, not by a count of pages: list and search pages
// are kept too, under any query anyone asks for, so an endless run of distinct queries only
// pushes out the least recently used pages and never grows memory past maxBytes.
type Pages[K comparable] struct {
	pages    *lru.Cache[string, entry[K]]
	maxAge   time.Duration
	zstd     *zstd.Encoder // EncodeAll may be called from many goroutines at once
	maxBytes int64

	mu    sync.Mutex // held to add, so the count of bytes follows what is kept
	bytes int64
}

type entry[K comparable] struct {
	key  K
	page Page
}

// Page is one page as it was sent, with its validators.
type Page struct {
	ETag     string
	Modified time.Time
	// Built is when the page was built, from which it ages.
	Built   time.Time
	gz, zst []byte // the page, gzipped and in zstd
}

// PagesBytes bounds the memory the kept pages take: a decision page is about 8 KB gzipped and
// 8 KB in zstd, a list page about half that, so about 1,000 decision pages. PagesMaxAge is how
// long a page is kept whatever its key.
const (
	PagesBytes  = 16 << 20
	PagesMaxAge = 5 * time.Minute
	pageWindow  = 256 << 10
	// entryOverhead is what keeping a page costs beyond its bytes (the list's and map's
	// entries, the Page): an estimate, so that small pages are not counted as free.
	entryOverhead = 256
)

// NewPages makes a cache of pages up to maxBytes in all, each kept at most maxAge.
func NewPages[K comparable](maxBytes int64, maxAge time.Duration) (*Pages[K], error) {
	// The count is bounded by the bytes: a page costs at least entryOverhead.
	c, err := lru.New[string, entry[K]](int(max(1, maxBytes/entryOverhead)))
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
	return &Pages[K]{pages: c, maxAge: maxAge, zstd: enc, maxBytes: maxBytes}, nil
}

// Get returns the page named name built under key, if it is still fresh at now.
func (c *Pages[K]) Get(name string, key K, now time.Time) (Page, bool) {
	e, ok := c.pages.Get(name)
	if !ok || e.key != key || now.Sub(e.page.Built) > c.maxAge {
		return Page{}, false
	}
	return e.page, true
}

// gzipWriters are reused: a writer at the best compression holds about 1 MB of state, and
// one made for each page built was most of what building pages allocated.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestCompression) // a valid level: never an error
	return zw
}}

// Put compresses a page as built and keeps it under name and key. What is kept is copied to
// slices of its exact size: the buffers it was written into are up to several times larger
// (zstd's is the size of the page unpacked), and 2,000 kept pages held 90 MB instead of 32.
func (c *Pages[K]) Put(name string, key K, p Page, html []byte) (Page, error) {
	var buf bytes.Buffer
	zw := gzipWriters.Get().(*gzip.Writer)
	defer func() {
		zw.Reset(io.Discard) // not to hold this page's buffer while pooled
		gzipWriters.Put(zw)
	}()
	zw.Reset(&buf)
	if _, err := zw.Write(html); err != nil {
		return Page{}, err
	}
	if err := zw.Close(); err != nil {
		return Page{}, err
	}
	p.gz = bytes.Clone(buf.Bytes())
	p.zst = bytes.Clone(c.zstd.EncodeAll(html, make([]byte, 0, len(html)/4)))
	c.keep(name, entry[K]{key: key, page: p})
	return p, nil
}

// size is what keeping e under name costs, in bytes.
func size[K comparable](name string, e entry[K]) int64 {
	return int64(len(name) + len(e.page.ETag) + len(e.page.gz) + len(e.page.zst) + entryOverhead)
}

// keep adds e under name, then drops the least recently used pages until the cache holds at
// most maxBytes. A page larger than that on its own is not kept.
func (c *Pages[K]) keep(name string, e entry[K]) {
	n := size(name, e)
	if n > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.pages.Peek(name); ok {
		c.pages.Remove(name)
		c.bytes -= size(name, old)
	}
	if evicted := c.pages.Add(name, e); !evicted {
		c.bytes += n
	} else {
		// By the count, which the bytes almost always reach first: recount what is kept.
		c.bytes = 0
		for _, k := range c.pages.Keys() {
			if v, ok := c.pages.Peek(k); ok {
				c.bytes += size(k, v)
			}
		}
	}
	for c.bytes > c.maxBytes {
		k, v, ok := c.pages.RemoveOldest()
		if !ok {
			break
		}
		c.bytes -= size(k, v)
	}
}

// Bytes is what the kept pages take, in bytes.
func (c *Pages[K]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes
}

// Serve answers with a kept page: 304 when the client holds it, the zstd or gzipped bytes when
// it accepts them, else the page unzipped. It is for anonymous requests only (see NotModified).
// An error means nothing was sent.
func (p Page) Serve(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	// Once, whoever else (the compression middleware) has said it.
	if !strings.Contains(strings.Join(h.Values("Vary"), ","), "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if NotModified(w, r, p.ETag, p.Modified) {
		return nil
	}
	// The compression middleware leaves an encoded response alone. zstd wins a tie, as there.
	gz, zst := AcceptedWeight(r, "gzip"), AcceptedWeight(r, "zstd")
	body, encoding := p.gz, ""
	switch {
	case zst > 0 && zst >= gz:
		body, encoding = p.zst, "zstd"
	case gz > 0:
		encoding = "gzip"
	default:
		html, err := gunzip(p.gz)
		if err != nil {
			return err
		}
		body = html
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	if encoding != "" {
		h.Set("Content-Encoding", encoding)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
	return nil
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

// AcceptedWeight is the weight (RFC 9110 §12.5.3) the request's Accept-Encoding gives coding: by
// name, or else by "*"; zero when it is not accepted.
func AcceptedWeight(r *http.Request, coding string) float64 {
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
