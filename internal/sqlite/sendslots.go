package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// ClaimSendSlot reserves the channel's next free send time: max(next free
// time, now), with the next free time moved interval past that. The single
// writer serialises claims.
func (db *DB) ClaimSendSlot(ctx context.Context, channelID string, interval time.Duration, now time.Time) (time.Time, error) {
	if err := switchboard.CheckSendSlotInterval(interval); err != nil {
		return time.Time{}, err
	}
	step := interval.Microseconds()
	var next int64
	err := db.write(ctx, func(ctx context.Context, tx *writeTx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO send_pacing (channel_id, next_at) VALUES (?, ? + ?)
			ON CONFLICT (channel_id) DO UPDATE SET next_at = MAX(send_pacing.next_at, excluded.next_at - ?) + ?
			RETURNING next_at`, channelID, micros(now), step, step, step).Scan(&next)
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("claim send slot: %w", err)
	}
	return time.UnixMicro(next - step).UTC(), nil
}
