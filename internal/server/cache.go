package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/httpcache"
	"github.com/decision-register/decisions/internal/store"
)

// pageKey is what a public decision page depends on beyond its decision: the register's state
// and the day printed on paper. The page cache (httpcache.Pages) keeps a page under it.
type pageKey struct {
	state store.RegisterState
	day   string
}

// serveCached answers with a kept page (httpcache.Page.Serve).
func (s *Server) serveCached(w http.ResponseWriter, r *http.Request, p httpcache.Page) {
	if err := p.Serve(w, r); err != nil {
		s.renderFailed(w, r, err)
	}
}

// pageETag is the weak ETag of a page built from props: the build and a hash of everything
// the page shows.
func (s *Server) pageETag(props any) (string, error) {
	b, err := json.Marshal(props)
	if err != nil {
		return "", err
	}
	return httpcache.WeakETag(s.build, b), nil
}

// notModified gives an anonymous response its validators and answers 304 when the request's
// match (httpcache.NotModified). Anyone signed in gets neither: their pages are never cached;
// nor does a response that wrote (a popped flash, an audited read), which must be built again.
func (s *Server) notModified(w http.ResponseWriter, r *http.Request, etag string, modified time.Time) bool {
	if userFrom(r) != nil || wrote(r) {
		return false
	}
	return httpcache.NotModified(w, r, etag, modified)
}

// exportNotModified gives an anonymous export (CSV, Atom, the API) its validators and answers
// 304 when the request's match. An export shows whatever the register holds that its query
// selects, so its ETag is made of the build, the request's path and query, and the register's
// state (the audit trail's length and the latest change or due publication, with the
// decision's own state for one decision): conservative, since any recorded change anywhere
// changes it, but never stale, and one indexed round trip instead of the export.
func (s *Server) exportNotModified(w http.ResponseWriter, r *http.Request, slug string) (bool, error) {
	if userFrom(r) != nil || wrote(r) || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		return false, nil
	}
	st, err := s.reader(r).RegisterState(r.Context(), s.now(), slug)
	if err != nil {
		return false, err
	}
	etag := httpcache.WeakETag(s.build, []byte(strings.Join([]string{r.URL.Path, r.URL.RawQuery, strconv.FormatInt(st.Changes, 10),
		st.ChangedAt.UTC().Format(time.RFC3339Nano), st.Decision}, "\x00")))
	return s.notModified(w, r, etag, httpcache.Latest(st.ChangedAt, s.started)), nil
}

// buildID names this program and its static files, so a deploy changes every page's ETag.
func buildID(a *assets) string {
	urls := make([]string, 0, len(a.urls))
	for _, u := range a.urls {
		urls = append(urls, u)
	}
	return httpcache.BuildID(urls)
}
