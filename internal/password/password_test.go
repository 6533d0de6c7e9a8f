package password

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cheap keeps tests fast; production uses DefaultParams.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newHasher(t *testing.T, p Params, n int) *Hasher {
	t.Helper()
	h, err := NewHasher(p, n)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestDefaultParams(t *testing.T) {
	p := DefaultParams()
	if p.Memory < 19456 || p.Time < 2 || p.Threads < 1 || p.SaltLen < 16 || p.KeyLen < 32 {
		t.Fatalf("DefaultParams %+v below OWASP minimum", p)
	}
	p.Memory = 1
	if DefaultParams().Memory == 1 {
		t.Fatal("DefaultParams shares state")
	}
	h := newHasher(t, DefaultParams(), 0)
	enc, err := h.Hash(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("encoded %q", enc)
	}
	if cap(h.sem) != DefaultMaxConcurrent {
		t.Fatalf("default concurrency %d", cap(h.sem))
	}
}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, cheap, 2)
	for _, pw := range []string{"correct horse battery", "Pässwörd mit Ümläuten ✓", "", strings.Repeat("x", MaxInputBytes)} {
		enc, err := h.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if ok, err := h.Verify(ctx, enc, pw); !ok || err != nil {
			t.Fatalf("Verify(right password %q) = %v, %v", pw, ok, err)
		}
		for _, wrong := range []string{pw + "x", strings.ToUpper(pw) + "!", " " + pw} {
			if ok, err := h.Verify(ctx, enc, wrong); ok || err != nil {
				t.Fatalf("Verify(wrong password) = %v, %v", ok, err)
			}
		}
	}
	a, _ := h.Hash(ctx, "same password")
	b, _ := h.Hash(ctx, "same password")
	if a == b {
		t.Fatal("two hashes of the same password are equal: salt not random")
	}
	if _, err := h.Hash(ctx, strings.Repeat("x", MaxInputBytes+1)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("overlong Hash: err = %v", err)
	}
	if ok, err := h.Verify(ctx, a, strings.Repeat("x", MaxInputBytes+1)); ok || err != nil {
		t.Fatalf("overlong Verify = %v, %v", ok, err)
	}
}

func TestPHCFormat(t *testing.T) {
	h := newHasher(t, Params{Memory: 128, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}, 1)
	enc, err := h.Hash(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=128,t=3,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(enc) {
		t.Fatalf("encoded %q does not match %s", enc, re)
	}
	p, salt, key, err := decode(enc)
	if err != nil {
		t.Fatal(err)
	}
	if p != h.Params() || len(salt) != 16 || len(key) != 32 {
		t.Fatalf("decoded %+v salt %d key %d", p, len(salt), len(key))
	}
}

// Known-answer vectors (the argon2id vectors of golang.org/x/crypto/argon2,
// password "password", salt "somesalt", 24-byte hash) pin the encoding and
// the mapping of m/t/p to argon2 arguments.
func TestVerifyKnownAnswer(t *testing.T) {
	h := newHasher(t, cheap, 1)
	for _, enc := range []string{
		"$argon2id$v=19$m=64,t=2,p=1$c29tZXNhbHQ$Bo1ismRVk2qm6+YAYLCmWHDb+j3fjUH3",
		"$argon2id$v=19$m=64,t=2,p=2$c29tZXNhbHQ$NQrDciL0Nsy1wJcvHr079rlYvyBxhBNi",
	} {
		ok, err := h.Verify(context.Background(), enc, "password")
		if err != nil || !ok {
			t.Fatalf("Verify(%s) = %v, %v", enc, ok, err)
		}
		if !h.NeedsRehash(enc) {
			t.Fatal("NeedsRehash false for other params")
		}
	}
}

func TestVerifyTamperedAndMalformed(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, cheap, 1)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.LastIndexByte(enc, '$')
	flip := func(s string, at int) string {
		c := byte('A')
		if s[at] == 'A' {
			c = 'B'
		}
		return s[:at] + string(c) + s[at+1:]
	}
	// Tampering that still parses must fail verification.
	for _, tampered := range []string{
		flip(enc, i+1),                        // hash
		flip(enc, i-5),                        // salt
		strings.Replace(enc, "t=1", "t=2", 1), // params
		strings.Replace(enc, "m=64", "m=72", 1),
	} {
		if ok, err := h.Verify(ctx, tampered, "correct horse battery"); ok || err != nil {
			t.Fatalf("Verify(%q) = %v, %v; want false, nil", tampered, ok, err)
		}
	}

	malformed := []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=16$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$t=1,m=64,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=+64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=64,t=1,p=1,k=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=2097152,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43), // 2 GiB
		"$argon2id$v=19$m=64,t=11,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=64,t=0,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=256,t=1,p=17$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=64,t=1,p=0$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=4,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$" + strings.Repeat("A", 43),
		"$argon2id$v=19$m=64,t=1,p=1$c29tZQ$" + strings.Repeat("A", 43),                   // 4-byte salt
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$AAAA",                         // 3-byte hash
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA==$" + strings.Repeat("A", 43), // padded
		"$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdB$" + strings.Repeat("A", 43),   // non-canonical bits
		enc[:len(enc)-1] + "$",
		enc + "$",
		"x" + enc,
	}
	for _, bad := range malformed {
		ok, err := h.Verify(ctx, bad, "correct horse battery")
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want ErrMalformedHash", bad, ok, err)
		}
		if !h.NeedsRehash(bad) {
			t.Errorf("NeedsRehash(%q) = false for malformed hash", bad)
		}
	}
}

func TestNeedsRehash(t *testing.T) {
	ctx := context.Background()
	h := newHasher(t, cheap, 1)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash true for own params")
	}
	for _, change := range []func(*Params){
		func(p *Params) { p.Memory = 128 },
		func(p *Params) { p.Time = 2 },
		func(p *Params) { p.Threads = 2 },
		func(p *Params) { p.SaltLen = 32 },
		func(p *Params) { p.KeyLen = 16 },
	} {
		p := cheap
		change(&p)
		other := newHasher(t, p, 1)
		if !other.NeedsRehash(enc) {
			t.Fatalf("NeedsRehash false for params %+v vs %+v", p, cheap)
		}
		// Old hashes still verify under the new Hasher.
		if ok, err := other.Verify(ctx, enc, "correct horse battery"); !ok || err != nil {
			t.Fatalf("old hash no longer verifies: %v, %v", ok, err)
		}
	}
}

func TestNewHasherRejectsBadParams(t *testing.T) {
	for _, p := range []Params{
		{},
		{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32},
		{Memory: 8, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 4, KeyLen: 32},
		{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8},
		{Memory: 2 << 20, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
	} {
		if _, err := NewHasher(p, 1); err == nil {
			t.Errorf("NewHasher(%+v) succeeded", p)
		}
	}
}

func TestSemaphoreHonoursContext(t *testing.T) {
	h := newHasher(t, cheap, 1)
	enc, err := h.Hash(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h.sem <- struct{}{} // another hash holds the only slot
	defer func() { <-h.sem }()

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := h.Verify(cancelled, enc, "correct horse battery"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify with cancelled ctx: err = %v", err)
	}

	short, cancel2 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel2()
	deadline, _ := short.Deadline()
	ok, err := h.Verify(short, enc, "correct horse battery")
	// Compared with the context's own deadline rather than a stopwatch
	// started after it: on a loaded machine the test goroutine can be
	// descheduled between the two, and the stopwatch then shows less.
	if returned := time.Now(); returned.Before(deadline) {
		t.Fatalf("Verify returned %v before the deadline: did not wait for the slot", deadline.Sub(returned))
	}
	if ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Verify while slot busy = %v, %v; want DeadlineExceeded", ok, err)
	}
	if _, err := h.Hash(cancelled, "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Hash with cancelled ctx: err = %v", err)
	}
}

func TestSemaphoreBoundsConcurrency(t *testing.T) {
	// Slots are released after each hash: many sequential and concurrent
	// hashes through a 1-slot Hasher all complete.
	h := newHasher(t, cheap, 1)
	ctx := context.Background()
	errs := make(chan error, 16)
	for i := range 16 {
		go func() {
			_, err := h.Hash(ctx, fmt.Sprint("password-", i))
			errs <- err
		}()
	}
	for range 16 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if len(h.sem) != 0 {
		t.Fatalf("%d slots leaked", len(h.sem))
	}
	h.VerifyDummy(ctx, "whatever")
	if len(h.sem) != 0 {
		t.Fatal("VerifyDummy leaked a slot")
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h, err := NewHasher(DefaultParams(), 0)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}
