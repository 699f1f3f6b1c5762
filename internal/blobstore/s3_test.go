//go:build s3

package blobstore

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// TestS3 runs the store's contract on an S3 bucket: gofakes3, an S3-compatible server in the
// test's process, reached over real HTTP by the same s3blob driver the binary uses.
func TestS3(t *testing.T) {
	mem := s3mem.New()
	if err := mem.CreateBucket("documents"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(mem).Server())
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	s, err := Open(context.Background(), "s3://documents?region=eu-west-2&use_path_style=true&endpoint="+srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	testContract(t, s)
}

// TestS3URLs: an s3:// URL opens without touching the network until used; one with a setting
// s3blob does not know is refused, naming it.
func TestS3URLs(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, "s3://documents?region=eu-west-2&endpoint=http://127.0.0.1:9&use_path_style=true")
	if err != nil {
		t.Fatalf("Open(s3://) = %v", err)
	}
	s.Close()
	if _, err := Open(ctx, "s3://documents?regoin=eu-west-2"); err == nil || !strings.Contains(err.Error(), "regoin") {
		t.Errorf("Open(s3:// with a misspelt setting) = %v, want an error naming it", err)
	}
}
