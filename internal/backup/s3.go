package backup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard/internal/s3client"
)

// S3Config is how to reach an S3-compatible service.
type S3Config = s3client.Config

// S3 keeps backups as objects under a prefix in a bucket of an
// S3-compatible service (AWS, Hetzner, IONOS, MinIO, SeaweedFS, …). An
// object appears only when its upload completed, so a failed backup leaves
// no object behind.
type S3 struct {
	client *minio.Client
	bucket string
	prefix string // "" or ending in "/"
	desc   string
}

var _ Location = (*S3)(nil)

// uploadPartSize bounds the memory an upload of unknown length buffers.
const uploadPartSize = 16 << 20

// NewS3 returns the location for bucket and prefix (from an
// s3://bucket/prefix URL).
func NewS3(bucket, prefix string, cfg S3Config) (*S3, error) {
	client, err := s3client.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	prefix = strings.Trim(prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: bucket, prefix: prefix, desc: "s3://" + bucket + "/" + prefix}, nil
}

func (s *S3) String() string { return s.desc }

func (s *S3) key(name string) (string, error) {
	if _, ok := parseName(name); !ok && name != RegisterName {
		return "", fmt.Errorf("backup: %q is not a backup name", name)
	}
	return s.prefix + name, nil
}

// Create streams the backup as a multipart upload.
func (s *S3) Create(ctx context.Context, name string) (Upload, error) {
	key, err := s.key(name)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	u := &s3Upload{pw: pw, cancel: cancel, done: make(chan error, 1)}
	go func() {
		_, err := s.client.PutObject(ctx, s.bucket, key, pr, -1, minio.PutObjectOptions{
			ContentType: "application/octet-stream",
			PartSize:    uploadPartSize,
			NumThreads:  1,
		})
		pr.CloseWithError(err)
		u.done <- err
	}()
	return u, nil
}

type s3Upload struct {
	pw     *io.PipeWriter
	cancel context.CancelFunc
	done   chan error
}

func (u *s3Upload) Write(p []byte) (int, error) { return u.pw.Write(p) }

func (u *s3Upload) Commit() error {
	u.pw.Close()
	err := <-u.done
	u.cancel()
	if err != nil {
		return fmt.Errorf("backup: upload: %w", err)
	}
	return nil
}

func (u *s3Upload) Abort() {
	// An error from the reader makes the client abort the multipart
	// upload, so no object appears.
	u.pw.CloseWithError(errors.New("backup aborted"))
	<-u.done
	u.cancel()
}

// Open reads a backup object.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	key, err := s.key(name)
	if err != nil {
		return nil, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	// GetObject is lazy: Stat surfaces a missing object now.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, fmt.Errorf("backup: open %s%s: %w", s.desc, name, err)
	}
	return obj, nil
}

// List lists the backups under the prefix.
func (s *S3) List(ctx context.Context) ([]Object, error) {
	var objs []Object
	for info := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix}) {
		if info.Err != nil {
			return nil, fmt.Errorf("backup: list %s: %w", s.desc, info.Err)
		}
		name := path.Base(info.Key)
		if strings.TrimPrefix(info.Key, s.prefix) != name {
			continue // in a sub-folder
		}
		if t, ok := parseName(name); ok {
			objs = append(objs, Object{Name: name, Size: info.Size, Time: t})
		}
	}
	sortObjects(objs)
	return objs, nil
}

// Delete removes a backup object.
func (s *S3) Delete(ctx context.Context, name string) error {
	key, err := s.key(name)
	if err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("backup: delete %s%s: %w", s.desc, name, err)
	}
	return nil
}

// ParseLocation returns the location for a --to value: s3://bucket/prefix
// or a directory.
func ParseLocation(to string, s3 S3Config) (Location, error) {
	if rest, ok := strings.CutPrefix(to, "s3://"); ok {
		bucket, prefix, _ := strings.Cut(rest, "/")
		if bucket == "" {
			return nil, fmt.Errorf("backup: %q names no bucket (s3://bucket/prefix)", to)
		}
		return NewS3(bucket, prefix, s3)
	}
	if to == "" {
		return nil, errors.New("backup: no location given")
	}
	return &Dir{Path: to}, nil
}

// ParseBackup splits the location of one backup (a file path or
// s3://bucket/prefix/name) into its location and name.
func ParseBackup(where string, s3 S3Config) (Location, string, error) {
	i := strings.LastIndex(where, "/")
	dir, name := where[:i+1], where[i+1:]
	if _, ok := parseName(name); !ok {
		return nil, "", fmt.Errorf("backup: %q is not a backup (switchboard-<time>.backup)", where)
	}
	switch dir {
	case "":
		dir = "."
	case "/":
	default:
		dir = strings.TrimSuffix(dir, "/")
	}
	loc, err := ParseLocation(dir, s3)
	return loc, name, err
}
