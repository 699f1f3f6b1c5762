package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
)

// assets serves the static files under fingerprinted names ("app.3f2a1b9c04.css") that can be
// cached for a year, and under their plain names with revalidation, for module imports.
//
// During a rolling deploy two releases run side by side, and a page one rendered may have its
// stylesheet fetched from the other. So each release shares its fingerprinted files through
// the database as it starts (Server.PublishAssets), and a fingerprinted name this release does
// not hold is looked up there, then kept in memory (a fingerprint's content never changes).
// Plain names are always this release's own.
type assets struct {
	byName map[string]asset  // both hashed and plain names
	urls   map[string]string // plain name to fingerprinted URL
	others sync.Map          // fingerprinted name to asset, for other releases' files
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

// fingerprinted lists this release's files under their fingerprinted names.
func (a *assets) fingerprinted() map[string][]byte {
	files := map[string][]byte{}
	for name, f := range a.byName {
		if f.immutable {
			files[name] = f.data
		}
	}
	return files
}

// fingerprintedName matches the names loadAssets gives: "app.3f2a1b9c04.css".
var fingerprintedName = regexp.MustCompile(`^[A-Za-z0-9_-][A-Za-z0-9._-]*\.[0-9a-f]{10}\.[a-z0-9]+$`)

// PublishAssets shares this release's fingerprinted static files with every other instance,
// whatever its release. serve calls it before it starts listening.
func (s *Server) PublishAssets(ctx context.Context) error {
	return s.store.PublishStaticFiles(ctx, s.assets.fingerprinted(), s.now())
}

func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	name := chi.URLParam(r, "name")
	f, ok := s.assets.byName[name]
	if !ok {
		var err error
		if f, err = s.otherReleasesAsset(r.Context(), name); err != nil {
			return err
		}
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

// otherReleasesAsset is a fingerprinted file another release published. It is read from the
// primary: the release that rendered the page published it an instant before.
func (s *Server) otherReleasesAsset(ctx context.Context, name string) (asset, error) {
	if v, ok := s.assets.others.Load(name); ok {
		return v.(asset), nil
	}
	if !fingerprintedName.MatchString(name) {
		return asset{}, errPageNotFound
	}
	data, err := s.store.StaticFile(ctx, name)
	if err != nil {
		return asset{}, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])[:10]
	if !strings.HasSuffix(strings.TrimSuffix(name, path.Ext(name)), "."+hash) {
		return asset{}, fmt.Errorf("static file %s: its content's fingerprint is %s", name, hash)
	}
	f := asset{data: data, immutable: true, etag: `W/"` + hash + `"`}
	s.assets.others.Store(name, f)
	return f, nil
}
