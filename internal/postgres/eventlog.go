package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/switchboardhq/switchboard"
)

var _ switchboard.EventLogStore = (*DB)(nil)

// insertEvents appends rs to the event log in tx and sets their positions.
func (db *DB) insertEvents(ctx context.Context, tx *txn, rs []*switchboard.EventRecord) error {
	if len(rs) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, r := range rs {
		if r.ID == "" {
			r.ID = switchboard.NewID()
		}
		if r.At.IsZero() {
			r.At = db.now()
		}
		r.At = utc(r.At)
		batch.Queue(`INSERT INTO events (id, type, at, conversation_id, channel_id, subject_id)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING position`,
			r.ID, r.Type, r.At, r.ConversationID, r.ChannelID, r.SubjectID).QueryRow(func(row pgx.Row) error {
			return row.Scan(&r.Position)
		})
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("insert events: %w", err)
	}
	return nil
}

// PendingEvents lists records not yet fanned out, by position.
func (db *DB) PendingEvents(ctx context.Context, n int) ([]*switchboard.EventRecord, error) {
	rows, err := db.pool.Query(ctx, `SELECT position, id, type, at, conversation_id, channel_id, subject_id
		FROM events WHERE processed_at IS NULL ORDER BY position LIMIT $1`, n)
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	defer rows.Close()
	out := []*switchboard.EventRecord{}
	for rows.Next() {
		var r switchboard.EventRecord
		if err := rows.Scan(&r.Position, &r.ID, &r.Type, &r.At, &r.ConversationID, &r.ChannelID, &r.SubjectID); err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		r.At = r.At.UTC()
		out = append(out, &r)
	}
	return out, rows.Err()
}

// FanOutEvents stores the deliveries and marks the records processed, in
// one transaction.
func (db *DB) FanOutEvents(ctx context.Context, positions []int64, ds []*switchboard.WebhookDelivery, now time.Time) error {
	return db.withTx(switchboard.WithoutAuditEntry(ctx), func(tx *txn) error {
		if len(ds) > 0 {
			if err := db.insertDeliveries(ctx, tx, ds); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET processed_at = $1 WHERE position = ANY($2) AND processed_at IS NULL`,
			utc(now), positions); err != nil {
			return fmt.Errorf("mark events processed: %w", err)
		}
		return nil
	})
}

// PruneEvents deletes records fanned out before before.
func (db *DB) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM events WHERE processed_at IS NOT NULL AND processed_at < $1`, utc(before))
	if err != nil {
		return 0, fmt.Errorf("prune events: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
