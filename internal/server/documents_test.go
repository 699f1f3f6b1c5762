package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

func businessCase(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../document/testdata/business-case.pdf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upload posts the documents form as a browser does: the version and name first, the file last.
func (dc draftClient) upload(path, name, filename string, body []byte, want int) page {
	dc.t.Helper()
	resp := dc.postUpload(path, dc.version(path), name, filename, body)
	defer resp.Body.Close()
	rb, _ := io.ReadAll(resp.Body)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(rb))
	if err != nil {
		dc.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, location: resp.Header.Get("Location"), header: resp.Header, body: string(rb), doc: doc}
	if p.status != want {
		dc.t.Fatalf("upload %s to %s = %d, want %d\n%s", filename, path, p.status, want, p.text("main"))
	}
	return p
}

// postUpload posts the documents form at the version given (a second tab holding an older
// page sends an older one).
func (dc draftClient) postUpload(path, version, name, filename string, body []byte) *http.Response {
	dc.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("version", version)
	_ = mw.WriteField("name", name)
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		dc.t.Fatal(err)
	}
	fw.Write(body)
	mw.Close()
	resp, err := dc.c.Post(dc.site.URL+path, mw.FormDataContentType(), &b)
	if err != nil {
		dc.t.Fatalf("POST %s: %v", path, err)
	}
	return resp
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestDocumentUploads: a drafter attaches a good file; a file of the wrong type named .pdf, one
// over the limit, an empty one, none at all, a missing name and the same file twice are each
// refused with a message by the field, the name kept; a document is removed.
func TestDocumentUploads(t *testing.T) {
	t.Parallel()
	site := testsite.NewWith(t, testsite.Options{DocumentMaxBytes: 64 << 10})
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	s := draftSite{Site: site}
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Project Gamma")
	path := "/decisions/" + slug + "/edit/documents"

	form := dc.get(path)
	if form.status != http.StatusOK || form.doc.Find(`form[enctype="multipart/form-data"] input[type="file"][name="file"]`).Length() != 1 ||
		!strings.Contains(form.text(`#file-hint`), "up to 64 KB") {
		t.Fatalf("GET %s = %d; want a multipart form with a file field and the limit in its hint", path, form.status)
	}
	if !strings.Contains(dc.get("/decisions/"+slug+"/edit").text(".govuk-task-list"), "Supporting documents") {
		t.Error("the task list has no supporting documents task")
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	for _, tt := range []struct {
		name, filename string
		body           []byte
		field, want    string
	}{
		{"Renamed image", "photo.pdf", png, "file", "must be a PDF, DOCX, XLSX, ODT, ODS or CSV"},
		{"Too big", "big.csv", bytes.Repeat([]byte("a,b\n"), 20<<10), "file", "must be 64 KB or smaller"},
		{"Nothing in it", "empty.pdf", nil, "file", "The selected file is empty"},
		{"No file", "", nil, "file", "Select a document to attach"},
		{"", "empty.csv", nil, "file", "The selected file is empty. You chose “empty.csv”"},
	} {
		p := dc.upload(path, tt.name, tt.filename, tt.body, http.StatusUnprocessableEntity)
		if got := p.text("#" + tt.field + "-error"); !strings.Contains(got, tt.want) {
			t.Errorf("%q (%s): error by %s = %q, want %q", tt.name, tt.filename, tt.field, got, tt.want)
		}
		// The file chooser is empty again: the message names the file refused.
		if got := p.text("#file-error"); tt.filename != "" && !strings.Contains(got, "You chose “"+tt.filename+"”") {
			t.Errorf("%q: the refusal %q does not name the file chosen, %s", tt.name, got, tt.filename)
		}
		if href, _ := p.doc.Find(`[data-testid="error-summary"] a`).Attr("href"); href != "#"+tt.field {
			t.Errorf("%q: the error summary links to %q, want #%s", tt.name, href, tt.field)
		}
		if got := p.value(`#name`); got != tt.name {
			t.Errorf("%q: the name field holds %q after the error, want it kept", tt.name, got)
		}
		if !strings.HasPrefix(p.text("title"), "Error:") {
			t.Errorf("%q: title %q does not start with Error:", tt.name, p.text("title"))
		}
	}

	pdf := businessCase(t)
	ok := dc.upload(path, "Business case for Project Gamma", "scan0001.PDF", pdf, http.StatusSeeOther)
	if ok.location != path {
		t.Errorf("a good upload leads to %q, want %q", ok.location, path)
	}
	list := dc.get(path)
	if got := list.text(`[data-testid="draft-list"]`); !strings.Contains(got, "Business case for Project Gamma") || !strings.Contains(got, "PDF, 819 bytes") {
		t.Errorf("the documents list = %q", got)
	}
	dup := dc.upload(path, "Again", "copy.pdf", pdf, http.StatusUnprocessableEntity)
	if got := dup.text("#file-error"); !strings.Contains(got, "already attached") {
		t.Errorf("the same file twice: %q", got)
	}
	// With no name typed, the document takes the file's.
	dc.upload(path, "", "Regional figures.csv", []byte("region,amount\nNorth,1\n"), http.StatusSeeOther)
	if got := dc.get(path).text(`[data-testid="draft-list"]`); !strings.Contains(got, "Regional figures CSV") {
		t.Errorf("a document uploaded with no name is listed as %q, want the file's name", got)
	}
	csv := []byte("area,amount\nHackney,1200\nCamden,900\n")
	dc.upload(path, "Figures", "figures.txt", csv, http.StatusSeeOther)
	if got := dc.get("/decisions/" + slug + "/check").text(`#check-documents`); !strings.Contains(got, "Business case for Project Gamma (PDF, 819 bytes)") ||
		!strings.Contains(got, "Figures (CSV, 36 bytes)") {
		t.Errorf("check your answers' documents = %q", got)
	}

	// The drafter downloads the draft's document; the public cannot.
	url := "/decisions/" + slug + "/documents/" + sha256Hex(pdf)
	resp, err := dc.c.Get(site.URL + url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, pdf) || resp.Header.Get("Cache-Control") != "private, no-store" {
		t.Errorf("drafter GET %s = %d, %d bytes, Cache-Control %q", url, resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
	}
	if r := getStatus(t, site, url); r != http.StatusNotFound {
		t.Errorf("public GET of a draft's document = %d, want 404", r)
	}

	// Removing a document takes it off the list.
	dc.save(path, map[string][]string{"action": {"remove:" + sha256Hex(csv)}}, http.StatusSeeOther)
	if got := dc.get(path).text(`[data-testid="draft-list"]`); strings.Contains(got, "Figures") {
		t.Errorf("after removing, the list = %q", got)
	}
	dc.save(path, map[string][]string{"action": {"remove:" + sha256Hex(csv)}}, http.StatusConflict)
}

func getStatus(t *testing.T, site *testsite.Site, path string) int {
	t.Helper()
	resp, err := site.Client(t, "").Get(site.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestDocumentDownloadHeaders: a published decision's document comes with its real type, a safe
// file name, nosniff, no compression and caching for good by its hash; revalidation, ranges
// and HEAD work; a wrong hash or slug is a 404.
func TestDocumentDownloadHeaders(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	slug, files := site.Published(t, 99100, "A published decision",
		testsite.Doc{Name: "Business case: \"Alpha\" / 2026\r\n", Body: businessCase(t)},
		testsite.Doc{Name: "Café figures", Body: []byte("area,amount\nHackney,1200\nCamden,900\n")})
	f, csv := files[0], files[1]
	url := site.URL + "/decisions/" + slug + "/documents/" + f.SHA256
	c := site.Client(t, "")
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept-Encoding", "gzip, zstd")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || sha256Hex(body) != f.SHA256 {
		t.Fatalf("GET %s = %d, body hash %s", url, resp.StatusCode, sha256Hex(body))
	}
	for header, want := range map[string]string{
		"Content-Type":           "application/pdf",
		"Content-Disposition":    `attachment; filename="Business case Alpha 2026.pdf"; filename*=UTF-8''Business%20case%20Alpha%202026.pdf`,
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "public, max-age=31536000, immutable",
		"ETag":                   `"` + f.SHA256 + `"`,
		"Content-Length":         "819",
		"Content-Encoding":       "",
		"Accept-Ranges":          "bytes",
	} {
		if got := resp.Header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	if got := resp.Header.Get("Content-Security-Policy"); !strings.Contains(got, "sandbox") {
		t.Errorf("Content-Security-Policy = %q, want a sandbox", got)
	}

	req, _ = http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("If-None-Match", `"`+f.SHA256+`"`)
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match = %v, %v; want 304", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	req, _ = http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Range", "bytes=0-7")
	if resp, err := c.Do(req); err != nil || resp.StatusCode != http.StatusPartialContent {
		t.Errorf("Range = %v, %v; want 206", resp.StatusCode, err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "%PDF-1.4" {
			t.Errorf("Range body = %q", b)
		}
	}
	if resp, err := c.Head(url); err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("HEAD = %v, %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
	csvResp, err := c.Get(site.URL + "/decisions/" + slug + "/documents/" + csv.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	csvResp.Body.Close()
	if got := csvResp.Header.Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("CSV Content-Type = %q", got)
	}
	if got := csvResp.Header.Get("Content-Disposition"); got != `attachment; filename="Cafe figures.csv"; filename*=UTF-8''Caf%C3%A9%20figures.csv` {
		t.Errorf("CSV Content-Disposition = %q", got)
	}
	for _, path := range []string{
		"/decisions/" + slug + "/documents/" + strings.Repeat("0", 64),
		"/decisions/" + slug + "/documents/" + strings.ToUpper(f.SHA256),
		"/decisions/" + slug + "/documents/..%2F..%2Fetc%2Fpasswd",
		"/decisions/pcd-1682/documents/" + f.SHA256,
	} {
		if got := getStatus(t, site, path); got != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, got)
		}
	}

	// The decision page lists both with the attachment pattern; a seeded decision says it holds
	// none and links to its published page.
	page := getPage(t, site, "/decisions/"+slug)
	docs := page.Find(`[data-testid="document"]`)
	if docs.Length() != 2 {
		t.Fatalf("the page lists %d documents, want 2", docs.Length())
	}
	first := docs.First()
	if href, _ := first.Find(`a[data-testid="document-link"]`).Attr("href"); href != "/decisions/"+slug+"/documents/"+f.SHA256 {
		t.Errorf("document link %q", href)
	}
	if got := strings.Join(strings.Fields(first.Find(`[data-testid="document-meta"]`).Text()), " "); got != "PDF, 819 bytes" {
		t.Errorf("document metadata %q", got)
	}
	if got := first.Find(`[data-testid="document-hash"]`).Text(); got != f.SHA256 {
		t.Errorf("document hash shown %q, want %s", got, f.SHA256)
	}
	seeded := getPage(t, site, "/decisions/pcd-1682")
	if href, _ := seeded.Find(`[data-testid="documents-source"]`).Attr("href"); !strings.HasPrefix(href, "https://www.london.gov.uk/") ||
		!strings.Contains(seeded.Find(`[data-testid="no-documents"]`).Text(), "does not hold this decision’s documents") {
		t.Errorf("a seeded decision's documents: %q, link %q", seeded.Find(`[data-testid="no-documents"]`).Text(), href)
	}

	// The API lists them, each with its download address.
	var api struct {
		Documents []struct {
			Kind, Name, MediaType, SHA256, URL string
			Size                               int64
		} `json:"documents"`
	}
	resp, err = c.Get(site.URL + "/api/v1/decisions/" + slug)
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&api)
	resp.Body.Close()
	if err != nil || len(api.Documents) != 2 || api.Documents[0].SHA256 != f.SHA256 || api.Documents[0].Size != 819 ||
		api.Documents[0].URL != testsite.BaseURL+"/decisions/"+slug+"/documents/"+f.SHA256 || api.Documents[1].Kind != "supporting" {
		t.Errorf("API documents = %+v, %v", api.Documents, err)
	}
}

func getPage(t *testing.T, site *testsite.Site, path string) *goquery.Document {
	t.Helper()
	resp, err := site.Client(t, "").Get(site.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
