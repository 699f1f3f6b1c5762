package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
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

// stateReads shares reads of the register's state (store.RegisterStates) between the public
// requests waiting for one at the same moment, as a database shares a log flush between the
// commits waiting for it. A request joins the next read to start, never one already under way,
// so what it is told was read after it arrived: exactly as fresh as a read of its own. Up to
// stateReadsAtOnce reads run at once, so a request seldom waits for one under way to end;
// past that, the requests arriving share the read that starts when one ends. Under load a kept
// page costs a share of one round trip instead of one each (see docs/benchmarks.md).
type stateReads struct {
	read func(ctx context.Context, now time.Time, slugs []string) (store.RegisterState, map[string]string, error)
	now  func() time.Time

	mu      sync.Mutex
	next    *stateRead // the read the requests arriving now wait for; nil when none waits
	running int        // reads under way
}

// stateReadsAtOnce bounds the reads under way: a few connections of the pool, never all.
const stateReadsAtOnce = 2

// stateRead is one read, with what it found.
type stateRead struct {
	slugs   map[string]struct{}
	waiters int // the requests it answers
	done    chan struct{}
	now     time.Time // the clock when the read started, the time the state is at
	state   store.RegisterState
	own     map[string]string
	err     error
}

// stateReadTimeout bounds one shared read: it outlives any one request that waits for it.
const stateReadTimeout = 10 * time.Second

// get is the register's state, with the decision slug's own (slug "" for none), read after
// the call began, and the time it is at: the caller builds and keeps its page as of that time.
func (sr *stateReads) get(ctx context.Context, slug string) (store.RegisterState, time.Time, error) {
	sr.mu.Lock()
	b := sr.next
	if b == nil {
		b = &stateRead{slugs: map[string]struct{}{}, done: make(chan struct{})}
		sr.next = b
	}
	if slug != "" {
		b.slugs[slug] = struct{}{}
	}
	b.waiters++
	if sr.running < stateReadsAtOnce {
		sr.running++
		go sr.loop()
	}
	sr.mu.Unlock()
	select {
	case <-b.done:
	case <-ctx.Done():
		return store.RegisterState{}, time.Time{}, ctx.Err()
	}
	if b.err != nil {
		return store.RegisterState{}, time.Time{}, b.err
	}
	st := b.state
	st.Decision = b.own[slug]
	return st, b.now, nil
}

// loop runs the reads waited for, one after another, until none is.
func (sr *stateReads) loop() {
	for {
		sr.mu.Lock()
		b := sr.next
		sr.next = nil
		if b == nil {
			sr.running--
			sr.mu.Unlock()
			return
		}
		sr.mu.Unlock()
		slugs := make([]string, 0, len(b.slugs))
		for s := range b.slugs {
			slugs = append(slugs, s)
		}
		ctx, cancel := context.WithTimeout(context.Background(), stateReadTimeout)
		b.now = sr.now()
		b.state, b.own, b.err = sr.read(ctx, b.now, slugs)
		cancel()
		close(b.done)
	}
}

// publicKey is the key a public page is kept under now, and the time it is at: the one
// reading of the clock for the key and the page (read twice, a page built just after a deferred
// publication could be kept under the key from just before it). slug names the decision the
// page is about, if any.
func (s *Server) publicKey(ctx context.Context, slug string) (pageKey, time.Time, error) {
	st, now, err := s.states.get(ctx, slug)
	if err != nil {
		return pageKey{}, time.Time{}, err
	}
	return pageKey{state: st, day: now.In(london()).Format(dateLayout)}, now, nil
}
