package document

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/decision-register/decisions/internal/blobstore"
)

type zipEntry struct {
	name, body string
	store      bool // uncompressed, as ODF's first entry must be
}

// zipBytes builds a zip archive, as office programs write them.
func zipBytes(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.store {
			h.Method = zip.Store
		}
		w, err := z.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const contentTypes = `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"></Types>`

func docx(t testing.TB, text string) []byte {
	return zipBytes(t, zipEntry{name: "[Content_Types].xml", body: contentTypes},
		zipEntry{name: "_rels/.rels", body: `<?xml version="1.0"?><Relationships/>`},
		zipEntry{name: "word/document.xml", body: `<?xml version="1.0" encoding="UTF-8"?>` +
			`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			`<w:p><w:r><w:t>` + text + `</w:t></w:r></w:p><w:p><w:r><w:instrText>PAGE</w:instrText><w:t>second</w:t><w:tab/><w:t>para</w:t></w:r></w:p>` +
			`</w:body></w:document>`})
}

func xlsx(t testing.TB, text string) []byte {
	return zipBytes(t, zipEntry{name: "[Content_Types].xml", body: contentTypes},
		zipEntry{name: "_rels/.rels", body: `<?xml version="1.0"?><Relationships/>`},
		zipEntry{name: "xl/workbook.xml", body: `<?xml version="1.0"?><workbook/>`},
		zipEntry{name: "xl/sharedStrings.xml", body: `<?xml version="1.0"?><sst><si><t>` + text + `</t></si><si><r><t>rich</t></r></si></sst>`})
}

func odf(t testing.TB, mediaType, text string) []byte {
	return zipBytes(t, zipEntry{name: "mimetype", body: mediaType, store: true},
		zipEntry{name: "META-INF/manifest.xml", body: `<?xml version="1.0"?><manifest/>`},
		zipEntry{name: "content.xml", body: `<?xml version="1.0" encoding="UTF-8"?>` +
			`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">` +
			`<office:body><office:text><text:h>Heading</text:h><text:p>` + text + `</text:p></office:text></office:body></office:document-content>`})
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReceiveDecidesByContent: each accepted format is known by its bytes and its text is read;
// anything else, whatever it would be called, is refused with a message for the person.
func TestReceiveDecidesByContent(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name, wantType, wantText string
		body                     []byte
	}{
		{"pdf", PDF, "zephyrine evaluation", readFixture(t, "business-case.pdf")},
		{"docx", DOCX, "Quarterly wordsmith", docx(t, "Quarterly wordsmith")},
		{"xlsx", XLSX, "Budget ledgerline", xlsx(t, "Budget ledgerline")},
		{"odt", ODT, "Minutes openquill", odf(t, ODT, "Minutes openquill")},
		{"ods", ODS, "Sheet cellarius", odf(t, ODS, "Sheet cellarius")},
		{"csv", CSV, "Hackney", []byte("area,amount\nHackney,1200\nCamden,900\n")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Receive(ctx, bytes.NewReader(tt.body), 1<<20)
			if err != nil {
				t.Fatalf("Receive(%s) = %v", tt.name, err)
			}
			defer p.Close()
			if p.MediaType != tt.wantType || p.Size != int64(len(tt.body)) || len(p.SHA256) != 64 {
				t.Errorf("Receive(%s) = %s, %d bytes, hash %q; want %s, %d bytes", tt.name, p.MediaType, p.Size, p.SHA256, tt.wantType, len(tt.body))
			}
			if !strings.Contains(p.Text, tt.wantText) {
				t.Errorf("Receive(%s) text = %q, want it to hold %q", tt.name, p.Text, tt.wantText)
			}
		})
	}
}

func TestReceiveRefuses(t *testing.T) {
	ctx := context.Background()
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	for _, tt := range []struct {
		name string
		body []byte
		want string
	}{
		{"empty", nil, "empty"},
		{"too large", bytes.Repeat([]byte("a,b\n"), 300), "must be 1 KB or smaller"},
		{"image", png, "must be a PDF, DOCX, XLSX, ODT, ODS or CSV"},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "must be a PDF"},
		{"plain text", []byte("just some words, not a table\n"), "must be a PDF"},
		{"zip of other things", zipBytes(t, zipEntry{name: "notes.txt", body: "hello"}), "must be a PDF"},
		{"docx without its document", zipBytes(t, zipEntry{name: "[Content_Types].xml", body: contentTypes},
			zipEntry{name: "word/styles.xml", body: "<styles/>"}), "not a complete Word document"},
		{"csv not in UTF-8", []byte("area,amount\nHaringey\xe9,1\nCamden,2\n"), "UTF-8"},
		{"damaged pdf", []byte("%PDF-1.4\nthis is not really a PDF at all\n"), "could not be read"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Receive(ctx, bytes.NewReader(tt.body), 1024)
			p.Close()
			msg, ok := IsRefusal(err)
			if !ok || !strings.Contains(msg, tt.want) {
				t.Errorf("Receive(%s) = %v, want a refusal saying %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestIngestStoresByHash(t *testing.T) {
	ctx := context.Background()
	blobs, err := blobstore.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer blobs.Close()
	body := readFixture(t, "business-case.pdf")
	f, err := Ingest(ctx, blobs, bytes.NewReader(body), DefaultMaxBytes)
	if err != nil {
		t.Fatal(err)
	}
	r, err := blobs.Open(ctx, f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got bytes.Buffer
	if _, err := got.ReadFrom(r); err != nil || !bytes.Equal(got.Bytes(), body) {
		t.Errorf("stored bytes differ from the file's (%v)", err)
	}
	// The same bytes again are stored once, under the same name.
	if g, err := Ingest(ctx, blobs, bytes.NewReader(body), DefaultMaxBytes); err != nil || g.SHA256 != f.SHA256 {
		t.Errorf("Ingest again = %v, %v", g.SHA256, err)
	}
	if _, err := blobs.Open(ctx, strings.Repeat("0", 64)); !errors.Is(err, blobstore.ErrNotFound) {
		t.Errorf("Open(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := blobs.Open(ctx, "../../etc/passwd"); err == nil {
		t.Error("Open took a key that is not a hash")
	}
}

func TestFilename(t *testing.T) {
	for _, tt := range []struct{ name, mediaType, want string }{
		{"Business case", PDF, "Business case.pdf"},
		{"Business case.pdf", PDF, "Business case.pdf"},
		{"../../etc/passwd", CSV, "etc passwd.csv"},
		{"a\x00b\r\nc\"d", DOCX, "a b c d.docx"},
		{"...", ODS, "document.ods"},
		{"Café – costs", XLSX, "Café – costs.xlsx"},
		{"evil\u202etxt.exe", PDF, "evil txt.exe.pdf"},
	} {
		if got := Filename(tt.name, tt.mediaType); got != tt.want {
			t.Errorf("Filename(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	got := ContentDisposition("attachment", "Café – costs", XLSX)
	want := `attachment; filename="Cafe _ costs.xlsx"; filename*=UTF-8''Caf%C3%A9%20%E2%80%93%20costs.xlsx`
	if got != want {
		t.Errorf("ContentDisposition = %s, want %s", got, want)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{1: "1 byte", 819: "819 bytes", 2048: "2 KB", 25 << 20: "25 MB", 2202009: "2.1 MB"} {
		if got := FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPDFTextStopsWaiting: a pdftotext that leaves a process behind holding its output (here a
// stand-in on the PATH) does not hold the upload for ever: it is refused once the output has
// stayed open a little while after pdftotext ended.
func TestPDFTextStopsWaiting(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "left-behind.pid")
	script := "#!/bin/sh\nsleep 600 &\necho $! > " + pidFile + "\nexit 0\n"
	if err := os.WriteFile(filepath.Join(dir, "pdftotext"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Cleanup(func() {
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	done := make(chan error, 1)
	go func() {
		p, err := Receive(context.Background(), bytes.NewReader(readFixture(t, "business-case.pdf")), DefaultMaxBytes)
		if err == nil {
			p.Close()
		}
		done <- err
	}()
	// A bound, not a timing: the process left behind sleeps for ten minutes.
	select {
	case err := <-done:
		if _, ok := IsRefusal(err); !ok {
			t.Errorf("Receive with pdftotext's output held open: %v, want a refusal", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("Receive still waits for pdftotext's output two minutes on")
	}
}
