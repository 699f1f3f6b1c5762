package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/decision-register/decisions/internal/dbtest"
	"github.com/decision-register/decisions/internal/server"
	"github.com/decision-register/decisions/internal/store"
)

// BenchmarkPages serves each page through the real handler stack and database. /healthz,
// which touches no database and renders no template, is the baseline the others are read
// against: compare ratios, not absolute times, on a shared machine.
func BenchmarkPages(b *testing.B) {
	pool := dbtest.New(b)
	srv, err := server.New(server.Deps{Store: store.New(pool), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BaseURL: "http://x"})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Routes()
	for _, path := range []string{"/healthz", "/", "/decisions", "/decisions?q=social+media", "/decisions/pcd-1682", "/decisions?q=pcd1682"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
				if rec.Code >= 400 {
					b.Fatalf("GET %s = %d", path, rec.Code)
				}
			}
		})
	}
}
