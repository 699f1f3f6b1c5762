package signedpdf_test

import (
	"context"
	"os"
	"testing"

	"github.com/decision-register/decisions/internal/signedpdf"
)

// BenchmarkRender prints one document with the browser kept between prints (the baseline), and
// with a fresh browser for every print (Recycle 1), the cost a first print after an idle spell pays.
func BenchmarkRender(b *testing.B) {
	for _, bc := range []struct {
		name    string
		recycle int
	}{{"warm", 0}, {"cold", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			r := signedpdf.New(signedpdf.Config{Path: os.Getenv("CHROMIUM_PATH"), Recycle: bc.recycle})
			defer r.Close()
			doc := document()
			if _, err := r.Render(context.Background(), doc); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := r.Render(context.Background(), doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
