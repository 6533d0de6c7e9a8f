package seal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func mustMasterKey(t testing.TB, id string) *MasterKey {
	t.Helper()
	key := bytes.Repeat([]byte{byte(len(id))}, KeySize)
	key[0] = id[len(id)-1]
	mk, err := NewMasterKey(id, key)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

func TestWrapUnwrap(t *testing.T) {
	mk := mustMasterKey(t, "mk_a")
	other := mustMasterKey(t, "mk_b")
	k, raw, err := GenerateDataKey()
	if err != nil {
		t.Fatal(err)
	}
	wrapped, err := mk.Wrap(k.ID(), raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := mk.Unwrap(k.ID(), wrapped)
	if err != nil {
		t.Fatalf("Unwrap: %v", err)
	}
	if !bytes.Equal(got, raw) {
		t.Fatal("unwrapped key differs")
	}

	tampered := bytes.Clone(wrapped)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name    string
		mk      *MasterKey
		id      string
		wrapped []byte
	}{
		{"other data key id", mk, "dk_other", wrapped},
		{"other master key", other, k.ID(), wrapped},
		{"tampered", mk, k.ID(), tampered},
		{"truncated", mk, k.ID(), wrapped[:20]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.mk.Unwrap(tt.id, tt.wrapped); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("err = %v, want ErrDecrypt", err)
			}
		})
	}

	if _, err := mk.Wrap(k.ID(), raw[:16]); !errors.Is(err, ErrInvalidKey) {
		t.Fatalf("Wrap short key: err = %v", err)
	}
}

func TestLoadOrCreateMasterKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secrets", "nested", "master.key")
	mk, created, err := LoadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created {
		t.Fatal("created = false for a new file")
	}
	if !regexp.MustCompile(`^mk_[0-9a-f]{16}$`).MatchString(mk.ID()) {
		t.Fatalf("master id %q", mk.ID())
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Fatalf("file mode %04o, want 0600", perm)
		}
		di, err := os.Stat(filepath.Dir(path))
		if err != nil {
			t.Fatal(err)
		}
		if perm := di.Mode().Perm(); perm&0o077 != 0 {
			t.Fatalf("dir mode %04o, want 0700", perm)
		}
	}
	data, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(data), "switchboard-master-key v1\nid: "+mk.ID()+"\nkey: ") {
		t.Fatalf("unexpected file content:\n%s", data)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Fatalf("temp files left behind: %v", entries)
	}

	// Loading twice yields the same key: data sealed under the first load
	// must unwrap under the second.
	k, raw, _ := GenerateDataKey()
	wrapped, err := mk.Wrap(k.ID(), raw)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		again, created, err := LoadOrCreateMasterKey(path)
		if err != nil {
			t.Fatal(err)
		}
		if created || again.ID() != mk.ID() {
			t.Fatalf("reload: created=%v id=%q want %q", created, again.ID(), mk.ID())
		}
		if got, err := again.Unwrap(k.ID(), wrapped); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("reloaded key cannot unwrap: %v", err)
		}
	}
}

func TestLoadMasterKeyRefusesOpenPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no unix permissions")
	}
	path := filepath.Join(t.TempDir(), "master.key")
	if _, _, err := LoadOrCreateMasterKey(path); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	for _, mode := range []os.FileMode{0o644, 0o640, 0o604, 0o660} {
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		_, _, err := LoadOrCreateMasterKey(path)
		if !errors.Is(err, ErrInsecureKeyFile) {
			t.Fatalf("mode %04o: err = %v, want ErrInsecureKeyFile", mode, err)
		}
		if !strings.Contains(err.Error(), "group or others") {
			t.Fatalf("error does not say why: %v", err)
		}
	}
	after, _ := os.ReadFile(path)
	if !bytes.Equal(before, after) {
		t.Fatal("file was modified")
	}
	os.Chmod(path, 0o400) // read-only for the owner is fine
	if _, _, err := LoadOrCreateMasterKey(path); err != nil {
		t.Fatalf("mode 0400: %v", err)
	}
}

func TestLoadMasterKeyMalformed(t *testing.T) {
	const goodKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	tests := []struct {
		name    string
		content string
		ok      bool
	}{
		{"valid", "switchboard-master-key v1\nid: mk_00ff\nkey: " + goodKey + "\n", true},
		{"valid with blank lines and CRLF", "\r\nswitchboard-master-key v1\r\n\r\nkey: " + goodKey + "\r\nid: mk_00ff\r\n", true},
		{"empty", "", false},
		{"wrong header", "switchboard-master-key v2\nid: mk_1\nkey: " + goodKey + "\n", false},
		{"raw key only", goodKey + "\n", false},
		{"missing id", "switchboard-master-key v1\nkey: " + goodKey + "\n", false},
		{"missing key", "switchboard-master-key v1\nid: mk_1\n", false},
		{"bad id", "switchboard-master-key v1\nid: mk 1\nkey: " + goodKey + "\n", false},
		{"duplicate key", "switchboard-master-key v1\nid: mk_1\nkey: " + goodKey + "\nkey: " + goodKey + "\n", false},
		{"unknown field", "switchboard-master-key v1\nid: mk_1\nkey: " + goodKey + "\nalg: aes\n", false},
		{"short key", "switchboard-master-key v1\nid: mk_1\nkey: AAECAwQFBgcICQoLDA0ODw==\n", false},
		{"not base64", "switchboard-master-key v1\nid: mk_1\nkey: not-base64!!\n", false},
		{"truncated", "switchboard-master-key v1\nid: mk_1\nkey: AAECAwQFBgcICQoLDA0ODxAREhMU\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			mk, created, err := LoadOrCreateMasterKey(path)
			if created {
				t.Fatal("created a key over an existing file")
			}
			if tt.ok {
				if err != nil || mk.ID() != "mk_00ff" {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if !errors.Is(err, ErrMalformedKeyFile) {
				t.Fatalf("err = %v, want ErrMalformedKeyFile", err)
			}
			if strings.Contains(err.Error(), goodKey[:16]) {
				t.Fatalf("error leaks key material: %v", err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != tt.content {
				t.Fatal("malformed file was overwritten")
			}
		})
	}
}

func TestLoadMasterKeyDirectory(t *testing.T) {
	path := t.TempDir()
	if _, _, err := LoadOrCreateMasterKey(path); err == nil {
		t.Fatal("loading a directory succeeded")
	}
}
