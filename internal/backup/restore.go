package backup

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

// Target is a database a backup is restored into. internal/sqlite and
// internal/postgres implement it.
type Target interface {
	switchboard.Store
	// CheckEmpty returns a *dump.NotEmptyError unless the database holds
	// only what a new one has.
	CheckEmpty(ctx context.Context) error
	// MasterKeyID names the master key the store was opened with.
	MasterKeyID() string
	// Load inserts rows, table by table, in one transaction.
	Load(ctx context.Context, next func() (*dump.Table, []any, error)) (*dump.LoadResult, error)
	// CountRows counts the rows of every table.
	CountRows(ctx context.Context) (map[string]int64, error)
}

// RestoreOptions configure [Restore].
type RestoreOptions struct {
	// Open opens the target database with migrations applied. Restore
	// calls it twice: to load, and again after loading, because a store
	// caches keys it read when it opened.
	Open func(ctx context.Context) (Target, error)
	// Blobs receives the media files; nil skips them.
	Blobs switchboard.BlobStore
	// Reapply, when set, runs on the restored database before Restore
	// returns. It is the extension point for the GDPR erasure register: a
	// restore of an older backup must erase again every contact erased
	// since the backup was made (see docs/backup.md).
	Reapply func(ctx context.Context, s switchboard.Store) error
	// Logger reports progress; nil is silent.
	Logger *slog.Logger
}

// RestoreResult reports a finished restore.
type RestoreResult struct {
	Manifest   *Manifest
	Rows       map[string]int64
	Skipped    map[string]int64
	MediaFiles int64
	Duration   time.Duration
}

// Restore restores the backup that open returns into an empty database. It
// reads the backup twice: first it verifies the whole file (so a damaged
// backup changes nothing), then it loads the rows in one transaction and
// writes the media files. It then reopens the database, checks the row
// count of every table against the manifest, and runs opts.Reapply.
//
// The target must have the master key the backup's data keys are wrapped
// with; the backup never contains it.
func Restore(ctx context.Context, open func(ctx context.Context) (io.ReadCloser, error), key *Key, opts RestoreOptions) (*RestoreResult, error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	target, err := opts.Open(ctx)
	if err != nil {
		return nil, fmt.Errorf("restore: open target: %w", err)
	}
	defer func() {
		if target != nil {
			target.Close()
		}
	}()
	if err := target.CheckEmpty(ctx); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}

	m, err := verifyFrom(ctx, open, key)
	if err != nil {
		return nil, fmt.Errorf("restore: verify: %w", err)
	}
	log.Info("backup verified", "created_at", m.CreatedAt, "backend", m.Backend, "schema_version", m.SchemaVersion)
	if err := checkCompatible(ctx, m, target); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}

	rc, err := open(ctx)
	if err != nil {
		return nil, fmt.Errorf("restore: open backup: %w", err)
	}
	defer rc.Close()
	a, err := newArchiveReader(rc, key)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	l := &loader{a: a, m: m}
	if err := l.start(); err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	next, wait := l.prefetch()
	res, err := target.Load(ctx, next)
	wait()
	if err == nil {
		err = l.err
	}
	if err != nil {
		return nil, fmt.Errorf("restore: load rows: %w", err)
	}
	log.Info("rows restored", "rows", sum(res.Rows), "took", time.Since(start).Round(time.Millisecond))

	var files int64
	for name := l.pending; name != ""; {
		if !strings.HasPrefix(name, "media/") {
			break
		}
		if opts.Blobs != nil {
			if _, err := opts.Blobs.Put(ctx, strings.TrimPrefix(name, "media/"), a); err != nil {
				return nil, fmt.Errorf("restore: write %s: %w", name, err)
			}
			files++
		}
		if err := l.check(); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
		if name, err = l.advance(); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	log.Info("media restored", "files", files)

	if err := target.Close(); err != nil {
		return nil, fmt.Errorf("restore: close target: %w", err)
	}
	target = nil
	if target, err = opts.Open(ctx); err != nil {
		return nil, fmt.Errorf("restore: reopen target: %w", err)
	}
	counts, err := target.CountRows(ctx)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	for _, t := range dump.Tables() {
		want, ok := m.Rows[t.Name]
		if !ok {
			continue // a table newer than the backup
		}
		if got := counts[t.Name] + res.Skipped[t.Name]; got != want {
			return nil, fmt.Errorf("restore: table %s has %d rows after the restore, the backup has %d", t.Name, got, want)
		}
	}
	if opts.Reapply != nil {
		if err := opts.Reapply(ctx, target); err != nil {
			return nil, fmt.Errorf("restore: reapply: %w", err)
		}
	}
	// The contact search index is not in the backup: build it now, so the
	// inbox's search finds every customer from the first start (the
	// message search index follows in the background, see docs/backup.md).
	indexed := 0
	for {
		n, err := target.IndexContacts(ctx, 500)
		if err != nil {
			return nil, fmt.Errorf("restore: index contacts: %w", err)
		}
		if n == 0 {
			break
		}
		indexed += n
	}
	log.Info("contact search index built", "contacts", indexed)
	return &RestoreResult{Manifest: m, Rows: res.Rows, Skipped: res.Skipped, MediaFiles: files, Duration: time.Since(start)}, nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

func verifyFrom(ctx context.Context, open func(ctx context.Context) (io.ReadCloser, error), key *Key) (*Manifest, error) {
	rc, err := open(ctx)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return Verify(ctx, rc, key)
}

// checkCompatible refuses a backup the target cannot take.
func checkCompatible(ctx context.Context, m *Manifest, target Target) error {
	for _, id := range m.MasterKeyIDs {
		if id != target.MasterKeyID() {
			return fmt.Errorf("the backup's data keys are wrapped by master key %s, but the configured master key is %s: restore needs the master key file that was in use when the backup was made (SWITCHBOARD_MASTER_KEY_FILE)",
				strings.Join(m.MasterKeyIDs, ", "), target.MasterKeyID())
		}
	}
	_, latest, err := target.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if m.Backend == "sqlite" || m.Backend == "postgres" {
		// Both stores number their migrations alike; a backup from a newer
		// schema may have columns this build does not know.
		if m.SchemaVersion > latest {
			return fmt.Errorf("the backup is from database schema version %d, this build knows only %d: restore with the same or a newer Switchboard", m.SchemaVersion, latest)
		}
	}
	return nil
}

// loader hands the rows of a verified backup to Target.Load.
type loader struct {
	a       *archiveReader
	m       *Manifest
	header  *archiveHeader
	index   int    // of the current entry in the manifest
	pending string // the entry after the tables, when Load has finished
	table   *dump.Table
	rows    func() ([]any, bool, error)
	err     error
}

// start reads the archive header.
func (l *loader) start() error {
	name, err := l.a.next()
	if err != nil {
		return err
	}
	if name != headerEntry {
		return fmt.Errorf("%w: first entry is %q", ErrDamaged, name)
	}
	if l.header, err = readHeader(l.a); err != nil {
		return err
	}
	if err := l.check(); err != nil {
		return err
	}
	_, err = l.advance()
	return err
}

// advance moves to the next entry and returns its name.
func (l *loader) advance() (string, error) {
	name, err := l.a.next()
	if err == io.EOF {
		return "", fmt.Errorf("%w: archive ended before the manifest", ErrDamaged)
	} else if err != nil {
		return "", err
	}
	l.pending = name
	return name, nil
}

// check compares the entry just read with the manifest (the file could
// have changed since it was verified).
func (l *loader) check() error {
	if _, err := io.Copy(io.Discard, l.a); err != nil {
		return err
	}
	got := l.a.sum()
	if l.index >= len(l.m.Entries) {
		return fmt.Errorf("%w: entry %q is not in the manifest", ErrDamaged, got.Name)
	}
	want := l.m.Entries[l.index]
	l.index++
	if want.Name != got.Name || want.SHA256 != got.SHA256 || want.Size != got.Size {
		return fmt.Errorf("%w: entry %q changed since it was verified", ErrDamaged, got.Name)
	}
	return nil
}

// next implements the pull function of Target.Load: rows of the table
// parts, in archive order, then io.EOF at the first entry that is not one.
func (l *loader) next() (*dump.Table, []any, error) {
	for {
		if l.rows != nil {
			row, ok, err := l.rows()
			if err != nil {
				l.err = err
				return nil, nil, err
			}
			if ok {
				return l.table, row, nil
			}
			l.rows = nil
			if err := l.check(); err != nil {
				l.err = err
				return nil, nil, err
			}
			if _, err := l.advance(); err != nil {
				l.err = err
				return nil, nil, err
			}
		}
		if !strings.HasPrefix(l.pending, "tables/") {
			return nil, nil, io.EOF
		}
		t := tableOf(l.header, l.pending)
		if t == nil {
			l.err = fmt.Errorf("%w: entry %q names no table", ErrDamaged, l.pending)
			return nil, nil, l.err
		}
		l.table, l.rows = t, rowIterator(l.a, t)
	}
}

// rowIterator reads a table part row by row.
func rowIterator(r io.Reader, t *dump.Table) func() ([]any, bool, error) {
	br := newLineReader(r)
	var row []any
	return func() ([]any, bool, error) {
		line, err := br.line()
		if err == io.EOF {
			return nil, false, nil
		} else if err != nil {
			return nil, false, err
		}
		row, err = dump.ParseRow(line, t, row)
		if err != nil {
			return nil, false, fmt.Errorf("%w: table %s: %v", ErrDamaged, t.Name, err)
		}
		dump.Upgrade(t, row)
		return row, true, nil
	}
}

// rowBatch is a run of rows of one table.
type rowBatch struct {
	table *dump.Table
	rows  [][]any
}

// prefetch reads, decrypts and parses rows in a goroutine while the target
// inserts the ones before, so a restore uses both cores. next is the pull
// function for Target.Load; wait stops the goroutine (if Load ended early)
// and waits for it, after which the archive is positioned at the first
// entry after the tables and l.err holds any read error.
func (l *loader) prefetch() (next func() (*dump.Table, []any, error), wait func()) {
	ch := make(chan rowBatch, 8)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(ch)
		var b rowBatch
		send := func() bool {
			if len(b.rows) == 0 {
				return true
			}
			select {
			case ch <- b:
				b = rowBatch{}
				return true
			case <-stop:
				return false
			}
		}
		for {
			t, row, err := l.next()
			if err != nil {
				if err == io.EOF {
					send()
				}
				return
			}
			if t != b.table {
				if !send() {
					return
				}
				b.table = t
			}
			b.rows = append(b.rows, slices.Clone(row))
			if len(b.rows) == 256 && !send() {
				return
			}
		}
	}()
	var cur rowBatch
	i := 0
	next = func() (*dump.Table, []any, error) {
		for i >= len(cur.rows) {
			b, ok := <-ch
			if !ok {
				<-done
				if l.err != nil {
					return nil, nil, l.err
				}
				return nil, nil, io.EOF
			}
			cur, i = b, 0
		}
		i++
		return cur.table, cur.rows[i-1], nil
	}
	var once sync.Once
	wait = func() {
		once.Do(func() { close(stop) })
		<-done
	}
	return next, wait
}
