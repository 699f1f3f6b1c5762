package server

import (
	"context"
	"time"

	"github.com/decision-register/decisions/internal/store"
)

// ReleaseDeferred records, now and then every interval until ctx ends, the publication of
// deferred decisions whose date has come, by the server's clock. Any number of instances may
// run it: the store lets one release at a time.
func (s *Server) ReleaseDeferred(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.store.ReleaseDue(ctx, s.now())
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "release deferred decisions", "err", err)
		case n > 0:
			s.metrics.SignoffAction(store.EventReleased, n)
			s.log.InfoContext(ctx, "released deferred decisions", "count", n)
		}
		if n, err := s.store.RemindReviews(ctx, s.now()); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "remind owners of withholdings due for review", "err", err)
		} else if n > 0 {
			s.log.InfoContext(ctx, "reminded owners of withholdings due for review", "count", n)
		}
		// Each round, so a test can count rounds ("none released again in ten") rather than sleep.
		s.log.DebugContext(ctx, "release round done")
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
