package seal

import (
	"crypto/cipher"
	"errors"
	"fmt"
)

var (
	// ErrMalformedKeyFile is returned when the master key file exists but
	// cannot be parsed. The file is never overwritten in that case.
	ErrMalformedKeyFile = errors.New("seal: malformed master key file")
	// ErrInsecureKeyFile is returned when the master key file is readable
	// or writable by group or others.
	ErrInsecureKeyFile = errors.New("seal: master key file permissions are too open")
)

// MasterKey is the key-encryption key that wraps data keys. It is loaded
// from the file named by SWITCHBOARD_MASTER_KEY_FILE and is safe for
// concurrent use.
type MasterKey struct {
	id   string
	aead cipher.AEAD
}

// NewMasterKey builds a master key from its id and 32 raw key bytes.
func NewMasterKey(id string, key []byte) (*MasterKey, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return &MasterKey{id: id, aead: aead}, nil
}

// ID returns the master key id that is stored next to every wrapped data
// key, so the right master can be picked after rotation.
func (m *MasterKey) ID() string { return m.id }

// Wrap encrypts a raw data key. The data key id is bound as associated data
// so a wrapped key cannot be reassigned to another id (and hence another
// contact).
func (m *MasterKey) Wrap(dataKeyID string, raw []byte) ([]byte, error) {
	if err := checkID(dataKeyID); err != nil {
		return nil, err
	}
	if len(raw) != KeySize {
		return nil, ErrInvalidKey
	}
	return sealWith(m.aead, wrapAAD(dataKeyID), raw), nil
}

// Unwrap decrypts a data key wrapped by Wrap under the same id. It returns
// an error wrapping ErrDecrypt if the id, master key or bytes do not match.
func (m *MasterKey) Unwrap(dataKeyID string, wrapped []byte) ([]byte, error) {
	raw, err := openWith(m.aead, wrapAAD(dataKeyID), wrapped)
	if err != nil {
		return nil, fmt.Errorf("unwrap data key %q with master key %q: %w", dataKeyID, m.id, err)
	}
	if len(raw) != KeySize {
		return nil, ErrInvalidKey
	}
	return raw, nil
}

func wrapAAD(dataKeyID string) []byte { return []byte("datakey:" + dataKeyID) }

// LoadOrCreateMasterKey loads the master key stored at path, or creates a
// new random one there if no file exists yet. created reports whether a new
// key was written; callers should tell the operator to back it up, because
// losing it makes all encrypted data unrecoverable.
//
// The file looks like:
//
//	switchboard-master-key v1
//	id: mk_<16 hex chars>
//	key: <32 bytes, standard base64>
//
// An existing file that is accessible by group or others is refused (like
// ssh does for private keys), and a malformed file is reported, never
// replaced ([KeyFile]).
func LoadOrCreateMasterKey(path string) (mk *MasterKey, created bool, err error) {
	id, raw, created, err := masterKeyFile.LoadOrCreate(path)
	if err != nil {
		return nil, false, err
	}
	mk, err = newMasterKeyFromFile(id, raw, path)
	return mk, created, err
}

// LoadMasterKey loads the master key stored at path and never creates one.
// It applies the same checks as [LoadOrCreateMasterKey].
func LoadMasterKey(path string) (*MasterKey, error) {
	id, raw, err := masterKeyFile.Load(path)
	if err != nil {
		return nil, err
	}
	return newMasterKeyFromFile(id, raw, path)
}

// CreateMasterKey writes a new random master key to path, which must not
// exist yet (mode 0600, written to a temporary file and linked into place).
func CreateMasterKey(path string) (*MasterKey, error) {
	id, raw, err := masterKeyFile.Create(path)
	if err != nil {
		return nil, err
	}
	return newMasterKeyFromFile(id, raw, path)
}

// newMasterKeyFromFile builds the master key read from path and clears raw.
func newMasterKeyFromFile(id string, raw []byte, path string) (*MasterKey, error) {
	defer clear(raw)
	mk, err := NewMasterKey(id, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformedKeyFile, path, err)
	}
	return mk, nil
}
