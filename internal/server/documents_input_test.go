package server_test

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/store"
	"github.com/decision-register/decisions/internal/testsite"
)

// TestUploadWithUnstorableName: a document name holding a NUL or bytes that are not UTF-8 is
// refused as any other form holding them is (400), not left to the database (500). Browsers
// never send them; the middleware that refuses them cannot read a multipart body.
func TestUploadWithUnstorableName(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	s := draftSite{Site: site}
	dc := s.client(t, "drafter@example.org")
	path := "/decisions/" + s.newDraft(t, dc, "Project Gamma") + "/edit/documents"
	for _, name := range []string{"Annex\x00A", "Annex \xff\xfe"} {
		p := dc.upload(path, name, "business-case.pdf", businessCase(t), http.StatusBadRequest)
		if got := p.text("h1"); got != "Something you sent cannot be stored" {
			t.Errorf("name %q: heading %q", name, got)
		}
	}
	if got := dc.get(path).text(`[data-testid="draft-list"]`); got != "" {
		t.Errorf("after the refusals the documents list = %q, want empty", got)
	}
}

// TestUploadCutOffMidFile: a browser that stops sending halfway through a file (the connection
// dropped) gets a 400 saying the file did not arrive whole, not a 503 blaming the database.
func TestUploadCutOffMidFile(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	s := draftSite{Site: site}
	dc := s.client(t, "drafter@example.org")
	path := "/decisions/" + s.newDraft(t, dc, "Project Gamma") + "/edit/documents"

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("version", dc.version(path))
	_ = mw.WriteField("name", "Business case")
	fw, _ := mw.CreateFormFile("file", "business-case.pdf")
	fw.Write(businessCase(t))
	mw.Close()
	sent := body.Bytes()[:body.Len()-300] // the end of the file and the closing boundary never come

	u, _ := url.Parse(site.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var cookies []string
	for _, c := range dc.c.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCookie: %s\r\n\r\n",
		path, u.Host, mw.FormDataContentType(), body.Len(), strings.Join(cookies, "; "))
	conn.Write(sent)
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no answer to an upload cut off: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("upload cut off mid-file = %d, want 400", resp.StatusCode)
	}
}

// TestUploadNamesReadAsTyped: bidirectional controls are dropped from a document's name and a
// draft's title, so "Annex ‮fdp.exe" cannot read "Annex exe.pdf"; a file refused because its
// content is not what its name says is told so.
func TestUploadNamesReadAsTyped(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	site.User(t, "drafter@example.org", "Dana Drafter", store.Grants{Roles: []string{"drafter"}})
	s := draftSite{Site: site}
	dc := s.client(t, "drafter@example.org")
	slug := s.newDraft(t, dc, "Grant \u202eecilop\u202c for Alpha")
	path := "/decisions/" + slug + "/edit/documents"
	dc.upload(path, "Annex \u202efdp.exe", "annex.pdf", businessCase(t), http.StatusSeeOther)
	if got := dc.get(path).text(`[data-testid="draft-list"]`); !strings.Contains(got, "Annex fdp.exe") {
		t.Errorf("the documents list = %q, want the name without its override", got)
	}
	if got := dc.get("/decisions/" + slug + "/check").text("main"); strings.ContainsRune(got, '\u202e') || !strings.Contains(got, "Grant ecilop for Alpha") {
		t.Errorf("check your answers = %q, want the title without its override", got)
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	p := dc.upload(path, "Photo", "photo.pdf", png, http.StatusUnprocessableEntity)
	if got := p.text("#file-error"); !strings.Contains(got, "name ends in .pdf but its content is not that type of file") {
		t.Errorf("a picture named photo.pdf: %q", got)
	}
	p = dc.upload(path, "Photo", "photo.png", png, http.StatusUnprocessableEntity)
	if got := p.text("#file-error"); strings.Contains(got, "name ends in") || !strings.Contains(got, "must be a PDF") {
		t.Errorf("a picture named photo.png: %q", got)
	}
}
