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
