// Package pdftest reads PDFs for tests with poppler-utils (pdftotext, pdfinfo), which
// .ci/need-browser-tools installs: the text a reader's software extracts, and the properties
// that make a PDF accessible.
package pdftest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Text is the PDF's text as pdftotext extracts it, with every run of white space one space,
// so a phrase a line break splits still matches.
func Text(t testing.TB, pdf []byte) string {
	t.Helper()
	out := poppler(t, "pdftotext", pdf, "-enc", "UTF-8")
	return strings.Join(strings.Fields(out), " ")
}

// Info is what pdfinfo says of the PDF, by field.
func Info(t testing.TB, pdf []byte) map[string]string {
	t.Helper()
	info := map[string]string{}
	for _, line := range strings.Split(poppler(t, "pdfinfo", pdf), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return info
}

// poppler runs a poppler tool on the PDF and returns its standard output.
func poppler(t testing.TB, tool string, pdf []byte, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is missing: install poppler-utils (`make test` does)", tool)
	}
	file := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args = append(args, file)
	if tool == "pdftotext" {
		args = append(args, "-")
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", tool, err, stderr.String())
	}
	return string(out)
}

var (
	markedRE     = regexp.MustCompile(`/MarkInfo\s*<<[^>]*/Marked\s+true`)
	structTreeRE = regexp.MustCompile(`/StructTreeRoot\s+\d+\s+\d+\s+R`)
	langRE       = regexp.MustCompile(`/Lang\s*\(en-GB\)`)
)

// CheckAccessible fails the test unless the PDF is tagged (its catalogue marks it and holds a
// structure tree), says its language is en-GB, has the title given, has text, and has A4 pages.
// Chromium writes the catalogue uncompressed, so its entries are read from the bytes.
func CheckAccessible(t testing.TB, pdf []byte, title string) {
	t.Helper()
	if !markedRE.Match(pdf) {
		t.Error("the PDF is not marked as tagged: no /MarkInfo <</Marked true>>")
	}
	if !structTreeRE.Match(pdf) {
		t.Error("the PDF has no /StructTreeRoot")
	}
	if !langRE.Match(pdf) {
		t.Error("the PDF does not give its language as /Lang (en-GB)")
	}
	info := Info(t, pdf)
	if info["Title"] != title {
		t.Errorf("pdfinfo Title = %q, want %q", info["Title"], title)
	}
	if info["Tagged"] != "yes" {
		t.Errorf("pdfinfo Tagged = %q, want yes", info["Tagged"])
	}
	// pdfinfo names A4 when the page is 595 x 842 points, give or take one (Chromium's is
	// 594.96 x 841.92, whole CSS pixels).
	if size := info["Page size"]; !strings.Contains(size, "(A4)") {
		t.Errorf("pdfinfo Page size = %q, want A4 (595 x 842 pts)", size)
	}
	if text := Text(t, pdf); len(text) < 20 {
		t.Errorf("the PDF has %d characters of text, want real text", len(text))
	}
}
