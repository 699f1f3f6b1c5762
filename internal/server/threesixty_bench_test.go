package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/synthetic"
	"github.com/decision-register/decisions/internal/testsite"
)

// discard is a response writer that keeps nothing of the body, so a benchmark's memory figures
// are the handler's own (a streamed export holds one row at a time).
type discard struct {
	h http.Header
	n int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// BenchmarkThreeSixtyExports compares the 360Giving exports of every grant with the decisions
// CSV of the same decisions (the baseline, measured in the same run), over 2,000 synthetic decisions.
func BenchmarkThreeSixtyExports(b *testing.B) {
	site := testsite.New(b)
	ctx := context.Background()
	orgs, err := site.Store.EnsureOrganisations(ctx, synthetic.Organisations())
	if err != nil {
		b.Fatal(err)
	}
	gen := synthetic.New(1, nil, time.Now())
	for range 4 {
		batch := make([]store.SyntheticDecision, 0, 500)
		for range 500 {
			batch = append(batch, gen.Next())
		}
		if err := site.Store.LoadSynthetic(ctx, batch, orgs, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	for _, path := range []string{"/decisions.csv", "/360giving.csv", "/360giving.json"} {
		b.Run(path, func(b *testing.B) {
			b.ReportAllocs()
			var bytes int
			for b.Loop() {
				w := &discard{h: http.Header{}}
				site.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
				bytes = w.n
			}
			b.ReportMetric(float64(bytes), "body-bytes")
		})
	}
}
