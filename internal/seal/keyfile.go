package seal

import (
	"bufio"
	"bytes"
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

	"github.com/switchboardhq/switchboard/internal/fsutil"
)

// maxKeyFile bounds how much of a (possibly wrong) key file is read.
const maxKeyFile = 4096

// KeyFile is a kind of key file. The master key file and the backup key
// file (internal/backup) share one layout and differ in their first line,
// so that one cannot be used for the other:
//
//	<Header>
//	id: <IDPrefix><16 hex digits>
//	key: <32 bytes, standard base64>
//
// Blank lines and surrounding whitespace are tolerated because operators
// may edit the file by hand; anything else unexpected is an error. A file
// that is accessible by group or others is refused (as ssh does for
// private keys), and a malformed file is reported, never replaced.
type KeyFile struct {
	// Header is the first line, "switchboard-<kind> v<n>".
	Header string
	// IDPrefix starts the ids of new keys, e.g. "mk_".
	IDPrefix string
	// Name names the key in errors and temporary files, e.g. "master key".
	Name string
	// Malformed is wrapped by the errors about a file that cannot be
	// parsed, Insecure by those about its permissions.
	Malformed, Insecure error
}

// masterKeyFile is the master key file's kind.
var masterKeyFile = KeyFile{Header: "switchboard-master-key v1", IDPrefix: "mk_", Name: "master key",
	Malformed: ErrMalformedKeyFile, Insecure: ErrInsecureKeyFile}

// Load reads the key file at path and returns the key id and its 32 raw
// bytes, which the caller should clear once it built its key. A missing
// file is an error that wraps fs.ErrNotExist.
func (kf KeyFile) Load(path string) (id string, raw []byte, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", nil, fmt.Errorf("open %s file: %w", kf.Name, err)
	}
	defer f.Close()
	// Stat the open descriptor, not the path, so the checks apply to the
	// bytes actually read.
	fi, err := f.Stat()
	if err != nil {
		return "", nil, fmt.Errorf("stat %s file: %w", kf.Name, err)
	}
	if !fi.Mode().IsRegular() {
		return "", nil, fmt.Errorf("%w: %s is not a regular file", kf.Malformed, path)
	}
	// Windows has no meaningful Unix permission bits.
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		return "", nil, fmt.Errorf("%w: %s has mode %04o, it must not be accessible by group or others (run: chmod 600 %s)",
			kf.Insecure, path, fi.Mode().Perm(), path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return "", nil, fmt.Errorf("read %s file: %w", kf.Name, err)
	}
	if len(data) > maxKeyFile {
		return "", nil, fmt.Errorf("%w: %s is larger than %d bytes", kf.Malformed, path, maxKeyFile)
	}
	id, raw, err = kf.parse(data)
	if err != nil {
		return "", nil, fmt.Errorf("%w: %s: %s", kf.Malformed, path, err)
	}
	return id, raw, nil
}

// LoadOrCreate loads the key file at path, or creates one with a new
// random key there (mode 0600, in a directory created with mode 0700) if
// no file exists yet. created reports a new key; callers should tell the
// operator to copy it off the server.
func (kf KeyFile) LoadOrCreate(path string) (id string, raw []byte, created bool, err error) {
	id, raw, err = kf.Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return id, raw, false, err
	}
	return kf.create(path)
}

// Create writes a new random key to path, which must not exist yet.
func (kf KeyFile) Create(path string) (id string, raw []byte, err error) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return "", nil, fmt.Errorf("create %s: %s exists", kf.Name, path)
	}
	id, raw, _, err = kf.create(path)
	return id, raw, err
}

// parse parses the file's contents.
func (kf KeyFile) parse(data []byte) (string, []byte, error) {
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if err := sc.Err(); err != nil {
		return "", nil, err
	}
	if len(lines) == 0 || lines[0] != kf.Header {
		if len(lines) > 0 {
			if other, ours := keyFileKind(lines[0]), keyFileKind(kf.Header); other != "" && other != ours {
				return "", nil, fmt.Errorf("this is a %s file, not a %s file", other, kf.Name)
			}
		}
		return "", nil, fmt.Errorf("first line must be %q", kf.Header)
	}
	fields := map[string]string{}
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || (name != "id" && name != "key") {
			return "", nil, fmt.Errorf("unexpected line %q", redactLine(line))
		}
		if _, dup := fields[name]; dup {
			return "", nil, fmt.Errorf("duplicate %q line", name)
		}
		fields[name] = value
	}
	id, ok := fields["id"]
	if !ok {
		return "", nil, errors.New(`missing "id" line`)
	}
	if err := checkID(id); err != nil {
		return "", nil, err
	}
	b64, ok := fields["key"]
	if !ok {
		return "", nil, errors.New(`missing "key" line`)
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil {
		return "", nil, errors.New("key is not valid base64")
	}
	if len(raw) != KeySize {
		clear(raw)
		return "", nil, fmt.Errorf("key is %d bytes, want %d", len(raw), KeySize)
	}
	return id, raw, nil
}

// keyFileKind returns "master key" for the header "switchboard-master-key
// v1", or "" for a line that is no key file header.
func keyFileKind(header string) string {
	rest, ok := strings.CutPrefix(header, "switchboard-")
	kind, version, ok2 := strings.Cut(rest, " ")
	if !ok || !ok2 || !strings.HasSuffix(kind, "-key") || !strings.HasPrefix(version, "v") {
		return ""
	}
	return strings.ReplaceAll(kind, "-", " ")
}

// redactLine keeps error messages from echoing what may be key material.
func redactLine(line string) string {
	if len(line) > 12 {
		return line[:12] + "..."
	}
	return line
}

func (kf KeyFile) create(path string) (_ string, _ []byte, created bool, _ error) {
	raw := make([]byte, KeySize)
	rand.Read(raw)
	defer func() {
		if !created {
			clear(raw)
		}
	}()
	id := newID(kf.IDPrefix, 8)
	content := fmt.Sprintf("%s\nid: %s\nkey: %s\n", kf.Header, id, base64.StdEncoding.EncodeToString(raw))

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, false, fmt.Errorf("create %s dir: %w", kf.Name, err)
	}
	tmp, err := os.CreateTemp(dir, "."+strings.ReplaceAll(kf.Name, " ", "-")+"-*.tmp") // mode 0600
	if err != nil {
		return "", nil, false, fmt.Errorf("create %s temp file: %w", kf.Name, err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName) // no-op once linked/renamed away
	if err := writeSynced(tmp, content); err != nil {
		return "", nil, false, fmt.Errorf("write %s temp file: %w", kf.Name, err)
	}

	// Link rather than rename: link fails if path appeared in the meantime
	// (two processes starting at once), whereas rename would silently
	// replace a key that the other process may already be using.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			id, theirs, err := kf.Load(path)
			return id, theirs, false, err
		}
		// Some filesystems do not support hard links; fall back to rename,
		// re-checking first to keep the race window tiny.
		if _, statErr := os.Lstat(path); !errors.Is(statErr, fs.ErrNotExist) {
			return "", nil, false, fmt.Errorf("install %s file: %w", kf.Name, err)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return "", nil, false, fmt.Errorf("install %s file: %w", kf.Name, err)
		}
	}
	if err := fsutil.SyncDir(dir); err != nil {
		return "", nil, false, fmt.Errorf("sync %s dir: %w", kf.Name, err)
	}
	return id, raw, true, nil
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
