package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const auditColumns = `seq, at, actor_id, actor_login, action, object_type, object_id, outcome, ip, user_agent, detail, prev_hash, hash`

// AppendAudit appends e to the hash chain. The single writer serialises
// appends, so the chain cannot fork.
func (db *DB) AppendAudit(ctx context.Context, e *switchboard.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	// The entry is this write; one that ctx carries for another write
	// stays where it is.
	return db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		n, err := db.appendAudit(ctx, tx, e)
		if err != nil {
			return err
		}
		*e = *n
		return nil
	})
}

// appendAudit appends e to the chain in tx and returns it as appended, with
// Seq, PrevHash and Hash. It reads the head in the same transaction, which
// the single writer serialises.
func (db *DB) appendAudit(ctx context.Context, tx *writeTx, e *switchboard.AuditEntry) (*switchboard.AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	detail := e.Detail
	if detail == nil {
		detail = map[string]string{}
	}
	detailJSON, err := json.Marshal(detail)
	if err != nil {
		return nil, fmt.Errorf("encode audit detail: %w", err)
	}
	var last int64
	var prev string
	err = tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read audit chain head: %w", err)
	}
	n := *e
	n.Seq = last + 1
	n.At = utc(n.At)
	if n.At.IsZero() {
		n.At = db.now()
	}
	switchboard.SealAudit(&n, db.auditKey, prev)
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		n.Seq, micros(n.At), n.ActorID, n.ActorLogin, n.Action, n.ObjectType, n.ObjectID, n.Outcome, n.IP, n.UserAgent,
		string(detailJSON), n.PrevHash, n.Hash); err != nil {
		return nil, fmt.Errorf("insert audit entry: %w", err)
	}
	return &n, nil
}

// withAudit wraps a write job: when its context carries an audit entry no
// write has taken ([switchboard.TakeAuditEntry]), the entry is appended
// after the job's own statements, in its transaction (its savepoint in a
// batch), so the job's changes and the entry commit or roll back together.
// An entry that cannot be appended fails the job. Event records staged on
// ctx ([switchboard.WithEvents]) are written the same way.
func (db *DB) withAudit(fn func(ctx context.Context, tx *writeTx) error) func(ctx context.Context, tx *writeTx) error {
	return func(ctx context.Context, tx *writeTx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		// The staged event records first: a write that changed nothing
		// (SkipAuditEntry) writes neither them nor the entry.
		if rs, settle := switchboard.TakeEvents(ctx); rs != nil {
			if err := db.insertEvents(ctx, tx, rs); err != nil {
				settle(false)
				return err
			}
			tx.finally(settle)
		}
		e, settle := switchboard.TakeAuditEntry(ctx)
		if e == nil {
			return nil
		}
		n, err := db.appendAudit(ctx, tx, e)
		if err != nil {
			settle(nil)
			return err
		}
		tx.finally(func(committed bool) {
			if committed {
				settle(n)
			} else {
				settle(nil)
			}
		})
		return nil
	}
}

func scanAudit(row interface{ Scan(...any) error }) (*switchboard.AuditEntry, error) {
	var e switchboard.AuditEntry
	var at sql.NullInt64
	var detail string
	if err := row.Scan(&e.Seq, &at, &e.ActorID, &e.ActorLogin, &e.Action, &e.ObjectType, &e.ObjectID, &e.Outcome,
		&e.IP, &e.UserAgent, &detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = fromMicros(at)
	if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
		return nil, fmt.Errorf("decode audit detail: %w", err)
	}
	if len(e.Detail) == 0 {
		e.Detail = nil
	}
	return &e, nil
}

func (db *DB) queryAudit(ctx context.Context, query string, args ...any) ([]*switchboard.AuditEntry, error) {
	rows, err := db.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	entries, err := storekit.Collect(rows, func() (*switchboard.AuditEntry, error) { return scanAudit(rows) })
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	return entries, nil
}

// AuditEntries lists audit entries newest first.
func (db *DB) AuditEntries(ctx context.Context, f switchboard.AuditFilter) ([]*switchboard.AuditEntry, string, error) {
	where := []string{"1 = 1"}
	var args []any
	for _, c := range []struct{ column, value string }{
		{"actor_id", f.ActorID}, {"action", f.Action}, {"object_type", f.ObjectType}, {"object_id", f.ObjectID},
	} {
		if c.value != "" {
			where, args = append(where, c.column+" = ?"), append(args, c.value)
		}
	}
	if len(f.ObjectIDs) > switchboard.MaxAuditObjectIDs {
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "Too many object ids.")
	} else if len(f.ObjectIDs) > 0 {
		where, args = append(where, "object_id IN ("+placeholders(len(f.ObjectIDs))+")"), append(args, anys(f.ObjectIDs)...)
	}
	if !f.Since.IsZero() {
		where, args = append(where, "at >= ?"), append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		where, args = append(where, "at < ?"), append(args, micros(f.Until))
	}
	if f.Cursor != "" {
		_, s, err := storecrypt.DecodeCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		seq, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "", switchboard.Errorf(switchboard.EInvalid, "Invalid cursor.")
		}
		where, args = append(where, "seq < ?"), append(args, seq)
	}
	limit := storekit.ClampLimit(f.Limit)
	args = append(args, limit+1)
	entries, err := db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE `+strings.Join(where, " AND ")+
		` ORDER BY seq DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	entries, next := storekit.Page(entries, limit, storekit.AuditCursor)
	return entries, next, nil
}

// AuditChain returns up to limit entries after seq after, oldest first.
func (db *DB) AuditChain(ctx context.Context, after int64, limit int) ([]*switchboard.AuditEntry, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`, after, storekit.ChainPage(limit))
}
