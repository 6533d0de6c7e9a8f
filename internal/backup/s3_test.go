package backup

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard/internal/backup/s3test"
)

// startS3 starts a real S3-compatible server (s3test: versitygw) with
// bucket and returns its configuration. In CI (CI=true) a missing or
// broken server fails the test; elsewhere it skips with instructions.
func startS3(tb testing.TB, bucket string) S3Config {
	tb.Helper()
	srv := s3test.Start(tb, bucket)
	return S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKeyID, SecretAccessKey: srv.SecretAccessKey, PathStyle: true}
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

// TestS3Register keeps the signed erasure register beside backups in a
// bucket of a real S3-compatible server: a missing object is an empty
// register, a written one is replaced and read back, a changed one is
// refused with an error naming the object, and neither List nor pruning
// ever touches it.
func TestS3Register(t *testing.T) {
	s3 := startS3(t, "switchboard-register")
	loc, err := ParseLocation("s3://switchboard-register/prod", s3)
	must(t, err)
	key := backupKey(t)

	reg, err := ReadRegister(bg(), loc, key)
	if err != nil || reg != nil {
		t.Fatalf("missing register: %v %+v", err, reg)
	}
	first := erasures(2)
	must(t, WriteRegister(bg(), loc, first, key))
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, first)
	second := append(first, erasures(3)...)
	must(t, WriteRegister(bg(), loc, second, key))
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, second)
	// Another prefix in the same bucket has its own (here: no) register.
	other, err := ParseLocation("s3://switchboard-register/staging", s3)
	must(t, err)
	if reg, err := ReadRegister(bg(), other, key); err != nil || reg != nil {
		t.Fatalf("register under another prefix: %v %+v", err, reg)
	}

	// Backups beside it: List never returns it, pruning never deletes it.
	src := newSQLite(t, masterKey(t))
	populate(t, src, 1)
	for i := range 3 {
		_, _, err := Write(bg(), loc, src.db, key, CreateOptions{Clock: fixedClock(t0.Add(time.Duration(i) * time.Hour))})
		must(t, err)
	}
	deleted, err := Prune(bg(), loc, 1)
	must(t, err)
	objs, err := loc.List(bg())
	must(t, err)
	if len(deleted) != 2 || len(objs) != 1 || objs[0].Name != Name(t0.Add(2*time.Hour)) {
		t.Fatalf("prune deleted %v, left %+v", deleted, objs)
	}
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, second)

	// Someone with write access to the bucket removes an erasure.
	rc, err := loc.Open(bg(), RegisterName)
	must(t, err)
	signed, err := io.ReadAll(rc)
	rc.Close()
	must(t, err)
	lines := strings.SplitAfter(string(signed), "\n")
	tampered := strings.Join(append(lines[:1:1], lines[2:]...), "")
	up, err := loc.Create(bg(), RegisterName)
	must(t, err)
	_, err = io.WriteString(up, tampered)
	must(t, err)
	must(t, up.Commit())
	reg, err = ReadRegister(bg(), loc, key)
	if !errors.Is(err, ErrRegisterSignature) || !strings.Contains(err.Error(), "s3://switchboard-register/prod/erasures.jsonl") || reg != nil {
		t.Fatalf("tampered register in the bucket: %v %+v", err, reg)
	}
	if _, err := ReadRegister(bg(), loc, backupKey(t)); !errors.Is(err, ErrRegisterSignature) {
		t.Fatalf("register read with another backup key: %v", err)
	}
	// Writing it again (as the next backup does) repairs it.
	must(t, WriteRegister(bg(), loc, second, key))
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, second)
}
