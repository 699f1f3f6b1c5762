package importer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/document"
	"github.com/decision-register/decisions/internal/store"
)

// docFile is a supporting document a record names, found beside it by file name.
type docFile struct {
	field     string
	name      string // the name readers see
	path      string // where its bytes are
	mediaType string // as the record says (JSON), or "" to take the type the name's extension says
	size      int64  // as the record says, or 0
	sha256    string // as the record says, or ""
	text      string // read from it, for search
}

// docPath is where a record's document is: in a directory named for the decision's slug beside
// the record's file (documents of different decisions may share a name), or else beside it.
func docPath(dir, slug, name string) string {
	p := filepath.Join(dir, slug, filepath.Base(name))
	if _, err := os.Stat(p); err == nil {
		return p
	}
	return filepath.Join(dir, filepath.Base(name))
}

// checkDocuments reads each document the record names: it must exist, be of a type the
// register takes, and be what its name (and, from JSON, its type, size and hash) say it is.
// Nothing is kept open: a run over thousands of documents would run out of files. The bytes
// are read again, and stored, when the decision is loaded (storeBytes).
func (c *checked) checkDocuments(ctx context.Context, maxBytes int64) {
	for i := range c.docs {
		doc := &c.docs[i]
		f, err := os.Open(doc.path)
		if err != nil {
			c.fail(doc.field, "%s: no such file beside the record", doc.name)
			continue
		}
		p, err := document.Receive(ctx, f, maxBytes)
		f.Close()
		if err != nil {
			if msg, ok := document.IsRefusal(err); ok {
				c.fail(doc.field, "%s: %s", doc.name, msg)
			} else {
				c.fail(doc.field, "%s: %v", doc.name, err)
			}
			continue
		}
		p.Close()
		doc.text = p.Text
		want := doc.mediaType
		if ext := strings.ToLower(filepath.Ext(doc.name)); want == "" && ext != document.Extension(p.MediaType) {
			c.fail(doc.field, "%s: its content is a %s, not what its name says", doc.name, document.TypeName(p.MediaType))
			continue
		}
		switch {
		case want != "" && want != p.MediaType:
			c.fail(doc.field, "%s: its content is a %s, not the %s the record says", doc.name, document.TypeName(p.MediaType), document.TypeName(want))
		case doc.sha256 != "" && doc.sha256 != p.SHA256:
			c.fail(doc.field, "%s: its bytes are not the ones the record gives the SHA-256 of", doc.name)
		case doc.size != 0 && doc.size != p.Size:
			c.fail(doc.field, "%s: %d bytes, not the %d the record says", doc.name, p.Size, doc.size)
		}
		doc.mediaType, doc.size, doc.sha256 = p.MediaType, p.Size, p.SHA256
	}
}

func (c *checked) storeDocuments() []store.NewDocument {
	var out []store.NewDocument
	for _, d := range c.docs {
		out = append(out, store.NewDocument{Name: d.name, MediaType: d.mediaType, SHA256: d.sha256, Size: d.size, Text: d.text})
	}
	return out
}

// storeBytes puts the record's documents in the blob store, refusing bytes that changed since
// they were checked. Bytes of a decision the database then refuses are left for the sweep.
func (c *checked) storeBytes(ctx context.Context, blobs *blobstore.Store, maxBytes int64) error {
	for _, d := range c.docs {
		if blobs == nil {
			return errors.New("it has documents, but no documents store is configured (DOCUMENTS_URL)")
		}
		f, err := os.Open(d.path)
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		got, err := document.Ingest(ctx, blobs, f, maxBytes)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		if got.SHA256 != d.sha256 {
			return fmt.Errorf("%s: changed while the import ran", d.name)
		}
	}
	return nil
}
