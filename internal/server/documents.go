package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
	"github.com/klauspost/compress/gzhttp"

	"github.com/decision-register/decisions/internal/blobstore"
	"github.com/decision-register/decisions/internal/decision"
	"github.com/decision-register/decisions/internal/document"
	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/web/components"
	"github.com/decision-register/decisions/web/pages"
)

// documentURL is a document's stable address: the bytes at it never change, since the hash
// names them.
func documentURL(slug, sha string) string { return "/decisions/" + slug + "/documents/" + sha }

// transferTimeout bounds sending or receiving one document's bytes: longer than a page's
// REQUEST_TIMEOUT, since 25 MB takes a while on a slow line.
const transferTimeout = 10 * time.Minute

// maxDocumentName bounds a document's name, as the database does.
const maxDocumentName = 200

// acceptedFiles is what the file chooser offers first; the server decides by content anyway.
const acceptedFiles = ".pdf,.docx,.xlsx,.odt,.ods,.csv,application/pdf,text/csv"

// documentsPart is a draft's supporting documents: the list, each with a Remove button, and
// the form that attaches one (posted as multipart/form-data to handleDocumentUpload).
var documentsPart = draftPart{
	page: func(ed draftEdit, in url.Values, errs map[string]string) pages.DraftFormProps {
		p := pages.DraftFormProps{
			Heading: "Supporting documents",
			Intro: "Papers the public can download with the decision: the business case, a report, a spreadsheet of figures. " +
				"Each document’s name, type, size and fingerprint (SHA-256) become part of what is signed, so once the decision " +
				"is signed they cannot be changed or removed.",
			ListTitle: "Documents so far",
			Multipart: true,
			Inputs: []pages.DraftInput{
				{Text: &components.Field{ID: "name", Name: "name", Label: "Name", Value: value(in, "name", ""), Error: errs["name"],
					Hint: "What readers will see, for example “Business case for Project Alpha”. Leave it empty to use the file’s name"}},
				{File: &components.Field{ID: "file", Name: "file", Label: "Upload a file", Error: errs["file"], Accept: acceptedFiles,
					Hint: "A PDF, Word (DOCX), Excel (XLSX), OpenDocument (ODT or ODS) or CSV file, up to " + document.FormatSize(ed.maxDocument)}},
			},
			Submit: "Attach document",
		}
		for _, d := range supportingDocuments(ed.d.Documents) {
			p.List = append(p.List, pages.DraftListItem{Text: d.Name, Hint: documentHint(d), Actions: []pages.DraftAction{
				{Label: "Remove", Context: "document " + d.Name, Value: "remove:" + d.SHA256}}})
		}
		return p
	},
	// save handles the Remove buttons, which post a plain form; attaching is handleDocumentUpload.
	// A plain form that asks to attach carries no file.
	save: func(ctx context.Context, s *Server, act store.Act, ed draftEdit, base store.Base, in url.Values) (map[string]string, error) {
		action, sha, _ := strings.Cut(in.Get("action"), ":")
		if action != "remove" {
			errs := validateDocumentName(in.Get("name"))
			errs["file"] = "Select a document to attach"
			return errs, nil
		}
		if !blobstore.ValidHash(sha) {
			return nil, errBadForm
		}
		err := s.store.RemoveDocument(ctx, act, ed.slug, base, sha)
		if errors.Is(err, store.ErrNotFound) {
			err = fmt.Errorf("document %s: %w", sha, store.ErrConflict)
		}
		return nil, err
	},
	changed: func(ed draftEdit, in url.Values) []change {
		var names []string
		for _, d := range supportingDocuments(ed.d.Documents) {
			names = append(names, d.Name+" ("+documentHint(d)+")")
		}
		yours := "Attach: " + in.Get("name")
		if action, _, _ := strings.Cut(in.Get("action"), ":"); action == "remove" {
			yours = "Remove a document"
		}
		return []change{{"Documents", numbered(names), yours}}
	},
	next:       func(ed draftEdit) string { return editURL(ed.slug) + "/documents" },
	checkField: "name",
	part:       store.PartDocuments,
}

// supportingDocuments are the documents a draft's drafters attached.
func supportingDocuments(docs []store.Document) []store.Document {
	var out []store.Document
	for _, d := range docs {
		if d.Kind == store.DocumentSupporting {
			out = append(out, d)
		}
	}
	return out
}

func documentHint(d store.Document) string {
	return document.TypeName(d.MediaType) + ", " + document.FormatSize(d.Size)
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// handleDocumentUpload attaches a document to a draft. The file streams to a temporary file
// while it is hashed, is checked by its content, then goes to the blob store: a 25 MB upload is
// never held in memory. Anything refused comes back as a message by its field, the name kept.
// The Remove buttons post plain forms to the same address, which documentsPart.save answers.
func (s *Server) handleDocumentUpload(w http.ResponseWriter, r *http.Request) error {
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if s.blobs == nil {
		return errors.New("upload document: no document store")
	}
	part, ed, err := s.loadPart(r)
	if err != nil {
		return err
	}
	// The body may take longer than a page's deadline to arrive; the server's read deadline
	// would cut it off. Browsers send the fields in the form's order, the file last.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Now().Add(transferTimeout)); err != nil {
		s.log.DebugContext(r.Context(), "read deadline not extended", "err", err)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), transferTimeout)
	defer cancel()
	// A file over the limit is read to its end (up to twice the limit) so the browser, still
	// sending, gets the answer rather than a reset connection.
	body := http.MaxBytesReader(w, r.Body, 2*s.maxDocument+1<<20)
	in, pending, errs, err := s.readUpload(ctx, multipart.NewReader(body, params["boundary"]))
	defer pending.Close()
	if err != nil {
		return err
	}
	base, err := baseFrom(in)
	if err != nil {
		return err
	}
	name := decision.CleanName(in.Get("name"))
	chosen := in.Get("file_name")
	if name == "" && chosen != "" {
		// No name typed: the file's own, as the person's computer showed it, less its type
		// (and a file refused is all there is to tell).
		name = decision.CleanName(strings.TrimSuffix(chosen, filepath.Ext(chosen)))
	}
	if name != "" || chosen == "" {
		maps.Copy(errs, validateDocumentName(name))
	}
	if len(errs) == 0 {
		err = pending.Store(ctx, s.blobs)
		if err == nil {
			err = s.store.AddDocument(ctx, ed.user.Act(s.now()), ed.slug, base, store.NewDocument{Name: name,
				MediaType: pending.MediaType, SHA256: pending.SHA256, Size: pending.Size, Text: pending.Text})
		}
		if errors.Is(err, store.ErrDuplicateDocument) {
			errs["file"], err = "This file is already attached to the decision", nil
		}
	}
	return s.saved(w, r.WithContext(ctx), part, ed, base, in, errs, err)
}

// readUpload reads the upload form's parts in turn: the fields into in, the file into a
// pending document. A file the register refuses is an error by the file field.
func (s *Server) readUpload(ctx context.Context, mr *multipart.Reader) (url.Values, *document.Pending, map[string]string, error) {
	in, errs := url.Values{}, map[string]string{}
	var pending *document.Pending
	sawFile := false
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if tooLarge(err) {
			errs["file"] = document.TooLarge(s.maxDocument).Message
			break
		}
		if err != nil {
			return in, pending, errs, errBadForm
		}
		if p.FormName() != "file" {
			v, err := io.ReadAll(io.LimitReader(p, 64<<10))
			if err != nil {
				return in, pending, errs, errBadForm
			}
			// refuseUnstorableInput cannot read a multipart body without holding the file.
			if !storable(p.FormName()) || !storable(string(v)) {
				return in, pending, errs, errUnstorableInput
			}
			in.Set(p.FormName(), string(v))
			continue
		}
		if sawFile {
			return in, pending, errs, errBadForm
		}
		sawFile = true
		if p.FileName() == "" {
			errs["file"] = "Select a document to attach"
			continue
		}
		chosen := filepath.Base(strings.ReplaceAll(p.FileName(), "\\", "/"))
		if storable(chosen) {
			in.Set("file_name", chosen)
		}
		body := &bodyReader{r: p}
		pending, err = document.Receive(ctx, body, s.maxDocument)
		if body.err != nil && !tooLarge(body.err) {
			return in, pending, errs, errUploadCut
		}
		err = document.Misnamed(err, p.FileName())
		if msg, ok := document.IsRefusal(err); ok {
			errs["file"] = withFileName(msg, in.Get("file_name"))
			if _, err := io.Copy(io.Discard, p); tooLarge(err) {
				break
			}
			continue
		}
		if tooLarge(err) {
			errs["file"] = withFileName(document.TooLarge(s.maxDocument).Message, in.Get("file_name"))
			break
		}
		if err != nil {
			return in, pending, errs, err
		}
	}
	if !sawFile && errs["file"] == "" {
		errs["file"] = "Select a document to attach"
	}
	return in, pending, errs, nil
}

// errUploadCut answers an upload whose body stopped before its end: the connection dropped,
// or the browser gave up. The fault is in transit, not in the register's database.
var errUploadCut = &pageError{
	Status:  http.StatusBadRequest,
	Heading: "The file did not arrive whole",
	Message: "The upload stopped before the end of the file, perhaps because the connection dropped. Nothing was attached: go back and attach it again.",
}

// bodyReader keeps the error reading a request's body, so a file cut off in transit is told
// apart from a failure of the server's own (a temporary file it could not write).
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

func validateDocumentName(name string) map[string]string {
	errs := map[string]string{}
	switch name = decision.CleanName(name); {
	case name == "":
		errs["name"] = "Enter a name for the document"
	case utf8.RuneCountInString(name) > maxDocumentName:
		errs["name"] = "The name must be " + strconv.Itoa(maxDocumentName) + " characters or fewer"
	}
	return errs
}

// withFileName says which file a refusal is about, as the person chose it: the file chooser
// is empty again on the page that tells them.
func withFileName(msg, name string) string {
	if name == "" {
		return msg
	}
	return strings.TrimSuffix(msg, ".") + ". You chose “" + name + "”"
}

func tooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

// handleDocument serves a document's bytes to whoever may see its decision: as an attachment
// under a cleaned file name, with its real type, never sniffed, never compressed (the bytes
// sent are the bytes hashed), cached for good when public, since the hash names them.
func (s *Server) handleDocument(w http.ResponseWriter, r *http.Request) error {
	slug, err := slugParam(r)
	if err != nil {
		return err
	}
	sha := chi.URLParam(r, "sha256")
	if !blobstore.ValidHash(sha) {
		return errPageNotFound
	}
	if s.blobs == nil {
		return errors.New("download document: no document store")
	}
	doc, err := s.reader(r).DocumentByHash(r.Context(), s.access(r), slug, sha)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), transferTimeout)
	defer cancel()
	f, err := s.blobs.Open(ctx, sha)
	if errors.Is(err, blobstore.ErrNotFound) {
		return fmt.Errorf("document %s of %s is recorded but its bytes are missing: %w", sha, slug, err)
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := http.NewResponseController(w).SetWriteDeadline(time.Now().Add(transferTimeout)); err != nil {
		s.log.DebugContext(r.Context(), "write deadline not extended", "err", err)
	}
	h := w.Header()
	contentType := doc.MediaType
	if doc.MediaType == document.CSV {
		contentType += "; charset=utf-8" // checked at upload
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", document.ContentDisposition("attachment", doc.Name, doc.MediaType))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox")
	h.Set("ETag", `"`+sha+`"`)
	h.Set(gzhttp.HeaderNoCompression, "1")
	if doc.Public && userFrom(r) == nil {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "private, no-store")
	}
	// ServeContent answers If-None-Match (304), Range (206) and HEAD from the ETag and the reader.
	http.ServeContent(w, r, "", time.Time{}, f)
	return nil
}
