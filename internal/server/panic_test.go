package server_test

import (
	"bytes"
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
