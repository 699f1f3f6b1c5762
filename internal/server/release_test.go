package server_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/auth"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

// releaseLog tells the test when the server logs a release.
type releaseLog struct {
	slog.Handler
	released chan int64
}

func (releaseLog) Enabled(context.Context, slog.Level) bool { return true }

func (h releaseLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "released deferred decisions" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "count" {
				h.released <- a.Value.Int64()
			}
			return true
		})
	}
	return nil
}

// TestServerReleasesDeferredDecisions runs the server's release loop as serve does, on the
// server's clock, and waits for it to record the release.
func TestServerReleasesDeferredDecisions(t *testing.T) {
	t.Parallel()
	site := newSignoffSite(t)
	slug := site.awaitingDecision(t, 9007)
	site.approveAll(t, slug)
	err := site.Store.Sign(context.Background(), site.maker.Act(site.Clock.Now()), slug, store.SignInput{
		Outcome: store.OutcomeApproved, Interests: store.InterestsNone, PublishAt: site.Clock.Now().Add(time.Hour),
		DeferralReason: "Embargo.", SeenHash: site.hashOf(t, slug)})
	if err != nil {
		t.Fatal(err)
	}
	site.Clock.Advance(2 * time.Hour)
	log := releaseLog{Handler: slog.DiscardHandler, released: make(chan int64, 1)}
	srv, err := server.New(server.Deps{Store: site.Store, Blobs: site.Blobs, Logger: slog.New(log), Clock: site.Clock.Now,
		Sessions: auth.NewSessions(site.Pool, auth.SessionConfig{IdleTimeout: time.Hour, Lifetime: time.Hour})})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		srv.ReleaseDeferred(ctx, time.Hour)
	}()
	select {
	case n := <-log.released:
		if n != 1 {
			t.Errorf("released %d decisions, want 1", n)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the release loop released nothing in 30 seconds")
	}
	cancel()
	<-stopped
	var status string
	if err := site.Pool.QueryRow(context.Background(), `SELECT status FROM decisions WHERE slug = $1`, slug).Scan(&status); err != nil || status != "published" {
		t.Errorf("status after the loop's release = %q, %v; want published", status, err)
	}
}
