package seal

import (
	"bufio"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

const (
	masterKeyHeader = "switchboard-master-key v1"
	// maxMasterKeyFile bounds how much of a (possibly wrong) file is read.
	maxMasterKeyFile = 4096
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
// replaced.
func LoadOrCreateMasterKey(path string) (mk *MasterKey, created bool, err error) {
	mk, err = loadMasterKey(path)
	if err == nil {
		return mk, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	mk, created, err = createMasterKey(path)
	if err != nil {
		return nil, false, err
	}
	return mk, created, nil
}

func loadMasterKey(path string) (*MasterKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open master key file: %w", err)
	}
	defer f.Close()
	// Stat the open descriptor, not the path, so the checks apply to the
	// bytes actually read.
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat master key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformedKeyFile, path)
	}
	// Windows has no meaningful Unix permission bits.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o, it must not be accessible by group or others (run: chmod 600 %s)",
			ErrInsecureKeyFile, path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxMasterKeyFile+1))
	if err != nil {
		return nil, fmt.Errorf("read master key file: %w", err)
	}
	if len(data) > maxMasterKeyFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrMalformedKeyFile, path, maxMasterKeyFile)
	}
	mk, err := parseMasterKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrMalformedKeyFile, path, err)
	}
	return mk, nil
}

// parseMasterKeyFile parses the v1 format. Blank lines and surrounding
// whitespace are tolerated because operators may edit the file by hand;
// anything else unexpected is an error.
func parseMasterKeyFile(data []byte) (*MasterKey, error) {
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
	if len(lines) == 0 || lines[0] != masterKeyHeader {
		return nil, fmt.Errorf("first line must be %q", masterKeyHeader)
	}
	fields := map[string]string{}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || (name != "id" && name != "key") {
			return nil, fmt.Errorf("unexpected line %q", redactLine(line))
		}
		if _, dup := fields[name]; dup {
			return nil, fmt.Errorf("duplicate %q line", name)
		}
		fields[name] = value
	}
	id, ok := fields["id"]
	if !ok {
		return nil, errors.New(`missing "id" line`)
	}
	b64, ok := fields["key"]
	if !ok {
		return nil, errors.New(`missing "key" line`)
	}
	key, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return nil, errors.New("key is not valid base64")
	}
	if len(key) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(key), KeySize)
	}
	return NewMasterKey(id, key)
}

// redactLine keeps error messages from echoing what may be key material.
func redactLine(line string) string {
	if len(line) > 12 {
		return line[:12] + "..."
	}
	return line
}

func createMasterKey(path string) (*MasterKey, bool, error) {
	key := make([]byte, KeySize)
	rand.Read(key)
	mk, err := NewMasterKey(newID("mk_", 8), key)
	if err != nil {
		return nil, false, err
	}
	content := fmt.Sprintf("%s\nid: %s\nkey: %s\n", masterKeyHeader, mk.id, base64.StdEncoding.EncodeToString(key))

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("create master key dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".master-key-*.tmp") // mode 0600
	if err != nil {
		return nil, false, fmt.Errorf("create master key temp file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op once linked/renamed away
	if err := writeSynced(tmp, content); err != nil {
		return nil, false, fmt.Errorf("write master key temp file: %w", err)
	}

	// Link rather than rename: link fails if path appeared in the meantime
	// (two processes starting at once), whereas rename would silently
	// replace a key that the other process may already be encrypting with.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			mk, err := loadMasterKey(path)
			return mk, false, err
		}
		// Some filesystems do not support hard links; fall back to rename,
		// re-checking first to keep the race window tiny.
		if _, statErr := os.Lstat(path); !errors.Is(statErr, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("install master key file: %w", err)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return nil, false, fmt.Errorf("install master key file: %w", err)
		}
	}
	if err := syncDir(dir); err != nil {
		return nil, false, fmt.Errorf("sync master key dir: %w", err)
	}
	return mk, true, nil
}

func writeSynced(f *os.File, content string) error {
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir makes the new directory entry durable, so a crash right after
// startup cannot lose a key that data was already encrypted with.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced on Windows
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// LoadMasterKey loads the master key stored at path and never creates one.
// It applies the same checks as [LoadOrCreateMasterKey].
func LoadMasterKey(path string) (*MasterKey, error) { return loadMasterKey(path) }

// CreateMasterKey writes a new random master key to path, which must not
// exist yet (mode 0600, written to a temporary file and linked into place).
func CreateMasterKey(path string) (*MasterKey, error) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("create master key: %s exists", path)
	}
	mk, _, err := createMasterKey(path)
	return mk, err
}
