package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/s3test"
	"github.com/switchboardhq/switchboard/internal/s3client"
	"github.com/switchboardhq/switchboard/internal/seal"
)

func s3Config(srv *s3test.Server) s3client.Config {
	return s3client.Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKeyID,
		SecretAccessKey: srv.SecretAccessKey, PathStyle: true}
}

// TestBlobStores: the directory and the S3 store (versitygw, a real S3
// server) behave alike: put, get, delete, a missing blob is ENotFound, a
// second delete is no error, and names that are not ids are refused.
func TestBlobStores(t *testing.T) {
	srv := s3test.Start(t, "media")
	s3, err := NewS3("s3://media/instance-a", s3Config(srv))
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	for name, store := range map[string]switchboard.BlobStore{"files": &Files{Dir: t.TempDir()}, "s3": s3} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			id := switchboard.NewID()
			big := make([]byte, 3*chunkSize+11)
			_, _ = rand.Read(big)
			if n, err := store.Put(ctx, id, bytes.NewReader(big)); err != nil || n != int64(len(big)) {
				t.Fatalf("put: %d %v", n, err)
			}
			rc, err := store.Get(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(got, big) {
				t.Fatalf("get: %d bytes, %v", len(got), err)
			}
			for _, bad := range []string{"../../etc/passwd", "", "a/b"} {
				if _, err := store.Put(ctx, bad, bytes.NewReader(nil)); err == nil {
					t.Errorf("put %q accepted", bad)
				}
			}
			if err := store.Delete(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := store.Delete(ctx, id); err != nil {
				t.Fatalf("second delete: %v", err)
			}
			if _, err := store.Get(ctx, id); switchboard.ErrorCode(err) != switchboard.ENotFound {
				t.Fatalf("get deleted: %v", err)
			}
		})
	}
}

// TestS3HoldsOnlySealedStreams: what reaches the bucket is the sealed
// stream, byte for byte what the directory store holds, so files move
// between the two stores (and through backups) unchanged; the plaintext is
// nowhere in the object.
func TestS3HoldsOnlySealedStreams(t *testing.T) {
	srv := s3test.Start(t, "media")
	ctx := context.Background()
	s3, err := NewS3("s3://media", s3Config(srv))
	if err != nil {
		t.Fatal(err)
	}
	files := &Files{Dir: t.TempDir()}
	k := key(t)
	id := switchboard.NewID()
	aad := seal.AAD("media", "blob", id)
	plain := bytes.Repeat([]byte("Kundin Erika Mustermann, IBAN DE89 3704 0044 0532 0130 00. "), 3000)
	for _, store := range []switchboard.BlobStore{files, s3} {
		pr, pw := io.Pipe()
		go func() { _, err := Encrypt(pw, bytes.NewReader(plain), k, aad); pw.CloseWithError(err) }()
		if _, err := store.Put(ctx, id, pr); err != nil {
			t.Fatal(err)
		}
	}
	client, err := srv.Client()
	if err != nil {
		t.Fatal(err)
	}
	obj, err := client.GetObject(ctx, "media", id, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(obj)
	obj.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, magic) || bytes.Contains(raw, []byte("Mustermann")) || bytes.Contains(raw, []byte("IBAN")) {
		t.Fatalf("the object is not a sealed stream (%d bytes)", len(raw))
	}
	// A stream sealed on disk decrypts from S3 and the other way round.
	for from, to := range map[switchboard.BlobStore]switchboard.BlobStore{files: s3, s3: files} {
		rc, err := from.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		other := switchboard.NewID()
		if _, err := to.Put(ctx, other, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		rc, err = to.Get(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(Decrypt(rc, k, aad))
		rc.Close()
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("copied stream: %v, equal=%v", err, bytes.Equal(got, plain))
		}
	}
}

// TestS3BadSettings: settings that cannot work fail with a message naming
// what is wrong, at NewS3 or at the start-up Check.
func TestS3BadSettings(t *testing.T) {
	srv := s3test.Start(t, "media")
	for loc, want := range map[string]string{
		"/var/media":  "must look like s3://bucket/prefix",
		"s3://":       "names no bucket",
		"s3:///files": "names no bucket",
	} {
		if _, err := NewS3(loc, s3Config(srv)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewS3(%q) = %v, want %q", loc, err, want)
		}
	}
	for endpoint, want := range map[string]string{
		"ftp://example.com":        "scheme must be http or https",
		"https://example.com/path": "nothing after the host",
	} {
		cfg := s3Config(srv)
		cfg.Endpoint = endpoint
		if _, err := NewS3("s3://media", cfg); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("endpoint %q: %v, want %q", endpoint, err, want)
		}
	}
	missing, err := NewS3("s3://no-such-bucket", s3Config(srv))
	if err != nil {
		t.Fatal(err)
	}
	if err := missing.Check(context.Background()); err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) {
		t.Errorf("missing bucket: %v", err)
	}
	cfg := s3Config(srv)
	cfg.SecretAccessKey = "wrong-secret-0123456789"
	wrong, err := NewS3("s3://media", cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Check(context.Background()); err == nil || !strings.Contains(err.Error(), "media store s3://media/") {
		t.Errorf("wrong secret: %v", err)
	}
}
