// Package backup makes, checks and restores encrypted backups of a
// Switchboard instance: a consistent, backend-neutral dump of every table
// read in one snapshot while the server keeps serving, plus the media files
// the snapshot references, packed as a compressed tar archive and encrypted
// under a backup key that is separate from the database master key. It also
// stores backups in a directory or an S3-compatible bucket and runs them on
// a schedule.
package backup

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"time"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

// Source is a database that can be read in one consistent snapshot.
// internal/sqlite and internal/postgres implement it.
type Source interface {
	// Dump calls emit for every row of every table of dump.Tables, table
	// by table, all read in one snapshot.
	Dump(ctx context.Context, emit func(t *dump.Table, row []any) error) (dump.Info, error)
}

// CreateOptions are the optional parts of [Create].
type CreateOptions struct {
	// Blobs holds the media files; nil backs up the database alone.
	Blobs switchboard.BlobStore
	// Version is the Switchboard build, recorded in the manifest.
	Version string
	// Clock stamps the backup; nil means the system clock.
	Clock switchboard.Clock
}

// Create writes a backup of src, and of the media files that the snapshot
// references, to w. The media files are copied after the snapshot's
// transaction has ended: they never change once written, so the copy is
// still consistent with the rows.
func Create(ctx context.Context, w io.Writer, src Source, key *Key, opts CreateOptions) (*Manifest, error) {
	clock := opts.Clock
	if clock == nil {
		clock = switchboard.SystemClock{}
	}
	started := clock.Now().UTC().Truncate(time.Microsecond)
	sw, err := sealWriter(w, key)
	if err != nil {
		return nil, fmt.Errorf("create backup: %w", err)
	}
	m, err := writeArchive(ctx, sw, src, opts, started)
	if err != nil {
		sw.(*pipeSealer).abort(err)
		return nil, fmt.Errorf("create backup: %w", err)
	}
	if err := sw.Close(); err != nil {
		return nil, fmt.Errorf("create backup: encrypt: %w", err)
	}
	m.FinishedAt = clock.Now().UTC().Truncate(time.Microsecond)
	return m, nil
}

func writeArchive(ctx context.Context, w io.Writer, src Source, opts CreateOptions, started time.Time) (*Manifest, error) {
	// Level 1: most of a dump is base64 of ciphertext, which compresses
	// back to its raw size at any level; more effort buys little.
	gz, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	a := &archiveWriter{tw: tar.NewWriter(gz), modTime: started}
	tables := dump.Tables()
	hj, err := json.MarshalIndent(archiveHeader{Format: FormatVersion, DumpVersion: dump.Version, CreatedAt: started, Tables: tables}, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := a.add(headerEntry, hj, 0); err != nil {
		return nil, err
	}

	m := &Manifest{Format: FormatVersion, DumpVersion: dump.Version, CreatedAt: started, Version: opts.Version, Rows: map[string]int64{}}
	for _, t := range tables {
		m.Rows[t.Name] = 0
	}
	masters := map[string]bool{}
	var mediaIDs []string
	var (
		cur   *dump.Table
		buf   []byte
		rows  int64
		parts int
	)
	flush := func() error {
		if cur == nil || rows == 0 {
			return nil
		}
		parts++
		name := fmt.Sprintf("tables/%s/%06d.jsonl", cur.Name, parts)
		if err := a.add(name, buf, rows); err != nil {
			return err
		}
		buf, rows = buf[:0], 0
		return nil
	}
	info, err := src.Dump(ctx, func(t *dump.Table, row []any) error {
		if t != cur {
			if err := flush(); err != nil {
				return err
			}
			cur, parts = t, 0
		}
		var err error
		if buf, err = dump.AppendRow(buf, t, row); err != nil {
			return err
		}
		rows++
		m.Rows[t.Name]++
		switch t.Name {
		case "data_keys", "settings":
			if id, _ := row[t.Index("master_key_id")].(string); id != "" {
				masters[id] = true
			}
		case "audit_log":
			seq, _ := row[t.Index("seq")].(int64)
			if m.AuditHead == nil || seq > m.AuditHead.Seq {
				hash, _ := row[t.Index("hash")].(string)
				at, _ := row[t.Index("at")].(time.Time)
				m.AuditHead = &switchboard.AuditAnchor{Seq: seq, Hash: hash, At: at}
			}
		case "media":
			mediaIDs = append(mediaIDs, row[t.Index("id")].(string))
		}
		if len(buf) >= partSize {
			return flush()
		}
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	m.Backend, m.SchemaVersion = info.Backend, info.SchemaVersion
	for id := range masters {
		m.MasterKeyIDs = append(m.MasterKeyIDs, id)
	}
	slices.Sort(m.MasterKeyIDs)

	if opts.Blobs != nil {
		for _, id := range mediaIDs {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			n, err := addBlob(ctx, a, opts.Blobs, id)
			if switchboard.ErrorCode(err) == switchboard.ENotFound || errors.Is(err, fs.ErrNotExist) {
				m.MissingMedia = append(m.MissingMedia, id)
				continue
			} else if err != nil {
				return nil, fmt.Errorf("media %s: %w", id, err)
			}
			m.MediaFiles++
			m.MediaBytes += n
		}
	}

	m.Entries = a.entries
	mj, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := a.add(manifestEntry, mj, 0); err != nil {
		return nil, err
	}
	m.Entries = a.entries // with the manifest itself, for the caller
	if err := a.tw.Close(); err != nil {
		return nil, err
	}
	return m, gz.Close()
}

// addBlob copies one encrypted media file into the archive as it is.
func addBlob(ctx context.Context, a *archiveWriter, blobs switchboard.BlobStore, id string) (int64, error) {
	rc, err := blobs.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	// A tar entry needs its size first: files report it; anything else is
	// read into memory.
	if st, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		fi, err := st.Stat()
		if err != nil {
			return 0, err
		}
		return fi.Size(), a.addStream("media/"+id, fi.Size(), rc)
	}
	b, err := io.ReadAll(rc)
	if err != nil {
		return 0, err
	}
	return int64(len(b)), a.add("media/"+id, b, 0)
}
