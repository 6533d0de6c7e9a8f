package backup

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// erasures returns n register entries, one second apart.
func erasures(n int) []switchboard.Erasure {
	reg := make([]switchboard.Erasure, n)
	for i := range reg {
		reg[i] = switchboard.Erasure{ContactID: switchboard.NewID(), ErasedAt: t0.Add(time.Duration(i) * time.Second)}
		if i%2 == 0 {
			reg[i].ActorID = switchboard.NewID()
		}
	}
	return reg
}

func sameRegister(tb testing.TB, got, want []switchboard.Erasure) {
	tb.Helper()
	if !slices.EqualFunc(got, want, func(a, b switchboard.Erasure) bool {
		return a.ContactID == b.ContactID && a.ErasedAt.Equal(b.ErasedAt) && a.ActorID == b.ActorID
	}) {
		tb.Fatalf("register:\n got %+v\nwant %+v", got, want)
	}
}

// TestRegisterSignature writes the erasure register beside backups in a
// directory and reads it back, then changes the file in every way someone
// with write access to the backup location but without the backup key
// could, and checks that each is refused with an error naming the file.
func TestRegisterSignature(t *testing.T) {
	key := backupKey(t)
	loc := &Dir{Path: filepath.Join(t.TempDir(), "backups")}
	path := filepath.Join(loc.Path, RegisterName)

	// No file, an empty file and a signed empty register: no erasures.
	reg, err := ReadRegister(bg(), loc, key)
	if err != nil || reg != nil {
		t.Fatalf("missing register: %v %+v", err, reg)
	}
	must(t, os.MkdirAll(loc.Path, 0o700))
	must(t, os.WriteFile(path, nil, 0o600))
	if reg, err := ReadRegister(bg(), loc, key); err != nil || len(reg) != 0 {
		t.Fatalf("empty file: %v %+v", err, reg)
	}
	must(t, WriteRegister(bg(), loc, nil, key))
	if reg, err := ReadRegister(bg(), loc, key); err != nil || len(reg) != 0 {
		t.Fatalf("signed empty register: %v %+v", err, reg)
	}

	want := erasures(3)
	must(t, WriteRegister(bg(), loc, want, key))
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, want)
	signed, err := os.ReadFile(path)
	must(t, err)
	lines := strings.SplitAfter(string(signed), "\n")
	if len(lines) != 5 || lines[4] != "" || !strings.HasPrefix(lines[3], `{"signature":"hmac-sha256:`) ||
		!strings.HasSuffix(lines[3], `","key_id":"`+key.ID()+"\"}\n") {
		t.Fatalf("register file:\n%s", signed)
	}
	// Replacing keeps the last version only.
	more := append(want, erasures(1)...)
	must(t, WriteRegister(bg(), loc, more, key))
	reg, err = ReadRegister(bg(), loc, key)
	must(t, err)
	sameRegister(t, reg, more)
	must(t, WriteRegister(bg(), loc, want, key))

	otherKey := backupKey(t)
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	sameID, err := NewKey(key.ID(), raw) // another key under the same id
	must(t, err)
	otherSigned, err := EncodeRegister(want[:2], otherKey)
	must(t, err)
	shorter, err := EncodeRegister(want[:1], key)
	must(t, err)
	twoLines := strings.Join(lines[:2], "")
	tests := []struct {
		name string
		data string
		key  *Key
		want string
	}{
		{"a removed line", lines[0] + lines[2] + lines[3], key, "does not match"},
		{"a removed first line", lines[1] + lines[2] + lines[3], key, "does not match"},
		{"an edited line", strings.Replace(lines[0], want[0].ContactID[:4], "ffff", 1) + lines[1] + lines[2] + lines[3], key, "does not match"},
		{"an edited time", lines[0] + strings.Replace(lines[1], "2026", "2025", 1) + lines[2] + lines[3], key, "does not match"},
		{"an added line", lines[0] + lines[1] + lines[2] + lines[0] + lines[3], key, "does not match"},
		{"an edited signature", lines[0] + lines[1] + lines[2] + strings.Replace(lines[3], "hmac-sha256:", "hmac-sha256:00", 1), key, "does not match"},
		{"unsigned, or truncated before the signature", twoLines + lines[2], key, "not a signature"},
		{"truncated in the signature", twoLines + lines[2] + lines[3][:40], key, "not a signature"},
		{"truncated in a line", twoLines + lines[2][:20], key, "not a signature"},
		{"cut to its signature line", lines[3], key, "does not match"},
		{"a missing signature line with the key id", twoLines + lines[2] + `{"key_id":"` + key.ID() + "\"}\n", key, "not a signature"},
		{"another signature scheme", twoLines + lines[2] + strings.Replace(lines[3], "hmac-sha256:", "sha256:", 1), key, "not hmac-sha256"},
		{"a blank line after the signature", string(signed) + "\n", key, "not a signature"},
		{"read with another key", string(signed), otherKey, "signed with backup key"},
		{"signed with another key", string(otherSigned), key, "signed with backup key"},
		{"another key under the same id", string(signed), sameID, "does not match"},
		{"the signature of another register", twoLines + strings.SplitAfter(string(shorter), "\n")[1], key, "does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			must(t, os.WriteFile(path, []byte(tt.data), 0o600))
			reg, err := ReadRegister(bg(), loc, tt.key)
			if !errors.Is(err, ErrRegisterSignature) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want ErrRegisterSignature (%q) naming %s", err, tt.want, path)
			}
			if reg != nil {
				t.Fatalf("returned %+v with the error", reg)
			}
			if _, err := DecodeRegister(strings.NewReader(tt.data), tt.key); !errors.Is(err, ErrRegisterSignature) {
				t.Fatalf("DecodeRegister: %v", err)
			}
		})
	}

	// A correctly signed line that is not an erasure is refused too.
	bad := "{\"contact_id\":\"../../etc\"}\n"
	badSigned := bad + `{"signature":"hmac-sha256:` + hex.EncodeToString(key.registerMAC([]byte(bad))) + `","key_id":"` + key.ID() + "\"}\n"
	if _, err := DecodeRegister(strings.NewReader(badSigned), key); err == nil || errors.Is(err, ErrRegisterSignature) ||
		!strings.Contains(err.Error(), "line 1 is not an erasure") {
		t.Fatalf("signed non-erasure: %v", err)
	}
}

// TestRegisterKeyIsDerived checks that the register is not signed with the
// raw backup key, which wraps the backups' file keys.
func TestRegisterKeyIsDerived(t *testing.T) {
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	k, err := NewKey("bk_0123456789abcdef", raw)
	must(t, err)
	body := []byte("{}\n")
	h := hmac.New(sha256.New, raw)
	h.Write(body)
	if got := k.registerMAC(body); hmac.Equal(got, h.Sum(nil)) || bytes.Equal(k.registerKey, raw) || len(k.registerKey) != sha256.Size {
		t.Fatal("the register is signed with the raw backup key")
	}
	again, err := NewKey("bk_0123456789abcdef", raw)
	must(t, err)
	if !hmac.Equal(k.registerMAC(body), again.registerMAC(body)) {
		t.Fatal("the register key is not derived deterministically")
	}
}
