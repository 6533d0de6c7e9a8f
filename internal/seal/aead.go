package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
)

// KeySize is the length in bytes of master keys and data keys (AES-256).
const KeySize = 32

const (
	// formatV1 tags AES-256-GCM with a random 96-bit nonce. The version byte
	// lets a future format coexist with stored v1 ciphertexts.
	formatV1  = 0x01
	nonceSize = 12
	tagSize   = 16
	// Overhead is the number of bytes Seal adds to a plaintext.
	Overhead = 1 + nonceSize + tagSize
)

var (
	// ErrDecrypt is returned for every failure to open a ciphertext: wrong
	// key, wrong associated data, tampering, truncation or unknown version.
	// The causes are deliberately indistinguishable.
	ErrDecrypt = errors.New("seal: decryption failed")
	// ErrInvalidKey is returned when key material has the wrong length.
	ErrInvalidKey = errors.New("seal: key must be 32 bytes")
	// ErrInvalidKeyID is returned for empty or malformed key ids.
	ErrInvalidKeyID = errors.New("seal: invalid key id")
)

// DataKey is an unwrapped per-contact data-encryption key. It is safe for
// concurrent use.
type DataKey struct {
	id   string
	aead cipher.AEAD
}

// GenerateDataKey creates a fresh random data key with id "dk_" followed by
// 32 hex characters. The raw key is returned so the caller can wrap it; it
// must never be stored unwrapped.
func GenerateDataKey() (*DataKey, []byte, error) {
	raw := make([]byte, KeySize)
	rand.Read(raw) // crypto/rand.Read never fails since Go 1.24.
	k, err := NewDataKey(newID("dk_", 16), raw)
	if err != nil {
		return nil, nil, err
	}
	return k, raw, nil
}

// NewDataKey builds a data key from its id and 32 raw key bytes.
func NewDataKey(id string, raw []byte) (*DataKey, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	aead, err := newGCM(raw)
	if err != nil {
		return nil, err
	}
	return &DataKey{id: id, aead: aead}, nil
}

// ID returns the key id under which the wrapped key is stored. It is a
// method rather than a field because keys are shared through the Keyring
// cache and must not be mutated.
func (k *DataKey) ID() string { return k.id }

// Seal encrypts plaintext bound to aad (usually built with AAD). The result
// is 0x01 || 12-byte random nonce || ciphertext || 16-byte tag. Random nonces
// are safe here because each data key only encrypts one contact's data, far
// below the 2^32 message bound for random GCM nonces.
func (k *DataKey) Seal(aad, plaintext []byte) []byte {
	return sealWith(k.aead, aad, plaintext)
}

// Open decrypts a value produced by Seal with the same aad. Any failure
// yields ErrDecrypt.
func (k *DataKey) Open(aad, sealed []byte) ([]byte, error) {
	return openWith(k.aead, aad, sealed)
}

// AAD builds associated data binding a ciphertext to one cell of the
// database. Each part is length-prefixed so distinct (table, column, row)
// triples can never encode to the same bytes.
func AAD(table, column, rowID string) []byte {
	b := make([]byte, 0, 12+len(table)+len(column)+len(rowID))
	for _, s := range [...]string{table, column, rowID} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	return b
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, ErrInvalidKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("seal: new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("seal: new gcm: %w", err)
	}
	return aead, nil
}

func sealWith(aead cipher.AEAD, aad, plaintext []byte) []byte {
	out := make([]byte, 1+nonceSize, Overhead+len(plaintext))
	out[0] = formatV1
	rand.Read(out[1 : 1+nonceSize])
	return aead.Seal(out, out[1:1+nonceSize], plaintext, aad)
}

func openWith(aead cipher.AEAD, aad, sealed []byte) ([]byte, error) {
	if len(sealed) < Overhead || sealed[0] != formatV1 {
		return nil, ErrDecrypt
	}
	pt, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// newID returns prefix followed by n random bytes in hex.
func newID(prefix string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// checkID restricts key ids to a short, safe alphabet because they appear in
// the master key file, in database columns and in error messages.
func checkID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("%w: %q", ErrInvalidKeyID, id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("%w: %q", ErrInvalidKeyID, id)
		}
	}
	return nil
}
