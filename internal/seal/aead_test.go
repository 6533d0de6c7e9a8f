package seal

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
)

func mustDataKey(t testing.TB) *DataKey {
	t.Helper()
	k, raw, err := GenerateDataKey()
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != KeySize {
		t.Fatalf("raw key is %d bytes", len(raw))
	}
	return k
}

func TestGenerateDataKeyID(t *testing.T) {
	k := mustDataKey(t)
	if !regexp.MustCompile(`^dk_[0-9a-f]{32}$`).MatchString(k.ID()) {
		t.Fatalf("id %q does not match dk_<32 hex>", k.ID())
	}
	if k2 := mustDataKey(t); k2.ID() == k.ID() {
		t.Fatal("two generated keys share an id")
	}
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := mustDataKey(t)
	for _, pt := range [][]byte{nil, {}, []byte("x"), []byte("Hallo Jürgen, Ihre Bestellung ist unterwegs."), bytes.Repeat([]byte{0xff}, 70000)} {
		aad := AAD("messages", "body", "42")
		sealed := k.Seal(aad, pt)
		if len(sealed) != len(pt)+Overhead || sealed[0] != 0x01 {
			t.Fatalf("sealed len %d (want %d), version %#x", len(sealed), len(pt)+Overhead, sealed[0])
		}
		got, err := k.Open(aad, sealed)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, pt) {
			t.Fatalf("round trip mismatch: %q != %q", got, pt)
		}
	}
}

func TestSealFreshNonce(t *testing.T) {
	k := mustDataKey(t)
	aad, pt := AAD("t", "c", "1"), []byte("same plaintext")
	a, b := k.Seal(aad, pt), k.Seal(aad, pt)
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same plaintext are identical")
	}
	if bytes.Equal(a[1:13], b[1:13]) {
		t.Fatal("nonce reused")
	}
}

func TestOpenFailures(t *testing.T) {
	k := mustDataKey(t)
	other := mustDataKey(t)
	aad := AAD("contacts", "name", "row-1")
	sealed := k.Seal(aad, []byte("Jürgen Müller"))
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name   string
		key    *DataKey
		aad    []byte
		sealed []byte
	}{
		{"other row", k, AAD("contacts", "name", "row-2"), sealed},
		{"other column", k, AAD("contacts", "notes", "row-1"), sealed},
		{"other table", k, AAD("users", "name", "row-1"), sealed},
		{"nil aad", k, nil, sealed},
		{"wrong key", other, aad, sealed},
		{"tampered version", k, aad, flip(0)},
		{"tampered nonce", k, aad, flip(5)},
		{"tampered ciphertext", k, aad, flip(14)},
		{"tampered tag", k, aad, flip(len(sealed) - 1)},
		{"truncated by one", k, aad, sealed[:len(sealed)-1]},
		{"truncated below overhead", k, aad, sealed[:Overhead-1]},
		{"empty", k, aad, nil},
		{"trailing byte", k, aad, append(bytes.Clone(sealed), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.key.Open(tt.aad, tt.sealed)
			if !errors.Is(err, ErrDecrypt) {
				t.Fatalf("err = %v, want ErrDecrypt", err)
			}
			if pt != nil {
				t.Fatalf("plaintext returned on failure: %q", pt)
			}
		})
	}
}

func TestAADUnambiguous(t *testing.T) {
	triples := [][3]string{
		{"ab", "c", "d"}, {"a", "bc", "d"}, {"a", "b", "cd"}, {"", "abc", "d"},
		{"a\x00\x00\x00", "b", "c"}, {"a", "\x00\x00\x00\x01b", "c"},
	}
	seen := map[string][3]string{}
	for _, tr := range triples {
		a := string(AAD(tr[0], tr[1], tr[2]))
		if prev, dup := seen[a]; dup {
			t.Fatalf("AAD%q == AAD%q", tr, prev)
		}
		seen[a] = tr
	}
}

func TestNewDataKeyValidation(t *testing.T) {
	tests := []struct {
		name string
		id   string
		raw  []byte
		want error
	}{
		{"short key", "dk_1", make([]byte, 16), ErrInvalidKey},
		{"long key", "dk_1", make([]byte, 33), ErrInvalidKey},
		{"empty id", "", make([]byte, 32), ErrInvalidKeyID},
		{"id with space", "dk 1", make([]byte, 32), ErrInvalidKeyID},
		{"id with newline", "dk_1\n", make([]byte, 32), ErrInvalidKeyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := NewDataKey(tt.id, tt.raw); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func BenchmarkSeal200(b *testing.B) {
	k := mustDataKey(b)
	aad, pt := AAD("messages", "body", "0195f3c2-7d7e-7c3a-9a8e-3f1b2c4d5e6f"), make([]byte, 200)
	b.SetBytes(200)
	for b.Loop() {
		k.Seal(aad, pt)
	}
}

func BenchmarkOpen200(b *testing.B) {
	k := mustDataKey(b)
	aad := AAD("messages", "body", "0195f3c2-7d7e-7c3a-9a8e-3f1b2c4d5e6f")
	sealed := k.Seal(aad, make([]byte, 200))
	b.SetBytes(200)
	for b.Loop() {
		if _, err := k.Open(aad, sealed); err != nil {
			b.Fatal(err)
		}
	}
}
