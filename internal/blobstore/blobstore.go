// Package blobstore keeps files by their content: each is stored once, under its SHA-256, in a
// gocloud.dev/blob bucket (a local directory by default, an S3-compatible bucket by
// configuration). The key is the hash, so a file never changes once written, the same file
// attached twice is kept once, and any copy can be checked against its name.
package blobstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/fileblob" // file:// buckets: a local directory
	_ "gocloud.dev/blob/s3blob"   // s3:// buckets: AWS S3 or any S3-compatible service
	"gocloud.dev/gcerrors"
)

// ErrNotFound means no file is stored under that hash.
var ErrNotFound = errors.New("blob not found")

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidHash reports whether h is a lower-case hex SHA-256, the only form a key takes.
func ValidHash(h string) bool { return sha256Hex.MatchString(h) }

// Store is a bucket of files named by their SHA-256.
type Store struct {
	bucket *blob.Bucket
}

// Open opens the bucket at location: a gocloud.dev/blob URL ("file:///srv/documents",
// "s3://bucket?region=eu-west-2&endpoint=https://minio.example:9000&use_path_style=true"), or a
// plain directory path, which is created when missing.
func Open(ctx context.Context, location string) (*Store, error) {
	u, err := BucketURL(location)
	if err != nil {
		return nil, err
	}
	b, err := blob.OpenBucket(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("open document store %s: %w", Redacted(u), err)
	}
	return &Store{bucket: b}, nil
}

// BucketURL turns a plain directory path into a file:// bucket URL (created when missing, its
// temporary files beside it so a rename never crosses file systems, no metadata files beside
// each document); a URL is returned as it is.
func BucketURL(location string) (string, error) {
	if location == "" {
		return "", errors.New("document store: no location")
	}
	if strings.Contains(location, "://") {
		if _, err := url.Parse(location); err != nil {
			return "", fmt.Errorf("document store URL: %w", err)
		}
		return location, nil
	}
	abs, err := filepath.Abs(location)
	if err != nil {
		return "", fmt.Errorf("document store directory %q: %w", location, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return "", fmt.Errorf("document store directory: %w", err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs),
		RawQuery: "create_dir=true&no_tmp_dir=true&metadata=skip"}).String(), nil
}

// Redacted is a bucket URL with any password in it hidden, for logs.
func Redacted(location string) string {
	u, err := url.Parse(location)
	if err != nil {
		return "(unparseable)"
	}
	return u.Redacted()
}

// Close closes the bucket.
func (s *Store) Close() error { return s.bucket.Close() }

func key(sha string) (string, error) {
	if !ValidHash(sha) {
		return "", fmt.Errorf("blob key %q: not a SHA-256", sha)
	}
	return "sha256/" + sha, nil
}

// Put stores r's bytes under sha, which the caller has computed over exactly those bytes. A
// file already stored under sha is left as it is: the same hash is the same bytes.
func (s *Store) Put(ctx context.Context, sha, mediaType string, r io.Reader) error {
	k, err := key(sha)
	if err != nil {
		return err
	}
	if ok, err := s.bucket.Exists(ctx, k); err != nil {
		return fmt.Errorf("look for blob %s: %w", sha, err)
	} else if ok {
		return nil
	}
	opts := &blob.WriterOptions{ContentType: mediaType, ContentDisposition: "attachment"}
	if err := s.bucket.Upload(ctx, k, r, opts); err != nil {
		return fmt.Errorf("store blob %s: %w", sha, err)
	}
	return nil
}

// Open opens the file stored under sha for reading: a ReadSeekCloser with its Size, so it can
// be served with http.ServeContent (ranges included).
func (s *Store) Open(ctx context.Context, sha string) (*blob.Reader, error) {
	k, err := key(sha)
	if err != nil {
		return nil, err
	}
	r, err := s.bucket.NewReader(ctx, k, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, fmt.Errorf("blob %s: %w", sha, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", sha, err)
	}
	return r, nil
}

// Delete removes the file stored under sha; for tests that lose a file on purpose. The register
// itself never deletes one: another decision may hold the same bytes.
func (s *Store) Delete(ctx context.Context, sha string) error {
	k, err := key(sha)
	if err != nil {
		return err
	}
	return s.bucket.Delete(ctx, k)
}
