package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/decision-register/decisions/internal/checkpoint"
)

// Signed checkpoints of the audit chain, published for others to mirror: /checkpoints.json
// (all of them), /checkpoints/{id}, /checkpoints.atom (linked from /decisions.atom) and the
// public key that verifies them at /checkpoints/key.

// checkpointDue is how old the newest checkpoint may get before the next daily one.
const checkpointDue = 24 * time.Hour

// checkpointURL is one checkpoint's address.
func (s *Server) checkpointURL(id int64) string {
	return s.baseURL + "/checkpoints/" + strconv.FormatInt(id, 10)
}

func (s *Server) handleCheckpointsJSON(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.reader(r).Checkpoints(r.Context())
	if err != nil {
		return err
	}
	l := checkpoint.List{Checkpoints: cs}
	if s.signer != nil {
		l.PublicKey = s.baseURL + "/checkpoints/key"
	}
	s.writeJSON(w, r, http.StatusOK, l)
	return nil
}

func (s *Server) handleCheckpoint(w http.ResponseWriter, r *http.Request) error {
	id, ok := idParam(r, "id")
	if !ok {
		return errPageNotFound
	}
	c, err := s.reader(r).Checkpoint(r.Context(), id)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, http.StatusOK, c)
	return nil
}

// handleCheckpointKey publishes the public key, as PEM, which openssl reads too.
func (s *Server) handleCheckpointKey(w http.ResponseWriter, r *http.Request) error {
	if s.signer == nil {
		return errPageNotFound
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.cacheHeaders(w, r)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(checkpoint.MarshalPublicKey(s.signer.Public()))
	return nil
}

// handleCheckpointsAtom is every checkpoint as an Atom feed, newest first, each entry's content
// the checkpoint's JSON, so a feed reader or a mirror picks up new ones.
func (s *Server) handleCheckpointsAtom(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.reader(r).Checkpoints(r.Context())
	if err != nil {
		return err
	}
	self := s.baseURL + "/checkpoints.atom"
	feed := atomFeed{
		ID: self, Title: "Signed checkpoints of the audit trail — " + s.ownerName, Author: atomPerson{Name: s.ownerName},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: self},
			{Rel: "alternate", Type: "application/json", Href: s.baseURL + "/checkpoints.json"}},
		Updated: s.started.UTC().Format(time.RFC3339),
	}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if i == len(cs)-1 {
			feed.Updated = c.At.Format(time.RFC3339)
		}
		body, err := json.Marshal(c)
		if err != nil {
			return err
		}
		feed.Entries = append(feed.Entries, atomEntry{
			ID:      s.checkpointURL(c.ID),
			Title:   fmt.Sprintf("Checkpoint %d: %d audit entries, head %s", c.ID, c.Entries, c.Head),
			Updated: c.At.Format(time.RFC3339),
			Link:    atomLink{Rel: "alternate", Type: "application/json", Href: s.checkpointURL(c.ID)},
			Content: &atomText{Type: "text", Body: string(body)},
		})
	}
	return s.writeAtom(w, r, feed)
}

// checkpointNow signs a checkpoint after a write that must be fixed at once (a signature). The
// write has committed already; a failure here is logged, not the person's problem, and the
// daily checkpoint covers it later.
func (s *Server) checkpointNow(ctx context.Context, reason string) {
	if s.signer == nil {
		return
	}
	// The request may be cut short as it ends; the checkpoint is quick and should still happen.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := s.store.AddCheckpoint(ctx, s.signer, s.now(), reason); err != nil {
		s.log.ErrorContext(ctx, "sign checkpoint", "reason", reason, "err", err)
	}
}

// SignCheckpoints signs a checkpoint now and then every interval until ctx ends, whenever the
// newest is a day old. Any number of instances may run it: the store lets one sign at a time.
// Without a key it does nothing.
func (s *Server) SignCheckpoints(ctx context.Context, every time.Duration) {
	if s.signer == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		signed, err := s.store.DailyCheckpoint(ctx, s.signer, s.now(), checkpointDue)
		switch {
		case err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled):
			s.log.ErrorContext(ctx, "sign daily checkpoint", "err", err)
		case signed:
			s.log.InfoContext(ctx, "signed daily checkpoint")
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
