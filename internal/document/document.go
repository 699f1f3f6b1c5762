// Package document owns what the register accepts as a document and how it reads one: the
// type, decided from the content and never from the name; the size limit; the text extracted
// once for search; the file name a download is offered under. The bytes go to a blobstore
// under their SHA-256.
package document

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/gabriel-vasile/mimetype"

	"github.com/decision-register/decisions/internal/blobstore"
)

// The media types the register accepts: PDF and the office formats people send.
const (
	PDF  = "application/pdf"
	DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	ODT  = "application/vnd.oasis.opendocument.text"
	ODS  = "application/vnd.oasis.opendocument.spreadsheet"
	CSV  = "text/csv"
)

// DefaultMaxBytes is the largest document accepted unless configured otherwise: 25 MB.
const DefaultMaxBytes = 25 << 20

// MaxTextBytes bounds the text kept from one document: enough for a long report, and a file
// built to inflate into gigabytes of text stops here.
const MaxTextBytes = 2 << 20

type kind struct {
	name string // for readers: "PDF", "Word document"
	ext  string // the extension a download is offered under
}

var kinds = map[string]kind{
	PDF:  {"PDF", ".pdf"},
	DOCX: {"Word document (DOCX)", ".docx"},
	XLSX: {"Excel spreadsheet (XLSX)", ".xlsx"},
	ODT:  {"OpenDocument text (ODT)", ".odt"},
	ODS:  {"OpenDocument spreadsheet (ODS)", ".ods"},
	CSV:  {"CSV", ".csv"},
}

// TypeName names a media type for readers ("PDF"); an unknown one is named as it is.
func TypeName(mediaType string) string {
	if k, ok := kinds[mediaType]; ok {
		return k.name
	}
	return mediaType
}

// Extension is the file extension for a media type, with its dot.
func Extension(mediaType string) string { return kinds[mediaType].ext }

// Refusal is a file the register will not take, with the reason in words for the person who
// sent it.
type Refusal struct{ Message string }

func (r *Refusal) Error() string { return "document refused: " + r.Message }

// IsRefusal reports whether err is a Refusal, and its message.
func IsRefusal(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Message, true
	}
	return "", false
}

// ErrEmpty is an empty file.
var ErrEmpty = &Refusal{"The selected file is empty"}

// TooLarge is ErrTooLarge with the limit in words.
func TooLarge(maxBytes int64) *Refusal {
	return &Refusal{"The selected file must be " + FormatSize(maxBytes) + " or smaller"}
}

var errType = &Refusal{"The selected file must be a PDF, DOCX, XLSX, ODT, ODS or CSV"}

// File is a document as received: its hash, type, size and the text read from it.
type File struct {
	SHA256    string
	MediaType string
	Size      int64
	Text      string
}

// Pending is a received file held in a temporary file until it is stored or dropped.
type Pending struct {
	File
	tmp *os.File
}

// Receive reads r (at most maxBytes) into a temporary file, hashing as it writes, then decides
// its type from its content and extracts its text. A file the register does not accept is a
// *Refusal. The caller stores it (Store) once the rest of the form is valid, and Closes it.
func Receive(ctx context.Context, r io.Reader, maxBytes int64) (*Pending, error) {
	tmp, err := os.CreateTemp("", "document-*")
	if err != nil {
		return nil, fmt.Errorf("receive document: %w", err)
	}
	p := &Pending{tmp: tmp}
	if err := p.receive(ctx, r, maxBytes); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Pending) receive(ctx context.Context, r io.Reader, maxBytes int64) error {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(p.tmp, h), io.LimitReader(r, maxBytes+1))
	if err != nil {
		return fmt.Errorf("receive document: %w", err)
	}
	switch {
	case n == 0:
		return ErrEmpty
	case n > maxBytes:
		return TooLarge(maxBytes)
	}
	p.SHA256, p.Size = hex.EncodeToString(h.Sum(nil)), n
	if p.MediaType, err = p.sniff(); err != nil {
		return err
	}
	p.Text, err = p.extract(ctx)
	return err
}

// sniff decides the type from the bytes: gabriel-vasile/mimetype reads the magic numbers and
// the first entries of a zip; a zip is then opened whole, so a renamed archive, or one that
// claims to be a Word file without its document part, is refused.
func (p *Pending) sniff() (string, error) {
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	mt, err := mimetype.DetectReader(p.tmp)
	if err != nil {
		return "", fmt.Errorf("detect document type: %w", err)
	}
	for m := mt; m != nil; m = m.Parent() {
		switch t, _, _ := bytes.Cut([]byte(m.String()), []byte(";")); string(t) {
		case PDF:
			return PDF, nil
		case DOCX, XLSX, ODT, ODS:
			if _, err := p.zipPart(string(t)); err != nil {
				return "", err
			}
			return string(t), nil
		case CSV:
			if err := p.checkUTF8(); err != nil {
				return "", err
			}
			return CSV, nil
		}
	}
	return "", errType
}

// mainPart is the part of each zip format that holds its text.
var mainPart = map[string]string{
	DOCX: "word/document.xml",
	XLSX: "xl/workbook.xml",
	ODT:  "content.xml",
	ODS:  "content.xml",
}

func (p *Pending) zipReader() (*zip.Reader, error) {
	z, err := zip.NewReader(p.tmp, p.Size)
	if err != nil {
		return nil, &Refusal{"The selected file could not be read: save it again and upload it"}
	}
	return z, nil
}

func (p *Pending) zipPart(mediaType string) (*zip.File, error) {
	z, err := p.zipReader()
	if err != nil {
		return nil, err
	}
	for _, f := range z.File {
		if f.Name == mainPart[mediaType] {
			return f, nil
		}
	}
	return nil, &Refusal{"The selected file is not a complete " + TypeName(mediaType) + ": save it again and upload it"}
}

// checkUTF8 reads the file in chunks, a character cut at a chunk's end carried to the next, so
// a 25 MB CSV is checked without holding it.
func (p *Pending) checkUTF8() error {
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	carry := 0
	for {
		n, err := p.tmp.Read(buf[carry:])
		chunk := buf[:carry+n]
		end := len(chunk)
		if err == nil {
			// Hold back the start of a character that may go on in the next chunk.
			for i := 1; i <= utf8.UTFMax-1 && i <= end; i++ {
				if utf8.RuneStart(chunk[end-i]) {
					if !utf8.FullRune(chunk[end-i:]) {
						end -= i
					}
					break
				}
			}
		}
		if !utf8.Valid(chunk[:end]) {
			return &Refusal{"The selected CSV file must be saved as UTF-8"}
		}
		carry = copy(buf, chunk[end:])
		if err == io.EOF {
			if carry > 0 {
				return &Refusal{"The selected CSV file must be saved as UTF-8"}
			}
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Store writes the file to the blob store under its hash.
func (p *Pending) Store(ctx context.Context, blobs *blobstore.Store) error {
	if _, err := p.tmp.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("store document: %w", err)
	}
	return blobs.Put(ctx, p.SHA256, p.MediaType, p.tmp)
}

// Close removes the temporary file.
func (p *Pending) Close() {
	if p == nil || p.tmp == nil {
		return
	}
	p.tmp.Close()
	os.Remove(p.tmp.Name())
	p.tmp = nil
}

// Ingest receives, checks and stores a document in one step: for documents the register makes
// itself, such as the signed decision document.
func Ingest(ctx context.Context, blobs *blobstore.Store, r io.Reader, maxBytes int64) (File, error) {
	p, err := Receive(ctx, r, maxBytes)
	if err != nil {
		return File{}, err
	}
	defer p.Close()
	if err := p.Store(ctx, blobs); err != nil {
		return File{}, err
	}
	return p.File, nil
}

// FormatSize writes a size as GOV.UK's attachments do: "25 MB", "340 KB", "12 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.0f", float64(n)/(1<<10))) + " KB"
	case n == 1:
		return "1 byte"
	}
	return fmt.Sprintf("%d bytes", n)
}

func trimZero(s string) string {
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		return s[:len(s)-2]
	}
	return s
}
