package document

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
)

// TestCSVUTF8AcrossChunks: a character cut by the 64 KB chunks the check reads is still one
// character; a truly cut one at the very end is refused.
func TestCSVUTF8AcrossChunks(t *testing.T) {
	ctx := context.Background()
	for pad := 0; pad < 4; pad++ {
		// Rows of 8 bytes up to just before the chunk's end, then a row whose characters
		// straddle it, at each of four offsets.
		head := "area,name\n" + strings.Repeat("ab,cdef\n", (64<<10-10)/8)
		head += strings.Repeat("x", 64<<10-len(head)-3+pad)
		body := []byte(head + ",é€😀\nb,c\n")
		p, err := Receive(ctx, bytes.NewReader(body), 1<<20)
		if err != nil {
			t.Fatalf("pad %d: Receive = %v, want a valid CSV", pad, err)
		}
		p.Close()
	}
	p, err := Receive(ctx, bytes.NewReader([]byte("area,name\nHackney,caf\xc3")), 1<<20)
	p.Close()
	if msg, ok := IsRefusal(err); !ok || !strings.Contains(msg, "UTF-8") {
		t.Errorf("a cut character at the end: %v, want refused", err)
	}
}

// csv25MB is a CSV of just under 25 MB, the default limit.
func csv25MB() []byte {
	row := []byte("Hackney,1200,Youth diversion programme,2024-25\n")
	return append([]byte("borough,amount,purpose,year\n"), bytes.Repeat(row, (DefaultMaxBytes-64)/len(row))...)
}

// BenchmarkCopyToTempFile is the baseline for BenchmarkReceiveCSV: the same bytes copied to a
// temporary file and nothing else.
func BenchmarkCopyToTempFile(b *testing.B) {
	body := csv25MB()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		f, err := os.CreateTemp("", "baseline-*")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(f, bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
		f.Close()
		os.Remove(f.Name())
	}
}

// BenchmarkReceiveCSV receives a 25 MB CSV: copied, hashed, sniffed, checked as UTF-8 and its
// text read. Its B/op shows the file is never held whole.
func BenchmarkReceiveCSV(b *testing.B) {
	body := csv25MB()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Receive(context.Background(), bytes.NewReader(body), DefaultMaxBytes)
		if err != nil {
			b.Fatal(err)
		}
		p.Close()
	}
}
