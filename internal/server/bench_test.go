package server_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/decision-register/decisions/internal/testsite"
)

// BenchmarkPages serves each page through the real handler stack and database. /healthz,
// which touches no database and renders no template, is the baseline the others are read
// against: compare ratios, not absolute times, on a shared machine.
func BenchmarkPages(b *testing.B) {
	h := testsite.New(b).Handler
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
