package backup

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

var _ switchboard.Clock = fixedClock{}

// failingSource fails after a number of rows, like a database that goes
// away in the middle of a backup.
type failingSource struct {
	src   Source
	after int
}

var errSourceFailed = errors.New("database went away")

func (s *failingSource) Dump(ctx context.Context, emit func(*dump.Table, []any) error) (dump.Info, error) {
	n := 0
	return s.src.Dump(ctx, func(t *dump.Table, row []any) error {
		if n++; n > s.after {
			return errSourceFailed
		}
		return emit(t, row)
	})
}

// TestDirLocation writes backups into a directory: only complete backups
// ever carry a backup name, a failed one leaves no file, and pruning keeps
// the newest.
func TestDirLocation(t *testing.T) {
	src := newSQLite(t, masterKey(t))
	populate(t, src, 2)
	key := backupKey(t)
	loc := &Dir{Path: filepath.Join(t.TempDir(), "backups")}

	_, _, err := Write(bg(), loc, &failingSource{src: src.db, after: 30}, key, CreateOptions{})
	if !errors.Is(err, errSourceFailed) {
		t.Fatalf("failing backup: %v", err)
	}
	if ents, _ := os.ReadDir(loc.Path); len(ents) != 0 {
		t.Fatalf("a failed backup left %d files", len(ents))
	}

	must(t, os.WriteFile(filepath.Join(loc.Path, "notes.txt"), []byte("not a backup"), 0o600))
	// Left by a backup whose process died two days ago, and one running now.
	stale := filepath.Join(loc.Path, "."+Name(t0)+".tmp-abc")
	running := filepath.Join(loc.Path, "."+Name(t0.Add(time.Minute))+".tmp-def")
	must(t, os.WriteFile(stale, []byte("partial"), 0o600))
	must(t, os.WriteFile(running, []byte("partial"), 0o600))
	must(t, os.Chtimes(stale, time.Now().Add(-48*time.Hour), time.Now().Add(-48*time.Hour)))
	for i := range 4 {
		_, obj, err := Write(bg(), loc, src.db, key, CreateOptions{Clock: fixedClock(t0.Add(time.Duration(i) * time.Hour))})
		must(t, err)
		if fi, err := os.Stat(filepath.Join(loc.Path, obj.Name)); err != nil || fi.Size() != obj.Size || fi.Mode().Perm() != 0o600 {
			t.Fatalf("backup file %v: %v", fi, err)
		}
	}
	if _, _, err := Write(bg(), loc, src.db, key, CreateOptions{Clock: fixedClock(t0)}); err == nil {
		t.Fatal("a second backup with the same name replaced the first")
	}
	deleted, err := Prune(bg(), loc, 3)
	must(t, err)
	objs, err := loc.List(bg())
	must(t, err)
	if len(deleted) != 1 || deleted[0] != Name(t0) || len(objs) != 3 || objs[0].Name != Name(t0.Add(time.Hour)) {
		t.Fatalf("prune deleted %v, left %+v", deleted, objs)
	}
	if _, err := os.Stat(filepath.Join(loc.Path, "notes.txt")); err != nil {
		t.Fatal("prune touched a file that is not a backup")
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("prune kept the temporary file of a crashed backup")
	}
	must(t, os.Remove(running)) // still there: it may be in progress
	ents, _ := os.ReadDir(loc.Path)
	if len(ents) != 4 {
		t.Fatalf("directory holds %d files, want 3 backups and the note", len(ents))
	}
}

// TestKeyFile creates the backup key with mode 0600, loads it again, and
// refuses a key file others can read and a master key file.
func TestKeyFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "backup.key")
	k, created, err := LoadOrCreateKey(path)
	must(t, err)
	fi, err := os.Stat(path)
	must(t, err)
	if !created || fi.Mode().Perm() != 0o600 {
		t.Fatalf("created %v, mode %v", created, fi.Mode().Perm())
	}
	k2, created, err := LoadOrCreateKey(path)
	must(t, err)
	if created || k2.ID() != k.ID() {
		t.Fatalf("second load created %v, id %s != %s", created, k2.ID(), k.ID())
	}
	must(t, os.Chmod(path, 0o644))
	if _, _, err := LoadOrCreateKey(path); !errors.Is(err, ErrInsecureKey) {
		t.Fatalf("world-readable key: %v", err)
	}
	mkPath := filepath.Join(dir, "master.key")
	must(t, os.WriteFile(mkPath, []byte("switchboard-master-key v1\nid: mk_x\nkey: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"), 0o600))
	if _, err := LoadKey(mkPath); !errors.Is(err, ErrMalformedKey) || !strings.Contains(err.Error(), "this is a master key file, not a backup key file") {
		t.Fatalf("master key file as backup key: %v", err)
	}
	if _, err := LoadKey(filepath.Join(dir, "missing.key")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing key: %v", err)
	}
}
