package server

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/store"
)

// TestStateReadsShared: requests that wait for the register's state while a read is under way
// share the next read, one round trip for all of them, and each is told a state read after it
// arrived (a change made before it asked shows), with its own decision's state.
func TestStateReadsShared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	st := store.New(pool)
	var reads atomic.Int64
	started, release := make(chan struct{}, stateReadsAtOnce), make(chan struct{})
	sr := &stateReads{now: time.Now, read: func(ctx context.Context, now time.Time, slugs []string) (store.RegisterState, map[string]string, error) {
		state, own, err := st.RegisterStates(ctx, now, slugs)
		if reads.Add(1) <= stateReadsAtOnce {
			started <- struct{}{}
			<-release // the first reads' answers are held until every later request waits
		}
		return state, own, err
	}}

	type answer struct {
		state store.RegisterState
		err   error
	}
	// As many reads under way as may be, each answering one request.
	firsts := make(chan answer, stateReadsAtOnce)
	for range stateReadsAtOnce {
		go func() {
			s, _, err := sr.get(ctx, "")
			firsts <- answer{s, err}
		}()
		<-started
	}
	// A change made after the first read began and before the others ask.
	if err := st.Audit(ctx, store.System(time.Now()), 0, store.EventImported, map[string]string{"reference": "MD 1"}); err != nil {
		t.Fatal(err)
	}
	slugs := []string{"pcd-1682", "pcd-1215", "no-such-decision", ""}
	const each = 5
	var wg sync.WaitGroup
	answers := make([]answer, len(slugs)*each)
	for i := range answers {
		wg.Go(func() {
			s, _, err := sr.get(ctx, slugs[i%len(slugs)])
			answers[i] = answer{s, err}
		})
	}
	// Every request has joined the next read: all have asked, none has been answered.
	for waiting := false; !waiting; {
		sr.mu.Lock()
		waiting = sr.next != nil && sr.next.waiters >= len(answers)
		sr.mu.Unlock()
		if !waiting {
			time.Sleep(time.Millisecond) // goroutines still starting: polled, not waited out
		}
	}
	close(release)
	wg.Wait()
	var a answer
	for range stateReadsAtOnce {
		if a = <-firsts; a.err != nil {
			t.Fatal(a.err)
		}
	}
	if n := reads.Load(); n != stateReadsAtOnce+1 {
		t.Errorf("%d requests read the register's state %d times, want %d (those under way, and one shared)",
			len(answers)+stateReadsAtOnce, n, stateReadsAtOnce+1)
	}
	for i, b := range answers {
		if b.err != nil {
			t.Fatal(b.err)
		}
		if b.state.Changes != a.state.Changes+1 {
			t.Errorf("request %d was told %d changes, want %d: the entry written before it asked", i, b.state.Changes, a.state.Changes+1)
		}
		slug := slugs[i%len(slugs)]
		own, err := st.RegisterState(ctx, time.Now(), slug)
		if err != nil {
			t.Fatal(err)
		}
		if b.state.Decision != own.Decision || (slug != "" && slug != "no-such-decision" && own.Decision == "") {
			t.Errorf("request for %q was told its decision's state %q, want %q", slug, b.state.Decision, own.Decision)
		}
	}
	// Once nothing waits, the next request starts a read of its own.
	if _, _, err := sr.get(ctx, ""); err != nil || reads.Load() != stateReadsAtOnce+2 {
		t.Errorf("a later request: %v, %d reads; want one more", err, reads.Load())
	}
}
