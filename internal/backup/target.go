package backup

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/internal/fsutil"
)

// Location is where backups are kept: a directory or an S3-compatible bucket.
// A backup becomes visible under its name only once it is complete, so a
// crashed or failed backup never looks like a good one.
type Location interface {
	// Create starts writing the backup name.
	Create(ctx context.Context, name string) (Upload, error)
	// Open reads the backup name.
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the backups, oldest first.
	List(ctx context.Context) ([]Object, error)
	// Delete removes the backup name.
	Delete(ctx context.Context, name string) error
	// String describes the location for logs, without credentials.
	String() string
}

// Upload is a backup being written.
type Upload interface {
	io.Writer
	// Commit makes the backup visible under its name.
	Commit() error
	// Abort discards what was written.
	Abort()
}

// Object is a stored backup.
type Object struct {
	Name string    `json:"name"`
	Size int64     `json:"size"`
	Time time.Time `json:"time"` // when the backup was made, from its name
}

// Backup names are switchboard-<UTC time>.backup, so that they sort by
// time and cannot be mistaken for other files.
const (
	namePrefix = "switchboard-"
	nameSuffix = ".backup"
	nameTime   = "20060102T150405.000Z"
)

// Name returns the file name of a backup made at t.
func Name(t time.Time) string {
	return namePrefix + t.UTC().Format(nameTime) + nameSuffix
}

// parseName returns the time of a backup name, or false for other files.
func parseName(name string) (time.Time, bool) {
	s, ok := strings.CutPrefix(name, namePrefix)
	if !ok {
		return time.Time{}, false
	}
	if s, ok = strings.CutSuffix(s, nameSuffix); !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(nameTime, s)
	return t, err == nil
}

// sortObjects orders backups oldest first.
func sortObjects(objs []Object) {
	slices.SortFunc(objs, func(a, b Object) int { return strings.Compare(a.Name, b.Name) })
}

// Dir keeps backups as files in a directory.
type Dir struct {
	Path string
}

var _ Location = (*Dir)(nil)

func (d *Dir) String() string { return d.Path }

func (d *Dir) path(name string) (string, error) {
	if _, ok := parseName(name); !ok && name != RegisterName {
		return "", fmt.Errorf("backup: %q is not a backup name", name)
	}
	return filepath.Join(d.Path, name), nil
}

// Create writes to a hidden temporary file that Commit syncs and renames.
func (d *Dir) Create(ctx context.Context, name string) (Upload, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return nil, fmt.Errorf("backup: create directory: %w", err)
	}
	rnd := make([]byte, 6)
	rand.Read(rnd)
	tmp := filepath.Join(d.Path, "."+name+".tmp-"+hex.EncodeToString(rnd))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return &fileUpload{f: f, tmp: tmp, path: p, dir: d.Path}, nil
}

type fileUpload struct {
	f              *os.File
	tmp, path, dir string
}

func (u *fileUpload) Write(p []byte) (int, error) { return u.f.Write(p) }

func (u *fileUpload) Commit() error {
	err := u.f.Sync()
	if cerr := u.f.Close(); err == nil {
		err = cerr
	}
	if err == nil && filepath.Base(u.path) != RegisterName { // the register is replaced; backups never are
		if _, serr := os.Lstat(u.path); serr == nil {
			err = fmt.Errorf("%s exists already", u.path)
		}
	}
	if err == nil {
		err = os.Rename(u.tmp, u.path)
	}
	if err != nil {
		os.Remove(u.tmp)
		return fmt.Errorf("backup: finish file: %w", err)
	}
	return fsutil.SyncDir(u.dir)
}

func (u *fileUpload) Abort() {
	u.f.Close()
	os.Remove(u.tmp)
}

// Open opens a backup file.
func (d *Dir) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := d.path(name)
	if err != nil {
		return nil, err
	}
	return os.Open(p)
}

// List lists the backup files; temporary and other files are ignored.
func (d *Dir) List(ctx context.Context) ([]Object, error) {
	ents, err := os.ReadDir(d.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("backup: list %s: %w", d.Path, err)
	}
	var objs []Object
	for _, e := range ents {
		t, ok := parseName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		objs = append(objs, Object{Name: e.Name(), Size: fi.Size(), Time: t})
	}
	sortObjects(objs)
	return objs, nil
}

// Delete removes a backup file.
func (d *Dir) Delete(ctx context.Context, name string) error {
	p, err := d.path(name)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Write makes a backup of src into loc under a name from its start time
// and returns the manifest and the stored object.
func Write(ctx context.Context, loc Location, src Source, key *Key, opts CreateOptions) (*Manifest, Object, error) {
	now := time.Now
	if opts.Clock != nil {
		now = opts.Clock.Now
	}
	name := Name(now())
	up, err := loc.Create(ctx, name)
	if err != nil {
		return nil, Object{}, err
	}
	cw := &countingWriter{w: up}
	m, err := Create(ctx, cw, src, key, opts)
	if err != nil {
		up.Abort()
		return nil, Object{}, err
	}
	if err := up.Commit(); err != nil {
		return nil, Object{}, err
	}
	t, _ := parseName(name)
	return m, Object{Name: name, Size: cw.n, Time: t}, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// cleanTemp removes temporary files of backups that crashed (the process
// died before Commit or Abort) once they are older than a day.
func (d *Dir) cleanTemp() {
	ents, err := os.ReadDir(d.Path)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "."+namePrefix) || !strings.Contains(e.Name(), nameSuffix+".tmp-") {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			os.Remove(filepath.Join(d.Path, e.Name()))
		}
	}
}

// Prune deletes all but the newest keep backups in loc and returns the names it
// deleted.
func Prune(ctx context.Context, loc Location, keep int) ([]string, error) {
	if keep < 1 {
		return nil, errors.New("backup: keep at least one backup")
	}
	objs, err := loc.List(ctx)
	if err != nil {
		return nil, err
	}
	var deleted []string
	for i := 0; i < len(objs)-keep; i++ {
		if err := loc.Delete(ctx, objs[i].Name); err != nil {
			return deleted, err
		}
		deleted = append(deleted, objs[i].Name)
	}
	if d, ok := loc.(*Dir); ok {
		d.cleanTemp()
	}
	return deleted, nil
}
