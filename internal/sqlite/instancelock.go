package sqlite

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrInstanceRunning is returned by [LockInstance] when another process
// holds the instance lock of the same database file.
var ErrInstanceRunning = errors.New("another Switchboard is already running on this SQLite database")

// LockInstance takes the instance lock of the database at path: an
// exclusive lock on the file path+".lock", held until release is called or
// the process ends (the kernel drops it then, so a crash leaves nothing
// to clean up). serve takes it so that a second instance on the same
// file is refused: SQLite has one writer, and the singleton jobs assume
// they are alone (docs/deploy.md). Commands that open the database beside
// a running server (user add, backup) do not take it.
func LockInstance(path string) (release func() error, err error) {
	name := path + ".lock"
	// The lock comes before the store, which would create the directory.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("instance lock %s: %w", name, err)
	}
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("instance lock %s: %w", name, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("%w: %s is locked by another process (%s). Stop the other instance first; to run several instances, use PostgreSQL (docs/deploy.md)", ErrInstanceRunning, path, name)
		}
		return nil, fmt.Errorf("instance lock %s: %w", name, err)
	}
	return f.Close, nil // closing the file drops the lock
}

// errLocked is lockFile's error when the lock is held elsewhere.
var errLocked = errors.New("locked")
