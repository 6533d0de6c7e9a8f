package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the logger's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDataFilesAreTightened: an existing database readable by others is
// made 0600 at start, new SQLite files are created 0600, and a data
// directory open to group or others draws a warning (issue 14, Low 22).
func TestDataFilesAreTightened(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "switchboard.db")
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(db, 0o644); err != nil { // past the umask
		t.Fatal(err)
	}
	var logs syncBuffer
	app := startApp(t, map[string]string{"SWITCHBOARD_DATA_DIR": dir}, func(a *App) {
		a.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	app.setupAdmin()
	for _, name := range []string{"switchboard.db", "switchboard.db-wal", "switchboard.db-shm"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s has mode %o, want 600", name, m)
		}
	}
	if !strings.Contains(logs.String(), "the data directory is accessible to group or others") {
		t.Errorf("no warning about the loose data directory; log:\n%s", logs.String())
	}
}
