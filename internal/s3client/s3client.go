// Package s3client connects to an S3-compatible service (AWS, Hetzner,
// IONOS, MinIO, versitygw, …) for the backups and the media store, so both
// read the same settings the same way.
package s3client

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Config is how to reach an S3-compatible service. It comes from the
// operator's configuration only, never from a user, so its endpoint may be
// on a private network (docs/security.md).
type Config struct {
	// Endpoint is host[:port] or a URL; an http:// URL disables TLS.
	// Empty means AWS (s3.amazonaws.com).
	Endpoint        string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// PathStyle addresses buckets as endpoint/bucket rather than
	// bucket.endpoint, as most self-hosted services need.
	PathStyle bool
}

// New returns a client for cfg. It does not connect yet.
func New(cfg Config) (*minio.Client, error) {
	endpoint, secure := cfg.Endpoint, true
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	if strings.Contains(endpoint, "://") {
		u, err := url.Parse(endpoint)
		if err != nil {
			return nil, fmt.Errorf("S3 endpoint: %w", err)
		}
		switch u.Scheme {
		case "http", "https":
		default:
			return nil, fmt.Errorf("S3 endpoint %q: the scheme must be http or https", cfg.Endpoint)
		}
		if u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("S3 endpoint %q must be a host[:port] or a URL with nothing after the host", cfg.Endpoint)
		}
		endpoint, secure = u.Host, u.Scheme == "https"
	}
	lookup := minio.BucketLookupAuto
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	client, err := minio.New(endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKeyID, cfg.SecretAccessKey, ""),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
	})
	if err != nil {
		return nil, fmt.Errorf("S3 client: %w", err)
	}
	return client, nil
}
