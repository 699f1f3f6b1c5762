package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"os"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Conditional responses (RFC 9110 §13) for public pages. Only anonymous responses take part:
// a signed-in person's page shows drafts, Part II and sign-off work and is never cached
// (render sends "private, no-store"), so it gets neither validator.
//
// The ETag is weak, since the same page goes out compressed with zstd or gzip or not at all,
// and is made of the build (templates and static files: a deploy changes every ETag) and a
// hash of everything the page shows (its props). Last-Modified is the newest of the
// decision's own update, the register's last recorded change (a page also shows linked
// decisions) and the start of this program.

// pageETag is the weak ETag of a page built from props.
func (s *Server) pageETag(props any) (string, error) {
	b, err := json.Marshal(props)
	if err != nil {
		return "", err
	}
	return s.weakETag(b), nil
}

// weakETag is the weak ETag of a response made from b under this build.
func (s *Server) weakETag(b []byte) string {
	sum := sha256.Sum256(b)
	return `W/"` + s.build + "-" + hex.EncodeToString(sum[:12]) + `"`
}

// notModified sets ETag and Last-Modified on an anonymous response, and answers 304 when the
// request's validators match (If-None-Match wins over If-Modified-Since). It reports whether
// it answered.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, etag string, modified time.Time) bool {
	if userFrom(r) != nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
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

// buildID names this program: its source revision when built from a clean checkout, else a
// hash of its executable, else its start time; and the static files' fingerprints.
func buildID(a *assets) string {
	h := sha256.New()
	names := make([]string, 0, len(a.urls))
	for name := range a.urls {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h.Write([]byte(a.urls[name] + "\n"))
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
	if exe, err := os.Executable(); err == nil {
		if b, err := os.ReadFile(exe); err == nil {
			sum := sha256.Sum256(b)
			return hex.EncodeToString(sum[:])
		}
	}
	return strconv.FormatInt(time.Now().UnixNano(), 10)
})

func latest(ts ...time.Time) time.Time {
	var t time.Time
	for _, x := range ts {
		if x.After(t) {
			t = x
		}
	}
	return t
}

// exportNotModified gives an anonymous export (CSV, Atom, the API) its validators and answers
// 304 when the request's match. An export shows whatever the register holds that its query
// selects, so its ETag is made of the build, the request's path and query, and the register's
// state (the audit trail's length and the latest change or due publication, with the
// decision's own state for one decision): conservative, since any recorded change anywhere
// changes it, but never stale, and one indexed round trip instead of the export.
func (s *Server) exportNotModified(w http.ResponseWriter, r *http.Request, slug string) (bool, error) {
	if userFrom(r) != nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false, nil
	}
	st, err := s.reader(r).RegisterState(r.Context(), s.now(), slug)
	if err != nil {
		return false, err
	}
	etag := s.weakETag([]byte(strings.Join([]string{r.URL.Path, r.URL.RawQuery, strconv.FormatInt(st.Changes, 10),
		st.ChangedAt.UTC().Format(time.RFC3339Nano), st.Decision}, "\x00")))
	return s.notModified(w, r, etag, latest(st.ChangedAt, s.started)), nil
}

// dropValidators takes back the validators of a response that turned out to be an error: an
// error must not be revalidated into a 304 that keeps it.
func dropValidators(w http.ResponseWriter) {
	w.Header().Del("ETag")
	w.Header().Del("Last-Modified")
}
