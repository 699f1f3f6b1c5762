package document

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// pdfTimeout bounds one pdftotext run: a hostile PDF must not hold an upload for long.
const pdfTimeout = 30 * time.Second

// pdfWaitDelay bounds how long pdftotext's output may stay open once it has ended or been
// stopped: a process it left behind holding the pipe must not hold the upload for ever.
const pdfWaitDelay = 5 * time.Second

// extract reads the document's text once, at upload, for search.
func (p *Pending) extract(ctx context.Context) (string, error) {
	var text string
	var err error
	switch p.MediaType {
	case PDF:
		text, err = p.pdfText(ctx)
	case CSV:
		text, err = p.csvText()
	case DOCX:
		text, err = p.zipText([]string{"word/document.xml"}, ooxmlText)
	case XLSX:
		text, err = p.zipText([]string{"xl/sharedStrings.xml"}, ooxmlText)
	case ODT, ODS:
		text, err = p.zipText([]string{"content.xml"}, odfText)
	}
	if err != nil {
		return "", err
	}
	return clip(strings.TrimSpace(text), MaxTextBytes), nil
}

// pdfText runs poppler's pdftotext, which reads far more of the PDFs people make than any Go
// library, in a process of its own with a deadline.
func (p *Pending) pdfText(ctx context.Context) (string, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return "", fmt.Errorf("read PDF text: pdftotext is not installed (Debian: apt-get install poppler-utils): %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, pdfTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, "-q", "-enc", "UTF-8", p.tmp.Name(), "-")
	cmd.Stdout, cmd.Stderr = &limitedBuffer{&out, MaxTextBytes}, &limitedBuffer{&stderr, 4096}
	cmd.WaitDelay = pdfWaitDelay
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil && !isCanceled(ctx) {
			return "", &Refusal{"The selected PDF took too long to read: save it again and upload it"}
		}
		if isCanceled(ctx) {
			return "", fmt.Errorf("read PDF text: %w", ctx.Err())
		}
		return "", &Refusal{"The selected PDF could not be read (it may be damaged or protected by a password): save it again and upload it"}
	}
	return strings.ToValidUTF8(out.String(), ""), nil
}

func isCanceled(ctx context.Context) bool { return ctx.Err() == context.Canceled }

// limitedBuffer keeps the first n bytes written and drops the rest, so a process's output
// cannot grow without bound; it never fails a write, so the process runs to its end.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

func (p *Pending) csvText() (string, error) {
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if _, err := io.Copy(&limitedBuffer{&b, MaxTextBytes}, p.tmp); err != nil {
		return "", fmt.Errorf("read CSV text: %w", err)
	}
	// Separators are not words: commas and quotes become spaces.
	return strings.NewReplacer(",", " ", `"`, " ", ";", " ").Replace(b.String()), nil
}

// maxXMLBytes bounds how much of one zip entry is inflated: a small file can claim gigabytes.
const maxXMLBytes = 64 << 20

func (p *Pending) zipText(names []string, read func(io.Reader, *bytes.Buffer) error) (string, error) {
	z, err := p.zipReader()
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	for _, f := range z.File {
		for _, n := range names {
			if f.Name != n {
				continue
			}
			if err := readZipEntry(f, &b, read); err != nil {
				return "", &Refusal{"The selected " + TypeName(p.MediaType) + " could not be read: save it again and upload it"}
			}
		}
	}
	return b.String(), nil
}

func readZipEntry(f *zip.File, b *bytes.Buffer, read func(io.Reader, *bytes.Buffer) error) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return read(io.LimitReader(rc, maxXMLBytes), b)
}

// ooxmlText keeps the text of Office Open XML's text runs (w:t in Word, t in a spreadsheet's
// shared strings), a line per paragraph, table row or string.
func ooxmlText(r io.Reader, b *bytes.Buffer) error {
	return xmlText(r, b, func(local string) bool { return local == "t" }, map[string]bool{"p": true, "si": true, "tr": true, "tab": true, "br": true})
}

// odfText keeps all character data of an OpenDocument's content, a line per paragraph,
// heading or table row.
func odfText(r io.Reader, b *bytes.Buffer) error {
	return xmlText(r, b, nil, map[string]bool{"p": true, "h": true, "table-row": true, "tab": true, "line-break": true, "s": true})
}

// xmlText streams an XML part with encoding/xml, writing the character data of the elements
// keep accepts (all of it when keep is nil) and a break after each element named in breaks.
func xmlText(r io.Reader, b *bytes.Buffer, keep func(local string) bool, breaks map[string]bool) error {
	d := xml.NewDecoder(r)
	d.Strict = false
	depth := 0 // how deep inside kept elements the decoder is
	for b.Len() < MaxTextBytes {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if keep != nil && (depth > 0 || keep(t.Name.Local)) {
				depth++
			}
		case xml.EndElement:
			if depth > 0 {
				depth--
			}
			if breaks[t.Name.Local] {
				sep := "\n"
				if t.Name.Local == "tab" || t.Name.Local == "s" {
					sep = " "
				}
				b.WriteString(sep)
			}
		case xml.CharData:
			if keep == nil || depth > 0 {
				b.Write(t)
			}
		}
	}
	return nil
}

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// A character cut in two is invalid UTF-8, which ToValidUTF8 drops.
	return strings.ToValidUTF8(s[:n], "")
}
