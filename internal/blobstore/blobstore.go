// Package blobstore keeps files by their content: each is stored once, under its SHA-256, in a
// directory of the local file system by default, or in an S3-compatible bucket in a binary
// built with `-tags s3`. The key is the hash, so a file never changes once written, the same
// file attached twice is kept once, and any copy can be checked against its name.
package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// ErrNoS3 is an s3:// location given to a binary built without S3 support, which keeps the AWS
// SDK out of the default build.
var ErrNoS3 = errors.New("this binary has no S3 support: build it with `go build -tags s3 ./cmd/decisions` (or use a directory)")

// ErrNotFound means no file is stored under that hash.
var ErrNotFound = errors.New("blob not found")

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether h is a lower-case hex SHA-256, the only form a key takes.
func ValidHash(h string) bool { return sha256Hex.MatchString(h) }

// Reader is a stored file opened for reading: seekable and sized, so it can be served with
// http.ServeContent (ranges included).
type Reader interface {
	io.ReadSeekCloser
	Size() int64
}

// backend is where the bytes are: a directory (dir.go) or an S3 bucket (s3.go, -tags s3).
type backend interface {
	// put stores r's bytes under sha, whose hash the caller has checked. A file already there is
	// marked as just written, so a sweep that began before it does not remove it (see Sweep).
	put(ctx context.Context, sha, mediaType string, r io.Reader) error
	open(ctx context.Context, sha string) (Reader, error)
	delete(ctx context.Context, sha string) error
	// list calls fn with each stored file's hash and when it was last written.
	list(ctx context.Context, fn func(sha string, written time.Time) error) error
	// removeIfOlder removes the file stored under sha unless it was written at or after before.
	removeIfOlder(ctx context.Context, sha string, before time.Time) (bool, error)
	close() error
}

// Store is a set of files named by their SHA-256.
type Store struct {
	b backend
}

// Open opens the store at location: a directory path (created when missing), a file:// URL
// naming one, or, in a binary built with -tags s3, an s3:// bucket URL
// ("s3://bucket?region=eu-west-2&endpoint=https://minio.example:9000&use_path_style=true").
func Open(ctx context.Context, location string) (*Store, error) {
	if location == "" {
		return nil, errors.New("document store: no location")
	}
	if !strings.Contains(location, "://") {
		b, err := openDir(location)
		if err != nil {
			return nil, err
		}
		return &Store{b: b}, nil
	}
	u, err := url.Parse(location)
	if err != nil {
		return nil, fmt.Errorf("document store URL: %w", err)
	}
	switch u.Scheme {
	case "file":
		if u.Host != "" && u.Host != "localhost" {
			return nil, fmt.Errorf("document store %s: a file:// URL names a directory on this machine (file:///srv/documents)", Redacted(location))
		}
		b, err := openDir(u.Path)
		if err != nil {
			return nil, err
		}
		return &Store{b: b}, nil
	case "s3":
		b, err := openS3(ctx, location)
		if err != nil {
			return nil, fmt.Errorf("open document store %s: %w", Redacted(location), err)
		}
		return &Store{b: b}, nil
	}
	return nil, fmt.Errorf("document store %s: not a directory, a file:// URL or an s3:// URL", Redacted(location))
}

// Redacted is a store URL with any password in it hidden, for logs.
func Redacted(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Close releases the store.
func (s *Store) Close() error { return s.b.close() }

// Put stores r's bytes under sha, which the caller has computed over exactly those bytes; bytes
// that turn out to hash to something else are refused and nothing is kept. A file already
// stored under sha is left as it is (the same hash is the same bytes) but counts as written now.
func (s *Store) Put(ctx context.Context, sha, mediaType string, r io.Reader) error {
	if !ValidHash(sha) {
		return fmt.Errorf("blob key %q: not a SHA-256", sha)
	}
	if err := s.b.put(ctx, sha, mediaType, &verifying{r: r, h: sha256.New(), want: sha}); err != nil {
		return fmt.Errorf("store blob %s: %w", sha, err)
	}
	return nil
}

// Open opens the file stored under sha for reading.
func (s *Store) Open(ctx context.Context, sha string) (Reader, error) {
	if !ValidHash(sha) {
		return nil, fmt.Errorf("blob key %q: not a SHA-256", sha)
	}
	r, err := s.b.open(ctx, sha)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("blob %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", sha, err)
	}
	return r, nil
}

// Delete removes the file stored under sha; for tests that lose a file on purpose. The register
// removes files only through Sweep: another decision may hold the same bytes.
func (s *Store) Delete(ctx context.Context, sha string) error {
	if !ValidHash(sha) {
		return fmt.Errorf("blob key %q: not a SHA-256", sha)
	}
	return s.b.delete(ctx, sha)
}

// verifying reads through to r and fails at its end, instead of reporting it, when the bytes
// read do not hash to want: a backend then keeps nothing.
type verifying struct {
	r    io.Reader
	h    hash.Hash
	want string
}

func (v *verifying) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	if err == io.EOF {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, fmt.Errorf("the bytes hash to %s, not to their name", got)
		}
	}
	return n, err
}
