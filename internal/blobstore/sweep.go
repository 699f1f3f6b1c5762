package blobstore

import (
	"context"
	"fmt"
	"time"
)

// sweepBatch is how many hashes are asked about at once.
const sweepBatch = 500

// Sweep removes the files written before `before` that no record names, and reports how many
// it removed. unreferenced is given hashes and returns those no record names. A file is only
// bytes whose record was refused or never made (an upload refused after its bytes were stored,
// a signed document whose claim was lost), once `before` is later than any such write could
// take to be recorded: each Put counts its file as written anew, and the file's time is looked
// at again as it is removed, so bytes stored for a record being made now are kept.
func (s *Store) Sweep(ctx context.Context, before time.Time, unreferenced func(context.Context, []string) ([]string, error)) (int, error) {
	var old []string
	err := s.b.list(ctx, func(sha string, written time.Time) error {
		if written.Before(before) {
			old = append(old, sha)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("list blobs: %w", err)
	}
	removed := 0
	for len(old) > 0 {
		batch := old[:min(sweepBatch, len(old))]
		old = old[len(batch):]
		orphans, err := unreferenced(ctx, batch)
		if err != nil {
			return removed, err
		}
		for _, sha := range orphans {
			ok, err := s.b.removeIfOlder(ctx, sha, before)
			if err != nil {
				return removed, fmt.Errorf("remove blob %s: %w", sha, err)
			}
			if ok {
				removed++
			}
		}
	}
	return removed, nil
}
