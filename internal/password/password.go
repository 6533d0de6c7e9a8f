// Package password hashes passwords with argon2id and enforces the password
// policy.
package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"
)

// Bounds on parameters accepted from stored hashes. A hash is attacker
// controlled if the database is, so absurd parameters must not be able to
// make a login allocate gigabytes or spin for minutes.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 10
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	// MaxInputBytes is the longest password Hash and Verify process; Check
	// allows far less, this only bounds work on hostile input.
	MaxInputBytes = 4096
	// DefaultMaxConcurrent is the number of concurrent hashes NewHasher
	// allows when asked for maxConcurrent <= 0: with the default params that
	// caps hashing memory at about 76 MiB.
	DefaultMaxConcurrent = 4
)

var (
	// ErrMalformedHash is returned by Verify for an encoded hash that is not
	// a supported argon2id PHC string within sane parameter bounds.
	ErrMalformedHash = errors.New("password: malformed hash")
	// ErrTooLong is returned by Hash for passwords over MaxInputBytes.
	ErrTooLong = errors.New("password: password too long")
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams returns the OWASP minimum recommendation for argon2id:
// 19 MiB, 2 passes, 1 thread, 16-byte salt, 32-byte hash.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

func (p Params) validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d not in 1..%d", p.Threads, maxThreads)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d not in 1..%d", p.Time, maxTime)
	// argon2 needs 8 KiB per thread and silently rounds smaller values up,
	// which would make the encoded m= lie.
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemoryKiB:
		return fmt.Errorf("memory %d KiB not in %d..%d", p.Memory, 8*uint32(p.Threads), maxMemoryKiB)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d not in %d..%d", p.SaltLen, minSaltLen, maxSaltLen)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d not in %d..%d", p.KeyLen, minKeyLen, maxKeyLen)
	}
	return nil
}

// Hasher hashes and verifies passwords. A semaphore bounds concurrent hash
// computations so a login flood queues instead of exhausting memory. It is
// safe for concurrent use.
type Hasher struct {
	params Params
	sem    chan struct{}
	count  atomic.Uint64
}

// NewHasher returns a Hasher producing hashes with p and running at most
// maxConcurrent hashes at once (DefaultMaxConcurrent if maxConcurrent <= 0).
func NewHasher(p Params, maxConcurrent int) (*Hasher, error) {
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("password: invalid params: %w", err)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrent
	}
	return &Hasher{params: p, sem: make(chan struct{}, maxConcurrent)}, nil
}

// Count returns how many hashes this Hasher has computed (Hash, Verify and
// VerifyDummy alike), so that callers can prove a path does no hashing.
func (h *Hasher) Count() uint64 { return h.count.Load() }

// Params returns the parameters new hashes are created with.
func (h *Hasher) Params() Params { return h.params }

// Hash returns an argon2id PHC string such as
// "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" (unpadded standard base64).
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if len(password) > MaxInputBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, h.params.SaltLen)
	rand.Read(salt) // crypto/rand.Read never fails since Go 1.24.
	key, err := h.derive(ctx, password, salt, h.params)
	if err != nil {
		return "", err
	}
	return encode(h.params, salt, key), nil
}

// Verify reports whether password matches encoded. Parameters are read from
// encoded, so hashes made with older params keep working (see NeedsRehash).
// A malformed hash yields an error wrapping ErrMalformedHash; if ctx ends
// while waiting for a hashing slot, ctx.Err() is returned.
func (h *Hasher) Verify(ctx context.Context, encoded, password string) (ok bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, err
	}
	if len(password) > MaxInputBytes {
		return false, nil // cannot have been hashed by Hash
	}
	got, err := h.derive(ctx, password, salt, p)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// VerifyDummy burns the same time and memory as a Verify with the current
// params and always fails. Call it when the login does not exist, so
// response timing does not reveal which logins do. The result is
// deliberately not returned; callers answer as for a wrong password.
func (h *Hasher) VerifyDummy(ctx context.Context, password string) {
	if len(password) > MaxInputBytes {
		return
	}
	salt := make([]byte, h.params.SaltLen)
	got, err := h.derive(ctx, password, salt, h.params)
	if err == nil {
		subtle.ConstantTimeCompare(got, make([]byte, len(got)))
	}
}

// NeedsRehash reports whether encoded was made with different params than
// the Hasher's (or cannot be parsed), so the caller should store a fresh
// Hash after the next successful login.
func (h *Hasher) NeedsRehash(encoded string) bool {
	p, _, _, err := decode(encoded)
	return err != nil || p != h.params
}

// derive runs argon2id once a semaphore slot is free.
func (h *Hasher) derive(ctx context.Context, password string, salt []byte, p Params) ([]byte, error) {
	// Check first: select picks randomly between ready cases, and a dead
	// request should never get to burn a slot.
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-h.sem }()
	h.count.Add(1)
	return argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen), nil
}

// b64 is the PHC encoding: unpadded standard base64, rejecting
// non-canonical trailing bits so a hash has exactly one encoding.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64().EncodeToString(salt), b64().EncodeToString(key))
}

// decode parses a PHC argon2id string strictly: fixed field order, no
// optional fields, canonical base64, parameters within bounds.
func decode(encoded string) (Params, []byte, []byte, error) {
	fail := func(why string) (Params, []byte, []byte, error) {
		return Params{}, nil, nil, fmt.Errorf("%w: %s", ErrMalformedHash, why)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want 5 $-separated fields")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return fail("unsupported version")
	}
	var p Params
	ps := strings.Split(parts[3], ",")
	if len(ps) != 3 {
		return fail("want m=,t=,p= parameters")
	}
	m, err1 := parseParam(ps[0], "m=", 32)
	t, err2 := parseParam(ps[1], "t=", 32)
	th, err3 := parseParam(ps[2], "p=", 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return fail("bad parameters")
	}
	p.Memory, p.Time, p.Threads = uint32(m), uint32(t), uint8(th)
	salt, err := b64().DecodeString(parts[4])
	if err != nil {
		return fail("bad salt encoding")
	}
	key, err := b64().DecodeString(parts[5])
	if err != nil {
		return fail("bad hash encoding")
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.validate(); err != nil {
		return fail(err.Error())
	}
	return p, salt, key, nil
}

// parseParam parses "<prefix><decimal>" without signs or leading zeros, so
// each hash has exactly one encoding.
func parseParam(s, prefix string, bits int) (uint64, error) {
	digits, ok := strings.CutPrefix(s, prefix)
	if !ok || digits == "" || (len(digits) > 1 && digits[0] == '0') || digits[0] == '+' {
		return 0, errors.New("bad parameter")
	}
	return strconv.ParseUint(digits, 10, bits)
}
