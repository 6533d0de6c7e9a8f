package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/media"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// A backup file is, byte for byte:
//
//	"SWBACKUP" 0x01          magic and file format version
//	uint32 n, n bytes        big-endian length and JSON of fileHeader
//	sealed stream            internal/media's chunked AES-256-GCM format
//
// The sealed stream is a gzip-compressed tar archive, encrypted under a
// random file key that the header carries wrapped by the backup key. The
// stream's associated data is everything before it, so the header cannot
// be swapped or edited. Nothing but the key ids is readable without the
// backup key.
//
// The archive holds, in this order: backup.json (archiveHeader: formats,
// time, the tables' columns), tables/<table>/<NNNNNN>.jsonl (rows as JSON
// lines, parts of at most partSize bytes), media/<id> (the encrypted media
// files exactly as stored) and manifest.json (Manifest: size and SHA-256 of
// every entry before it, row counts, source backend and schema version).
var magic = []byte("SWBACKUP\x01")

// FormatVersion is the version of the archive layout.
const FormatVersion = 1

// partSize bounds a table part, so a table of any size streams through
// memory in pieces.
const partSize = 4 << 20

// Archive entry names.
const (
	headerEntry   = "backup.json"
	manifestEntry = "manifest.json"
)

// fileHeader is the readable part of a backup file.
type fileHeader struct {
	KeyID          string `json:"key_id"`      // the backup key that wraps the file key
	FileKeyID      string `json:"file_key_id"` // bound into the wrapping
	WrappedFileKey string `json:"wrapped_file_key"`
}

// archiveHeader is the archive's first entry.
type archiveHeader struct {
	Format      int           `json:"format"`
	DumpVersion int           `json:"dump_version"`
	CreatedAt   time.Time     `json:"created_at"`
	Tables      []*dump.Table `json:"tables"`
}

// Entry is one archive entry as the manifest lists it.
type Entry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// Rows is the number of rows in a table part.
	Rows int64 `json:"rows,omitempty"`
}

// Manifest describes a backup. It is the archive's last entry.
type Manifest struct {
	Format      int       `json:"format"`
	DumpVersion int       `json:"dump_version"`
	CreatedAt   time.Time `json:"created_at"`
	FinishedAt  time.Time `json:"finished_at"`
	// Backend is the database the backup was read from: sqlite or postgres.
	Backend string `json:"backend"`
	// SchemaVersion is the source database's newest applied migration.
	SchemaVersion int `json:"schema_version"`
	// Version is the Switchboard build that made the backup.
	Version string `json:"version,omitempty"`
	// MasterKeyIDs lists the master keys that wrap the backup's data keys:
	// a restore needs the master key file with that id.
	MasterKeyIDs []string `json:"master_key_ids"`
	// Rows counts the rows of every table.
	Rows map[string]int64 `json:"rows"`
	// MediaFiles and MediaBytes count the media files in the backup;
	// MissingMedia names files the database references but the media
	// directory did not have when the backup was made.
	MediaFiles   int64    `json:"media_files"`
	MediaBytes   int64    `json:"media_bytes"`
	MissingMedia []string `json:"missing_media,omitempty"`
	Entries      []Entry  `json:"entries"`
	// AuditHead is the newest audit entry in the backup: an anchor of the
	// audit chain outside the database (`switchboard audit verify
	// --backup`), so deleting the newest entries or rewriting the chain
	// is noticed against any backup made since. Nil for an empty log and
	// for backups made before it was recorded.
	AuditHead *switchboard.AuditAnchor `json:"audit_head,omitempty"`
}

// Errors a damaged backup produces.
var (
	// ErrNotBackup is returned for a file that is not a Switchboard backup.
	ErrNotBackup = errors.New("backup: not a Switchboard backup file")
	// ErrWrongKey is returned when the backup was made with another backup
	// key.
	ErrWrongKey = errors.New("backup: wrong backup key")
	// ErrDamaged is returned for a backup that fails decryption, a checksum
	// or the manifest: truncated, altered or incomplete.
	ErrDamaged = errors.New("backup: damaged")
)

// sealWriter starts encrypting into w under a new file key and returns the
// writer that takes the plaintext; closing it finishes the stream.
func sealWriter(w io.Writer, key *Key) (io.WriteCloser, error) {
	fk, raw, err := seal.GenerateDataKey()
	if err != nil {
		return nil, err
	}
	wrapped, err := key.wrap.Wrap(fk.ID(), raw)
	clear(raw)
	if err != nil {
		return nil, err
	}
	hj, err := json.Marshal(fileHeader{KeyID: key.ID(), FileKeyID: fk.ID(), WrappedFileKey: base64.StdEncoding.EncodeToString(wrapped)})
	if err != nil {
		return nil, err
	}
	prefix := append([]byte(nil), magic...)
	prefix = binary.BigEndian.AppendUint32(prefix, uint32(len(hj)))
	prefix = append(prefix, hj...)
	if _, err := w.Write(prefix); err != nil {
		return nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := media.Encrypt(w, pr, fk, prefix)
		pr.CloseWithError(err) // unblocks a writer if Encrypt failed
		done <- err
	}()
	return &pipeSealer{pw: pw, done: done}, nil
}

type pipeSealer struct {
	pw   *io.PipeWriter
	done chan error
}

func (p *pipeSealer) Write(b []byte) (int, error) { return p.pw.Write(b) }

func (p *pipeSealer) Close() error {
	p.pw.Close()
	return <-p.done
}

// abort stops the encryption without finishing the stream.
func (p *pipeSealer) abort(err error) {
	p.pw.CloseWithError(err)
	<-p.done
}

// countingReader counts the bytes read from a backup file, for error
// messages that say where the damage is.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// openReader reads the file header, unwraps the file key and returns the
// plaintext stream (the gzip-compressed tar archive).
func openReader(r io.Reader, key *Key) (io.Reader, *countingReader, error) {
	cr := &countingReader{r: r}
	head := make([]byte, len(magic)+4)
	if _, err := io.ReadFull(cr, head); err != nil || !bytes.Equal(head[:len(magic)], magic) {
		if err == nil && bytes.Equal(head[:len(magic)-1], magic[:len(magic)-1]) {
			return nil, cr, fmt.Errorf("%w: file format version %d is not known to this build", ErrNotBackup, head[len(magic)-1])
		}
		return nil, cr, ErrNotBackup
	}
	n := binary.BigEndian.Uint32(head[len(magic):])
	if n > 64<<10 {
		return nil, cr, fmt.Errorf("%w: header is damaged", ErrDamaged)
	}
	hj := make([]byte, n)
	if _, err := io.ReadFull(cr, hj); err != nil {
		return nil, cr, fmt.Errorf("%w: header is truncated", ErrDamaged)
	}
	var h fileHeader
	if err := json.Unmarshal(hj, &h); err != nil {
		return nil, cr, fmt.Errorf("%w: header is damaged", ErrDamaged)
	}
	if h.KeyID != key.ID() {
		return nil, cr, fmt.Errorf("%w: the backup was encrypted with backup key %q, the key file holds %q", ErrWrongKey, h.KeyID, key.ID())
	}
	wrapped, err := base64.StdEncoding.DecodeString(h.WrappedFileKey)
	if err != nil {
		return nil, cr, fmt.Errorf("%w: header is damaged", ErrDamaged)
	}
	raw, err := key.wrap.Unwrap(h.FileKeyID, wrapped)
	if err != nil {
		return nil, cr, fmt.Errorf("%w: backup key %q does not open this backup (a different key with the same id, or a damaged header)", ErrWrongKey, key.ID())
	}
	fk, err := seal.NewDataKey(h.FileKeyID, raw)
	clear(raw)
	if err != nil {
		return nil, cr, fmt.Errorf("%w: header is damaged", ErrDamaged)
	}
	prefix := append(head, hj...)
	return media.Decrypt(cr, fk, prefix), cr, nil
}

// archiveWriter writes archive entries and remembers their checksums.
type archiveWriter struct {
	tw      *tar.Writer
	modTime time.Time
	entries []Entry
}

func (a *archiveWriter) add(name string, data []byte, rows int64) error {
	sum := sha256.Sum256(data)
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(data)), Mode: 0o600, ModTime: a.modTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	if _, err := a.tw.Write(data); err != nil {
		return err
	}
	a.entries = append(a.entries, Entry{Name: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Rows: rows})
	return nil
}

func (a *archiveWriter) addStream(name string, size int64, r io.Reader) error {
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Size: size, Mode: 0o600, ModTime: a.modTime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(a.tw, io.TeeReader(io.LimitReader(r, size), h))
	if err != nil {
		return err
	}
	if n != size {
		return fmt.Errorf("%s changed size while it was copied", name)
	}
	a.entries = append(a.entries, Entry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

// archiveReader iterates over the entries of a backup, checking each
// against the manifest when one is known.
type archiveReader struct {
	plain   io.Reader // decrypted stream
	file    *countingReader
	gz      *gzip.Reader
	tr      *tar.Reader
	current string
	hash    hash.Hash
	size    int64
	body    io.Reader
}

func newArchiveReader(r io.Reader, key *Key) (*archiveReader, error) {
	plain, cr, err := openReader(r, key)
	if err != nil {
		return nil, err
	}
	a := &archiveReader{plain: plain, file: cr}
	gz, err := gzip.NewReader(plain)
	if err != nil {
		return nil, a.damaged(err)
	}
	gz.Multistream(false)
	a.gz, a.tr = gz, tar.NewReader(gz)
	return a, nil
}

// damaged turns a read error into one that names where the damage is.
func (a *archiveReader) damaged(err error) error {
	where := "before the first entry"
	if a.current != "" {
		where = fmt.Sprintf("in or after entry %q", a.current)
	}
	if errors.Is(err, media.ErrCorrupt) {
		return fmt.Errorf("%w: decryption failed at byte %d of the file, %s: the file is truncated or altered", ErrDamaged, a.file.n, where)
	}
	return fmt.Errorf("%w: %s: %v", ErrDamaged, where, err)
}

// next moves to the next entry and returns its name; io.EOF at the end of
// the archive.
func (a *archiveReader) next() (string, error) {
	if a.body != nil {
		if _, err := io.Copy(io.Discard, a.body); err != nil {
			return "", a.damaged(err)
		}
	}
	h, err := a.tr.Next()
	if err == io.EOF {
		return "", io.EOF
	} else if err != nil {
		return "", a.damaged(err)
	}
	if h.Typeflag != tar.TypeReg {
		return "", fmt.Errorf("%w: unexpected entry %q", ErrDamaged, h.Name)
	}
	a.current, a.size = h.Name, h.Size
	a.hash = sha256.New()
	a.body = io.TeeReader(a.tr, a.hash)
	return h.Name, nil
}

// Read reads the current entry.
func (a *archiveReader) Read(p []byte) (int, error) {
	n, err := a.body.Read(p)
	if err != nil && err != io.EOF {
		return n, a.damaged(err)
	}
	return n, err
}

// sum returns the current entry's size and SHA-256 once it was read to its
// end.
func (a *archiveReader) sum() Entry {
	return Entry{Name: a.current, Size: a.size, SHA256: hex.EncodeToString(a.hash.Sum(nil))}
}

// finish reads the streams to their ends, so that a truncated file is
// noticed even after a complete archive, and that nothing follows.
func (a *archiveReader) finish() error {
	if _, err := io.Copy(io.Discard, a.gz); err != nil {
		return a.damaged(err)
	}
	if _, err := io.Copy(io.Discard, a.plain); err != nil {
		return a.damaged(err)
	}
	if n, _ := io.Copy(io.Discard, a.file); n > 0 {
		return fmt.Errorf("%w: %d unexpected bytes after the end of the backup", ErrDamaged, n)
	}
	return nil
}
