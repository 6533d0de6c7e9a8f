package backup

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/switchboardhq/switchboard/internal/seal"
)

// keyFile is the backup key file: the master key file's layout (and the
// code of internal/seal that reads and creates it) with its own first
// line, so the two cannot be confused:
//
//	switchboard-backup-key v1
//	id: bk_<16 hex chars>
//	key: <32 bytes, standard base64>
var keyFile = seal.KeyFile{Header: "switchboard-backup-key v1", IDPrefix: "bk_", Name: "backup key",
	Malformed: ErrMalformedKey, Insecure: ErrInsecureKey}

var (
	// ErrMalformedKey is returned for a backup key file that cannot be
	// parsed. Such a file is never overwritten.
	ErrMalformedKey = errors.New("backup: malformed backup key file")
	// ErrInsecureKey is returned for a key file readable or writable by
	// group or others.
	ErrInsecureKey = errors.New("backup: backup key file permissions are too open")
)

// Key is the backup key. It is separate from the database master key: it
// wraps a fresh random file key per backup, and the file key encrypts the
// backup. Holding the backup key alone reveals a backup's rows and files
// only as the ciphertexts the database holds; the master key is needed as
// well to read customer data.
type Key struct {
	wrap *seal.MasterKey
	// registerKey authenticates the erasure register (register.go). It is
	// derived from the backup key rather than the backup key itself, so
	// the key that wraps file keys serves no second purpose.
	registerKey []byte
}

// registerKeyInfo is the HKDF info of the erasure register's MAC key. A
// new version of the register's signature needs a new label.
const registerKeyInfo = "switchboard erasure register v1"

// NewKey builds a backup key from its id and 32 raw bytes.
func NewKey(id string, raw []byte) (*Key, error) {
	mk, err := seal.NewMasterKey(id, raw)
	if err != nil {
		return nil, fmt.Errorf("backup key: %w", err)
	}
	rk, err := hkdf.Key(sha256.New, raw, nil, registerKeyInfo, sha256.Size)
	if err != nil {
		return nil, fmt.Errorf("backup key: %w", err)
	}
	return &Key{wrap: mk, registerKey: rk}, nil
}

// registerMAC returns the HMAC-SHA256 of an erasure register's lines under
// the key's register subkey.
func (k *Key) registerMAC(lines []byte) []byte {
	h := hmac.New(sha256.New, k.registerKey)
	h.Write(lines)
	return h.Sum(nil)
}

// ID returns the key id that every backup made with the key names in its
// header.
func (k *Key) ID() string { return k.wrap.ID() }

// LoadOrCreateKey loads the backup key at path, or creates a random one
// there (mode 0600) if no file exists. created reports a new key: the
// operator must copy it off the server, since a backup cannot be restored
// without it.
func LoadOrCreateKey(path string) (k *Key, created bool, err error) {
	id, raw, created, err := keyFile.LoadOrCreate(path)
	if err != nil {
		return nil, false, err
	}
	k, err = newKeyFromFile(id, raw, path)
	return k, created, err
}

// LoadKey loads the backup key at path; a missing file is an error that
// wraps fs.ErrNotExist.
func LoadKey(path string) (*Key, error) {
	id, raw, err := keyFile.Load(path)
	if err != nil {
		return nil, err
	}
	return newKeyFromFile(id, raw, path)
}

// newKeyFromFile builds the backup key read from path and clears raw.
func newKeyFromFile(id string, raw []byte, path string) (*Key, error) {
	defer clear(raw)
	k, err := NewKey(id, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformedKey, path, err)
	}
	return k, nil
}
