package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// dir keeps each file at DIR/sha256/HASH, the layout gocloud.dev's fileblob gave earlier
// releases, so a directory they wrote is read as it is. A file is written whole or not at all:
// to a temporary file beside its final name, synced, then renamed, and the directory synced, so
// a crash never leaves a half-written file under a hash.
type dir struct {
	root string // DIR/sha256
}

// tmpPrefix starts the names of files being written; Sweep removes any a crash left.
const tmpPrefix = ".tmp-"

func openDir(path string) (*dir, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("document store directory %q: %w", path, err)
	}
	root := filepath.Join(abs, "sha256")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("document store directory: %w", err)
	}
	return &dir{root: root}, nil
}

func (d *dir) path(sha string) string { return filepath.Join(d.root, sha) }

func (d *dir) put(ctx context.Context, sha, _ string, r io.Reader) error {
	final := d.path(sha)
	now := time.Now()
	if err := os.Chtimes(final, now, now); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(d.root, tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, there is nothing left to remove
	_, err = io.Copy(tmp, readerCtx{ctx, r})
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return err
	}
	return syncDir(d.root)
}

// syncDir makes a rename or removal in path survive a crash.
func syncDir(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readerCtx stops a copy once ctx ends, as a bucket's upload would.
type readerCtx struct {
	ctx context.Context
	r   io.Reader
}

func (r readerCtx) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

type sizedFile struct {
	*os.File
	size int64
}

func (f sizedFile) Size() int64 { return f.size }

func (d *dir) open(_ context.Context, sha string) (Reader, error) {
	f, err := os.Open(d.path(sha))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	return sizedFile{f, fi.Size()}, nil
}

func (d *dir) delete(_ context.Context, sha string) error {
	if err := os.Remove(d.path(sha)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (d *dir) list(ctx context.Context, fn func(sha string, written time.Time) error) error {
	entries, err := os.ReadDir(d.root)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := e.Name()
		if !ValidHash(name) && !strings.HasPrefix(name, tmpPrefix) {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if strings.HasPrefix(name, tmpPrefix) {
			// A write a crash cut short: no one will finish it once it is this old.
			if fi.ModTime().Before(time.Now().Add(-tmpGrace)) {
				_ = os.Remove(filepath.Join(d.root, name))
			}
			continue
		}
		if err := fn(name, fi.ModTime()); err != nil {
			return err
		}
	}
	return nil
}

// tmpGrace is how old a temporary file must be to be taken for a crash's leftover: far longer
// than any write takes.
const tmpGrace = 24 * time.Hour

// removeIfOlder first moves the file aside, so a put from then on writes it afresh, and then
// looks at when it was written: a put that came just before the move has marked it new, and it
// is moved back.
func (d *dir) removeIfOlder(_ context.Context, sha string, before time.Time) (bool, error) {
	aside := filepath.Join(d.root, tmpPrefix+"sweep-"+sha)
	if err := os.Rename(d.path(sha), aside); errors.Is(err, fs.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	fi, err := os.Stat(aside)
	if err != nil {
		return false, err
	}
	if !fi.ModTime().Before(before) {
		return false, os.Rename(aside, d.path(sha))
	}
	if err := os.Remove(aside); err != nil {
		return false, err
	}
	return true, syncDir(d.root)
}

func (d *dir) close() error { return nil }
