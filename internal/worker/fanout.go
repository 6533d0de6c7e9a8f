package worker

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// EventFanout turns the event log's records into webhook deliveries, off
// the path of the change that wrote them: ingest and replies only append a
// record in their own transaction and wake it, so neither a slow receiver
// nor the fan-out itself slows them. It also prunes records fanned out
// longer ago than the retention. Records a killed process left pending are
// taken on the first pass after a restart.
type EventFanout struct {
	Source interface {
		FanOut(ctx context.Context, n int) (int, error)
		PruneEvents(ctx context.Context) (int, error)
	}
	Logger *slog.Logger
	Batch  int           // records per pass (default 200)
	Poll   time.Duration // idle poll interval (default 2 s)
	Prune  time.Duration // prune interval (default 1 h)

	once sync.Once
	wake chan struct{}
}

func (f *EventFanout) init() {
	f.once.Do(func() {
		f.wake = make(chan struct{}, 1)
		if f.Logger == nil {
			f.Logger = slog.New(slog.DiscardHandler)
		}
		if f.Batch <= 0 {
			f.Batch = 200
		}
		if f.Poll <= 0 {
			f.Poll = 2 * time.Second
		}
		if f.Prune <= 0 {
			f.Prune = time.Hour
		}
	})
}

// Notify wakes the fan-out because records were written. It never blocks.
func (f *EventFanout) Notify() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run fans out until ctx ends.
func (f *EventFanout) Run(ctx context.Context) error {
	f.init()
	t := time.NewTicker(f.Poll)
	defer t.Stop()
	var pruned time.Time
	for {
		n, err := f.Source.FanOut(ctx, f.Batch)
		if err != nil && ctx.Err() == nil {
			f.Logger.Error("fan out events", "err", err)
		}
		if time.Since(pruned) >= f.Prune {
			pruned = time.Now()
			if k, err := f.Source.PruneEvents(ctx); err != nil && ctx.Err() == nil {
				f.Logger.Error("prune events", "err", err)
			} else if k > 0 {
				f.Logger.Info("pruned events", "n", k)
			}
		}
		if err == nil && n == f.Batch {
			continue // more are waiting
		}
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-t.C:
		}
	}
}
