package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
	"github.com/switchboardhq/switchboard/internal/storecrypt"
	"github.com/switchboardhq/switchboard/internal/storekit"
)

const auditColumns = `seq, at, actor_id, actor_login, action, object_type, object_id, outcome, ip, user_agent, detail, prev_hash, hash`

func scanAudit(row pgx.Row) (*switchboard.AuditEntry, error) {
	var e switchboard.AuditEntry
	var detail string
	if err := row.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorLogin, &e.Action, &e.ObjectType, &e.ObjectID,
		&e.Outcome, &e.IP, &e.UserAgent, &detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At = e.At.UTC()
	if detail != "" && detail != "{}" && detail != "null" {
		if err := json.Unmarshal([]byte(detail), &e.Detail); err != nil {
			return nil, fmt.Errorf("audit entry %d detail: %w", e.Seq, err)
		}
	}
	return &e, nil
}

// AppendAudit assigns e.Seq, e.PrevHash and e.Hash and appends e. A
// transaction-scoped advisory lock serialises appends, so the chain never
// forks; readers are not blocked.
func (db *DB) AppendAudit(ctx context.Context, e *switchboard.AuditEntry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	var entry *switchboard.AuditEntry
	// The entry is this write; one that ctx carries for another write
	// stays where it is.
	err := db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
		var err error
		entry, err = db.appendAudit(ctx, tx, e)
		return err
	})
	if err != nil {
		return err
	}
	// e gets its place in the chain only once the entry is committed.
	e.At, e.Seq, e.PrevHash, e.Hash = entry.At, entry.Seq, entry.PrevHash, entry.Hash
	return nil
}

// appendAudit appends e to the chain in tx and returns it as appended. The
// advisory lock on the chain head is held until tx ends, so a transaction
// that appends its action's entry last holds it only for its commit.
func (db *DB) appendAudit(ctx context.Context, tx *txn, e *switchboard.AuditEntry) (*switchboard.AuditEntry, error) {
	if err := e.Validate(); err != nil {
		return nil, err
	}
	entry := *e
	if entry.At.IsZero() {
		entry.At = db.now()
	}
	entry.At = utc(entry.At)
	detail := []byte("{}")
	if len(entry.Detail) > 0 {
		var err error
		if detail, err = json.Marshal(entry.Detail); err != nil {
			return nil, fmt.Errorf("encode audit detail: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, db.auditLock); err != nil {
		return nil, fmt.Errorf("lock audit chain: %w", err)
	}
	var last int64
	var prev string
	err := tx.QueryRow(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&last, &prev)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	entry.Seq = last + 1
	switchboard.SealAudit(&entry, db.auditKey, prev)
	if _, err := tx.Exec(ctx, `INSERT INTO audit_log (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		entry.Seq, entry.At, entry.ActorID, entry.ActorLogin, entry.Action, entry.ObjectType, entry.ObjectID,
		entry.Outcome, entry.IP, entry.UserAgent, string(detail), entry.PrevHash, entry.Hash); err != nil {
		return nil, fmt.Errorf("insert audit entry: %w", err)
	}
	return &entry, nil
}

// AuditEntries lists audit entries, newest first.
func (db *DB) AuditEntries(ctx context.Context, f switchboard.AuditFilter) ([]*switchboard.AuditEntry, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, c := range []struct{ column, value string }{
		{"actor_id", f.ActorID}, {"action", f.Action}, {"object_type", f.ObjectType}, {"object_id", f.ObjectID},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if len(f.ObjectIDs) > switchboard.MaxAuditObjectIDs {
		return nil, "", switchboard.Errorf(switchboard.EInvalid, "Too many object ids.")
	} else if len(f.ObjectIDs) > 0 {
		where = append(where, "object_id = ANY("+arg(f.ObjectIDs)+")")
	}
	if !f.Since.IsZero() {
		where = append(where, "at >= "+arg(utc(f.Since)))
	}
	if !f.Until.IsZero() {
		where = append(where, "at < "+arg(utc(f.Until)))
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
		where = append(where, "seq < "+arg(seq))
	}
	limit := storekit.ClampLimit(f.Limit)
	sql := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		sql += ` WHERE ` + strings.Join(where, " AND ")
	}
	sql += ` ORDER BY seq DESC LIMIT ` + arg(limit+1)
	entries, err := db.queryAudit(ctx, sql, args...)
	if err != nil {
		return nil, "", err
	}
	entries, next := storekit.Page(entries, limit, storekit.AuditCursor)
	return entries, next, nil
}

// AuditChain returns up to limit entries with Seq > after, oldest first.
func (db *DB) AuditChain(ctx context.Context, after int64, limit int) ([]*switchboard.AuditEntry, error) {
	return db.queryAudit(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, storekit.ChainPage(limit))
}

func (db *DB) queryAudit(ctx context.Context, sql string, args ...any) ([]*switchboard.AuditEntry, error) {
	rows, err := db.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	defer rows.Close()
	entries, err := storekit.Collect(rows, func() (*switchboard.AuditEntry, error) { return scanAudit(rows) })
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return entries, nil
}
