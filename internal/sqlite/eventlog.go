package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"time"

	"github.com/switchboardhq/switchboard"
)

var _ switchboard.EventLogStore = (*DB)(nil)

// insertEvents appends rs to the event log in tx and sets their positions.
func (db *DB) insertEvents(ctx context.Context, tx *writeTx, rs []*switchboard.EventRecord) error {
	for _, r := range rs {
		if r.ID == "" {
			r.ID = switchboard.NewID()
		}
		if r.At.IsZero() {
			r.At = db.now()
		}
		r.At = utc(r.At)
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (id, type, at, conversation_id, channel_id, subject_id)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING position`,
			r.ID, r.Type, micros(r.At), r.ConversationID, r.ChannelID, r.SubjectID).Scan(&r.Position); err != nil {
			return fmt.Errorf("insert event: %w", err)
		}
	}
	return nil
}

// PendingEvents lists records not yet fanned out, by position.
func (db *DB) PendingEvents(ctx context.Context, n int) ([]*switchboard.EventRecord, error) {
	rows, err := db.rdb.QueryContext(ctx, `SELECT position, id, type, at, conversation_id, channel_id, subject_id
		FROM events WHERE processed_at IS NULL ORDER BY position LIMIT ?`, n)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.EventRecord{}
	for rows.Next() {
		var r switchboard.EventRecord
		var at sql.NullInt64
		if err := rows.Scan(&r.Position, &r.ID, &r.Type, &at, &r.ConversationID, &r.ChannelID, &r.SubjectID); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		r.At = fromMicros(at)
		out = append(out, &r)
	}
	return out, rows.Err()
}

// FanOutEvents stores the deliveries and marks the records processed, in
// one transaction.
func (db *DB) FanOutEvents(ctx context.Context, positions []int64, ds []*switchboard.WebhookDelivery, now time.Time) error {
	return db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		if err := db.insertDeliveries(ctx, tx, ds); err != nil {
			return err
		}
		for _, p := range positions {
			if _, err := tx.ExecContext(ctx, `UPDATE events SET processed_at = ? WHERE position = ? AND processed_at IS NULL`,
				micros(now), p); err != nil {
				return fmt.Errorf("mark event processed: %w", err)
			}
		}
		return nil
	})
}

// PruneEvents deletes records fanned out before before.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.write(switchboard.WithoutAuditEntry(ctx), func(ctx context.Context, tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM events WHERE processed_at IS NOT NULL AND processed_at < ?`, micros(before))
		if err != nil {
			return fmt.Errorf("prune events: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}
