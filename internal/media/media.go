// Package media stores attachments: encrypted byte streams in a blob store
// (files in the data dir), each sealed under the contact's data key so that
// erasing a contact also shreds their files.
package media

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/fsutil"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// chunkSize is the plaintext size of one sealed chunk: large enough that the
// 29 bytes of overhead per chunk do not matter, small enough to stream.
const chunkSize = 64 << 10

var magic = []byte("SBM1")

// ErrCorrupt reports a stream that was truncated, reordered or tampered with.
var ErrCorrupt = errors.New("media: encrypted stream is corrupt")

func chunkAAD(base []byte, index uint64, final bool) []byte {
	aad := make([]byte, 0, len(base)+9)
	aad = append(aad, base...)
	aad = binary.BigEndian.AppendUint64(aad, index)
	if final {
		return append(aad, 1)
	}
	return append(aad, 0)
}

// Encrypt reads all of r and writes it to w as a sealed stream: a header,
// then length-prefixed chunks each sealed with aad, the chunk's index and a
// final-chunk flag, so truncation and reordering are detected. It returns the
// plaintext size.
func Encrypt(w io.Writer, r io.Reader, key *seal.DataKey, aad []byte) (int64, error) {
	if _, err := w.Write(magic); err != nil {
		return 0, err
	}
	buf := make([]byte, chunkSize)
	next := make([]byte, chunkSize)
	n, err := io.ReadFull(r, buf)
	var total int64
	for index := uint64(0); ; index++ {
		if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
			return total, fmt.Errorf("read plaintext: %w", err)
		}
		final := err != nil
		var m int
		var nextErr error
		if !final {
			// Read ahead to know whether this chunk is the last one.
			m, nextErr = io.ReadFull(r, next)
			if m == 0 && (nextErr == io.EOF || nextErr == io.ErrUnexpectedEOF) {
				final = true
			}
		}
		sealed := key.Seal(chunkAAD(aad, index, final), buf[:n])
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(sealed)))
		if _, err := w.Write(l[:]); err != nil {
			return total, err
		}
		if _, err := w.Write(sealed); err != nil {
			return total, err
		}
		total += int64(n)
		if final {
			return total, nil
		}
		buf, next = next, buf
		n, err = m, nextErr
	}
}

// Decrypt returns a reader of the plaintext of a stream written by Encrypt.
// A corrupt stream fails with ErrCorrupt, at the latest at its end.
func Decrypt(r io.Reader, key *seal.DataKey, aad []byte) io.Reader {
	return &decrypter{r: r, key: key, aad: aad}
}

type decrypter struct {
	r       io.Reader
	key     *seal.DataKey
	aad     []byte
	index   uint64
	started bool
	done    bool
	buf     []byte
	err     error
}

func (d *decrypter) Read(p []byte) (int, error) {
	for len(d.buf) == 0 {
		if d.err != nil {
			return 0, d.err
		}
		if d.done {
			return 0, io.EOF
		}
		d.err = d.next()
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}

func (d *decrypter) next() error {
	if !d.started {
		head := make([]byte, len(magic))
		if _, err := io.ReadFull(d.r, head); err != nil || !bytes.Equal(head, magic) {
			return ErrCorrupt
		}
		d.started = true
	}
	var l [4]byte
	if _, err := io.ReadFull(d.r, l[:]); err != nil {
		return ErrCorrupt // the final chunk never came: truncated
	}
	size := binary.BigEndian.Uint32(l[:])
	if size > chunkSize+seal.Overhead {
		return ErrCorrupt
	}
	sealed := make([]byte, size)
	if _, err := io.ReadFull(d.r, sealed); err != nil {
		return ErrCorrupt
	}
	for _, final := range []bool{false, true} {
		if pt, err := d.key.Open(chunkAAD(d.aad, d.index, final), sealed); err == nil {
			d.index++
			d.buf, d.done = pt, final
			return nil
		}
	}
	return ErrCorrupt
}

// Files is a [switchboard.BlobStore] in a directory. Writes go to a temporary
// file that is synced and renamed into place, so a crash leaves either the
// whole file or none.
type Files struct {
	Dir string
}

var _ switchboard.BlobStore = (*Files)(nil)

// path maps a blob name to a file, two levels of fan-out deep so no
// directory grows huge. Names are ids made by switchboard.NewID.
func (f *Files) path(name string) (string, error) {
	if !switchboard.ValidID(name) {
		return "", fmt.Errorf("media: invalid blob name %q", name)
	}
	return filepath.Join(f.Dir, name[:2], name[2:4], name), nil
}

// Put stores r under name.
func (f *Files) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	p, err := f.path(name)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, fmt.Errorf("create media dir: %w", err)
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:])
	tmp := p + ".tmp-" + hex.EncodeToString(rnd[:])
	file, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("create media file: %w", err)
	}
	n, err := io.Copy(file, ctxReader{ctx, r})
	if err == nil {
		err = file.Sync()
	}
	if cerr := file.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return n, fmt.Errorf("write media file: %w", err)
	}
	_ = fsutil.SyncDir(filepath.Dir(p))
	return n, nil
}

// Get opens the blob stored under name.
func (f *Files) Get(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	file, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, switchboard.NotFound("Media")
	}
	return file, err
}

// Delete removes the blob; a missing blob is not an error.
func (f *Files) Delete(ctx context.Context, name string) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// SafeFilename reduces a user- or customer-supplied file name to something
// harmless in a Content-Disposition header and on disk.
func SafeFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 0x20, r == 0x7f, strings.ContainsRune(`"/\:*?<>|`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.TrimSpace(b.String())
	if s == "" || s == "." || s == ".." {
		return "file"
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
