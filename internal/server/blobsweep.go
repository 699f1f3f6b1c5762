package server

import (
	"context"
	"time"
)

// blobGrace is how old a stored file no record names must be before it is removed: far longer
// than storing bytes and recording them can take (an upload is bounded by transferTimeout).
const blobGrace = 24 * time.Hour

// SweepBlobsOnce removes, once, the document store's files that no record names and that were
// written more than blobGrace ago: bytes stored for an upload that was then refused (a stale
// version, a duplicate, a database error), or for a signed document whose claim was lost. It
// reports how many it removed; an instance that finds another sweeping skips the round.
func (s *Server) SweepBlobsOnce(ctx context.Context) (int, error) {
	if s.blobs == nil {
		return 0, nil
	}
	removed := 0
	_, err := s.store.SweepBlobs(ctx, func(unreferenced func(context.Context, []string) ([]string, error)) error {
		var err error
		removed, err = s.blobs.Sweep(ctx, s.now().Add(-blobGrace), unreferenced)
		return err
	})
	return removed, err
}

// SweepBlobs sweeps the document store now and every interval until ctx ends.
func (s *Server) SweepBlobs(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.SweepBlobsOnce(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.ErrorContext(ctx, "sweep the document store", "err", err)
		case n > 0:
			s.log.InfoContext(ctx, "removed stored files no document names", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
