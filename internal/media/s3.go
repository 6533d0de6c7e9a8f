package media

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/s3client"
)

// S3 is a [switchboard.BlobStore] in a bucket of an S3-compatible service,
// for several instances that share their media. It stores the very bytes
// [Files] stores: streams that [Encrypt] sealed under the contact's data
// key before they reach Put, so the service never sees customer plaintext
// and a blob copied between the two stores stays readable. An object
// appears only when its upload completed.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	desc   string
}

var _ switchboard.BlobStore = (*S3)(nil)

// uploadPartSize bounds the memory one upload of unknown length buffers.
const uploadPartSize = 16 << 20

// NewS3 returns the store for an s3://bucket/prefix location. It does not
// connect; [S3.Check] does.
func NewS3(location string, cfg s3client.Config) (*S3, error) {
	rest, ok := strings.CutPrefix(location, "s3://")
	if !ok {
		return nil, fmt.Errorf("media: store %q must look like s3://bucket/prefix", location)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if bucket == "" {
		return nil, fmt.Errorf("media: store %q names no bucket (s3://bucket/prefix)", location)
	}
	client, err := s3client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: bucket, prefix: prefix, desc: "s3://" + bucket + "/" + prefix}, nil
}

func (s *S3) String() string { return s.desc }

// Check fails unless the bucket exists and the credentials may list it, so
// bad settings stop the server at start rather than at the first file.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("media store %s: %w", s.desc, err)
	}
	if !ok {
		return fmt.Errorf("media store %s: the bucket %q does not exist", s.desc, s.bucket)
	}
	// One page of one key proves the credentials may list; the listing
	// ends with the context.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	info, ok := <-s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, MaxKeys: 1})
	if ok && info.Err != nil {
		return fmt.Errorf("media store %s: list: %w", s.desc, info.Err)
	}
	return nil
}

func (s *S3) key(name string) (string, error) {
	if !switchboard.ValidID(name) {
		return "", fmt.Errorf("media: invalid blob name %q", name)
	}
	return s.prefix + name, nil
}

// Put uploads r under name.
func (s *S3) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	key, err := s.key(name)
	if err != nil {
		return 0, err
	}
	info, err := s.client.PutObject(ctx, s.bucket, key, ctxReader{ctx, r}, -1, minio.PutObjectOptions{
		ContentType: "application/octet-stream",
		PartSize:    uploadPartSize,
		NumThreads:  1,
	})
	if err != nil {
		return 0, fmt.Errorf("upload media file: %w", err)
	}
	return info.Size, nil
}

// Get opens the object stored under name.
func (s *S3) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	key, err := s.key(name)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("open media file: %w", err)
	}
	// GetObject is lazy: Stat surfaces a missing object now.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, switchboard.NotFound("Media")
		}
		return nil, fmt.Errorf("open media file: %w", err)
	}
	return obj, nil
}

// Delete removes the object; a missing object is not an error.
func (s *S3) Delete(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil
		}
		return fmt.Errorf("delete media file: %w", err)
	}
	return nil
}
