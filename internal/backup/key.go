package backup

import (
	"bufio"
	"bytes"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/switchboardhq/switchboard/internal/seal"
)

// The backup key file has the master key file's layout with its own first
// line, so the two cannot be confused:
//
//	switchboard-backup-key v1
//	id: bk_<16 hex chars>
//	key: <32 bytes, standard base64>
const keyHeader = "switchboard-backup-key v1"

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
	k, err = LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	return createKey(path)
}

// LoadKey loads the backup key at path; a missing file is an error that
// wraps fs.ErrNotExist.
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open backup key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat backup key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformedKey, path)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, it must not be accessible by group or others (run: chmod 600 %s)",
			ErrInsecureKey, path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, 4097))
	if err != nil {
		return nil, fmt.Errorf("read backup key file: %w", err)
	}
	if len(data) > 4096 {
		return nil, fmt.Errorf("%w: %s is larger than 4096 bytes", ErrMalformedKey, path)
	}
	k, err := parseKey(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformedKey, path, err)
	}
	return k, nil
}

func parseKey(data []byte) (*Key, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(lines) == 0 || lines[0] != keyHeader {
		if len(lines) > 0 && strings.HasPrefix(lines[0], "switchboard-master-key") {
			return nil, errors.New("this is a master key file, not a backup key file")
		}
		return nil, fmt.Errorf("first line must be %q", keyHeader)
	}
	fields := map[string]string{}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || (name != "id" && name != "key") {
			return nil, errors.New("unexpected line")
		}
		if _, dup := fields[name]; dup {
			return nil, fmt.Errorf("duplicate %q line", name)
		}
		fields[name] = value
	}
	if fields["id"] == "" || fields["key"] == "" {
		return nil, errors.New(`needs an "id" and a "key" line`)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(fields["key"])
	if err != nil {
		return nil, errors.New("key is not valid base64")
	}
	defer clear(raw)
	return NewKey(fields["id"], raw)
}

func createKey(path string) (*Key, bool, error) {
	raw := make([]byte, seal.KeySize)
	rand.Read(raw)
	defer clear(raw)
	idb := make([]byte, 8)
	rand.Read(idb)
	id := "bk_" + hex.EncodeToString(idb)
	k, err := NewKey(id, raw)
	if err != nil {
		return nil, false, err
	}
	content := fmt.Sprintf("%s\nid: %s\nkey: %s\n", keyHeader, id, base64.StdEncoding.EncodeToString(raw))
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create backup key dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".backup-key-*.tmp") // mode 0600
	if err != nil {
		return nil, false, fmt.Errorf("create backup key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(content)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("write backup key: %w", err)
	}
	// Link, not rename: if another process created the key meanwhile, keep
	// theirs rather than replace a key backups may already use.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			k, err := LoadKey(path)
			return k, false, err
		}
		return nil, false, fmt.Errorf("install backup key: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, false, fmt.Errorf("sync backup key dir: %w", err)
	}
	return k, true, nil
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
