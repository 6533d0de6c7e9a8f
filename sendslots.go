package switchboard

import (
	"context"
	"time"
)

// SendSlots spaces a channel's sends across every instance that shares the
// store, so that together they stay within Meta's per-number throughput
// (docs/deploy.md, "Several instances"). ClaimSendSlot reserves the
// channel's next free send time, now or later, and moves the next free
// time interval past it, atomically: concurrent claims get slots at least
// interval apart. The sender waits until its slot, then sends.
type SendSlots interface {
	ClaimSendSlot(ctx context.Context, channelID string, interval time.Duration, now time.Time) (time.Time, error)
}

// MaxSendSlotInterval bounds the interval of one claim: the slowest pacing
// a sender uses (one message a second, after Meta's throttling) with room.
const MaxSendSlotInterval = 10 * time.Second

// CheckSendSlotInterval is the rule on a claim's interval, for both stores.
func CheckSendSlotInterval(interval time.Duration) error {
	if interval <= 0 || interval > MaxSendSlotInterval {
		return Errorf(EInvalid, "send slot interval %v must be above 0 and at most %v", interval, MaxSendSlotInterval)
	}
	return nil
}
