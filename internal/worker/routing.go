package worker

import (
	"context"
	"log/slog"
	"time"
)

// Reofferer is what the re-offer job needs: inbox.System's
// ReofferWaiting.
type Reofferer interface {
	ReofferWaiting(ctx context.Context) (int, error)
}

// Reoffer is the routing timer (docs/routing.md): every interval it offers
// the unassigned conversations that have waited longer than their
// channel's re-offer time to the channel's automatic assignment again. It
// runs until ctx ends. Run it on one instance only (a singleton job, like
// the other periodic jobs).
func Reoffer(ctx context.Context, sys Reofferer, interval time.Duration, logger *slog.Logger) error {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = time.Minute
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			n, err := sys.ReofferWaiting(ctx)
			if err != nil && ctx.Err() == nil {
				logger.Warn("re-offer waiting conversations", "err", err)
			}
			if n > 0 {
				logger.Info("re-offered waiting conversations", "assigned", n)
			}
		}
	}
}
