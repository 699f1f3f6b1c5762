package decision

import "testing"

func BenchmarkParseReference(b *testing.B) {
	for _, in := range []string{"PCD 1682", "pcd1682", "DMPCD 2014 23", "social media hub"} {
		b.Run(in, func(b *testing.B) {
			for b.Loop() {
				_, _ = ParseReference(in)
			}
		})
	}
}

func BenchmarkFormatPence(b *testing.B) {
	for b.Loop() {
		_ = FormatPence(147930616)
	}
}
