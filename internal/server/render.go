package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/a-h/templ"

	"github.com/decision-register/decisions/internal/clientid"
)

// render writes a page. It renders into a buffer first, so a failed render never sends half a
// page; the failure becomes a plain 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		s.renderFailed(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	switch {
	case userFrom(r) != nil:
		// A page built for a signed-in person is theirs alone.
		h.Set("Cache-Control", "private, no-store")
	case status >= 400 || h.Get("Cache-Control") == "":
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderFailed answers a page that could not be built with a plain 500.
func (s *Server) renderFailed(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client went away mid-render; there is no one to answer
	}
	s.log.ErrorContext(r.Context(), "render failed", "err", err, "request_id", clientid.RequestID(r.Context()))
	http.Error(w, "Sorry, there is a problem with the service.", http.StatusInternalServerError)
}

// cacheHeaders keeps what was built for a signed-in person out of every cache, and has anything
// public revalidated: for responses that do not go through render.
func (s *Server) cacheHeaders(w http.ResponseWriter, r *http.Request) {
	if userFrom(r) != nil {
		w.Header().Set("Cache-Control", "private, no-store")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
}

// writeJSON writes a small JSON body, for machines.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
