package sqlite_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboardhq/switchboard/internal/sqlite"
)

func TestLockInstanceRefusesASecondInstance(t *testing.T) {
	path := filepath.Join(t.TempDir(), "switchboard.db")
	release, err := sqlite.LockInstance(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlite.LockInstance(path)
	if !errors.Is(err, sqlite.ErrInstanceRunning) {
		t.Fatalf("second lock = %v, want ErrInstanceRunning", err)
	}
	for _, want := range []string{path, "another Switchboard is already running", "PostgreSQL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if err := release(); err != nil {
		t.Fatal(err)
	}
	again, err := sqlite.LockInstance(path)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	if err := again(); err != nil {
		t.Fatal(err)
	}
}
