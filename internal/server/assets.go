package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
)

// assets serves the static files under fingerprinted names ("app.3f2a1b9c04.css") that can be
// cached for a year, and under their plain names with revalidation, for module imports.
type assets struct {
	byName map[string]asset  // both hashed and plain names
	urls   map[string]string // plain name to fingerprinted URL
}

type asset struct {
	data      []byte
	immutable bool
	etag      string
}

func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]asset{}, urls: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		hash := hex.EncodeToString(sum[:])[:10]
		ext := path.Ext(p)
		hashed := strings.TrimSuffix(p, ext) + "." + hash + ext
		// Weak: the same file goes out compressed or not (see compress.go).
		a.byName[hashed] = asset{data: data, immutable: true, etag: `W/"` + hash + `"`}
		a.byName[p] = asset{data: data, etag: `W/"` + hash + `"`}
		a.urls[p] = "/static/" + hashed
		return nil
	})
	return a, err
}

// url gives the fingerprinted address of a static file.
func (a *assets) url(name string) string {
	if u, ok := a.urls[name]; ok {
		return u
	}
	return "/static/" + name
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "name")
	f, ok := a.byName[name]
	if !ok {
		return errPageNotFound
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if f.immutable {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.data))
	return nil
}
