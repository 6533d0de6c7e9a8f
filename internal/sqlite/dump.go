package sqlite

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboardhq/switchboard/internal/backup/dump"
)

// This file reads and loads the backend-neutral dump of internal/backup/dump,
// for backups and for moving between SQLite and PostgreSQL. The physical
// schema equals the logical one except for:
//
//   - times are INTEGER microseconds and booleans INTEGER 0/1;
//   - settings keeps a key as JSON {master_key_id, wrapped (base64)} in its
//     value column, where the logical table has value (the wrapped bytes)
//     and master_key_id.

// Backend names the store in backup manifests.
func (db *DB) Backend() string { return "sqlite" }

// MasterKeyID returns the id of the master key the store was opened with.
func (db *DB) MasterKeyID() string { return db.master.ID() }

// Dump reads every table of [dump.Tables] inside one read transaction and
// calls emit for each row, table by table in that order. The transaction
// runs on a connection of its own (not one of the server's readers), and in
// WAL mode it sees one snapshot while writers go on. emit must not keep row
// after it returns.
func (db *DB) Dump(ctx context.Context, emit func(t *dump.Table, row []any) error) (dump.Info, error) {
	info := dump.Info{Backend: db.Backend()}
	sdb, err := sql.Open("sqlite", dsn(db.path, false))
	if err != nil {
		return info, fmt.Errorf("dump: open snapshot connection: %w", err)
	}
	defer sdb.Close()
	sdb.SetMaxOpenConns(1)
	tx, err := sdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return info, fmt.Errorf("dump: begin: %w", err)
	}
	defer tx.Rollback()
	// The first read fixes the snapshot; the schema version is part of it.
	if info.SchemaVersion, err = appliedVersion(ctx, tx); err != nil {
		return info, fmt.Errorf("dump: %w", err)
	}
	for _, t := range dump.Tables() {
		if err := dumpTable(ctx, tx, t, emit); err != nil {
			return info, fmt.Errorf("dump %s: %w", t.Name, err)
		}
	}
	return info, nil
}

func dumpTable(ctx context.Context, tx *sql.Tx, t *dump.Table, emit func(*dump.Table, []any) error) error {
	cols := t.ColumnNames()
	if t.Name == "settings" {
		cols = []string{"name", "value", "''"}
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(dumpQuoteAll(cols), ", ")+" FROM "+dumpQuote(t.Name))
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	row := make([]any, len(cols))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, c := range t.Columns {
			if row[i], err = dumpFromSQLite(c, raw[i]); err != nil {
				return err
			}
		}
		if t.Name == "settings" {
			row[1], row[2] = dumpSettingFrom(row[1].([]byte))
		}
		if err := emit(t, row); err != nil {
			return err
		}
	}
	return rows.Err()
}

func dumpQuote(name string) string { return `"` + name + `"` }

func dumpQuoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if n == "''" {
			out[i] = n
			continue
		}
		out[i] = dumpQuote(n)
	}
	return out
}

// dumpFromSQLite converts a scanned value to the logical kind of c.
func dumpFromSQLite(c dump.Column, v any) (any, error) {
	if v == nil {
		if c.Kind == dump.Bytes && !c.Null {
			return []byte{}, nil // an empty BLOB can come back as nil
		}
		return nil, nil
	}
	switch c.Kind {
	case dump.Text:
		switch v := v.(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		}
	case dump.Bytes:
		switch v := v.(type) {
		case []byte:
			return v, nil
		case string:
			return []byte(v), nil
		}
	case dump.Int:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case dump.Bool:
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case dump.Time:
		if n, ok := v.(int64); ok {
			return time.UnixMicro(n).UTC(), nil
		}
	}
	return nil, fmt.Errorf("column %s: unexpected %T for %s", c.Name, v, c.Kind)
}

// dumpToSQLite converts a logical value for binding.
func dumpToSQLite(c dump.Column, v any) any {
	switch v := v.(type) {
	case time.Time:
		return v.UTC().Truncate(time.Microsecond).UnixMicro()
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	case []byte:
		if v == nil {
			return []byte{}
		}
	}
	return v
}

// dumpSettingFrom splits a stored setting into the logical value and
// master key id: wrapped keys are kept as JSON in SQLite.
func dumpSettingFrom(stored []byte) (value []byte, masterKeyID any) {
	var bv blindIndexValue
	if err := json.Unmarshal(stored, &bv); err == nil && bv.MasterKeyID != "" {
		if w, err := base64.StdEncoding.DecodeString(bv.Wrapped); err == nil {
			return w, bv.MasterKeyID
		}
	}
	return stored, ""
}

// dumpSettingTo is the inverse of dumpSettingFrom.
func dumpSettingTo(value []byte, masterKeyID string) (string, error) {
	if masterKeyID == "" {
		return string(value), nil
	}
	v, err := json.Marshal(blindIndexValue{MasterKeyID: masterKeyID, Wrapped: base64.StdEncoding.EncodeToString(value)})
	return string(v), err
}

// CheckEmpty returns a *dump.NotEmptyError unless the database holds
// nothing but what a fresh one has: settings, the built-in roles and a
// setup token.
func (db *DB) CheckEmpty(ctx context.Context) error {
	return dumpCheckEmpty(ctx, db.rdb.DB)
}

type dumpQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func dumpCheckEmpty(ctx context.Context, q dumpQuerier) error {
	for _, t := range dump.Tables() {
		where := ""
		switch t.Name {
		case "settings", "setup_tokens":
			continue
		case "roles":
			where = " WHERE built_in = 0"
		}
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+dumpQuote(t.Name)+where).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.Name, err)
		}
		if n > 0 {
			return &dump.NotEmptyError{Table: t.Name, Rows: n}
		}
	}
	return nil
}

// CountRows counts the rows of every logical table.
func (db *DB) CountRows(ctx context.Context) (map[string]int64, error) {
	counts := map[string]int64{}
	for _, t := range dump.Tables() {
		var n int64
		if err := db.rdb.DB.QueryRowContext(ctx, "SELECT count(*) FROM "+dumpQuote(t.Name)).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.Name, err)
		}
		counts[t.Name] = n
	}
	return counts, nil
}

// Load inserts the rows that next returns (until io.EOF) into an empty
// database, in one transaction on the writer connection: a failed load
// leaves the database as it was. Rows must come table by table in a
// foreign-key-safe order, as Dump writes them. The settings, built-in roles
// and setup tokens of the fresh database are replaced by the loaded ones.
//
// The store caches the blind-index key read at Open: close and reopen it
// after a load before using it.
func (db *DB) Load(ctx context.Context, next func() (*dump.Table, []any, error)) (*dump.LoadResult, error) {
	res := &dump.LoadResult{Rows: map[string]int64{}, Skipped: map[string]int64{}}
	next = dump.SkipRebuilt(next, res.Skipped)
	err := db.writeRaw(ctx, func(ctx context.Context, conn *sql.DB) error {
		// Rows arrive in the order of their random ids, so the inserts
		// touch index pages all over: a page cache far larger than the
		// usual 16 MiB (see dsn) keeps them from spilling, for this
		// transaction only.
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -16384")
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("load: begin: %w", err)
		}
		defer tx.Rollback()
		if err := dumpCheckEmpty(ctx, tx); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM settings`, `DELETE FROM roles`, `DELETE FROM setup_tokens`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("load: clear: %w", err)
			}
		}
		var (
			cur  *dump.Table
			stmt *sql.Stmt
			args []any
		)
		defer func() {
			if stmt != nil {
				stmt.Close()
			}
		}()
		for {
			t, row, err := next()
			if errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return err
			}
			if t != cur {
				if stmt != nil {
					stmt.Close()
				}
				cols := dumpQuoteAll(t.ColumnNames())
				if t.Name == "settings" {
					cols = cols[:2] // master_key_id is inside value here
				}
				marks := strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ")
				if stmt, err = tx.PrepareContext(ctx, "INSERT INTO "+dumpQuote(t.Name)+" ("+strings.Join(cols, ", ")+") VALUES ("+marks+")"); err != nil {
					return fmt.Errorf("load %s: %w", t.Name, err)
				}
				cur, args = t, make([]any, len(cols))
			}
			if t.Name == "settings" {
				value, _ := row[1].([]byte)
				master, _ := row[2].(string)
				args[0] = row[0]
				if args[1], err = dumpSettingTo(value, master); err != nil {
					return fmt.Errorf("load settings: %w", err)
				}
			} else {
				for i, c := range t.Columns {
					args[i] = dumpToSQLite(c, row[i])
				}
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return fmt.Errorf("load %s row %d: %w", t.Name, res.Rows[t.Name]+1, err)
			}
			res.Rows[t.Name]++
		}
		if err := fillSearchKeys(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		// The loaded rows went through the counter triggers already; the
		// rebuild makes the derived counts independent of the load order.
		if err := rebuildConversationCounts(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		if err := rebuildWaiting(ctx, tx); err != nil {
			return err
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("load: commit: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
