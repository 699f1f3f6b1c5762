//go:build !s3

package blobstore

import (
	"context"
	"errors"
)

// S3 tells whether this binary can keep documents in an S3 bucket (built with -tags s3).
const S3 = false

// ErrNoS3 is an s3:// location given to a binary built without S3 support, which keeps the AWS
// SDK out of the default build.
var ErrNoS3 = errors.New("this binary has no S3 support: build it with `go build -tags s3 ./cmd/decisions` (or use a directory)")

func openS3(context.Context, string) (backend, error) { return nil, ErrNoS3 }
