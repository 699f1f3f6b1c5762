package blobstore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenSchemes: a directory and a file:// URL open a local bucket, an s3:// URL (any
// S3-compatible endpoint) opens through s3blob without touching the network until used, and a
// scheme the register does not wire is refused.
func TestOpenSchemes(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "made", "on", "demand")
	for _, loc := range []string{dir, "file://" + filepath.ToSlash(t.TempDir()),
		"s3://documents?region=eu-west-2&endpoint=http://127.0.0.1:9&use_path_style=true"} {
		s, err := Open(ctx, loc)
		if err != nil {
			t.Errorf("Open(%q) = %v", loc, err)
			continue
		}
		s.Close()
	}
	if _, err := Open(ctx, "gs://documents"); err == nil {
		t.Error("Open(gs://) opened a bucket the register does not wire")
	}
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const sha = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" // "hello"
	if err := s.Put(ctx, sha, "text/plain", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Open(ctx, sha)
	if err != nil || r.Size() != 5 {
		t.Fatalf("Open(%s) = %v", sha, err)
	}
	r.Close()
	if err := s.Put(ctx, "not-a-hash", "text/plain", strings.NewReader("x")); err == nil {
		t.Error("Put took a key that is not a SHA-256")
	}
}
