package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard/internal/backup/dump"
	"github.com/switchboardhq/switchboard/internal/seal"
)

// This file reads and loads the backend-neutral dump of internal/backup/dump,
// for backups and for moving between PostgreSQL and SQLite. The physical
// schema equals the logical one except for:
//
//   - pending_statuses.created_at is received_at here, and ts is NOT NULL
//     (a row from SQLite without ts gets its received time);
//   - media.filename and media_downloads.filename are NOT NULL here: a
//     missing name (NULL on SQLite) is stored as the sealed empty name, as
//     this store writes it;
//   - a parked status is kept once per (wamid_hash, status); repeats that
//     SQLite allows are skipped and counted in LoadResult.Skipped.

// Backend names the store in backup manifests.
func (db *DB) Backend() string { return "postgres" }

// MasterKeyID returns the id of the master key the store was opened with.
func (db *DB) MasterKeyID() string { return db.master.ID() }

// dumpColumn returns the SQL expression that reads logical column c of t.
func dumpColumn(t, c string) string {
	if t == "pending_statuses" && c == "created_at" {
		return "received_at"
	}
	return pgx.Identifier{c}.Sanitize()
}

// Dump reads every table of [dump.Tables] inside one REPEATABLE READ, READ
// ONLY transaction (one snapshot while writers go on) and calls emit for
// each row, table by table in that order. emit must not keep row after it
// returns.
func (db *DB) Dump(ctx context.Context, emit func(t *dump.Table, row []any) error) (dump.Info, error) {
	info := dump.Info{Backend: db.Backend()}
	tx, err := db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return info, fmt.Errorf("dump: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&info.SchemaVersion); err != nil {
		return info, fmt.Errorf("dump: schema version: %w", err)
	}
	for _, t := range dump.Tables() {
		if err := db.dumpTable(ctx, tx, t, emit); err != nil {
			return info, fmt.Errorf("dump %s: %w", t.Name, err)
		}
	}
	return info, nil
}

func (db *DB) dumpTable(ctx context.Context, tx pgx.Tx, t *dump.Table, emit func(*dump.Table, []any) error) error {
	exprs := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		exprs[i] = dumpColumn(t.Name, c.Name)
	}
	rows, err := tx.Query(ctx, "SELECT "+strings.Join(exprs, ", ")+" FROM "+pgx.Identifier{t.Name}.Sanitize())
	if err != nil {
		return err
	}
	defer rows.Close()
	row := make([]any, len(t.Columns))
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		for i, c := range t.Columns {
			if row[i], err = dumpFromPostgres(c, vals[i]); err != nil {
				return err
			}
		}
		if err := emit(t, row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// dumpFromPostgres converts a value pgx decoded to the logical kind of c.
func dumpFromPostgres(c dump.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch c.Kind {
	case dump.Text:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case dump.Bytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case dump.Int:
		switch n := v.(type) {
		case int16:
			return int64(n), nil
		case int32:
			return int64(n), nil
		case int64:
			return n, nil
		}
	case dump.Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case dump.Time:
		if t, ok := v.(time.Time); ok {
			return t.UTC().Truncate(time.Microsecond), nil
		}
	}
	return nil, fmt.Errorf("column %s: unexpected %T for %s", c.Name, v, c.Kind)
}

// CheckEmpty returns a *dump.NotEmptyError unless the database holds
// nothing but what a fresh one has: settings, the built-in roles and a
// setup token.
func (db *DB) CheckEmpty(ctx context.Context) error {
	return dumpCheckEmpty(ctx, db.pool)
}

func dumpCheckEmpty(ctx context.Context, q querier) error {
	for _, t := range dump.Tables() {
		where := ""
		switch t.Name {
		case "settings", "setup_tokens":
			continue
		case "roles":
			where = " WHERE NOT built_in"
		}
		var n int64
		if err := q.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.Name}.Sanitize()+where).Scan(&n); err != nil {
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
		if err := db.pool.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.Name}.Sanitize()).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t.Name, err)
		}
		counts[t.Name] = n
	}
	return counts, nil
}

// Load inserts the rows that next returns (until io.EOF) into an empty
// database in one transaction, with COPY: a failed load leaves the database
// as it was. Rows must come table by table in a foreign-key-safe order, as
// Dump writes them. The settings, built-in roles and setup tokens of the
// fresh database are replaced by the loaded ones.
//
// The store caches the blind-index key read at Open: close and reopen it
// after a load before using it.
func (db *DB) Load(ctx context.Context, next func() (*dump.Table, []any, error)) (*dump.LoadResult, error) {
	res := &dump.LoadResult{Rows: map[string]int64{}, Skipped: map[string]int64{}}
	next = dump.SkipRebuilt(next, res.Skipped)
	err := db.withTx(ctx, func(tx *txn) error {
		if err := dumpCheckEmpty(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM settings; DELETE FROM roles; DELETE FROM setup_tokens`); err != nil {
			return fmt.Errorf("load: clear: %w", err)
		}
		src := &dumpSource{next: next}
		if err := src.advance(); err != nil {
			return err
		}
		for src.table != nil {
			t := src.table
			n, err := db.loadTable(ctx, tx, src)
			if err != nil {
				return fmt.Errorf("load %s: %w", t.Name, err)
			}
			res.Rows[t.Name] += n
			if t.Name == "pending_statuses" {
				res.Skipped[t.Name] += src.rows - n
			}
			if src.err != nil {
				return src.err
			}
		}
		if err := db.loadFixups(ctx, tx); err != nil {
			return err
		}
		// The loaded rows went through the counter triggers already; the
		// rebuild makes the derived counts independent of the load order.
		if err := rebuildConversationCounts(ctx, tx); err != nil {
			return fmt.Errorf("load: %w", err)
		}
		if err := rebuildWaiting(ctx, tx); err != nil {
			return err
		}
		return fillSearchKeys(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// dumpSource turns the pull function into per-table runs for CopyFrom: it
// reads one row ahead to notice where a table ends.
type dumpSource struct {
	next  func() (*dump.Table, []any, error)
	table *dump.Table // table of the row ahead; nil at the end
	ahead []any
	row   []any
	err   error
	rows  int64 // rows handed out for the current table
}

func (s *dumpSource) advance() error {
	t, row, err := s.next()
	if errors.Is(err, io.EOF) {
		s.table, s.ahead = nil, nil
		return nil
	} else if err != nil {
		s.err = err
		return err
	}
	s.table = t
	s.ahead = append(s.ahead[:0], row...)
	return nil
}

// run iterates over the rows of the current table.
type dumpRun struct {
	s     *dumpSource
	table *dump.Table
	first bool
}

func (r *dumpRun) Next() bool {
	if r.first {
		r.first = false
	} else if err := r.s.advance(); err != nil {
		return false
	}
	if r.s.table != r.table {
		return false
	}
	r.s.rows++
	r.s.row = append(r.s.row[:0], r.s.ahead...)
	return true
}

func (r *dumpRun) Values() ([]any, error) {
	row := r.s.row
	if r.table.Name == "pending_statuses" {
		if i, j := r.table.Index("ts"), r.table.Index("created_at"); i >= 0 && j >= 0 && row[i] == nil {
			row[i] = row[j]
		}
	}
	for _, name := range []string{"filename"} {
		if i := r.table.Index(name); i >= 0 && row[i] == nil && (r.table.Name == "media" || r.table.Name == "media_downloads") {
			row[i] = []byte{} // sealed by loadFixups
		}
	}
	return row, nil
}

func (r *dumpRun) Err() error { return r.s.err }

func (db *DB) loadTable(ctx context.Context, tx *txn, s *dumpSource) (int64, error) {
	t := s.table
	s.rows = 0
	run := &dumpRun{s: s, table: t, first: true}
	cols := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = c.Name
		if t.Name == "pending_statuses" && c.Name == "created_at" {
			cols[i] = "received_at"
		}
	}
	if t.Name != "pending_statuses" {
		return tx.CopyFrom(ctx, pgx.Identifier{t.Name}, cols, run)
	}
	// COPY cannot skip the repeats of a parked status that SQLite allows.
	idents := make([]string, len(cols))
	marks := make([]string, len(cols))
	for i, c := range cols {
		idents[i] = pgx.Identifier{c}.Sanitize()
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	q := "INSERT INTO pending_statuses (" + strings.Join(idents, ", ") + ") VALUES (" + strings.Join(marks, ", ") + ") ON CONFLICT (wamid_hash, status) DO NOTHING"
	var n int64
	for run.Next() {
		vals, _ := run.Values()
		tag, err := tx.Exec(ctx, q, vals...)
		if err != nil {
			return n, err
		}
		n += tag.RowsAffected()
	}
	return n, run.Err()
}

// loadFixups seals the empty file name for media rows that came without one
// and moves identity sequences past the loaded ids.
func (db *DB) loadFixups(ctx context.Context, tx *txn) error {
	for _, table := range []string{"media", "media_downloads"} {
		id := "id"
		if table == "media_downloads" {
			id = "message_id"
		}
		rows, err := tx.Query(ctx, `SELECT t.`+id+`, k.master_key_id, k.wrapped, k.id FROM `+table+` t
			JOIN data_keys k ON k.id = t.key_id WHERE length(t.filename) = 0 AND k.wrapped IS NOT NULL`)
		if err != nil {
			return fmt.Errorf("load %s: find unnamed files: %w", table, err)
		}
		type fix struct {
			id, masterID, keyID string
			wrapped             []byte
		}
		fixes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (fix, error) {
			var f fix
			err := row.Scan(&f.id, &f.masterID, &f.wrapped, &f.keyID)
			return f, err
		})
		if err != nil {
			return fmt.Errorf("load %s: find unnamed files: %w", table, err)
		}
		for _, f := range fixes {
			if f.masterID != db.master.ID() {
				return fmt.Errorf("load %s: data key %s is wrapped by master key %s, not %s", table, f.keyID, f.masterID, db.master.ID())
			}
			raw, err := db.master.Unwrap(f.keyID, f.wrapped)
			if err != nil {
				return fmt.Errorf("load %s: %w", table, err)
			}
			key, err := seal.NewDataKey(f.keyID, raw)
			clear(raw)
			if err != nil {
				return fmt.Errorf("load %s: %w", table, err)
			}
			sealed := key.Seal(seal.AAD(table, "filename", f.id), nil)
			if _, err := tx.Exec(ctx, `UPDATE `+table+` SET filename = $1 WHERE `+id+` = $2`, sealed, f.id); err != nil {
				return fmt.Errorf("load %s: seal empty file name: %w", table, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence('webhook_inbox', 'id'), coalesce(max(id), 0) + 1, false) FROM webhook_inbox`); err != nil {
		return fmt.Errorf("load: webhook_inbox sequence: %w", err)
	}
	return nil
}
