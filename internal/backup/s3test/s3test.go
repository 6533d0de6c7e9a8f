// Package s3test starts a real S3-compatible server for tests: the Versity
// S3 Gateway (versitygw) with its POSIX backend, on a free loopback port.
// It is a production S3 server that builds from the Go module proxy in about
// a minute, where SeaweedFS took up to 40 minutes on a busy 2-core machine.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Version is the versitygw release .ci/run installs (go install
// github.com/versity/versitygw/cmd/versitygw@Version).
const Version = "v1.8.0"

// Server is a running test server with one access key and one bucket.
type Server struct {
	Endpoint        string // http://127.0.0.1:<port>
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	Bucket          string
}

// Binary finds versitygw: $SWITCHBOARD_TEST_S3_SERVER, versitygw on the
// PATH, or $GOPATH/bin/versitygw, where .ci/run installs it (docs/backup.md,
// Testing).
func Binary() string {
	if p := os.Getenv("SWITCHBOARD_TEST_S3_SERVER"); p != "" {
		return p
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "versitygw")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// Start starts the server with bucket and stops it when the test ends. In
// CI (CI=true) a missing or broken server fails the test, so the S3 tests
// cannot silently stop running; elsewhere it skips with instructions.
func Start(tb testing.TB, bucket string) *Server {
	tb.Helper()
	unavailable := func(format string, args ...any) {
		tb.Helper()
		msg := fmt.Sprintf(format, args...) + "; install it with the command in docs/backup.md (Testing) or set SWITCHBOARD_TEST_S3_SERVER"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	bin := Binary()
	if bin == "" {
		unavailable("the S3 test server (versitygw) is not installed")
	}
	srv := &Server{Region: "us-east-1", AccessKeyID: "sbtestkey", SecretAccessKey: "sbtestsecret-0123456789", Bucket: bucket}
	root := filepath.Join(tb.TempDir(), "s3")
	if err := os.Mkdir(root, 0o700); err != nil {
		tb.Fatal(err)
	}
	port := freePort(tb)
	var logs bytes.Buffer
	cmd := exec.Command(bin, "--port", fmt.Sprintf("127.0.0.1:%d", port), "--region", srv.Region, "--quiet", "posix", root)
	// The root credentials go by environment, not on the command line.
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+srv.AccessKeyID, "ROOT_SECRET_ACCESS_KEY="+srv.SecretAccessKey)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		unavailable("cannot start %s: %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	srv.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", port)
	// Ready when the bucket can be created and answers an authenticated listing.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			unavailable("the S3 test server exited: %s", logs.String())
		default:
		}
		err := srv.createBucket()
		if err == nil {
			return srv
		}
		if time.Now().After(deadline) {
			unavailable("the S3 test server did not become ready: %v: %s", err, logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Client returns a client for the server.
func (s *Server) Client() (*minio.Client, error) {
	u, err := url.Parse(s.Endpoint)
	if err != nil {
		return nil, err
	}
	return minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKeyID, s.SecretAccessKey, ""),
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
	})
}

// createBucket creates the bucket unless it exists, then lists it once.
func (s *Server) createBucket() error {
	client, err := s.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ok, err := client.BucketExists(ctx, s.Bucket); err != nil {
		return err
	} else if !ok {
		if err := client.MakeBucket(ctx, s.Bucket, minio.MakeBucketOptions{Region: s.Region}); err != nil {
			return err
		}
	}
	return s.list()
}

// list lists the bucket once.
func (s *Server) list() error {
	client, err := s.Client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for info := range client.ListObjects(ctx, s.Bucket, minio.ListObjectsOptions{MaxKeys: 1}) {
		if info.Err != nil {
			return info.Err
		}
	}
	return nil
}

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
