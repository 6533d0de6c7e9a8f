package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"testing"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/seal"
)

func key(t *testing.T) *seal.DataKey {
	t.Helper()
	k, _, err := seal.GenerateDataKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEncryptRoundTrip(t *testing.T) {
	k := key(t)
	aad := seal.AAD("media", "blob", "id1")
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17} {
		plain := make([]byte, size)
		_, _ = rand.Read(plain)
		var enc bytes.Buffer
		n, err := Encrypt(&enc, bytes.NewReader(plain), k, aad)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: encrypt n=%d err=%v", size, n, err)
		}
		if size > 16 && bytes.Contains(enc.Bytes(), plain[:16]) {
			t.Fatalf("size %d: plaintext visible in ciphertext", size)
		}
		got, err := io.ReadAll(Decrypt(bytes.NewReader(enc.Bytes()), k, aad))
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("size %d: decrypt err=%v equal=%v", size, err, bytes.Equal(got, plain))
		}
	}
}

func TestDecryptDetectsTampering(t *testing.T) {
	k := key(t)
	aad := seal.AAD("media", "blob", "id1")
	plain := bytes.Repeat([]byte("x"), 2*chunkSize+5)
	var enc bytes.Buffer
	if _, err := Encrypt(&enc, bytes.NewReader(plain), k, aad); err != nil {
		t.Fatal(err)
	}
	b := enc.Bytes()
	chunk := 4 + chunkSize + seal.Overhead // one full chunk with its length prefix
	cases := map[string][]byte{
		"truncated after a chunk": b[:len(magic)+chunk],
		"last chunk removed":      b[:len(magic)+2*chunk],
		"chunks swapped":          append(append(append([]byte{}, b[:len(magic)]...), b[len(magic)+chunk:len(magic)+2*chunk]...), b[len(magic):len(magic)+chunk]...),
		"bit flipped":             flip(b, len(magic)+100),
		"no header":               b[len(magic):],
	}
	for name, c := range cases {
		if _, err := io.ReadAll(Decrypt(bytes.NewReader(c), k, aad)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err = %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := io.ReadAll(Decrypt(bytes.NewReader(b), k, seal.AAD("media", "blob", "other"))); !errors.Is(err, ErrCorrupt) {
		t.Errorf("other row's AAD: err = %v", err)
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 1
	return c
}

func TestFiles(t *testing.T) {
	f := &Files{Dir: t.TempDir()}
	ctx := context.Background()
	id := switchboard.NewID()
	if n, err := f.Put(ctx, id, bytes.NewReader([]byte("hello"))); err != nil || n != 5 {
		t.Fatalf("put: %d %v", n, err)
	}
	rc, err := f.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "hello" {
		t.Fatalf("get = %q", got)
	}
	if _, err := f.Put(ctx, "../../etc/passwd", bytes.NewReader(nil)); err == nil {
		t.Fatal("path traversal accepted")
	}
	if err := f.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Get(ctx, id); switchboard.ErrorCode(err) != switchboard.ENotFound {
		t.Fatalf("get deleted: %v", err)
	}
}

func TestSafeFilename(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf": "report.pdf", "../../etc/passwd": "passwd", `a"b.txt`: "a_b.txt",
		"C:\\Users\\x\\evil.exe": "evil.exe", "": "file", "..": "file", "Rechnung März.pdf": "Rechnung März.pdf",
		"line\nbreak": "line_break",
	} {
		if got := SafeFilename(in); got != want {
			t.Errorf("SafeFilename(%q) = %q, want %q", in, got, want)
		}
	}
}
