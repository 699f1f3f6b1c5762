//go:build !s3

package blobstore

import "context"

// S3 tells whether this binary can keep documents in an S3 bucket (built with -tags s3).
const S3 = false

func openS3(context.Context, string) (backend, error) { return nil, ErrNoS3 }
