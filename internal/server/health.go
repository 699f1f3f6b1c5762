package server

import (
	"context"
	"net/http"
	"time"
)

// handleHealthz says the process is up. It touches nothing else, so a slow database never
// gets a healthy process restarted.
func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReadyz says whether the service should be sent requests: not while it drains before a
// shutdown, and only while the database (or, failing it, the read replica) replies within 2 s on
// the probe's own connection.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	if s.draining.Load() {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "draining"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.probe.Ping(ctx); err != nil {
		// With a replica, the public's pages still answer while the primary is away: taking
		// every instance out of rotation then would take them down too.
		if s.replicaProbe != nil && s.replicaProbe.Ping(ctx) == nil {
			s.log.WarnContext(r.Context(), "ready for public reads only", "err", err)
			writeJSON(w, http.StatusOK, map[string]string{"status": "degraded", "database": "unreachable", "replica": "ok"})
			return
		}
		s.log.WarnContext(r.Context(), "not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
}
