package document

import (
	"errors"
	"path/filepath"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxFilenameRunes keeps offered file names to what every file system takes.
const maxFilenameRunes = 100

// Filename is the file name a document is offered under: its name, cleaned of anything a file
// system or a header could trip on (path separators, control characters, quotes, leading dots),
// then the extension of its real type. A name with nothing left is "document".
func Filename(name, mediaType string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFC.String(name) {
		switch {
		case unicode.IsControl(r) || strings.ContainsRune(`/\:*?"<>|;%`, r) || unicode.Is(unicode.Bidi_Control, r):
			r = ' '
		case unicode.IsSpace(r):
			r = ' '
		}
		if r == ' ' {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	base := strings.Trim(b.String(), ". ")
	if r := []rune(base); len(r) > maxFilenameRunes {
		base = strings.TrimRight(string(r[:maxFilenameRunes]), ". ")
	}
	if base == "" {
		base = "document"
	}
	ext := Extension(mediaType)
	if strings.EqualFold(strings.TrimSpace(base[max(0, len(base)-len(ext)):]), ext) && ext != "" {
		base = strings.TrimRight(base[:len(base)-len(ext)], ". ")
		if base == "" {
			base = "document"
		}
	}
	return base + ext
}

// ContentDisposition is the header for a download (RFC 6266): disposition ("attachment" or
// "inline"), an ASCII filename for old clients and the UTF-8 one (RFC 5987's filename*) that
// current ones use.
func ContentDisposition(disposition, name, mediaType string) string {
	full := Filename(name, mediaType)
	return disposition + `; filename="` + asciiFilename(full) + `"; filename*=UTF-8''` + encode5987(full)
}

// asciiFilename replaces what is not printable ASCII, for the quoted filename parameter.
func asciiFilename(s string) string {
	var b strings.Builder
	for _, r := range norm.NFKD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents, once NFKD has split them off: é → e
		case r >= 0x20 && r < 0x7f && r != '"' && r != '\\':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// encode5987 percent-encodes every byte but RFC 5987's attr-char.
func encode5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$&+-.^_`|~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// Misnamed is the refusal of a file whose content is none of the accepted types although its
// name says it is one ("photo.pdf" holding a picture): it says so, since the person sees a
// file named as a PDF and would otherwise not know why it is not taken. Any other refusal,
// and a name that claims nothing, come back as they are.
func Misnamed(err error, filename string) error {
	if !errors.Is(err, errType) {
		return err
	}
	ext := strings.ToLower(filepath.Ext(filename))
	for _, k := range kinds {
		if k.ext == ext {
			return &Refusal{"The selected file’s name ends in " + ext + " but its content is not that type of file (it may have been renamed). " +
				"The file must be a PDF, DOCX, XLSX, ODT, ODS or CSV"}
		}
	}
	return err
}
