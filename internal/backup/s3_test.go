package backup

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// weedBinary finds SeaweedFS's weed: $SWITCHBOARD_TEST_WEED, weed on the
// PATH, or $GOPATH/bin/weed. .ci/run installs it (see docs/backup.md).
func weedBinary() string {
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

func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(tb, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startS3 starts a real S3-compatible server, SeaweedFS in its single
// process "mini" mode, on free loopback ports, with one access key and a
// bucket, and returns its configuration. In CI (CI=true) a missing or
// broken server fails the test; elsewhere it skips with instructions.
func startS3(tb testing.TB, bucket string) S3Config {
	tb.Helper()
	unavailable := func(format string, args ...any) {
		tb.Helper()
		msg := fmt.Sprintf(format, args...) + "; install it with the command in docs/backup.md (Testing) or set SWITCHBOARD_TEST_WEED"
		if os.Getenv("CI") == "true" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	bin := weedBinary()
	if bin == "" {
		unavailable("the S3 test server (SeaweedFS weed) is not installed")
	}
	dir := tb.TempDir()
	cfg := filepath.Join(dir, "s3.json")
	must(tb, os.WriteFile(cfg, []byte(`{"identities":[{"name":"switchboard","credentials":[{"accessKey":"sbtestkey","secretKey":"sbtestsecret-0123456789"}],"actions":["Admin","Read","Write","List","Tagging"]}]}`), 0o600))
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
	s3 := S3Config{Endpoint: fmt.Sprintf("http://127.0.0.1:%d", s3Port), Region: "us-east-1",
		AccessKeyID: "sbtestkey", SecretAccessKey: "sbtestsecret-0123456789", PathStyle: true}
	// Ready when the bucket answers an authenticated listing.
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-exited:
			unavailable("the S3 test server exited: %s", logs.String())
		default:
		}
		if resp, err := http.Get(s3.Endpoint + "/"); err == nil {
			resp.Body.Close()
			loc, err := NewS3(bucket, "", s3)
			must(tb, err)
			ctx, cancel := context.WithTimeout(bg(), 5*time.Second)
			_, err = loc.List(ctx)
			cancel()
			if err == nil {
				return s3
			}
		}
		if time.Now().After(deadline) {
			unavailable("the S3 test server did not become ready: %s", logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestS3Location stores, lists, verifies, restores and prunes backups in a
// bucket of a real S3-compatible server, and checks that a failed upload
// leaves no object behind.
func TestS3Location(t *testing.T) {
	s3 := startS3(t, "switchboard-backups")
	loc, err := ParseLocation("s3://switchboard-backups/prod/eu", s3)
	must(t, err)

	mk := masterKey(t)
	src := newSQLite(t, mk)
	f := populate(t, src, 3)
	key := backupKey(t)
	m, obj, err := Write(bg(), loc, src.db, key, CreateOptions{Blobs: src.blobs})
	must(t, err)
	objs, err := loc.List(bg())
	must(t, err)
	if len(objs) != 1 || objs[0].Name != obj.Name || objs[0].Size != obj.Size || obj.Size == 0 {
		t.Fatalf("listed %+v, wrote %+v", objs, obj)
	}

	// verify and restore straight from the bucket, by URL.
	bl, name, err := ParseBackup("s3://switchboard-backups/prod/eu/"+obj.Name, s3)
	must(t, err)
	open := func(ctx context.Context) (io.ReadCloser, error) { return bl.Open(ctx, name) }
	rc, err := open(bg())
	must(t, err)
	vm, err := Verify(bg(), rc, key)
	rc.Close()
	must(t, err)
	if vm.Rows["messages"] != m.Rows["messages"] {
		t.Fatalf("verified %d messages, wrote %d", vm.Rows["messages"], m.Rows["messages"])
	}
	dst := newSQLite(t, mk)
	must(t, dst.db.Close())
	dst.db = nil
	_, err = Restore(bg(), open, key, RestoreOptions{Open: dst.open, Blobs: dst.blobs})
	dst.reopen(t)
	must(t, err)
	compareInstances(t, src, dst, f.admin.ID)

	// A backup that fails half-way leaves nothing in the bucket.
	failing := &failingSource{src: src.db, after: 50}
	if _, _, err := Write(bg(), loc, failing, key, CreateOptions{Clock: fixedClock(t0)}); err == nil {
		t.Fatal("a failing backup succeeded")
	}
	objs, err = loc.List(bg())
	must(t, err)
	if len(objs) != 1 {
		t.Fatalf("after a failed backup the bucket lists %d backups", len(objs))
	}
	if _, err := loc.Open(bg(), Name(t0)); err == nil {
		t.Fatal("the failed backup can be opened")
	}

	// Pruning keeps the newest.
	for i := range 3 {
		_, _, err := Write(bg(), loc, src.db, key, CreateOptions{Clock: fixedClock(t0.Add(time.Duration(i+1) * time.Hour))})
		must(t, err)
	}
	deleted, err := Prune(bg(), loc, 2)
	must(t, err)
	objs, err = loc.List(bg())
	must(t, err)
	if len(deleted) != 2 || len(objs) != 2 || objs[1].Name != obj.Name || objs[0].Name != Name(t0.Add(3*time.Hour)) {
		t.Fatalf("prune deleted %v, left %+v", deleted, objs)
	}
}
