package backup

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

// Verify reads a whole backup: it decrypts and decompresses it, checks the
// size and SHA-256 of every entry and the row count of every table part
// against the manifest, and parses every row. The error names the first bad
// entry. It returns the manifest of a sound backup.
func Verify(ctx context.Context, r io.Reader, key *Key) (*Manifest, error) {
	a, err := newArchiveReader(r, key)
	if err != nil {
		return nil, err
	}
	var (
		header  *archiveHeader
		seen    []Entry
		m       *Manifest
		scratch []any
	)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		name, err := a.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if m != nil {
			return nil, fmt.Errorf("%w: entry %q follows the manifest", ErrDamaged, name)
		}
		var rows int64
		switch {
		case name == headerEntry && len(seen) == 0:
			if header, err = readHeader(a); err != nil {
				return nil, err
			}
		case name == manifestEntry:
			b, err := io.ReadAll(io.LimitReader(a, 64<<20))
			if err != nil {
				return nil, err
			}
			m = &Manifest{}
			if err := json.Unmarshal(b, m); err != nil {
				return nil, fmt.Errorf("%w: manifest.json: %v", ErrDamaged, err)
			}
			continue // the manifest does not list itself
		case strings.HasPrefix(name, "tables/") && header != nil:
			t := tableOf(header, name)
			if t == nil {
				return nil, fmt.Errorf("%w: entry %q names no table of the backup", ErrDamaged, name)
			}
			if rows, err = eachRow(a, t, scratch, func([]any) error { return nil }); err != nil {
				return nil, fmt.Errorf("%w: entry %q: %v", ErrDamaged, name, err)
			}
		case strings.HasPrefix(name, "media/") && header != nil:
			if _, err := io.Copy(io.Discard, a); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%w: unexpected entry %q", ErrDamaged, name)
		}
		if _, err := io.Copy(io.Discard, a); err != nil {
			return nil, err
		}
		e := a.sum()
		e.Rows = rows
		seen = append(seen, e)
	}
	if err := a.finish(); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, fmt.Errorf("%w: the manifest is missing (after entry %q): the backup is incomplete", ErrDamaged, a.current)
	}
	if err := checkManifest(header, m, seen); err != nil {
		return nil, err
	}
	return m, nil
}

func readHeader(r io.Reader) (*archiveHeader, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	h := &archiveHeader{}
	if err := json.Unmarshal(b, h); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrDamaged, headerEntry, err)
	}
	if h.Format != FormatVersion {
		return nil, fmt.Errorf("%w: archive format %d is not known to this build", ErrNotBackup, h.Format)
	}
	if h.DumpVersion > dump.Version {
		return nil, fmt.Errorf("backup: the backup's table format %d is newer than this build's %d: restore with a newer Switchboard", h.DumpVersion, dump.Version)
	}
	return h, nil
}

// tableOf returns the table of a part named tables/<table>/<n>.jsonl.
func tableOf(h *archiveHeader, name string) *dump.Table {
	rest := strings.TrimPrefix(name, "tables/")
	tn, _, ok := strings.Cut(rest, "/")
	if !ok {
		return nil
	}
	for _, t := range h.Tables {
		if t.Name == tn {
			return t
		}
	}
	return nil
}

// eachRow parses the JSON lines of a table part and calls fn for each row.
func eachRow(r io.Reader, t *dump.Table, scratch []any, fn func([]any) error) (int64, error) {
	lr := newLineReader(r)
	var n int64
	for {
		line, err := lr.line()
		if err == io.EOF {
			return n, nil
		} else if err != nil {
			return n, err
		}
		row, err := dump.ParseRow(line, t, scratch)
		if err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		scratch = row
		n++
		if err := fn(row); err != nil {
			return n, err
		}
	}
}

// checkManifest compares what was read with what the manifest promises.
func checkManifest(h *archiveHeader, m *Manifest, seen []Entry) error {
	if h == nil {
		return fmt.Errorf("%w: %s is missing", ErrDamaged, headerEntry)
	}
	if m.Format != FormatVersion || m.DumpVersion != h.DumpVersion || !m.CreatedAt.Equal(h.CreatedAt) {
		return fmt.Errorf("%w: the manifest does not belong to this archive", ErrDamaged)
	}
	for i, e := range seen {
		if i >= len(m.Entries) {
			return fmt.Errorf("%w: entry %q is not in the manifest", ErrDamaged, e.Name)
		}
		want := m.Entries[i]
		switch {
		case want.Name != e.Name:
			return fmt.Errorf("%w: entry %q is %q in the manifest", ErrDamaged, e.Name, want.Name)
		case want.Size != e.Size:
			return fmt.Errorf("%w: entry %q has %d bytes, the manifest says %d", ErrDamaged, e.Name, e.Size, want.Size)
		case want.SHA256 != e.SHA256:
			return fmt.Errorf("%w: entry %q does not match its SHA-256 in the manifest", ErrDamaged, e.Name)
		case want.Rows != e.Rows:
			return fmt.Errorf("%w: entry %q has %d rows, the manifest says %d", ErrDamaged, e.Name, e.Rows, want.Rows)
		}
	}
	if len(m.Entries) > len(seen) {
		return fmt.Errorf("%w: entry %q of the manifest is missing", ErrDamaged, m.Entries[len(seen)].Name)
	}
	rows := map[string]int64{}
	for _, e := range seen {
		if strings.HasPrefix(e.Name, "tables/") {
			rows[strings.SplitN(e.Name, "/", 3)[1]] += e.Rows
		}
	}
	for t, n := range m.Rows {
		if rows[t] != n {
			return fmt.Errorf("%w: table %s has %d rows, the manifest says %d", ErrDamaged, t, rows[t], n)
		}
	}
	return nil
}
