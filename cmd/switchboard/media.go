package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/media"
)

// openBlobs returns the media store: files in <data-dir>/media, or the S3
// bucket of --media-store, checked now so that a wrong endpoint, bucket or
// key stops the command at start with a message that says which.
func openBlobs(ctx context.Context, c *Config) (switchboard.BlobStore, error) {
	if c.MediaStore == "" {
		return &media.Files{Dir: filepath.Join(c.DataDir, "media")}, nil
	}
	s, err := media.NewS3(c.MediaStore, c.MediaS3())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.Check(ctx); err != nil {
		return nil, fmt.Errorf("%w (check SWITCHBOARD_MEDIA_STORE and SWITCHBOARD_MEDIA_S3_*)", err)
	}
	return s, nil
}
