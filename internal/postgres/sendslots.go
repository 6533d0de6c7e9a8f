package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboardhq/switchboard"
)

// ClaimSendSlot reserves the channel's next free send time. The upsert
// takes the channel's row lock, so claims from every instance queue up on
// it and each gets its own slot: max(next free time, now), with the next
// free time moved interval past that.
func (db *DB) ClaimSendSlot(ctx context.Context, channelID string, interval time.Duration, now time.Time) (time.Time, error) {
	if err := switchboard.CheckSendSlotInterval(interval); err != nil {
		return time.Time{}, err
	}
	now = utc(now)
	var next time.Time
	err := db.pool.QueryRow(ctx, `INSERT INTO send_pacing AS p (channel_id, next_at) VALUES ($1, $2::timestamptz + $3::interval)
		ON CONFLICT (channel_id) DO UPDATE SET next_at = GREATEST(p.next_at, $2::timestamptz) + $3::interval
		RETURNING next_at`, channelID, now, interval).Scan(&next)
	if err != nil {
		return time.Time{}, fmt.Errorf("claim send slot: %w", err)
	}
	return next.Add(-interval).UTC(), nil
}
