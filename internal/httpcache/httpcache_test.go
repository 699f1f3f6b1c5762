package httpcache

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

func TestAcceptedWeight(t *testing.T) {
	for _, tt := range []struct {
		header, coding string
		want           float64
	}{
		{"", "gzip", 0},
		{"gzip", "gzip", 1},
		{"x-gzip", "gzip", 1},
		{"gzip;q=0.5, zstd", "gzip", 0.5},
		{"gzip;q=0, *", "gzip", 0},
		{"*;q=0.3", "zstd", 0.3},
		{"br", "zstd", 0},
		{"GZIP ; Q=0.8", "gzip", 0.8},
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := AcceptedWeight(r, tt.coding); got != tt.want {
			t.Errorf("AcceptedWeight(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}

func TestNotModified(t *testing.T) {
	const etag = `W/"b-1"`
	modified := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name    string
		method  string
		headers map[string]string
		want    int
	}{
		{"no validators", http.MethodGet, nil, 0},
		{"same weak etag", http.MethodGet, map[string]string{"If-None-Match": `W/"b-1"`}, http.StatusNotModified},
		{"strong form of it, in a list", http.MethodHead, map[string]string{"If-None-Match": `"x", "b-1"`}, http.StatusNotModified},
		{"star", http.MethodGet, map[string]string{"If-None-Match": "*"}, http.StatusNotModified},
		{"other etag, though not modified since", http.MethodGet, map[string]string{"If-None-Match": `W/"b-2"`,
			"If-Modified-Since": modified.Format(http.TimeFormat)}, 0},
		{"not modified since", http.MethodGet, map[string]string{"If-Modified-Since": modified.Format(http.TimeFormat)}, http.StatusNotModified},
		{"modified since", http.MethodGet, map[string]string{"If-Modified-Since": modified.Add(-time.Second).Format(http.TimeFormat)}, 0},
		{"a POST is never answered", http.MethodPost, map[string]string{"If-None-Match": "*"}, 0},
	} {
		r := httptest.NewRequest(tt.method, "/", nil)
		for k, v := range tt.headers {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		answered := NotModified(w, r, etag, modified.Add(500*time.Millisecond))
		if answered != (tt.want != 0) || (answered && w.Code != tt.want) {
			t.Errorf("%s: answered %v, status %d; want %d", tt.name, answered, w.Code, tt.want)
		}
		if tt.method != http.MethodPost && w.Header().Get("ETag") != etag {
			t.Errorf("%s: ETag %q, want %q", tt.name, w.Header().Get("ETag"), etag)
		}
	}
}

// TestPages: a page is kept under its key, served in the encoding asked for, and not given
// back under another key or once it is too old.
func TestPages(t *testing.T) {
	c, err := NewPages[int](1<<20, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	html := []byte("<!doctype html><title>x</title>" + strings.Repeat("<p>register</p>", 100))
	built := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	if _, err := c.Put("pcd-1682", 1, Page{ETag: `W/"a"`, Built: built}, html); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("pcd-1682", 2, built); ok {
		t.Error("Get under another key found the page")
	}
	if _, ok := c.Get("pcd-1682", 1, built.Add(2*time.Minute)); ok {
		t.Error("Get after maxAge found the page")
	}
	p, ok := c.Get("pcd-1682", 1, built.Add(time.Second))
	if !ok {
		t.Fatal("Get under its key did not find the page")
	}
	for _, accept := range []string{"", "gzip", "zstd, gzip"} {
		r := httptest.NewRequest(http.MethodGet, "/decisions/pcd-1682", nil)
		r.Header.Set("Accept-Encoding", accept)
		w := httptest.NewRecorder()
		if err := p.Serve(w, r); err != nil {
			t.Fatal(err)
		}
		body := w.Body.Bytes()
		switch enc := w.Header().Get("Content-Encoding"); enc {
		case "gzip":
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(zr)
		case "zstd":
			zr, err := zstd.NewReader(nil)
			if err != nil {
				t.Fatal(err)
			}
			body, err = zr.DecodeAll(body, nil)
			zr.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		if !bytes.Equal(body, html) {
			t.Errorf("Accept-Encoding %q: body differs from the page", accept)
		}
	}
}

// TestPagesBoundedByBytes: however many distinct pages are kept (an endless run of distinct
// searches), the cache holds at most its bytes, drops the least recently used first, and
// counts a page kept again under its name once.
func TestPagesBoundedByBytes(t *testing.T) {
	const maxBytes = 64 << 10
	c, err := NewPages[int](maxBytes, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	built := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	page := func(i int) []byte {
		// Text that compresses poorly, so each page holds some kilobytes.
		b := make([]byte, 4000)
		for j := range b {
			b[j] = byte('a' + rng.IntN(26))
		}
		return append([]byte(fmt.Sprintf("<p>%d</p>", i)), b...)
	}
	put := func(name string, i int) {
		t.Helper()
		if _, err := c.Put(name, 1, Page{ETag: `W/"a"`, Built: built}, page(i)); err != nil {
			t.Fatal(err)
		}
	}
	put("/decisions?q=first", 0)
	for i := range 1000 {
		put(fmt.Sprintf("/decisions?q=w%d", i), i)
		if i%10 == 0 { // the first page stays in use
			if _, ok := c.Get("/decisions?q=first", 1, built); !ok {
				t.Fatalf("after %d pages the page in use was dropped", i)
			}
		}
		if got := c.Bytes(); got > maxBytes {
			t.Fatalf("after %d pages the cache holds %d bytes, want at most %d", i, got, maxBytes)
		}
	}
	if _, ok := c.Get("/decisions?q=w0", 1, built); ok {
		t.Error("the least recently used page is still kept")
	}
	if _, ok := c.Get("/decisions?q=w999", 1, built); !ok {
		t.Error("the newest page is not kept")
	}
	before := c.Bytes()
	for range 5 {
		put("/decisions?q=w999", 999)
	}
	if after := c.Bytes(); after > before+1000 || after < before-1000 {
		t.Errorf("keeping a page again under its name moved the count from %d to %d bytes", before, after)
	}
	var sum int64
	for _, k := range c.pages.Keys() {
		v, _ := c.pages.Peek(k)
		sum += size(k, v)
	}
	if sum != c.Bytes() {
		t.Errorf("the cache counts %d bytes, its pages hold %d", c.Bytes(), sum)
	}
}
