// Package httpcache owns conditional responses (RFC 9110 §13) and the cache of pages built for
// the public: validators, 304s, and pages kept compressed. It knows HTTP and nothing of who is
// signed in: callers send it anonymous responses only.
package httpcache

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Conditional responses are for public pages only: a signed-in person's page shows drafts,
// Part II and sign-off work and is never cached ("private, no-store"), so it gets neither
// validator; the caller checks that.
//
// The ETag is weak, since the same page goes out compressed with zstd or gzip or not at all,
// and is made of the build (templates and static files: a deploy changes every ETag) and a
// hash of everything the response shows. Last-Modified is the newest of what the response was
// built from and the start of this program.

// WeakETag is the weak ETag of a response made from b under build.
func WeakETag(build string, b []byte) string {
	sum := sha256.Sum256(b)
	return `W/"` + build + "-" + hex.EncodeToString(sum[:12]) + `"`
}

// NotModified sets ETag and Last-Modified on a response to a GET or HEAD, and answers 304 when
// the request's validators match (If-None-Match wins over If-Modified-Since). It reports
// whether it answered. The caller sends it anonymous requests only.
func NotModified(w http.ResponseWriter, r *http.Request, etag string, modified time.Time) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	h := w.Header()
	h.Set("ETag", etag)
	modified = modified.UTC().Truncate(time.Second)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
	// Caches may keep the page, but must ask each time: a decision can be withdrawn.
	h.Set("Cache-Control", "no-cache")
	match := false
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		match = etagListMatches(inm, etag)
	} else if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		t, err := http.ParseTime(ims)
		match = err == nil && !modified.After(t)
	}
	if !match {
		return false
	}
	h.Del("Content-Type")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusNotModified)
	return true
}

// etagListMatches compares an If-None-Match list with an ETag by the weak comparison.
func etagListMatches(list, etag string) bool {
	want := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// BuildID names this program and what it serves: its source revision when built from a clean
// checkout, else a hash of its executable, else its start time; and the given fingerprints
// (the static files' addresses), in any order.
func BuildID(fingerprints []string) string {
	h := sha256.New()
	for _, f := range slices.Sorted(slices.Values(fingerprints)) {
		h.Write([]byte(f + "\n"))
	}
	h.Write([]byte(programID()))
	return hex.EncodeToString(h.Sum(nil))[:10]
}

// programID is computed once: hashing the executable takes a moment.
var programID = sync.OnceValue(func() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		rev, modified := "", false
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if rev != "" && !modified {
			return rev
		}
	}
	// Streamed: read whole, the executable (40 MB and more) was most of the server's peak RSS.
	if exe, err := os.Executable(); err == nil {
		if f, err := os.Open(exe); err == nil {
			defer f.Close()
			h := sha256.New()
			if _, err := io.Copy(h, f); err == nil {
				return hex.EncodeToString(h.Sum(nil))
			}
		}
	}
	return strconv.FormatInt(time.Now().UnixNano(), 10)
})

// Latest is the newest of ts.
func Latest(ts ...time.Time) time.Time {
	var t time.Time
	for _, x := range ts {
		if x.After(t) {
			t = x
		}
	}
	return t
}

// DropValidators takes back the validators of a response that turned out to be an error: an
// error must not be revalidated into a 304 that keeps it.
func DropValidators(w http.ResponseWriter) {
	w.Header().Del("ETag")
	w.Header().Del("Last-Modified")
}
