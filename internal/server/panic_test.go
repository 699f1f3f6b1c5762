package server_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"

	"github.com/decision-register/decisions/internal/server"
)

func TestPanicBecomesA500Page(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv, err := server.New(server.Deps{Logger: slog.New(slog.NewTextHandler(&logs, nil)), BaseURL: "http://x", Sessions: scs.New()})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.RecoverPanics(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "Sorry, there is a problem") {
		t.Errorf("panic = %d %q, want the 500 page", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
	if strings.Contains(rec.Body.String(), "boom") {
		t.Error("the 500 page shows the panic value")
	}
	if !strings.Contains(logs.String(), "boom") {
		t.Errorf("the panic was not logged: %q", logs.String())
	}
}

// TestDrainingReadyzIsNotAnError checks the log level of /readyz's 503 while draining: it is
// how a load balancer learns to stop sending requests, expected on every deploy, not an error.
func TestDrainingReadyzIsNotAnError(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv, err := server.New(server.Deps{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), BaseURL: "http://x", Sessions: scs.New()})
	if err != nil {
		t.Fatal(err)
	}
	srv.Drain()
	rec := httptest.NewRecorder()
	srv.Routes().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("GET /readyz while draining = %d, want 503", rec.Code)
	}
	var line struct{ Level, Msg, Route string }
	for l := range strings.Lines(logs.String()) {
		if err := json.Unmarshal([]byte(l), &line); err == nil && line.Msg == "request" && line.Route == "/readyz" {
			break
		}
	}
	if line.Route != "/readyz" || line.Level != "INFO" {
		t.Errorf("GET /readyz while draining logged %+v, want level INFO; log:\n%s", line, logs.String())
	}
}
