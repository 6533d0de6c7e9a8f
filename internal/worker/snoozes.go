package worker

import (
	"context"
	"log/slog"
	"time"
)

// Waker opens the snoozed conversations whose time has come, up to limit
// of them, and says how many it opened (inbox.Service.WakeSnoozed).
type Waker interface {
	WakeSnoozed(ctx context.Context, limit int) (int, error)
}

var _ Waker = WakerFunc(nil)

// WakerFunc adapts a function to [Waker].
type WakerFunc func(ctx context.Context, limit int) (int, error)

// WakeSnoozed calls f.
func (f WakerFunc) WakeSnoozed(ctx context.Context, limit int) (int, error) { return f(ctx, limit) }

// Snoozes is the periodic job that brings snoozed conversations back at
// their time. Waking is idempotent in the store (only a conversation still
// snoozed and due changes), so two instances running it at once wake each
// conversation once; a leader lease may still gate it to save the reads.
type Snoozes struct {
	Waker    Waker
	Logger   *slog.Logger
	Interval time.Duration // default 30 seconds
	Batch    int           // conversations per round, default 100
}

// Run wakes what is due now and then every Interval until ctx ends. A
// full batch is followed by the next one at once.
func (s *Snoozes) Run(ctx context.Context) error {
	logger := s.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	interval, batch := s.Interval, s.Batch
	if interval <= 0 {
		interval = 30 * time.Second
	}
	if batch <= 0 {
		batch = 100
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for {
			n, err := s.Waker.WakeSnoozed(ctx, batch)
			if err != nil {
				if ctx.Err() == nil {
					logger.Warn("wake snoozed conversations", "err", err)
				}
				break
			}
			if n < batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
