package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/decision-register/decisions/internal/testsite"
	"github.com/decision-register/decisions/web/static"
)

// TestStaticFileOfAnotherRelease serves a fingerprinted file this release does not hold but
// another one published, as during a rolling deploy; a fingerprint nobody published, or whose
// content does not match, is a 404 or a 500, never the wrong bytes.
func TestStaticFileOfAnotherRelease(t *testing.T) {
	t.Parallel()
	site := testsite.New(t)
	ctx := context.Background()
	css := []byte("body { color: #0b0c0c } /* another release */\n")
	sum := sha256.Sum256(css)
	name := "app." + hex.EncodeToString(sum[:])[:10] + ".css"
	if err := site.Store.PublishStaticFiles(ctx, map[string][]byte{name: css, "app.0123456789.css": []byte("not its fingerprint")}, site.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := site.Server.PublishAssets(ctx); err != nil {
		t.Fatal(err)
	}
	var own []string // this release's files: what the binary embeds, less the Go file that embeds them
	if err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".go") {
			own = append(own, p)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var published int
	if err := site.Pool.QueryRow(ctx, `SELECT count(*) FROM static_files`).Scan(&published); err != nil || published != 2+len(own) {
		t.Errorf("static_files holds %d files, %v; want the 2 planted and this release's %d", published, err, len(own))
	}
	for _, tt := range []struct {
		path   string
		status int
		body   string
	}{
		{"/static/" + name, http.StatusOK, string(css)},
		{"/static/" + name, http.StatusOK, string(css)}, // now from memory
		{"/static/app.ffffffffff.css", http.StatusNotFound, ""},
		{"/static/app.0123456789.css", http.StatusInternalServerError, ""},
		{"/static/nothing.css", http.StatusNotFound, ""},
	} {
		resp, err := http.Get(site.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || (tt.body != "" && string(b) != tt.body) {
			t.Errorf("GET %s = %d %.40q, want %d %.40q", tt.path, resp.StatusCode, b, tt.status, tt.body)
		}
		if tt.status == http.StatusOK && resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: Cache-Control %q, want immutable", tt.path, resp.Header.Get("Cache-Control"))
		}
	}
}
