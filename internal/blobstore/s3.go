//go:build s3

package blobstore

import (
	"context"
	"errors"
	"io"
	"time"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/s3blob" // s3:// URLs: AWS S3 or any S3-compatible service
	"gocloud.dev/gcerrors"
)

// S3 tells whether this binary can keep documents in an S3 bucket (built with -tags s3).
const S3 = true

// bucket keeps each file at sha256/HASH in an S3-compatible bucket, through gocloud.dev/blob.
type bucket struct {
	b *blob.Bucket
}

// openS3 opens an s3:// URL as s3blob reads it (region, endpoint, use_path_style, ...), with
// credentials from the usual AWS environment variables or profile.
func openS3(ctx context.Context, location string) (backend, error) {
	b, err := blob.OpenBucket(ctx, location)
	if err != nil {
		return nil, err
	}
	return &bucket{b: b}, nil
}

const s3Prefix = "sha256/"

// put always uploads, even bytes already there: an object's time is only renewed by writing
// it, and a sweep must see the file as new (see Sweep).
func (k *bucket) put(ctx context.Context, sha, mediaType string, r io.Reader) error {
	opts := &blob.WriterOptions{ContentType: mediaType, ContentDisposition: "attachment"}
	return k.b.Upload(ctx, s3Prefix+sha, r, opts)
}

func (k *bucket) open(ctx context.Context, sha string) (Reader, error) {
	r, err := k.b.NewReader(ctx, s3Prefix+sha, nil)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (k *bucket) delete(ctx context.Context, sha string) error {
	err := k.b.Delete(ctx, s3Prefix+sha)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return nil
	}
	return err
}

func (k *bucket) list(ctx context.Context, fn func(sha string, written time.Time) error) error {
	it := k.b.List(&blob.ListOptions{Prefix: s3Prefix})
	for {
		obj, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if sha := obj.Key[len(s3Prefix):]; ValidHash(sha) {
			if err := fn(sha, obj.ModTime); err != nil {
				return err
			}
		}
	}
}

// removeIfOlder looks at the object's time again just before removing it. S3 has no rename, so
// a put in the moment between the two can still lose its bytes; the directory store has no
// such moment.
func (k *bucket) removeIfOlder(ctx context.Context, sha string, before time.Time) (bool, error) {
	a, err := k.b.Attributes(ctx, s3Prefix+sha)
	if gcerrors.Code(err) == gcerrors.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !a.ModTime.Before(before) {
		return false, nil
	}
	return true, k.delete(ctx, sha)
}

func (k *bucket) close() error { return k.b.Close() }
