// Package fsutil holds the file-system steps that Switchboard's durable
// writes share: making a rename durable by syncing its directory, and
// replacing a small file atomically.
package fsutil

import (
	"os"
	"path/filepath"
	"runtime"
)

// SyncDir fsyncs a directory, so that a file created or renamed in it
// survives a crash right afterwards.
func SyncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced on Windows
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// WriteFileAtomic replaces path with data: it writes a temporary file with
// mode perm next to it, syncs it, renames it over path and syncs the
// directory. Readers see the old content or the new, never a mix; a
// failure leaves the old file in place.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return SyncDir(dir)
}
