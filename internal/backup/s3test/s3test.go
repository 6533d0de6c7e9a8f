// Package s3test starts a real S3-compatible server for tests: SeaweedFS
// (weed) in its single-process "mini" mode on free loopback ports.
package s3test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
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

// Server is a running test server with one access key and one bucket.
type Server struct {
	Endpoint        string // http://127.0.0.1:<port>
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	Bucket          string
}

// Binary finds SeaweedFS's weed: $SWITCHBOARD_TEST_WEED, weed on the PATH,
// or $GOPATH/bin/weed, where .ci/run builds it (docs/backup.md, Testing).
func Binary() string {
	if p := os.Getenv("SWITCHBOARD_TEST_WEED"); p != "" {
		return p
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "weed")
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
		msg := fmt.Sprintf(format, args...) + "; install it with the command in docs/backup.md (Testing) or set SWITCHBOARD_TEST_WEED"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	bin := Binary()
	if bin == "" {
		unavailable("the S3 test server (SeaweedFS weed) is not installed")
	}
	srv := &Server{Region: "us-east-1", AccessKeyID: "sbtestkey", SecretAccessKey: "sbtestsecret-0123456789", Bucket: bucket}
	dir := tb.TempDir()
	cfg := filepath.Join(dir, "s3.json")
	identities := fmt.Sprintf(`{"identities":[{"name":"switchboard","credentials":[{"accessKey":%q,"secretKey":%q}],"actions":["Admin","Read","Write","List","Tagging"]}]}`,
		srv.AccessKeyID, srv.SecretAccessKey)
	if err := os.WriteFile(cfg, []byte(identities), 0o600); err != nil {
		tb.Fatal(err)
	}
	s3Port := freePort(tb)
	args := []string{"mini", "-dir=" + filepath.Join(dir, "data"), "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		fmt.Sprintf("-master.port=%d", freePort(tb)), fmt.Sprintf("-master.port.grpc=%d", freePort(tb)),
		fmt.Sprintf("-volume.port=%d", freePort(tb)), fmt.Sprintf("-volume.port.grpc=%d", freePort(tb)),
		fmt.Sprintf("-filer.port=%d", freePort(tb)), fmt.Sprintf("-filer.port.grpc=%d", freePort(tb)),
		fmt.Sprintf("-s3.port=%d", s3Port), fmt.Sprintf("-s3.port.grpc=%d", freePort(tb)),
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-webdav=false", "-admin.ui=false",
		fmt.Sprintf("-admin.port=%d", freePort(tb)), "-admin.port.legacy=0",
		"-s3.config=" + cfg, "-bucket=" + bucket,
	}
	var logs bytes.Buffer
	cmd := exec.Command(bin, args...)
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
	srv.Endpoint = fmt.Sprintf("http://127.0.0.1:%d", s3Port)
	// Ready when the bucket answers an authenticated listing.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			unavailable("the S3 test server exited: %s", logs.String())
		default:
		}
		if resp, err := http.Get(srv.Endpoint + "/"); err == nil {
			resp.Body.Close()
			if err := srv.list(); err == nil {
				return srv
			}
		}
		if time.Now().After(deadline) {
			unavailable("the S3 test server did not become ready: %s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// list lists the bucket once.
func (s *Server) list() error {
	u, err := url.Parse(s.Endpoint)
	if err != nil {
		return err
	}
	client, err := minio.New(u.Host, &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKeyID, s.SecretAccessKey, ""),
		Region:       s.Region,
		BucketLookup: minio.BucketLookupPath,
	})
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
