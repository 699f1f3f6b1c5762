package blobstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// TestOpenLocations: a directory (made when missing) and a file:// URL open the same layout; a
// scheme the register does not wire, and a file:// URL naming another machine, are refused.
func TestOpenLocations(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "made", "on", "demand")
	a, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sha := hashOf("hello")
	if err := a.Put(ctx, sha, "text/plain", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sha256", sha)); err != nil {
		t.Errorf("not kept at DIR/sha256/HASH, where earlier releases kept it: %v", err)
	}
	b, err := Open(ctx, "file://"+filepath.ToSlash(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if r, err := b.Open(ctx, sha); err != nil {
		t.Errorf("file:// URL of the same directory: Open = %v", err)
	} else {
		r.Close()
	}
	for _, loc := range []string{"gs://documents", "file://elsewhere/srv/documents", ""} {
		if s, err := Open(ctx, loc); err == nil {
			s.Close()
			t.Errorf("Open(%q) opened a store", loc)
		}
	}
}

// TestDirectory runs the store's contract on a directory.
func TestDirectory(t *testing.T) {
	s, err := Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testContract(t, s)
}

// testContract is what every backend must do: keep bytes under their hash, refuse bytes that
// are not what their name says (keeping nothing), read back with ranges, and sweep only the
// unreferenced.
func testContract(t *testing.T, s *Store) {
	ctx := context.Background()
	kept, orphan := hashOf("kept"), hashOf("orphan")
	for sha, body := range map[string]string{kept: "kept", orphan: "orphan"} {
		if err := s.Put(ctx, sha, "text/plain", strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
	}
	r, err := s.Open(ctx, kept)
	if err != nil {
		t.Fatal(err)
	}
	if r.Size() != 4 {
		t.Errorf("Size() = %d, want 4", r.Size())
	}
	if _, err := r.Seek(2, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(r); err != nil || string(b) != "pt" {
		t.Errorf("read from offset 2 = %q, %v; want \"pt\"", b, err)
	}
	r.Close()
	// A second Put of the same bytes is no error.
	if err := s.Put(ctx, kept, "text/plain", strings.NewReader("kept")); err != nil {
		t.Errorf("Put again = %v", err)
	}
	liar := hashOf("what was promised")
	if err := s.Put(ctx, liar, "text/plain", strings.NewReader("something else")); err == nil {
		t.Error("Put kept bytes under a hash they do not have")
	}
	if _, err := s.Open(ctx, liar); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(the refused hash) = %v, want ErrNotFound", err)
	}
	if _, err := s.Open(ctx, hashOf("never stored")); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(unknown) = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"not-a-hash", "../../etc/passwd", strings.ToUpper(kept)} {
		if err := s.Put(ctx, bad, "text/plain", strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) took a key that is not a SHA-256", bad)
		}
		if _, err := s.Open(ctx, bad); err == nil {
			t.Errorf("Open(%q) took a key that is not a SHA-256", bad)
		}
	}

	var asked []string
	unreferenced := func(_ context.Context, hashes []string) ([]string, error) {
		asked = append(asked, hashes...)
		return slices.DeleteFunc(slices.Clone(hashes), func(h string) bool { return h == kept }), nil
	}
	// Nothing written before an hour ago: nothing goes.
	if n, err := s.Sweep(ctx, time.Now().Add(-time.Hour), unreferenced); err != nil || n != 0 || len(asked) != 0 {
		t.Errorf("Sweep(new files) = %d, %v, asking about %v; want nothing removed or asked", n, err, asked)
	}
	n, err := s.Sweep(ctx, time.Now().Add(time.Hour), unreferenced)
	if err != nil || n != 1 {
		t.Errorf("Sweep = %d, %v; want the one orphan removed", n, err)
	}
	if _, err := s.Open(ctx, orphan); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(orphan) after the sweep = %v, want ErrNotFound", err)
	}
	if r, err := s.Open(ctx, kept); err != nil {
		t.Errorf("Open(referenced) after the sweep = %v", err)
	} else {
		r.Close()
	}
}

// TestPutRenewsAnOldFile: storing bytes that are already there counts them as written now, so a
// sweep that began before (and found them old and unreferenced) keeps them for the record about
// to name them.
func TestPutRenewsAnOldFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	sha := hashOf("again")
	if err := s.Put(ctx, sha, "text/plain", strings.NewReader("again")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(filepath.Join(dir, "sha256", sha), old, old); err != nil {
		t.Fatal(err)
	}
	before := time.Now().Add(-24 * time.Hour)
	orphans := func(_ context.Context, h []string) ([]string, error) {
		// The file is found old and unreferenced; the same bytes are uploaded again now.
		if err := s.Put(ctx, sha, "text/plain", strings.NewReader("again")); err != nil {
			t.Fatal(err)
		}
		return h, nil
	}
	if n, err := s.Sweep(ctx, before, orphans); err != nil || n != 0 {
		t.Errorf("Sweep = %d, %v; want the file uploaded again kept", n, err)
	}
	if r, err := s.Open(ctx, sha); err != nil {
		t.Errorf("Open after the sweep = %v", err)
	} else {
		r.Close()
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "sha256"))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d entries, want the one file (no temporary file left)", len(entries))
	}
}

// TestS3NeedsTheTag: an s3:// location in a binary built without -tags s3 is refused with a
// message that says how to build one that takes it.
func TestS3NeedsTheTag(t *testing.T) {
	_, err := Open(context.Background(), "s3://documents?region=eu-west-2")
	if S3 {
		if err != nil {
			t.Errorf("Open(s3://) with -tags s3 = %v", err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), "-tags s3") {
		t.Errorf("Open(s3://) without -tags s3 = %v, want a message naming the tag", err)
	}
}
