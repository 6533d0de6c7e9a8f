package seal

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeyFileKinds checks that two kinds of key file share the code but
// not the files: each refuses the other's with its own error, and names
// what the file is.
func TestKeyFileKinds(t *testing.T) {
	errMalformed, errInsecure := errors.New("other: malformed"), errors.New("other: insecure")
	other := KeyFile{Header: "switchboard-backup-key v1", IDPrefix: "bk_", Name: "backup key", Malformed: errMalformed, Insecure: errInsecure}
	dir := t.TempDir()
	otherPath := filepath.Join(dir, "other.key")
	id, raw, created, err := other.LoadOrCreate(otherPath)
	if err != nil || !created || len(raw) != KeySize || !regexp.MustCompile(`^bk_[0-9a-f]{16}$`).MatchString(id) {
		t.Fatalf("create: %v %v %q %d", err, created, id, len(raw))
	}
	if id2, raw2, created, err := other.LoadOrCreate(otherPath); err != nil || created || id2 != id || string(raw2) != string(raw) {
		t.Fatalf("load: %v %v %q", err, created, id2)
	}
	if _, _, err := other.Create(otherPath); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("create over an existing file: %v", err)
	}
	if _, err := LoadMasterKey(otherPath); !errors.Is(err, ErrMalformedKeyFile) || !strings.Contains(err.Error(), "this is a backup key file, not a master key file") {
		t.Fatalf("other kind as master key: %v", err)
	}
	masterPath := filepath.Join(dir, "master.key")
	if _, _, err := LoadOrCreateMasterKey(masterPath); err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Load(masterPath); !errors.Is(err, errMalformed) || errors.Is(err, ErrMalformedKeyFile) ||
		!strings.Contains(err.Error(), "this is a master key file, not a backup key file") {
		t.Fatalf("master key as other kind: %v", err)
	}
	if err := os.Chmod(otherPath, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Load(otherPath); !errors.Is(err, errInsecure) || errors.Is(err, ErrInsecureKeyFile) {
		t.Fatalf("readable by the group: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}
